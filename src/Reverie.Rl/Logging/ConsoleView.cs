// ConsoleView: the live terminal view of a run (Spectre.Console progress bar) or plain periodic lines in quiet mode.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Spectre.Console;

namespace Reverie.Rl.Logging;

/// <summary>What the console view shows; the driver passes a fresh one to <see cref="ConsoleView.Update"/>.</summary>
/// <param name="EnvSteps">Env steps so far.</param>
/// <param name="Updates">Gradient updates so far.</param>
/// <param name="RecentReturn">Mean return of recent training episodes, or null before the first one.</param>
/// <param name="Losses">The main losses to show (a few), or null.</param>
public sealed record ProgressSnapshot(long EnvSteps, long Updates, double? RecentReturn = null,
    IReadOnlyDictionary<string, double>? Losses = null);

/// <summary>
/// Shows a run's progress: a Spectre.Console progress bar with ETA, env steps/s, updates/s, the recent return and
/// the main losses, redrawn a few times a second on a background thread; or, in quiet mode (for CI and log files),
/// one plain line every <c>quietInterval</c>. Rates are measured over the time since the previous line or redraw.
/// </summary>
public sealed class ConsoleView : IDisposable
{
    private readonly long _total;
    private readonly TextWriter _out;
    private readonly TimeSpan _interval;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly object _lock = new();
    private readonly Task? _live;
    private readonly CancellationTokenSource _stop = new();
    private ProgressSnapshot _latest = new(0, 0);
    private long _startSteps = -1;
    private (double Time, long Steps, long Updates) _last;
    private double _stepsPerSec, _updatesPerSec;
    private TimeSpan _nextLine;

    /// <summary>Starts the view.</summary>
    /// <param name="totalSteps">The run's target env steps (for the bar and the ETA).</param>
    /// <param name="quiet">Plain lines instead of the live bar; null chooses with <see cref="ShouldBeQuiet"/>.</param>
    /// <param name="quietOut">Where quiet lines and messages go (default: standard output).</param>
    /// <param name="quietInterval">Time between quiet lines (default 30 s).</param>
    public ConsoleView(long totalSteps, bool? quiet = null, TextWriter? quietOut = null, TimeSpan? quietInterval = null)
    {
        _total = Math.Max(1, totalSteps);
        Quiet = quiet ?? ShouldBeQuiet();
        _out = quietOut ?? Console.Out;
        _interval = quietInterval ?? TimeSpan.FromSeconds(30);
        _nextLine = TimeSpan.Zero;
        if (!Quiet) _live = Task.Run(RunLive);
    }

    /// <summary>True when the view prints plain lines instead of a live bar.</summary>
    public bool Quiet { get; }

    /// <summary>Quiet when standard output is redirected (not a terminal) or the <c>CI</c> environment variable is <c>true</c>/<c>1</c>.</summary>
    public static bool ShouldBeQuiet()
    {
        string? ci = Environment.GetEnvironmentVariable("CI");
        return Console.IsOutputRedirected || string.Equals(ci, "true", StringComparison.OrdinalIgnoreCase) || ci == "1";
    }

    /// <summary>Records the latest progress; in quiet mode prints a line when the interval has passed.</summary>
    public void Update(ProgressSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (_lock)
        {
            _latest = snapshot;
            if (_startSteps < 0) { _startSteps = snapshot.EnvSteps; _last = (_clock.Elapsed.TotalSeconds, snapshot.EnvSteps, snapshot.Updates); }
            if (Quiet && _clock.Elapsed >= _nextLine)
            {
                _nextLine = _clock.Elapsed + _interval;
                MeasureRates();
                _out.WriteLine(Line(snapshot));
                _out.Flush();
            }
        }
    }

    /// <summary>Prints a message line (above the live bar, or plainly in quiet mode).</summary>
    public void Message(string text)
    {
        lock (_lock)
        {
            if (Quiet) { _out.WriteLine(text); _out.Flush(); }
            else AnsiConsole.MarkupLine(Markup.Escape(text));
        }
    }

    /// <summary>Prints a final line with the last snapshot and stops the live view.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        try { _live?.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
        lock (_lock)
        {
            MeasureRates();
            if (Quiet) { _out.WriteLine(Line(_latest)); _out.Flush(); }
        }
    }

    /// <summary>The one-line summary quiet mode prints, e.g. <c>step 12000/100000 (12.0%) | 850 steps/s | 12.3 updates/s | return 123.4 | loss/rew 0.120 | ETA 0:01:43</c>.</summary>
    public string Line(ProgressSnapshot s)
    {
        var sb = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        sb.Append(ci, $"step {s.EnvSteps}/{_total} ({100.0 * s.EnvSteps / _total:F1}%) | {_stepsPerSec:F0} steps/s | {_updatesPerSec:F1} updates/s");
        if (s.RecentReturn is double r) sb.Append(ci, $" | return {r:G4}");
        if (s.Losses is not null) foreach (var (k, v) in s.Losses) sb.Append(ci, $" | {k} {v:G3}");
        if (Eta(s) is TimeSpan eta) sb.Append(ci, $" | ETA {eta:h\\:mm\\:ss}");
        return sb.ToString();
    }

    private TimeSpan? Eta(ProgressSnapshot s)
    {
        long done = s.EnvSteps - Math.Max(0, _startSteps);
        double secs = _clock.Elapsed.TotalSeconds;
        if (done <= 0 || secs <= 0) return null;
        double remaining = (_total - s.EnvSteps) * secs / done;
        return remaining is >= 0 and < 1e7 ? TimeSpan.FromSeconds(Math.Round(remaining)) : null;
    }

    private void MeasureRates()
    {
        double now = _clock.Elapsed.TotalSeconds, dt = now - _last.Time;
        if (dt < 0.25) return;
        _stepsPerSec = (_latest.EnvSteps - _last.Steps) / dt;
        _updatesPerSec = (_latest.Updates - _last.Updates) / dt;
        _last = (now, _latest.EnvSteps, _latest.Updates);
    }

    private async Task RunLive()
    {
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("starting", maxValue: _total);
                while (true)
                {
                    lock (_lock)
                    {
                        MeasureRates();
                        var s = _latest;
                        task.Value = Math.Min(s.EnvSteps, _total);
                        var ci = CultureInfo.InvariantCulture;
                        var d = new StringBuilder();
                        d.Append(ci, $"{_stepsPerSec:F0} steps/s  {_updatesPerSec:F1} upd/s");
                        if (s.RecentReturn is double r) d.Append(ci, $"  return {r:G4}");
                        if (s.Losses is not null) foreach (var (k, v) in s.Losses) d.Append(ci, $"  {k} {v:G3}");
                        task.Description = Markup.Escape(d.ToString());
                    }
                    if (_stop.IsCancellationRequested) break;
                    try { await Task.Delay(250, _stop.Token); } catch (TaskCanceledException) { }
                }
                ctx.Refresh();
            });
    }
}

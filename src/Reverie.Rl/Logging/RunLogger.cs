// RunLogger: metrics.jsonl, scores.csv and TensorBoard scalars of one run directory.
using System.Globalization;
using System.Text;

namespace Reverie.Rl.Logging;

/// <summary>
/// Writes a run's logs into its run directory: <c>metrics.jsonl</c> (one JSON object per <see cref="Log"/> call:
/// <c>{"step": 1000, "loss/rew": 0.25, ...}</c>; NaN and infinities are written as <c>null</c>), <c>scores.csv</c>
/// (header <c>kind,step,return,length</c>, kind <c>train</c> or <c>eval</c>) and TensorBoard scalars
/// (<c>events.out.tfevents.*</c>; episode scores as <c>episode/return</c>, <c>episode/length</c> for training and
/// <c>eval/return</c>, <c>eval/length</c> for evaluation). Lines are flushed on every call, so the files can be
/// read while the run goes on.
/// </summary>
public sealed class RunLogger : IDisposable
{
    /// <summary>File names in the run directory.</summary>
    public const string MetricsFile = "metrics.jsonl", ScoresFile = "scores.csv", ScoresHeader = "kind,step,return,length";

    private readonly StreamWriter _metrics, _scores;

    /// <summary>Opens (appending) or creates the log files of <paramref name="runDir"/>.</summary>
    /// <param name="runDir">The run directory (created if needed).</param>
    /// <param name="resumeStep">When resuming from a checkpoint taken at this env step: rows of <c>metrics.jsonl</c>
    /// and <c>scores.csv</c> logged after it are removed first (the resumed run logs them again).</param>
    /// <param name="tensorBoard">Also write TensorBoard event files.</param>
    public RunLogger(string runDir, long? resumeStep = null, bool tensorBoard = true)
    {
        Directory.CreateDirectory(runDir);
        RunDir = runDir;
        string metrics = Path.Combine(runDir, MetricsFile), scores = Path.Combine(runDir, ScoresFile);
        if (resumeStep is long s)
        {
            Truncate(metrics, line => MetricsStep(line) <= s);
            Truncate(scores, line => line == ScoresHeader || ScoresStep(line) <= s);
        }
        bool newScores = !File.Exists(scores) || new FileInfo(scores).Length == 0;
        _metrics = Open(metrics);
        _scores = Open(scores);
        if (newScores) { _scores.WriteLine(ScoresHeader); _scores.Flush(); }
        if (tensorBoard) TensorBoard = new TensorBoardWriter(runDir);
    }

    /// <summary>The run directory.</summary>
    public string RunDir { get; }

    /// <summary>The TensorBoard writer, or null when disabled.</summary>
    public TensorBoardWriter? TensorBoard { get; }

    /// <summary>Writes one metrics row at <paramref name="step"/> (env steps) to <c>metrics.jsonl</c> and TensorBoard.</summary>
    public void Log(long step, IEnumerable<KeyValuePair<string, double>> metrics)
    {
        var sb = new StringBuilder("{\"step\": ").Append(step.ToString(CultureInfo.InvariantCulture));
        var scalars = new List<(string, float)>();
        foreach (var (k, v) in metrics)
        {
            sb.Append(", ");
            AppendJsonString(sb, k);
            sb.Append(": ").Append(double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "null");
            scalars.Add((k, (float)v));
        }
        sb.Append('}');
        _metrics.WriteLine(sb.ToString());
        _metrics.Flush();
        if (scalars.Count > 0) { TensorBoard?.AddScalars(step, scalars); TensorBoard?.Flush(); }
    }

    /// <summary>Records a finished episode in <c>scores.csv</c> and TensorBoard.</summary>
    /// <param name="kind"><c>train</c> or <c>eval</c>.</param>
    /// <param name="step">Env steps when the episode ended.</param>
    /// <param name="episodeReturn">The undiscounted return.</param>
    /// <param name="length">Steps in the episode.</param>
    /// <exception cref="ArgumentException"><paramref name="kind"/> is neither <c>train</c> nor <c>eval</c>.</exception>
    public void Score(string kind, long step, double episodeReturn, long length)
    {
        if (kind is not ("train" or "eval")) throw new ArgumentException($"RunLogger.Score: kind must be 'train' or 'eval', got '{kind}'", nameof(kind));
        _scores.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{kind},{step},{episodeReturn:R},{length}"));
        _scores.Flush();
        string prefix = kind == "train" ? "episode" : "eval";
        TensorBoard?.AddScalars(step, [($"{prefix}/return", (float)episodeReturn), ($"{prefix}/length", length)]);
        TensorBoard?.Flush();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _metrics.Dispose();
        _scores.Dispose();
        TensorBoard?.Dispose();
    }

    private static StreamWriter Open(string path) =>
        new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false)) { NewLine = "\n" };

    private static void Truncate(string path, Func<string, bool> keep)
    {
        if (!File.Exists(path)) return;
        var lines = File.ReadAllLines(path);
        var kept = lines.Where(l => l.Length > 0 && keep(l)).ToArray();
        if (kept.Length == lines.Length) return;
        File.WriteAllText(path + ".tmp", kept.Length == 0 ? "" : string.Join("\n", kept) + "\n");
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private static long MetricsStep(string line)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(line);
            return doc.RootElement.GetProperty("step").GetInt64();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return long.MaxValue;   // a torn last line from a crash: drop it
        }
    }

    private static long ScoresStep(string line)
    {
        var parts = line.Split(',');
        return parts.Length == 4 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long s) ? s : long.MaxValue;
    }

    private static void AppendJsonString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (char c in s)
        {
            if (c == '"' || c == '\\') sb.Append('\\').Append(c);
            else if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        sb.Append('"');
    }
}

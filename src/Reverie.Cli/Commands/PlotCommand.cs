// PlotCommand: `reverie plot`: learning curves from runs' scores.csv, grouped across seeds, to SVG and PNG.
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Reverie.Envs;
using Reverie.Rl.Media;

namespace Reverie.Cli.Commands;

/// <summary><c>reverie plot RUN... [--out PATH] [--title T] [--bins N] [--band minmax|std] [--x env|agent]</c>.</summary>
public static partial class PlotCommand
{
    private const string Help = """
        usage: reverie plot RUN... [--out PATH] [--title T] [--bins N] [--band minmax|std] [--x env|agent]

        Draws the learning curves of one or more run directories (return against env steps) to
        PATH.svg and PATH.png. Each run's evaluation returns are used (its training returns when it has
        no evaluation rows). Runs whose directory names differ only in a seed suffix (-s0, -s1, _seed2)
        are one curve: the mean across seeds, with a band of min..max (or mean ± std) across seeds.
        Returns are averaged within N equal bins of env steps. A run logs agent steps (one action each);
        with an action repeat (the DMC-style envs repeat 2) the env steps are that many times more, and
        the x axis shows env steps unless --x agent is given (the repeat comes from the run's run.json:
        run.action_repeat, or the env's default).

          RUN...          run directories (each with scores.csv)
          --out PATH      output path without extension (default: plot)
          --title T       plot title (default: the curve names)
          --bins N        bins along the x axis (default 40)
          --band B        minmax (default) or std
          --x X           env (default: agent steps x action repeat) or agent
        """;

    /// <summary>Runs the verb.</summary>
    public static int Run(string[] argv)
    {
        var args = Args.Parse("plot", argv, Args.Declare("out", "title", "bins", "band", "x"));
        if (args.Help) { Console.Out.Write(Help); return ExitCodes.Ok; }
        if (args.Positionals.Count == 0) throw new UsageException("give at least one run directory (see 'reverie plot --help')");
        int bins = (int)args.Long("plot", "bins", 40, min: 1);
        string band = args.Get("band") ?? "minmax";
        if (band is not ("minmax" or "std")) throw new UsageException($"--band must be minmax or std, got '{band}'");
        string axis = args.Get("x") ?? "env";
        if (axis is not ("env" or "agent")) throw new UsageException($"--x must be env or agent, got '{axis}'");
        var groups = new Dictionary<string, List<(double[] X, double[] Y)>>();
        var repeats = new HashSet<int>();
        foreach (string dir in args.Positionals)
        {
            string path = Path.Combine(dir, "scores.csv");
            if (!File.Exists(path)) throw new UsageException($"'{dir}' has no scores.csv");
            var rows = ReadScores(path);
            int repeat = ActionRepeatOf(dir);
            repeats.Add(repeat);
            if (axis == "env" && repeat > 1) rows = (rows.X.Select(x => x * repeat).ToArray(), rows.Y);
            string name = SeedSuffix().Replace(Path.GetFileName(Path.GetFullPath(dir).TrimEnd('/')), "");
            if (!groups.TryGetValue(name, out var list)) groups[name] = list = [];
            list.Add(rows);
        }
        double xmax = groups.Values.SelectMany(g => g).SelectMany(r => r.X).DefaultIfEmpty(1).Max();
        var series = groups.Select(g => Curve(g.Key, g.Value, bins, Math.Max(xmax, 1), band == "std")).ToList();
        string title = args.Get("title") ?? string.Join(" vs ", groups.Keys);
        string output = args.Get("out") ?? "plot";
        if (output.Length == 0) throw new UsageException("--out needs a path");
        if (Path.GetDirectoryName(Path.GetFullPath(output)) is string od) Directory.CreateDirectory(od);
        string xLabel = axis == "agent" ? "agent steps"
            : repeats.All(r => r == 1) ? "env steps"
            : repeats.Count == 1 ? $"env steps (agent steps x {repeats.First()})"
            : "env steps (agent steps x each run's action repeat)";
        new LinePlot(title, xLabel, "return", series).Save(output);
        Console.Out.WriteLine($"wrote {output}.svg and {output}.png ({series.Count} curve(s) from {args.Positionals.Count} run(s))");
        return ExitCodes.Ok;
    }

    /// <summary>
    /// The action repeat of a run: <c>run.action_repeat</c> from its run.json when set (&gt; 0), else its env's
    /// registered default (a multi-task env's tasks' common one); 1 without a run.json or for an env this build does not know.
    /// </summary>
    /// <exception cref="UsageException">The run.json does not parse.</exception>
    internal static int ActionRepeatOf(string dir)
    {
        if (!File.Exists(Path.Combine(dir, RunInfo.FileName))) return 1;
        RunInfo run;
        try { run = RunInfo.Read(dir); }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            throw new UsageException($"'{Path.Combine(dir, RunInfo.FileName)}' does not parse ({e.Message})");
        }
        if (run.Settings?.GetValueOrDefault("run.action_repeat") is string set
            && int.TryParse(set, NumberStyles.Integer, CultureInfo.InvariantCulture, out int r) && r > 0) return r;
        var ids = MultiTaskEnv.TasksOf(run.Env ?? "") ?? [run.Env ?? ""];
        var repeats = ids.Select(id => EnvRegistry.Specs.FirstOrDefault(s => s.Id == id)?.ActionRepeat ?? 1).Distinct().ToList();
        return repeats.Count == 1 && repeats[0] > 1 ? repeats[0] : 1;
    }

    /// <summary>(step, return) of the eval rows of a scores.csv, or of its train rows when there are no eval rows.</summary>
    /// <exception cref="UsageException">The file does not parse (<see cref="ScoresCsv.Read"/>).</exception>
    internal static (double[] X, double[] Y) ReadScores(string path)
    {
        var rows = ScoresCsv.Read(path);
        string use = rows.Any(r => r.Kind == "eval") ? "eval" : "train";
        var pick = rows.Where(r => r.Kind == use).Select(r => (X: (double)r.Step, Y: r.Return)).OrderBy(p => p.X).ToList();
        return ([.. pick.Select(p => p.X)], [.. pick.Select(p => p.Y)]);
    }

    /// <summary>Bins every run's returns into <paramref name="bins"/> equal steps of [0, xmax]; mean and band across runs per bin.</summary>
    internal static PlotSeries Curve(string name, List<(double[] X, double[] Y)> runs, int bins, double xmax, bool std)
    {
        var x = new List<double>(); var mean = new List<double>(); var lo = new List<double>(); var hi = new List<double>();
        for (int b = 0; b < bins; b++)
        {
            double a = xmax * b / bins, z = xmax * (b + 1) / bins;
            var perRun = new List<double>();
            foreach (var (rx, ry) in runs)
            {
                double s = 0; int n = 0;
                for (int i = 0; i < rx.Length; i++) if ((rx[i] > a || (b == 0 && rx[i] >= a)) && rx[i] <= z) { s += ry[i]; n++; }
                if (n > 0) perRun.Add(s / n);
            }
            if (perRun.Count == 0) continue;
            double m = perRun.Average();
            double sd = Math.Sqrt(perRun.Sum(v => (v - m) * (v - m)) / perRun.Count);
            x.Add(z); mean.Add(m);
            lo.Add(std ? m - sd : perRun.Min()); hi.Add(std ? m + sd : perRun.Max());
        }
        string label = runs.Count > 1 ? $"{name} ({runs.Count} seeds)" : name;
        return runs.Count > 1 ? new PlotSeries(label, [.. x], [.. mean], [.. lo], [.. hi]) : new PlotSeries(label, [.. x], [.. mean]);
    }

    [GeneratedRegex(@"([-_](s|seed)\d+)$")]
    private static partial Regex SeedSuffix();
}

// EvalsCommand: `reverie evals`: a run's evaluation rows from scores.csv as one line per evaluation (mean, std, min), to the terminal and to CSV.
using System.Globalization;
using System.Text;

namespace Reverie.Cli.Commands;

/// <summary><c>reverie evals RUN [--csv PATH]</c>.</summary>
public static class EvalsCommand
{
    private const string Help = """
        usage: reverie evals RUN [--csv PATH]

        Summarizes the evaluations of a run directory: for every evaluation point of its scores.csv, the
        agent steps, the env steps (agent steps x the run's action repeat, as in 'reverie plot'), and the
        mean, standard deviation (population, over the episodes) and minimum of the episode returns, and
        the number of episodes. Prints a table; --csv also writes it as CSV, in the format of the
        eval_sS.csv files under results/ (columns agent_steps,env_steps,eval_return_mean,eval_return_std,
        eval_return_min,episodes; agent_steps only when the action repeat is above 1).

          RUN          a run directory (with scores.csv)
          --csv PATH   also write the table to PATH as CSV
        """;

    /// <summary>Runs the verb.</summary>
    public static int Run(string[] argv)
    {
        var args = Args.Parse("evals", argv, Args.Declare("csv"));
        if (args.Help) { Console.Out.Write(Help); return ExitCodes.Ok; }
        if (args.Positionals.Count != 1) throw new UsageException("give one run directory (see 'reverie evals --help')");
        string dir = args.Positionals[0];
        string path = Path.Combine(dir, "scores.csv");
        if (!File.Exists(path)) throw new UsageException($"'{dir}' has no scores.csv");
        List<EvalPoint> points;
        try { points = Read(path); }
        catch (InvalidDataException e) { throw new UsageException(e.Message); }
        if (points.Count == 0) throw new UsageException($"'{path}' has no eval rows (the run has not evaluated yet)");
        int repeat = PlotCommand.ActionRepeatOf(dir);
        string csv = Csv(points, repeat);
        Console.Out.WriteLine($"{path}: {points.Count} evaluation(s), action repeat {repeat}");
        Console.Out.WriteLine($"{"agent steps",12} {"env steps",12} {"mean",10} {"std",9} {"min",10} {"episodes",8}");
        foreach (var p in points)
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{p.Step,12} {p.Step * repeat,12} {p.Mean,10:F1} {p.Std,9:F1} {p.Min,10:F1} {p.Episodes,8}"));
        if (args.Get("csv") is string output)
        {
            if (Path.GetDirectoryName(Path.GetFullPath(output)) is string od) Directory.CreateDirectory(od);
            File.WriteAllText(output, csv);
            Console.Out.WriteLine($"wrote {output}");
        }
        return ExitCodes.Ok;
    }

    /// <summary>One evaluation: its agent step and the statistics of its episodes' returns.</summary>
    internal readonly record struct EvalPoint(long Step, double Mean, double Std, double Min, int Episodes);

    /// <summary>The eval rows of a scores.csv grouped by step, in step order.</summary>
    /// <exception cref="InvalidDataException">The header lacks kind, step or return, or a row's number does not parse.</exception>
    internal static List<EvalPoint> Read(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0) return [];
        var head = lines[0].Split(',');
        int kind = Array.IndexOf(head, "kind"), step = Array.IndexOf(head, "step"), ret = Array.IndexOf(head, "return");
        if (kind < 0 || step < 0 || ret < 0) throw new InvalidDataException($"'{path}': header '{lines[0]}' lacks kind, step or return");
        var byStep = new SortedDictionary<long, List<double>>();
        for (int i = 1; i < lines.Length; i++)
        {
            var c = lines[i].Split(',');
            if (c.Length <= Math.Max(kind, Math.Max(step, ret)) || c[kind] != "eval") continue;
            if (!long.TryParse(c[step], NumberStyles.Integer, CultureInfo.InvariantCulture, out long s)
                || !double.TryParse(c[ret], NumberStyles.Float, CultureInfo.InvariantCulture, out double r))
                throw new InvalidDataException($"'{path}' line {i + 1}: '{lines[i]}' does not parse (step and return must be numbers)");
            if (!byStep.TryGetValue(s, out var list)) byStep[s] = list = [];
            list.Add(r);
        }
        return [.. byStep.Select(kv =>
        {
            double mean = kv.Value.Average();
            double std = Math.Sqrt(kv.Value.Sum(v => (v - mean) * (v - mean)) / kv.Value.Count);
            return new EvalPoint(kv.Key, mean, std, kv.Value.Min(), kv.Value.Count);
        })];
    }

    /// <summary>The results/ CSV format: agent_steps only when <paramref name="repeat"/> &gt; 1; returns to 3 decimals.</summary>
    internal static string Csv(List<EvalPoint> points, int repeat)
    {
        var sb = new StringBuilder(repeat > 1 ? "agent_steps," : "");
        sb.Append("env_steps,eval_return_mean,eval_return_std,eval_return_min,episodes\n");
        foreach (var p in points)
        {
            if (repeat > 1) sb.Append(p.Step.ToString(CultureInfo.InvariantCulture)).Append(',');
            sb.Append(string.Create(CultureInfo.InvariantCulture, $"{p.Step * repeat},{p.Mean:F3},{p.Std:F3},{p.Min:F3},{p.Episodes}\n"));
        }
        return sb.ToString();
    }
}

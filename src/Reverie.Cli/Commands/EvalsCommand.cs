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
        var points = Read(path);
        if (points.Count == 0) throw new UsageException($"'{path}' has no eval rows (the run has not evaluated yet)");
        int repeat = PlotCommand.ActionRepeatOf(dir);
        Console.Out.WriteLine($"{path}: {points.Count} evaluation(s), action repeat {repeat}");
        Console.Out.WriteLine($"{"agent steps",12} {"env steps",12} {"mean",10} {"std",9} {"min",10} {"episodes",8}");
        foreach (var p in points)
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{p.Step,12} {p.Step * repeat,12} {p.Mean,10:F1} {p.Std,9:F1} {p.Min,10:F1} {p.Episodes,8}"));
        if (args.Get("csv") is string output)
        {
            if (output.Length == 0) throw new UsageException("--csv needs a path");
            if (Path.GetDirectoryName(Path.GetFullPath(output)) is string od) Directory.CreateDirectory(od);
            File.WriteAllText(output, Csv(points, repeat));
            Console.Out.WriteLine($"wrote {output}");
        }
        return ExitCodes.Ok;
    }

    /// <summary>One evaluation: its agent step and the statistics of its episodes' returns.</summary>
    internal readonly record struct EvalPoint(long Step, double Mean, double Std, double Min, int Episodes);

    /// <summary>The eval rows of a scores.csv grouped by step, in step order.</summary>
    /// <exception cref="UsageException">The file does not parse (<see cref="ScoresCsv.Read"/>).</exception>
    internal static List<EvalPoint> Read(string path) =>
        [.. ScoresCsv.Read(path).Where(r => r.Kind == "eval").GroupBy(r => r.Step).OrderBy(g => g.Key).Select(g =>
        {
            double mean = g.Average(r => r.Return);
            double std = Math.Sqrt(g.Sum(r => (r.Return - mean) * (r.Return - mean)) / g.Count());
            return new EvalPoint(g.Key, mean, std, g.Min(r => r.Return), g.Count());
        })];

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

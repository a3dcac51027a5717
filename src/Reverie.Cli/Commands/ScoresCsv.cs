// ScoresCsv: reads a run's scores.csv (kind,step,return,length rows) for `reverie plot` and `reverie evals`.
using System.Globalization;

namespace Reverie.Cli.Commands;

/// <summary>The rows of a run's <c>scores.csv</c>.</summary>
internal static class ScoresCsv
{
    /// <summary>(kind, step, return) of every row, in file order.</summary>
    /// <exception cref="UsageException">The header lacks kind, step or return, or a row's step or return does not parse (the message names the line).</exception>
    public static List<(string Kind, long Step, double Return)> Read(string path)
    {
        var lines = File.ReadAllLines(path);
        var rows = new List<(string, long, double)>();
        if (lines.Length == 0) return rows;
        var head = lines[0].Split(',');
        int kind = Array.IndexOf(head, "kind"), step = Array.IndexOf(head, "step"), ret = Array.IndexOf(head, "return");
        if (kind < 0 || step < 0 || ret < 0) throw new UsageException($"'{path}': header '{lines[0]}' lacks kind, step or return");
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var c = lines[i].Split(',');
            if (c.Length <= Math.Max(kind, Math.Max(step, ret))
                || !long.TryParse(c[step], NumberStyles.Integer, CultureInfo.InvariantCulture, out long s)
                || !double.TryParse(c[ret], NumberStyles.Float, CultureInfo.InvariantCulture, out double r))
                throw new UsageException($"'{path}' line {i + 1}: '{lines[i]}' is not a kind,step,return row (step and return must be numbers)");
            rows.Add((c[kind], s, r));
        }
        return rows;
    }
}

// CliRunner: runs the reverie command in-process and captures its exit code and both output streams.
using Reverie.Cli;

namespace Reverie.Rl.Tests.Cli;

internal static class CliRunner
{
    /// <summary>Program.Main(args) with stdout and stderr captured (tests using it share the "console" collection).</summary>
    public static (int Code, string Out, string Err) Reverie(params string[] args)
    {
        var (o, e) = (Console.Out, Console.Error);
        var (so, se) = (new StringWriter(), new StringWriter());
        Console.SetOut(so); Console.SetError(se);
        try { return (Program.Main(args), so.ToString(), se.ToString()); }
        finally { Console.SetOut(o); Console.SetError(e); }
    }
}

// Program: the reverie command's entry point: dispatches verbs, maps failures to exit codes.
using Reverie.Cli.Commands;

namespace Reverie.Cli;

/// <summary>The <c>reverie</c> command.</summary>
public static class Program
{
    private static readonly (string Name, string Summary, Func<string[], int> Run)[] Verbs =
    [
        ("train", "train an agent on an env in a run directory (resumes when the directory has a checkpoint)", TrainCommand.Run),
        ("eval", "evaluate a run's latest checkpoint (optionally recording a GIF)", EvalCommand.Run),
        ("envs", "list the registered environments", EnvsCommand.Run),
        ("presets", "list the config presets", PresetsCommand.Run),
        ("rollout", "step an env with random actions and print steps/s", RolloutCommand.Run),
        ("plot", "draw learning curves of runs (mean and spread across seeds) to SVG and PNG", PlotCommand.Run),
        ("evals", "a run's evaluations, one line each (mean, std, min of the episode returns), optionally as CSV", EvalsCommand.Run),
    ];

    /// <summary>Runs the command; returns the exit code (<see cref="ExitCodes"/>).</summary>
    public static int Main(string[] args)
    {
        Reverie.Agents.BuiltInAgents.Register();
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            Console.Out.Write(Usage());
            return args.Length == 0 ? ExitCodes.Usage : ExitCodes.Ok;
        }
        var verb = Array.Find(Verbs, v => v.Name == args[0]);
        if (verb.Run == null)
        {
            Console.Error.WriteLine($"reverie: unknown command '{args[0]}'; commands: {string.Join(", ", Verbs.Select(v => v.Name))} (reverie --help)");
            return ExitCodes.Usage;
        }
        try { return verb.Run(args[1..]); }
        catch (UsageException e) { Console.Error.WriteLine($"reverie {verb.Name}: {e.Message}"); return ExitCodes.Usage; }
        catch (Exception e) { Console.Error.WriteLine($"reverie {verb.Name}: error: {e.Message}"); Console.Error.WriteLine(e.StackTrace); return ExitCodes.Failure; }
    }

    private static string Usage() =>
        "reverie: model-based reinforcement learning on a CPU\n\nusage: reverie <command> [options]   (reverie <command> --help)\n\ncommands:\n"
        + string.Concat(Verbs.Select(v => $"  {v.Name,-9}{v.Summary}\n"))
        + "\nexit codes: 0 ok, 1 runtime failure, 2 usage or config error, 130 interrupted (checkpoint written)\n";
}

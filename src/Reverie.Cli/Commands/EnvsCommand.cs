// EnvsCommand: `reverie envs`: the registered environments with their spaces and defaults.
using Reverie.Envs;

namespace Reverie.Cli.Commands;

/// <summary><c>reverie envs</c>.</summary>
public static class EnvsCommand
{
    /// <summary>Runs the verb.</summary>
    public static int Run(string[] argv)
    {
        var args = Args.Parse("envs", argv, Args.Declare());
        if (args.Help) { Console.Out.Write("usage: reverie envs\n\nLists every registered env id with its spaces, episode limit, action repeat and source.\n"); return ExitCodes.Ok; }
        if (args.Positionals.Count > 0) throw new UsageException($"unexpected argument '{args.Positionals[0]}'");
        Console.Out.WriteLine($"{"id",-24}{"suite",-9}{"episode",-9}{"repeat",-8}{"action",-18}observation");
        foreach (var spec in EnvRegistry.Specs)
        {
            using var env = EnvRegistry.Make(spec.Id);
            Console.Out.WriteLine($"{spec.Id,-24}{spec.Suite,-9}{spec.MaxEpisodeSteps,-9}{spec.ActionRepeat,-8}{env.ActionSpace,-18}{env.ObservationSpace}");
        }
        return ExitCodes.Ok;
    }
}

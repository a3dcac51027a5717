// PresetsCommand: `reverie presets`: the named setting overlays `reverie train --preset` accepts.
namespace Reverie.Cli.Commands;

/// <summary><c>reverie presets</c>.</summary>
public static class PresetsCommand
{
    /// <summary>Runs the verb.</summary>
    public static int Run(string[] argv)
    {
        var args = Args.Parse("presets", argv, Args.Declare());
        if (args.Help) { Console.Out.Write("usage: reverie presets\n\nLists the presets and the settings each one sets.\n"); return ExitCodes.Ok; }
        if (args.Positionals.Count > 0) throw new UsageException($"unexpected argument '{args.Positionals[0]}'");
        foreach (var (name, settings) in Presets.Builtin)
        {
            Console.Out.WriteLine(name);
            foreach (var (k, v) in settings) Console.Out.WriteLine($"  {k} = {v}");
        }
        return ExitCodes.Ok;
    }
}

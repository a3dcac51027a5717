// PresetsCommand: `reverie presets`: the named config overlays `reverie train --preset` accepts.
namespace Reverie.Cli.Commands;

/// <summary><c>reverie presets</c>.</summary>
public static class PresetsCommand
{
    /// <summary>Runs the verb.</summary>
    public static int Run(string[] argv)
    {
        var args = Args.Parse("presets", argv, Args.Declare());
        if (args.Help)
        {
            Console.Out.Write("usage: reverie presets\n\nLists the presets (configs/*.yaml, or the directory in REVERIE_CONFIGS) and the keys each sets.\n");
            return ExitCodes.Ok;
        }
        if (args.Positionals.Count > 0) throw new UsageException($"unexpected argument '{args.Positionals[0]}'");
        var lib = RunSetup.Presets();
        if (lib.Names.Count == 0) Console.Out.WriteLine("no presets found (looked in configs/ beside the binary and REVERIE_CONFIGS)");
        foreach (var name in lib.Names)
        {
            Console.Out.WriteLine(name);
            foreach (var (k, v, _) in lib.Get(name)) Console.Out.WriteLine($"  {k} = {(v is string s ? s : v is IEnumerable<string> l ? "[" + string.Join(", ", l) + "]" : v)}");
        }
        return ExitCodes.Ok;
    }
}

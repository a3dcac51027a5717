// RunSetup: turns train options (agent, env, presets, --set overrides) into a run: config, envs, agent, run.json.
using System.Text.Json;
using Reverie.Envs;
using Reverie.Rl.Agents;
using Reverie.Rl.Config;

namespace Reverie.Cli;

/// <summary>What a run directory's <c>run.json</c> records so that <c>reverie eval</c> and a resume rebuild the same run.</summary>
/// <param name="Agent">Agent name.</param>
/// <param name="Env">Env id.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Settings">The resolved config (flat <c>key = value</c>), as handed to the agent.</param>
public sealed record RunInfo(string Agent, string Env, ulong Seed, Dictionary<string, string> Settings)
{
    /// <summary>The file name in the run directory.</summary>
    public const string FileName = "run.json";

    /// <summary>Writes <c>run.json</c> (atomically).</summary>
    public void Write(string runDir)
    {
        Directory.CreateDirectory(runDir);
        string path = Path.Combine(runDir, FileName);
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true }));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>Reads <c>run.json</c> of a run directory.</summary>
    /// <exception cref="UsageException">The directory has no run.json.</exception>
    public static RunInfo Read(string runDir)
    {
        string path = Path.Combine(runDir, FileName);
        if (!File.Exists(path)) throw new UsageException($"'{runDir}' is not a run directory (no {FileName}); train one with 'reverie train'");
        return JsonSerializer.Deserialize<RunInfo>(File.ReadAllText(path)) ?? throw new InvalidDataException($"'{path}' is empty");
    }
}

/// <summary>Resolves the config and builds the pieces of a run.</summary>
public static class RunSetup
{
    /// <summary>
    /// The preset files: every <c>*.yaml</c> in the directory named by <c>REVERIE_CONFIGS</c>, else in the
    /// <c>configs/</c> directory shipped beside the binary (copied from the repository's <c>configs/</c>).
    /// </summary>
    /// <remarks>
    /// A file named after a registered agent (<c>configs/ppo.yaml</c>) holds that agent's presets: with
    /// <paramref name="agent"/> given, the files of the other agents are left out, so agents may use the same
    /// preset names (<c>dmc</c>, <c>debug</c>) for their own keys. Without it every file is loaded (listing).
    /// </remarks>
    public static PresetLibrary Presets(string? agent = null)
    {
        string dir = Environment.GetEnvironmentVariable("REVERIE_CONFIGS") is { Length: > 0 } d ? d : Path.Combine(AppContext.BaseDirectory, "configs");
        var others = AgentRegistry.Specs.Select(s => s.Name).Where(n => agent != null && n != agent).ToHashSet();
        return PresetLibrary.Load(Directory.Exists(dir)
            ? Directory.GetFiles(dir, "*.yaml").Where(f => !others.Contains(Path.GetFileNameWithoutExtension(f))).Order(StringComparer.Ordinal)
            : []);
    }

    /// <summary>
    /// The config: code defaults (the <c>run</c> section and the agent's <c>agent</c> section), then the agent's
    /// default presets for the env (<see cref="AgentSpec.DefaultPresets"/>), then <paramref name="presets"/> in order,
    /// then <c>key=value</c> assignments; validated.
    /// </summary>
    /// <exception cref="UsageException">An unknown preset or key, a bad value, or a failed check (all listed).</exception>
    public static ConfigSet Resolve(AgentSpec agent, string envId, IEnumerable<string> presets, IEnumerable<string> assignments)
    {
        var cfg = new ConfigSet().Add("run", new RunConfig());
        if (agent.Config?.Invoke() is { } defaults) cfg.Add(AgentSpec.Section, defaults);
        var all = (agent.DefaultPresets?.Invoke(envId) ?? []).Concat(presets);
        try { return cfg.Resolve(Presets(agent.Name), all, assignments); }
        catch (ConfigException e) { throw new UsageException(e.Message); }
    }

    /// <summary>The config as flat <c>key = value</c> strings (lists joined by commas).</summary>
    public static Dictionary<string, string> Flat(ConfigSet cfg) => cfg.Flatten().ToDictionary(kv => kv.Key,
        kv => kv.Value switch { null => "", string s => s, System.Collections.IEnumerable l => string.Join(",", l.Cast<object?>()), var v => v.ToString()! });

    /// <summary>The <c>run</c> section of a saved run (its flat settings), for commands that rebuild its envs.</summary>
    /// <exception cref="UsageException">A saved setting no longer parses.</exception>
    public static RunConfig RunConfigOf(RunInfo run)
    {
        var cfg = new ConfigSet().Add("run", new RunConfig());
        try
        {
            foreach (var (k, v) in run.Settings)
                if (k.StartsWith("run.", StringComparison.Ordinal)) cfg.Set(k, v);
            return cfg.Get<RunConfig>("run");
        }
        catch (ConfigException e) { throw new UsageException($"the saved run settings do not parse: {e.Message}"); }
    }

    /// <summary>Creates the agent for a run.</summary>
    public static IAgent Agent(RunInfo run, VectorEnv env, int envs)
    {
        var spec = Lookup(() => AgentRegistry.Spec(run.Agent));
        try { return spec.Create(new AgentContext(env.ObservationSpace, env.ActionSpace, envs, run.Seed, run.Settings)); }
        catch (ConfigException e) { throw new UsageException(e.Message); }
    }

    /// <summary>Runs <paramref name="f"/>, turning an unknown-name error into a usage error.</summary>
    public static T Lookup<T>(Func<T> f)
    {
        try { return f(); } catch (KeyNotFoundException e) { throw new UsageException(e.Message); }
    }
}

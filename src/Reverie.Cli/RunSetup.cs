// RunSetup: turns train options (agent, env, presets, --set overrides) into a run: settings, envs, agent, run.json.
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Reverie.Envs;
using Reverie.Rl.Agents;
using Reverie.Rl.Driver;

namespace Reverie.Cli;

/// <summary>What a run directory's <c>run.json</c> records so that <c>reverie eval</c> and a resume rebuild the same run.</summary>
/// <param name="Agent">Agent name.</param>
/// <param name="Env">Env id.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Settings">The resolved settings (flat <c>path = value</c>).</param>
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

/// <summary>Resolves settings and builds the pieces of a run.</summary>
public static class RunSetup
{
    /// <summary>
    /// The settings of a run: <see cref="DriverOptions"/> as <c>run.*</c> keys (snake_case names) with
    /// their defaults, then each preset in order, then <c>--set</c> overrides, then the explicit
    /// options (<c>--steps</c>, <c>--seed</c>).
    /// </summary>
    /// <exception cref="UsageException">An unknown preset, a malformed override or a key that does not exist.</exception>
    public static Dictionary<string, string> Resolve(IEnumerable<string> presets, IEnumerable<string> sets)
    {
        var settings = Flatten(new DriverOptions());
        foreach (string p in presets)
        {
            if (!Presets.Builtin.TryGetValue(p, out var overlay))
                throw new UsageException($"unknown preset '{p}'; presets: {string.Join(", ", Presets.Builtin.Keys)}");
            foreach (var (k, v) in overlay) Put(settings, k, v, $"preset '{p}'");
        }
        foreach (string s in sets)
        {
            int eq = s.IndexOf('=');
            if (eq <= 0) throw new UsageException($"--set expects path=value, got '{s}'");
            Put(settings, s[..eq].Trim(), s[(eq + 1)..].Trim(), "--set");
        }
        return settings;
    }

    private static void Put(Dictionary<string, string> settings, string key, string value, string source)
    {
        if (!settings.ContainsKey(key) && !key.StartsWith("agent.", StringComparison.Ordinal) && !key.StartsWith("env.", StringComparison.Ordinal))
            throw new UsageException($"{source}: unknown setting '{key}'; run settings: {string.Join(", ", settings.Keys)} (agent.* and env.* keys go to the agent and env)");
        settings[key] = value;
    }

    /// <summary>The driver settings from the flat <c>run.*</c> keys.</summary>
    /// <exception cref="UsageException">A value that does not parse, or an invalid combination.</exception>
    public static DriverOptions Driver(IReadOnlyDictionary<string, string> settings)
    {
        object boxed = new DriverOptions();
        foreach (var p in typeof(DriverOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            string key = "run." + Snake(p.Name);
            if (!settings.TryGetValue(key, out string? s)) continue;
            try { p.SetValue(boxed, ParseValue(s, p.PropertyType)); }
            catch (Exception e) when (e is FormatException or OverflowException)
            { throw new UsageException($"setting '{key}' = '{s}' is not a valid {p.PropertyType.Name}"); }
        }
        var options = (DriverOptions)boxed;
        try { options.Validate(); } catch (ArgumentException e) { throw new UsageException(e.Message); }
        return options;
    }

    /// <summary>The env options from <c>env.*</c> keys (<c>env.pixels</c>, <c>env.action_repeat</c>, <c>env.max_episode_steps</c>, <c>env.frame_stack</c>).</summary>
    public static EnvOptions Env(IReadOnlyDictionary<string, string> settings)
    {
        var o = new EnvOptions();
        if (settings.TryGetValue("env.pixels", out var px)) o = o with { Pixels = bool.Parse(px) };
        if (settings.TryGetValue("env.action_repeat", out var ar)) o = o with { ActionRepeat = int.Parse(ar, CultureInfo.InvariantCulture) };
        if (settings.TryGetValue("env.max_episode_steps", out var ms)) o = o with { MaxEpisodeSteps = int.Parse(ms, CultureInfo.InvariantCulture) };
        if (settings.TryGetValue("env.frame_stack", out var fs)) o = o with { FrameStack = int.Parse(fs, CultureInfo.InvariantCulture) };
        try { o.Validate(); } catch (ArgumentException e) { throw new UsageException(e.Message); }
        return o;
    }

    /// <summary>Creates the agent for a run.</summary>
    public static IAgent Agent(RunInfo run, VectorEnv env, int envs)
    {
        var spec = Lookup(() => AgentRegistry.Spec(run.Agent));
        return spec.Create(new AgentContext(env.ObservationSpace, env.ActionSpace, envs, run.Seed, run.Settings));
    }

    /// <summary>Runs <paramref name="f"/>, turning an unknown-name error into a usage error.</summary>
    public static T Lookup<T>(Func<T> f)
    {
        try { return f(); } catch (KeyNotFoundException e) { throw new UsageException(e.Message); }
    }

    /// <summary>The settings as YAML-ish <c>key: value</c> lines, sorted (for config.yaml and printing).</summary>
    public static string Yaml(IReadOnlyDictionary<string, string> settings, string agent, string env)
    {
        var lines = new List<string> { $"agent: {agent}", $"env: {env}" };
        lines.AddRange(settings.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}: {kv.Value}"));
        return string.Join('\n', lines) + "\n";
    }

    private static Dictionary<string, string> Flatten(DriverOptions o) =>
        typeof(DriverOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).ToDictionary(
            p => "run." + Snake(p.Name), p => Convert.ToString(p.GetValue(o), CultureInfo.InvariantCulture)!.ToLowerInvariant());

    private static object ParseValue(string s, Type t)
    {
        s = s.Replace("_", "");
        if (t == typeof(long)) return long.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (t == typeof(int)) return int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture);
        if (t == typeof(ulong)) return ulong.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture);
        if (t == typeof(double)) return double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (t == typeof(bool)) return bool.Parse(s);
        throw new FormatException();
    }

    private static string Snake(string name) => string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));
}

/// <summary>Built-in presets (named overlays of settings), applied in the order given to <c>--preset</c>.</summary>
public static class Presets
{
    /// <summary>Name → settings.</summary>
    public static readonly Dictionary<string, Dictionary<string, string>> Builtin = new()
    {
        ["debug"] = new()
        {
            ["run.steps"] = "2000", ["run.prefill"] = "200", ["run.batch_size"] = "4", ["run.batch_length"] = "16",
            ["run.train_ratio"] = "64", ["run.eval_every"] = "1000", ["run.log_every"] = "250", ["run.report_every"] = "1000",
            ["run.checkpoint_every"] = "1000", ["run.replay_capacity"] = "10000", ["run.replay_chunk"] = "256",
        },
    };
}

// AgentRegistry: agent names -> factories, so a new algorithm is one Register line.
using Reverie.Envs;
using Reverie.Rl.Config;

namespace Reverie.Rl.Agents;

/// <summary>What an agent factory gets: the env's spaces, the number of envs, the seed and the run's settings.</summary>
/// <param name="ObservationSpace">The observation layout.</param>
/// <param name="ActionSpace">The action space (continuous actions in [-1, 1]).</param>
/// <param name="Envs">Envs stepped in parallel (the policy batch).</param>
/// <param name="Seed">The run's seed; derive every generator from it.</param>
/// <param name="Settings">The resolved config as flat <c>path = value</c> pairs (e.g. <c>agent.lr</c>); an agent reads its own keys.</param>
public sealed record AgentContext(DictSpace ObservationSpace, Space ActionSpace, int Envs, ulong Seed,
    IReadOnlyDictionary<string, string> Settings)
{
    /// <summary>
    /// The agent's typed config: <paramref name="defaults"/> with every <c>agent.*</c> entry of <see cref="Settings"/>
    /// applied (list values are comma-joined there, as <c>run.json</c> stores them), then validated.
    /// </summary>
    /// <exception cref="ConfigException">An <c>agent.*</c> key the record does not have, a bad value, or a failed check.</exception>
    public T AgentConfig<T>(T defaults) where T : class
    {
        var cfg = new ConfigSet().Add(AgentSpec.Section, defaults);
        var lists = cfg.Flatten().Where(kv => kv.Value is System.Collections.IList).Select(kv => kv.Key).ToHashSet();
        foreach (var (k, v) in Settings)
        {
            if (!k.StartsWith(AgentSpec.Section + ".", StringComparison.Ordinal)) continue;
            object? value = lists.Contains(k) ? v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(x => (object?)x).ToList() : v;
            cfg.Set(k, value);
        }
        cfg.Validate();
        return cfg.Get<T>(AgentSpec.Section);
    }

    /// <summary>A <c>run.*</c> setting as a long (e.g. <c>run.steps</c>), or <paramref name="fallback"/> when absent.</summary>
    public long RunLong(string key, long fallback) =>
        Settings.TryGetValue(key, out var s) && long.TryParse(s, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long v) ? v : fallback;
}

/// <summary>A registered agent.</summary>
/// <param name="Name">The name users pass to <c>reverie train --agent</c>.</param>
/// <param name="Create">Builds the agent.</param>
/// <param name="Description">One line for <c>reverie train --help</c>.</param>
public sealed record AgentSpec(string Name, Func<AgentContext, IAgent> Create, string Description)
{
    /// <summary>The config section that holds an agent's settings (<c>agent.lr</c>).</summary>
    public const string Section = "agent";

    /// <summary>
    /// The agent's config record with its code defaults, added as the <c>agent</c> section before presets and
    /// <c>--set</c> apply (so unknown <c>agent.*</c> keys fail by name); null when the agent has no settings.
    /// </summary>
    public Func<object>? Config { get; init; }

    /// <summary>
    /// Presets applied for an env id before the user's <c>--preset</c>s (e.g. PPO on <c>cartpole</c> → <c>cartpole</c>,
    /// its tuned settings); the user's presets and <c>--set</c> win. Null: none.
    /// </summary>
    public Func<string, IReadOnlyList<string>>? DefaultPresets { get; init; }
}

/// <summary>
/// Known agents by name. Built in: <c>random</c>. Later algorithms add themselves with one line:
/// <code>AgentRegistry.Register(new AgentSpec("dreamer", c => new DreamerAgent(c), "DreamerV3"));</code>
/// Thread-safe.
/// </summary>
public static class AgentRegistry
{
    private static readonly object Gate = new();
    private static readonly List<AgentSpec> All = [];

    static AgentRegistry()
    {
        Register(new AgentSpec("random", c => new RandomAgent(c), "uniform random actions; learns nothing (a baseline and a pipeline check)"));
    }

    /// <summary>Every registered agent, in registration order.</summary>
    public static IReadOnlyList<AgentSpec> Specs
    {
        get { lock (Gate) return [.. All]; }
    }

    /// <summary>Adds an agent.</summary>
    /// <exception cref="ArgumentException">An empty name, or a name already taken (unless <paramref name="replace"/>).</exception>
    public static void Register(AgentSpec spec, bool replace = false)
    {
        if (string.IsNullOrWhiteSpace(spec.Name)) throw new ArgumentException("agent name must not be empty");
        lock (Gate)
        {
            int i = All.FindIndex(s => s.Name == spec.Name);
            if (i >= 0 && !replace) throw new ArgumentException($"agent '{spec.Name}' is already registered");
            if (i >= 0) All[i] = spec; else All.Add(spec);
        }
    }

    /// <summary>The spec of an agent.</summary>
    /// <exception cref="KeyNotFoundException">Unknown name; the message lists the known ones.</exception>
    public static AgentSpec Spec(string name)
    {
        lock (Gate)
            return All.Find(s => s.Name == name)
                ?? throw new KeyNotFoundException($"unknown agent '{name}'; known agents: {string.Join(", ", All.Select(s => s.Name))}");
    }

    /// <summary>Creates the agent registered as <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">Unknown name.</exception>
    public static IAgent Create(string name, AgentContext context) => Spec(name).Create(context);
}

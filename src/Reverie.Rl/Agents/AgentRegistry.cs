// AgentRegistry: agent names -> factories, so a new algorithm is one Register line.
using Reverie.Envs;

namespace Reverie.Rl.Agents;

/// <summary>What an agent factory gets: the env's spaces, the number of envs, the seed and the run's settings.</summary>
/// <param name="ObservationSpace">The observation layout.</param>
/// <param name="ActionSpace">The action space (continuous actions in [-1, 1]).</param>
/// <param name="Envs">Envs stepped in parallel (the policy batch).</param>
/// <param name="Seed">The run's seed; derive every generator from it.</param>
/// <param name="Settings">The resolved config as flat <c>path = value</c> pairs (e.g. <c>agent.lr</c>); an agent reads its own keys.</param>
public sealed record AgentContext(DictSpace ObservationSpace, Space ActionSpace, int Envs, ulong Seed,
    IReadOnlyDictionary<string, string> Settings);

/// <summary>A registered agent.</summary>
/// <param name="Name">The name users pass to <c>reverie train --agent</c>.</param>
/// <param name="Create">Builds the agent.</param>
/// <param name="Description">One line for <c>reverie train --help</c>.</param>
public sealed record AgentSpec(string Name, Func<AgentContext, IAgent> Create, string Description);

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

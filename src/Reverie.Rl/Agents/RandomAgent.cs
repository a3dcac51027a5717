// RandomAgent: uniform random actions and no learning; the baseline and the run loop's smoke test.
using System.Text.Json.Nodes;
using Reverie.Envs;
using Reverie.Rl.Checkpoints;
using Reverie.Rl.Replay;

namespace Reverie.Rl.Agents;

/// <summary>
/// Acts uniformly at random in both modes (from its own seeded generator, saved in checkpoints) and
/// learns nothing. <see cref="Train"/> only counts the batches it was given and reports the mean
/// reward in them (<c>replay/reward_mean</c>), which shows that replay sampling works.
/// </summary>
public sealed class RandomAgent : IAgent
{
    private const string RngName = "agent.random", UpdatesKey = "agent.updates";
    private readonly Space _actionSpace;
    private readonly EnvRng _rng;

    /// <summary>Creates the agent for <paramref name="context"/>'s action space.</summary>
    public RandomAgent(AgentContext context)
    {
        _actionSpace = context.ActionSpace;
        _rng = new EnvRng(context.Seed ^ 0x5EED_A6E7UL);
    }

    /// <summary>Train calls so far (continues across checkpoints).</summary>
    public long Updates { get; private set; }

    /// <inheritdoc/>
    public object InitPolicy(int batch) => batch;

    /// <inheritdoc/>
    public object Policy(object carry, Observation obs, ReadOnlySpan<bool> isFirst, PolicyMode mode, Span<float> actions)
    {
        int a = _actionSpace.Size;
        if (actions.Length != obs.Rows * a)
            throw new ArgumentException($"random agent: actions hold {actions.Length} floats but {obs.Rows} rows x {_actionSpace} need {obs.Rows * a}");
        for (int i = 0; i < obs.Rows; i++) _actionSpace.Sample(_rng, actions.Slice(i * a, a));
        return carry;
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Train(ReplayBatch batch)
    {
        Updates++;
        return new Dictionary<string, double> { ["replay/reward_mean"] = batch["reward"].Mean().Item() };
    }

    /// <inheritdoc/>
    public AgentReport Report(ReplayBatch batch) => AgentReport.Empty;

    /// <inheritdoc/>
    public void Save(CheckpointContent content)
    {
        content.RngStates[RngName] = _rng.GetState();
        content.Extra[UpdatesKey] = Updates;
    }

    /// <inheritdoc/>
    public void Load(CheckpointContent content)
    {
        if (!content.RngStates.TryGetValue(RngName, out var state))
            throw new InvalidDataException($"random agent: the checkpoint has no RNG state '{RngName}'");
        _rng.SetState(state);
        Updates = content.Extra[UpdatesKey] is JsonNode n ? (long)n : 0;
    }

    /// <inheritdoc/>
    public void Dispose() { }
}

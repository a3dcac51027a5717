// AgentCheckpoint: moves a learner's LearnerState into and out of the run's CheckpointContent (agent.* entries).
using System.Text.Json.Nodes;
using Reverie.Rl.Checkpoints;

namespace Reverie.Agents.Shared;

/// <summary>
/// Stores a <see cref="LearnerState"/> in a checkpoint the way <c>IAgent.Save</c> asks: tensors under
/// <c>agent.&lt;name&gt;</c> in <see cref="CheckpointContent.Optimizer"/> when their name starts with one of the
/// optimizer prefixes, else in <see cref="CheckpointContent.Weights"/>; counters, statistics and generator
/// states (the text <see cref="LearnerState.Meta"/>) as one JSON object <c>agent.state</c> in
/// <see cref="CheckpointContent.Extra"/>.
/// </summary>
public static class AgentCheckpoint
{
    private const string Prefix = "agent.", MetaKey = "agent.state";

    /// <summary>Adds <paramref name="state"/> to <paramref name="content"/>.</summary>
    public static void Save(LearnerState state, CheckpointContent content, params string[] optimizerPrefixes)
    {
        foreach (var (k, t) in state.Tensors)
            (optimizerPrefixes.Any(p => k.StartsWith(p, StringComparison.Ordinal)) ? content.Optimizer : content.Weights)[Prefix + k] = t;
        var meta = new JsonObject();
        foreach (var (k, v) in state.Meta) meta[k] = v;
        content.Extra[MetaKey] = meta;
    }

    /// <summary>The <see cref="LearnerState"/> that <see cref="Save"/> put into <paramref name="content"/>.</summary>
    /// <exception cref="InvalidDataException">The checkpoint has no agent state.</exception>
    public static LearnerState Load(CheckpointContent content, string agent)
    {
        if (content.Extra[MetaKey] is not JsonObject meta)
            throw new InvalidDataException($"{agent} agent: the checkpoint has no '{MetaKey}' (was it written by another agent?)");
        var s = new LearnerState();
        foreach (var (k, t) in content.Weights.Concat(content.Optimizer))
            if (k.StartsWith(Prefix, StringComparison.Ordinal)) s.Tensors[k[Prefix.Length..]] = t;
        foreach (var (k, v) in meta) s.Meta[k] = v?.GetValue<string>() ?? "";
        return s;
    }
}

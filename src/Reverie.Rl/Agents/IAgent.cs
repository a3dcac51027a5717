// IAgent: the contract between an algorithm and the run loop (policy with carry, train, report, save/load).
using Reverie.Envs;
using Reverie.Rl.Checkpoints;
using Reverie.Rl.Replay;

namespace Reverie.Rl.Agents;

/// <summary>Why the policy is asked for an action.</summary>
public enum PolicyMode
{
    /// <summary>Training: explore (sample, add noise).</summary>
    Explore,
    /// <summary>Evaluation: act as well as possible (usually the mode of the policy).</summary>
    Evaluate,
}

/// <summary>An animation an agent reports (e.g. an open-loop prediction): frames of (Height, Width, 3) RGB bytes.</summary>
/// <param name="Name">File-name-safe name; the driver writes <c>videos/{Name}_{step}.gif</c>.</param>
/// <param name="Height">Frame height in pixels.</param>
/// <param name="Width">Frame width in pixels.</param>
/// <param name="Frames">The frames, each Height × Width × 3 bytes.</param>
public sealed record Video(string Name, int Height, int Width, IReadOnlyList<byte[]> Frames);

/// <summary>What <see cref="IAgent.Report"/> returns: scalar metrics and optional videos.</summary>
public sealed record AgentReport(IReadOnlyDictionary<string, double> Metrics, IReadOnlyList<Video> Videos)
{
    /// <summary>Nothing to report.</summary>
    public static AgentReport Empty { get; } = new(new Dictionary<string, double>(), []);
}

/// <summary>
/// A learning agent as the run loop sees it (DreamerV3's agent API). The driver steps N envs in
/// lock step: it asks <see cref="Policy"/> for N actions, adds every step to the replay, and calls
/// <see cref="Train"/> on replayed batches as the train ratio says.
/// </summary>
/// <remarks>
/// <para><b>Carry</b>: whatever the policy remembers between steps (a recurrent state, the previous
/// action), for a batch of envs; opaque to the driver. Row i belongs to env i; where
/// <c>isFirst[i]</c> is true the agent must start row i afresh (that env just reset).</para>
/// <para><b>State</b>: <see cref="Save"/> puts everything needed to continue training exactly
/// into the checkpoint content: weights (<see cref="CheckpointContent.Weights"/>), optimizer moments
/// (<see cref="CheckpointContent.Optimizer"/>), random generators (<see cref="CheckpointContent.RngStates"/>)
/// and counters (<see cref="CheckpointContent.Extra"/>), each under names starting with <c>agent.</c>
/// (the driver's own entries start with <c>driver.</c>). <see cref="Load"/> restores them into an agent
/// created with the same config and spaces.</para>
/// </remarks>
public interface IAgent : IDisposable
{
    /// <summary>The policy state for <paramref name="batch"/> envs at the start of their episodes.</summary>
    object InitPolicy(int batch);

    /// <summary>
    /// Chooses one action per env. <paramref name="obs"/> has one row per env (<see cref="Observation.Rows"/>);
    /// <paramref name="actions"/> receives rows × action-size floats in the env's action format
    /// (continuous in [-1, 1], a discrete index as a float). Returns the next carry.
    /// </summary>
    object Policy(object carry, Observation obs, ReadOnlySpan<bool> isFirst, PolicyMode mode, Span<float> actions);

    /// <summary>
    /// Whether the replayed sequences handed to <see cref="Train"/> may cross episode boundaries (<c>is_first</c>
    /// marks them; DreamerV3, the default) or each lies inside one episode (transition learners such as SAC,
    /// which read <c>batch_length = 2</c> sequences as (s, a, r, s′) transitions).
    /// </summary>
    bool TrainAcrossEpisodes => true;

    /// <summary>One update on a replayed batch of sequences; returns scalar metrics (<c>loss/...</c> names).</summary>
    IReadOnlyDictionary<string, double> Train(ReplayBatch batch);

    /// <summary>Diagnostics on a replayed batch: metrics and videos (e.g. world-model predictions).</summary>
    AgentReport Report(ReplayBatch batch);

    /// <summary>Adds the agent's full state to <paramref name="content"/> (see the remarks).</summary>
    void Save(CheckpointContent content);

    /// <summary>Restores the state <see cref="Save"/> added.</summary>
    /// <exception cref="InvalidDataException">An entry is missing or does not fit this agent.</exception>
    void Load(CheckpointContent content);
}

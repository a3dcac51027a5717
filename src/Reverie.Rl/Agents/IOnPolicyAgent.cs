// IOnPolicyAgent: the IAgent extension for on-policy learners (PPO): they learn from the steps they act, not from replay.
using Reverie.Envs;

namespace Reverie.Rl.Agents;

/// <summary>
/// An agent that learns from its own current rollout instead of replay (PPO). The driver still logs, evaluates,
/// checkpoints and resumes it, and still fills the replay (the run's record), but never calls
/// <see cref="IAgent.Train"/> and ignores the train ratio: after every vector-env step taken with the agent's
/// own <see cref="PolicyMode.Explore"/> actions it calls <see cref="Observe"/> with the step's outcome, and the
/// agent updates itself when its rollout is full. Prefill steps (random actions) are not observed.
/// </summary>
public interface IOnPolicyAgent : IAgent
{
    /// <summary>
    /// The outcome of the step the last <see cref="IAgent.Policy"/> call (Explore mode, all envs) acted for: one row per env.
    /// <paramref name="finalObs"/> holds, for envs whose episode ended (terminated or truncated), the last
    /// observation before the reset; <paramref name="nextObs"/> the observations the policy sees next (after resets).
    /// Returns the metrics of an update when the step completed a rollout and the agent trained, else null.
    /// </summary>
    IReadOnlyDictionary<string, double>? Observe(ReadOnlySpan<float> rewards, ReadOnlySpan<bool> terminated, ReadOnlySpan<bool> truncated,
        Observation finalObs, Observation nextObs);
}

// Gae: generalized advantage estimation over a (T, N) rollout, with terminated and truncated kept apart.
namespace Reverie.Agents.ModelFree;

/// <summary>
/// Generalized advantage estimation (Schulman et al. 2016) over a rollout of T steps of N envs,
/// stored time-major: element t·N + n is step t of env n.
/// </summary>
public static class Gae
{
    /// <summary>
    /// For every env, backwards over time:
    /// <code>
    /// δ_t = r_t + γ·(1 − terminated_t)·V'_t − V_t
    /// A_t = δ_t + γλ·(1 − done_t)·A_{t+1},   done = terminated ∨ truncated,   A_T = 0
    /// </code>
    /// where V'_t (<paramref name="nextValues"/>) is the value of the state reached by step t: V_{t+1}
    /// while the episode goes on, the value of the final observation when it was truncated (a time
    /// limit is not a terminal state, so it is bootstrapped), and anything (ignored) when it
    /// terminated. At t = T − 1 it is the value of the observation after the rollout. With
    /// truncated all false and V'_t = V_{t+1} this is exactly CleanRL's loop over <c>dones</c>.
    /// </summary>
    /// <param name="rewards">r, (T, N).</param>
    /// <param name="values">V(s_t), (T, N).</param>
    /// <param name="nextValues">V'_t, (T, N) (see above).</param>
    /// <param name="terminated">Whether step t ended in a terminal state, (T, N).</param>
    /// <param name="truncated">Whether step t was cut by a time limit, (T, N).</param>
    /// <param name="envs">N.</param>
    /// <param name="gamma">Discount γ in [0, 1].</param>
    /// <param name="lambda">GAE λ in [0, 1].</param>
    /// <param name="advantages">Destination A, (T, N).</param>
    /// <exception cref="ArgumentException">The spans differ in length, or it is not a multiple of <paramref name="envs"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">γ or λ is outside [0, 1], or envs is not positive.</exception>
    public static void Compute(ReadOnlySpan<float> rewards, ReadOnlySpan<float> values, ReadOnlySpan<float> nextValues,
        ReadOnlySpan<bool> terminated, ReadOnlySpan<bool> truncated, int envs, float gamma, float lambda, Span<float> advantages)
    {
        if (envs < 1) throw new ArgumentOutOfRangeException(nameof(envs), $"gae: envs must be >= 1, got {envs}");
        if (!(gamma >= 0 && gamma <= 1)) throw new ArgumentOutOfRangeException(nameof(gamma), $"gae: gamma must be in [0, 1], got {gamma}");
        if (!(lambda >= 0 && lambda <= 1)) throw new ArgumentOutOfRangeException(nameof(lambda), $"gae: lambda must be in [0, 1], got {lambda}");
        int len = rewards.Length;
        if (values.Length != len || nextValues.Length != len || terminated.Length != len || truncated.Length != len || advantages.Length != len)
            throw new ArgumentException($"gae: rewards {len}, values {values.Length}, nextValues {nextValues.Length}, terminated {terminated.Length}, " +
                $"truncated {truncated.Length} and advantages {advantages.Length} must all have the same length");
        if (len % envs != 0) throw new ArgumentException($"gae: length {len} is not a multiple of {envs} envs");
        int T = len / envs;
        for (int n = 0; n < envs; n++)
        {
            float next = 0f;                                         // A_{t+1}
            for (int t = T - 1; t >= 0; t--)
            {
                int i = t * envs + n;
                float bootstrap = terminated[i] ? 0f : nextValues[i];
                float delta = rewards[i] + gamma * bootstrap - values[i];
                float carry = terminated[i] || truncated[i] ? 0f : next;
                next = advantages[i] = delta + gamma * lambda * carry;
            }
        }
    }
}

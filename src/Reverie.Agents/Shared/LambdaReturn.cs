// LambdaReturn: DreamerV3's λ-returns over imagined (or replayed) trajectories, as agent.py lambda_return.
using Reverie.Tensors;

namespace Reverie.Agents.Shared;

/// <summary>
/// TD(λ) returns exactly as danijar/dreamerv3 <c>agent.py lambda_return(last, term, rew, val, boot, disc, lam)</c>.
/// All inputs are (B, T) with step t's reward <c>rew[:, t]</c> earned on arriving at step t; the result is
/// (B, T − 1), one return per step but the last. With live_t = (1 − term_t)·disc and
/// cont_t = (1 − last_t)·lam for t ≥ 1:
/// <code>
/// R_{T−1} = boot_{T−1}
/// R_t     = rew_{t+1} + (1 − cont_{t+1})·live_{t+1}·boot_{t+1} + live_{t+1}·cont_{t+1}·R_{t+1}
///         = rew_{t+1} + γ(1 − term_{t+1})·[(1 − λ)·boot_{t+1} + λ·R_{t+1}]     (when last_{t+1} = 0)
/// </code>
/// <c>last</c> marks steps after which the trajectory is cut (the return there is bootstrapped fully).
/// DreamerV3 passes continuation probabilities as 1 − term. Returns carry no gradient (they are targets).
/// </summary>
public static class LambdaReturn
{
    /// <summary>Computes the λ-returns (B, T − 1); see the class remarks.</summary>
    /// <param name="last">1 where the trajectory is cut after this step, (B, T).</param>
    /// <param name="term">Termination (1 − continue, may be a probability), (B, T).</param>
    /// <param name="rew">Rewards, (B, T).</param>
    /// <param name="boot">Values to bootstrap from, (B, T).</param>
    /// <param name="disc">Discount γ (DreamerV3: 1 − 1/horizon).</param>
    /// <param name="lam">λ.</param>
    /// <exception cref="ArgumentException">Shapes are not all (B, T) with T ≥ 2, or disc/lam outside [0, 1].</exception>
    public static Tensor Compute(Tensor last, Tensor term, Tensor rew, Tensor boot, float disc, float lam)
    {
        const string op = "lambda_return";
        if (rew.Rank != 2 || rew.Shape[1] < 2) throw new ArgumentException($"{op}: expected rew (B, T) with T >= 2 but got {rew.Shape}");
        foreach (var (name, t) in new[] { ("last", last), ("term", term), ("boot", boot) })
            if (t.Shape != rew.Shape) throw new ArgumentException($"{op}: expected {name} {rew.Shape} like rew but got {t.Shape}");
        if (!(disc is >= 0f and <= 1f)) throw new ArgumentException($"{op}: disc must be in [0, 1], got {disc}");
        if (!(lam is >= 0f and <= 1f)) throw new ArgumentException($"{op}: lam must be in [0, 1], got {lam}");
        int B = rew.Shape[0], T = rew.Shape[1];
        var ret = new float[B * (T - 1)];
        Compute(last.Span, term.Span, rew.Span, boot.Span, B, T, disc, lam, ret);
        return Tensor.FromArray(ret, new Shape(B, T - 1));
    }

    /// <summary>Span form: inputs (B, T) row-major, destination (B, T − 1).</summary>
    internal static void Compute(ReadOnlySpan<float> last, ReadOnlySpan<float> term, ReadOnlySpan<float> rew,
        ReadOnlySpan<float> boot, int B, int T, float disc, float lam, Span<float> ret)
    {
        for (int b = 0; b < B; b++)
        {
            int row = b * T;
            float next = boot[row + T - 1];                       // R_{T−1}
            for (int t = T - 2; t >= 0; t--)
            {
                int i = row + t + 1;                             // inputs at step t + 1
                float live = (1f - term[i]) * disc;
                float cont = (1f - last[i]) * lam;
                float interm = rew[i] + (1f - cont) * live * boot[i];
                next = interm + live * cont * next;
                ret[b * (T - 1) + t] = next;
            }
        }
    }
}

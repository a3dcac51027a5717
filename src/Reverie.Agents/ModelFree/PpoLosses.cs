// PpoLosses: PPO's clipped surrogate, its (optionally clipped) value loss and advantage normalization.
using Reverie.Tensors;

namespace Reverie.Agents.ModelFree;

/// <summary>The clipped surrogate loss and the diagnostics PPO logs beside it.</summary>
/// <param name="Loss">The scalar loss (differentiable in the new log-probs).</param>
/// <param name="ApproxKl">mean((r − 1) − ln r), the low-variance KL(old ‖ new) estimator (Schulman's k3).</param>
/// <param name="OldApproxKl">mean(−ln r) (k1).</param>
/// <param name="ClipFraction">Share of samples with |r − 1| &gt; clip.</param>
public readonly record struct SurrogateResult(Tensor Loss, float ApproxKl, float OldApproxKl, float ClipFraction);

/// <summary>
/// PPO's losses (Schulman et al. 2017) on a minibatch of B samples, as CleanRL's ppo.py computes
/// them. Every input is (B,); old log-probs, old values, advantages and returns carry no gradient.
/// </summary>
public static class PpoLosses
{
    /// <summary>
    /// L = mean(max(−A·r, −A·clip(r, 1 − ε, 1 + ε))) with r = exp(log π − log π_old). Where r is inside
    /// the range both terms are equal and the gradient is that of −A·r; outside it the clipped term
    /// wins exactly when the step would move r further out, and its gradient is zero.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes differ or are not (B,).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="clip"/> is negative.</exception>
    public static SurrogateResult ClippedSurrogate(Tensor newLogProb, Tensor oldLogProb, Tensor advantages, float clip)
    {
        Check("ppo.surrogate", newLogProb, ("oldLogProb", oldLogProb), ("advantages", advantages));
        if (!(clip >= 0)) throw new ArgumentOutOfRangeException(nameof(clip), $"ppo.surrogate: clip must be >= 0, got {clip}");
        var logRatio = newLogProb - oldLogProb.Detach();             // (B)
        var ratio = logRatio.Exp();                                  // (B)
        var adv = advantages.Detach();
        var unclipped = -(adv * ratio);
        var clipped = -(adv * ratio.Clamp(1f - clip, 1f + clip));
        var loss = Tensor.Maximum(unclipped, clipped).Mean();        // ties send the gradient to the unclipped term

        ReadOnlySpan<float> lr = logRatio.ReadOnlySpan, r = ratio.ReadOnlySpan;
        double kl = 0, oldKl = 0; int outside = 0;
        for (int i = 0; i < r.Length; i++)
        {
            kl += (r[i] - 1.0) - lr[i];
            oldKl -= lr[i];
            if (MathF.Abs(r[i] - 1f) > clip) outside++;
        }
        int b = Math.Max(r.Length, 1);
        return new SurrogateResult(loss, (float)(kl / b), (float)(oldKl / b), (float)outside / b);
    }

    /// <summary>
    /// Without <paramref name="clip"/>: ½·mean((V − R)²). With it (PPO's value clipping):
    /// ½·mean(max((V − R)², (V_old + clip(V − V_old, ±ε) − R)²)).
    /// </summary>
    /// <exception cref="ArgumentException">Shapes differ or are not (B,).</exception>
    public static Tensor ValueLoss(Tensor newValues, Tensor oldValues, Tensor returns, float? clip)
    {
        Check("ppo.value_loss", newValues, ("oldValues", oldValues), ("returns", returns));
        var ret = returns.Detach();
        var unclipped = (newValues - ret).Square();                  // (B)
        if (clip is not float c) return unclipped.Mean().Mul(0.5f);
        if (!(c >= 0)) throw new ArgumentOutOfRangeException(nameof(clip), $"ppo.value_loss: clip must be >= 0, got {c}");
        var old = oldValues.Detach();
        var clippedValues = old + (newValues - old).Clamp(-c, c);
        var clipped = (clippedValues - ret).Square();
        return Tensor.Maximum(unclipped, clipped).Mean().Mul(0.5f);
    }

    /// <summary>In place: a ← (a − mean) / (std + 1e-8), std with Bessel's correction (torch's default); a single element becomes 0.</summary>
    public static void NormalizeAdvantages(Span<float> a)
    {
        if (a.Length == 0) return;
        double mean = 0;
        foreach (float v in a) mean += v;
        mean /= a.Length;
        double ss = 0;
        foreach (float v in a) ss += (v - mean) * (v - mean);
        double std = a.Length > 1 ? Math.Sqrt(ss / (a.Length - 1)) : 0;
        for (int i = 0; i < a.Length; i++) a[i] = (float)((a[i] - mean) / (std + 1e-8));
    }

    private static void Check(string op, Tensor x, params (string Name, Tensor T)[] others)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 1) throw new ArgumentException($"{op}: inputs must be (B,), got {x.Shape}");
        foreach (var (name, t) in others)
        {
            ArgumentNullException.ThrowIfNull(t, name);
            if (t.Shape != x.Shape) throw new ArgumentException($"{op}: '{name}' {t.Shape} does not match {x.Shape}");
        }
    }
}

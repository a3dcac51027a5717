// KL divergences (categorical with unimix, diagonal Normal) and DreamerV3's free bits.
namespace Reverie.Tensors.Dist;

/// <summary>KL divergences between distributions of the same family, and the free-bits clip.</summary>
public static class Kl
{
    /// <summary>
    /// KL(p ‖ q) = Σ_k p_k (ln p_k − ln q_k) over the class axis of logits (..., K), then over
    /// <paramref name="eventRank"/> more trailing axes, with unimix applied to both sides as DreamerV3's
    /// RSSM does. For DreamerV3's latent (B, T, stoch, classes) pass eventRank 1 to get (B, T).
    /// Stop gradients by detaching the logits first: dyn = KL(sg(post) ‖ prior), rep = KL(post ‖ sg(prior)).
    /// </summary>
    /// <exception cref="ArgumentException">The shapes differ, unimix is outside [0, 1), or eventRank is out of range.</exception>
    public static Tensor Categorical(Tensor pLogits, Tensor qLogits, float unimix = 0f, int eventRank = 0)
    {
        const string op = "kl.categorical";
        DistOps.CheckSame(op, "qLogits", pLogits.Shape, qLogits);
        DistOps.CheckEventRank(op, eventRank, Math.Max(pLogits.Rank - 1, 0), pLogits.Shape);
        var (p, lp) = DistOps.Mix(pLogits, unimix, op);
        var (_, lq) = DistOps.Mix(qLogits, unimix, op);
        return DistOps.SumEvent((p * (lp - lq)).Sum(-1), eventRank);
    }

    /// <summary>KL(p ‖ q) between one-hot categoricals, each with its own unimix, over p's event.</summary>
    /// <exception cref="ArgumentException">The shapes or event ranks differ.</exception>
    public static Tensor Categorical(OneHotCategorical p, OneHotCategorical q)
    {
        const string op = "kl.categorical";
        DistOps.CheckSame(op, "q.Logits", p.Logits.Shape, q.Logits);
        if (p.EventRank != q.EventRank)
            throw new ArgumentException($"{op}: event ranks differ ({p.EventRank} vs {q.EventRank})");
        return DistOps.SumEvent((p.Probs * (p.LogProbs - q.LogProbs)).Sum(-1), p.EventRank);
    }

    /// <summary>
    /// KL(p ‖ q) between diagonal Normals, summed over p's event axes:
    /// ½[(σp/σq)² + (μq − μp)²/σq² + 2 ln σq − 2 ln σp − 1] per element (as DreamerV3's Normal.kl).
    /// </summary>
    /// <exception cref="ArgumentException">The mean shapes or event ranks differ.</exception>
    public static Tensor Normal(Normal p, Normal q)
    {
        const string op = "kl.normal";
        DistOps.CheckSame(op, "q.Loc", p.Loc.Shape, q.Loc);
        if (p.EventRank != q.EventRank)
            throw new ArgumentException($"{op}: event ranks differ ({p.EventRank} vs {q.EventRank})");
        var ratio = (p.Std / q.Std).Square();
        var diff = (q.Loc - p.Loc).Square() / q.Std.Square();
        var kl = (ratio + diff + (q.Std.Log() - p.Std.Log()).Mul(2f)).Add(-1f).Mul(0.5f);
        if (kl.Shape != p.Loc.Shape) kl = kl + Tensor.Zeros(p.Loc.Shape);
        return DistOps.SumEvent(kl, p.EventRank);
    }

    /// <summary>
    /// Free bits as DreamerV3: max(kl, free) elementwise, for a KL already summed per example. Below
    /// <paramref name="free"/> the value is <paramref name="free"/> and no gradient flows; at or above it,
    /// kl passes unchanged with its gradient.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="free"/> is negative or NaN.</exception>
    public static Tensor FreeBits(Tensor kl, float free)
    {
        if (!(free >= 0f)) throw new ArgumentException($"kl.free_bits: free must be >= 0, got {free}");
        return kl.Clamp(min: free);
    }
}

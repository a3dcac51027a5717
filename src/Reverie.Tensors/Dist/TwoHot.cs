// Two-hot encoding and decoding for discrete regression (DreamerV3's TwoHot, TD-MPC2's two_hot / two_hot_inv / soft_ce).
namespace Reverie.Tensors.Dist;

/// <summary>
/// Pure helpers of two-hot discrete regression. Encoding follows DreamerV3's rule exactly (on a
/// linear grid it equals TD-MPC2's floor-based rule up to rounding): with x the (squashed) target,
/// below = #{b ≤ x} − 1 and above = K − #{b &gt; x}, both clipped to [0, K−1]; if they coincide
/// (x on a bin, or beyond either end) that bin gets weight 1, else the weights are
/// (b_above − x)/(b_above − b_below) for below and (x − b_below)/(b_above − b_below) for above.
/// </summary>
public static class TwoHot
{
    /// <summary>
    /// The two-hot encoding of each target: a constant tensor (n, K) whose rows sum to 1.
    /// Targets are symlog'd first when <see cref="Bins.SymlogTargets"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A target is NaN.</exception>
    public static Tensor Encode(ReadOnlySpan<float> targets, Bins bins) =>
        EncodeShaped(targets, new Shape(targets.Length), bins, "two_hot.encode");

    /// <summary>Encodes targets of shape (...) into (..., K).</summary>
    internal static Tensor EncodeShaped(ReadOnlySpan<float> targets, Shape shape, Bins bins, string op)
    {
        int K = bins.Count;
        var y = Tensor.Zeros(shape.Insert(shape.Rank, K));
        var ys = y.Span;
        var b = bins.Values;
        for (int r = 0; r < targets.Length; r++)
        {
            float t = targets[r];
            if (float.IsNaN(t)) throw new ArgumentException($"{op}: target at flat index {r} is NaN");
            TwoHotOps.Encode(bins.SymlogTargets ? Squash.SymLog(t) : t, b, out int below, out int above, out float wBelow, out float wAbove);
            ys[r * K + below] += wBelow;
            if (above != below) ys[r * K + above] += wAbove;
        }
        return y;
    }

    /// <summary>
    /// The prediction of logits (..., K): Σ softmax(logits)·bins summed symmetrically about the middle bin
    /// (so uniform probabilities on symmetric bins give exactly 0, as DreamerV3), then symexp when
    /// <see cref="Bins.SymlogTargets"/> (TD-MPC2's two_hot_inv). Shape (...); differentiable.
    /// </summary>
    /// <exception cref="ArgumentException">The last axis of logits is not the bin count.</exception>
    public static Tensor Decode(Tensor logits, Bins bins)
    {
        CheckLogits("two_hot.decode", logits, bins);
        int K = bins.Count, R = logits.Size / K;
        var avg = Tensor.Empty(logits.Shape.Without(-1));                           // (...)
        bool record = Tensor.NeedsGrad(logits);
        var probs = record ? Tensor.Empty(logits.Shape) : null;                     // (..., K) softmax, kept for backward
        TwoHotOps.Decode(logits.Span, bins.Values, avg.Span, probs is null ? default : probs.Span, R);
        if (record)
            Tensor.Record(avg, "two_hot.decode", [logits], g =>
            {
                var dx = logits.GradDest(out float beta);
                TwoHotOps.DecodeBackward(g.Span, probs!.Span, avg.Span, bins.Values, dx, R, accumulate: beta != 0f);
            });
        return bins.SymlogTargets ? avg.SymExp() : avg;
    }

    /// <summary>
    /// Cross-entropy −Σ_k twohot(target)_k · log_softmax(logits)_k per row, shape (...), for targets of
    /// shape (...): TD-MPC2's soft_ce (without its keepdim) and DreamerV3's TwoHot.loss.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes do not match or a target is NaN.</exception>
    public static Tensor SoftCe(Tensor logits, Tensor target, Bins bins)
    {
        const string op = "two_hot.loss";
        CheckLogits(op, logits, bins);
        DistOps.CheckSame(op, "target", logits.Shape.Without(-1), target);
        int K = bins.Count, R = logits.Size / K;
        var loss = Tensor.Empty(target.Shape);                                      // (...)
        var saved = Tensor.Empty(new Shape(R, 5));                                  // (lse, lo, hi, w_lo, w_hi) per row
        TwoHotOps.SoftCe(logits.Span, target.Span, bins.Values, bins.SymlogTargets, loss.Span, saved.Span, R, op);
        if (Tensor.NeedsGrad(logits))
            Tensor.Record(loss, op, [logits], g =>
            {
                var dx = logits.GradDest(out float beta);
                TwoHotOps.SoftCeBackward(g.Span, logits.Span, saved.Span, dx, R, K, accumulate: beta != 0f);
            });
        return loss;
    }

    internal static void CheckLogits(string op, Tensor logits, Bins bins)
    {
        if (logits.Rank == 0 || logits.Shape[-1] != bins.Count)
            throw new ArgumentException($"{op}: expected logits (..., {bins.Count}) for {bins.Count} bins but got {logits.Shape}");
    }
}

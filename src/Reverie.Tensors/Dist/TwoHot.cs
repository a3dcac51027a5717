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
            float x = bins.SymlogTargets ? Squash.SymLog(t) : t;
            int countLe = 0, countGt = 0;
            for (int k = 0; k < K; k++) { if (b[k] <= x) countLe++; else if (b[k] > x) countGt++; }
            int below = Math.Clamp(countLe - 1, 0, K - 1), above = Math.Clamp(K - countGt, 0, K - 1);
            var row = ys.Slice(r * K, K);
            if (below == above) { row[below] = 1f; continue; }
            double dBelow = Math.Abs((double)b[below] - x), dAbove = Math.Abs((double)b[above] - x);
            double total = dBelow + dAbove;
            row[below] += (float)(dAbove / total);
            row[above] += (float)(dBelow / total);
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
        var avg = DistOps.SymmetricBinSum(logits.Softmax(-1), bins.Array, "two_hot.decode");
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
        var enc = EncodeShaped(target.Span, target.Shape, bins, op);
        return (enc * logits.LogSoftmax(-1)).Sum(-1).Neg();
    }

    internal static void CheckLogits(string op, Tensor logits, Bins bins)
    {
        if (logits.Rank == 0 || logits.Shape[-1] != bins.Count)
            throw new ArgumentException($"{op}: expected logits (..., {bins.Count}) for {bins.Count} bins but got {logits.Shape}");
    }
}

// Internal helpers of the distributions: ops the engine lacks (pick along the class axis, one-hot,
// the symmetric bin sum), categorical sampling, event-axis sums and the shared argument checks.
using Reverie.Tensors.Kernels;

namespace Reverie.Tensors.Dist;

internal static class DistOps
{
    /// <summary>
    /// y[r] = x[r, idx[r]] for x viewed as (R, K) over its last axis; y has x's shape without the
    /// last axis. The gradient scatters back into the picked entries.
    /// </summary>
    public static Tensor PickLast(Tensor x, ReadOnlySpan<int> idx, string op)
    {
        if (x.Rank == 0) throw new ArgumentException($"{op}: expected (..., K) but got a scalar");
        int K = x.Shape[-1], R = x.Shape.Prod(0, x.Rank - 1);
        if (idx.Length != R)
            throw new ArgumentException($"{op}: {idx.Length} indices for {R} rows of {x.Shape}; expected one index per row of {x.Shape.Without(-1)}");
        var pick = new int[R];
        for (int r = 0; r < R; r++)
        {
            if ((uint)idx[r] >= (uint)K)
                throw new ArgumentException($"{op}: index {idx[r]} at position {r} is outside [0, {K}) for {x.Shape}");
            pick[r] = r * K + idx[r];
        }
        var y = Tensor.Empty(x.Shape.Without(-1));
        var xs = x.Span; var ys = y.Span;
        for (int r = 0; r < R; r++) ys[r] = xs[pick[r]];                        // (R,) ← (R, K)
        if (Tensor.NeedsGrad(x))
            Tensor.Record(y, "pick_last", [x], g =>
            {
                if (!x.RequiresGrad) return;
                var gx = x.GradSpan(); var gs = g.Span;
                for (int r = 0; r < R; r++) gx[pick[r]] += gs[r];
            });
        return y;
    }

    /// <summary>A constant (no gradient) one-hot tensor of shape <paramref name="batch"/> + (K,).</summary>
    public static Tensor OneHotOf(ReadOnlySpan<int> idx, Shape batch, int K, string op)
    {
        if (idx.Length != batch.Size)
            throw new ArgumentException($"{op}: {idx.Length} indices for batch shape {batch} ({batch.Size} rows)");
        var y = Tensor.Zeros(batch.Insert(batch.Rank, K));
        var ys = y.Span;
        for (int r = 0; r < idx.Length; r++)
        {
            if ((uint)idx[r] >= (uint)K)
                throw new ArgumentException($"{op}: index {idx[r]} at position {r} is outside [0, {K})");
            ys[r * K + idx[r]] = 1f;
        }
        return y;
    }

    /// <summary>
    /// y[r] = Σ_k p[r, k] · bins[k] over the last axis, summed outward from the middle in mirrored
    /// pairs so that symmetric bins and uniform probabilities give exactly 0 (as DreamerV3's TwoHot.pred).
    /// </summary>
    public static Tensor SymmetricBinSum(Tensor p, float[] bins, string op)
    {
        int K = bins.Length;
        if (p.Rank == 0 || p.Shape[-1] != K)
            throw new ArgumentException($"{op}: expected (..., {K}) for {K} bins but got {p.Shape}");
        int R = p.Shape.Prod(0, p.Rank - 1);
        var y = Tensor.Empty(p.Shape.Without(-1));
        var ps = p.Span; var ys = y.Span;
        for (int r = 0; r < R; r++) ys[r] = (float)SymmetricDot(ps.Slice(r * K, K), bins);  // (R,) ← (R, K)
        if (Tensor.NeedsGrad(p))
            Tensor.Record(y, "symmetric_bin_sum", [p], g =>
            {
                if (!p.RequiresGrad) return;
                var gp = p.GradSpan(); var gs = g.Span;
                for (int r = 0; r < R; r++)
                    for (int k = 0; k < K; k++) gp[r * K + k] += gs[r] * bins[k];
            });
        return y;
    }

    /// <summary>Σ p[k]·b[k] as center + Σ_i (left_i + right_i), pairs mirrored about the middle.</summary>
    internal static double SymmetricDot(ReadOnlySpan<float> p, ReadOnlySpan<float> b)
    {
        int K = b.Length, half = K / 2;
        double s = K % 2 == 1 ? (double)p[half] * b[half] : 0.0;
        int lo = half - 1, hi = K % 2 == 1 ? half + 1 : half;
        for (; lo >= 0; lo--, hi++) s += (double)p[lo] * b[lo] + (double)p[hi] * b[hi];
        return s;
    }

    /// <summary>One index per row of <paramref name="probs"/> (R, K), drawn by inverse CDF with one uniform per row.</summary>
    public static int[] SampleRows(ReadOnlySpan<float> probs, int R, int K, Rng rng)
    {
        var idx = new int[R];
        for (int r = 0; r < R; r++) idx[r] = PickRow(probs.Slice(r * K, K), rng);
        return idx;
    }

    /// <summary>
    /// A one-hot sample per row of <paramref name="probs"/> (..., K) with the straight-through gradient of
    /// probs (onehot + probs − sg(probs)), drawing exactly as <see cref="SampleRows"/> does, in one pass.
    /// </summary>
    public static Tensor SampleOneHot(Tensor probs, Rng rng)
    {
        int K = probs.Shape[-1], R = probs.Size / K;
        var y = Tensor.Zeros(probs.Shape);                                       // (..., K)
        var ps = probs.Span; var ys = y.Span;
        for (int r = 0; r < R; r++) ys[r * K + PickRow(ps.Slice(r * K, K), rng)] = 1f;
        if (Tensor.NeedsGrad(probs)) Tensor.Record(y, "straight_through", [probs], g => probs.AccumulateGrad(g.Span));
        return y;
    }

    // Inverse CDF with one uniform: the first k with u·total < c_k (c the running sum); c is nondecreasing and
    // ends at total, so that k is the count of c_k ≤ u·total, taken without branches. Rows that do not give a
    // finite positive total (NaN) fall back to the last positive class, as before.
    private static int PickRow(ReadOnlySpan<float> row, Rng rng)
    {
        double u = rng.NextDouble(), total = 0;
        for (int k = 0; k < row.Length; k++) total += row[k];
        u *= total;
        if (!(u < total))
        {
            int last = 0;
            for (int k = 0; k < row.Length; k++) if (row[k] > 0) last = k;
            return last;
        }
        double c = 0; int count = 0;
        for (int k = 0; k < row.Length - 1; k++)
        {
            c += row[k];
            count += c <= u ? 1 : 0;
        }
        return count;
    }

    /// <summary>
    /// Class probabilities and log-probabilities over the last axis, mixed with a uniform share as in
    /// DreamerV3: probs = (1 − unimix)·softmax(logits) + unimix / K, logProbs = ln probs.
    /// </summary>
    public static (Tensor Probs, Tensor LogProbs) Mix(Tensor logits, float unimix, string op)
    {
        if (logits.Rank == 0 || logits.Shape[-1] == 0)
            throw new ArgumentException($"{op}: expected logits (..., K) with K >= 1 but got {logits.Shape}");
        if (!(unimix >= 0f && unimix < 1f))
            throw new ArgumentException($"{op}: unimix must be in [0, 1), got {unimix}");
        if (unimix == 0f) return (logits.Softmax(-1), logits.LogSoftmax(-1));
        // One fused pass forward (RowSoftmax.Unimix); each output has its own backward rule.
        int K = logits.Shape[-1], R = logits.Size / K;
        var p = Tensor.Empty(logits.Shape);                                      // (..., K)
        var lp = Tensor.Empty(logits.Shape);                                     // (..., K)
        RowSoftmax.Unimix(logits.Span, p.Span, lp.Span, R, K, unimix);
        if (Tensor.NeedsGrad(logits))
        {
            Tensor.Record(p, "unimix_probs", [logits], g =>
            {
                var dx = logits.GradDest(out float beta);
                RowSoftmaxGrad.Unimix(g.Span, p.Span, dx, R, K, unimix, ofLogProbs: false, accumulate: beta != 0f);
            });
            Tensor.Record(lp, "unimix_log_probs", [logits], g =>
            {
                var dx = logits.GradDest(out float beta);
                RowSoftmaxGrad.Unimix(g.Span, p.Span, dx, R, K, unimix, ofLogProbs: true, accumulate: beta != 0f);
            });
        }
        return (p, lp);
    }

    /// <summary>Sums the last <paramref name="eventRank"/> axes (the event) of a per-element quantity.</summary>
    public static Tensor SumEvent(Tensor t, int eventRank)
    {
        if (eventRank == 0) return t;
        var axes = new int[eventRank];
        for (int i = 0; i < eventRank; i++) axes[i] = -1 - i;
        return t.Sum(axes);
    }

    /// <summary>Throws unless 0 ≤ eventRank ≤ available.</summary>
    public static void CheckEventRank(string op, int eventRank, int available, Shape shape)
    {
        if (eventRank < 0 || eventRank > available)
            throw new ArgumentException($"{op}: eventRank {eventRank} is outside [0, {available}] for parameters of shape {shape}");
    }

    /// <summary>Whether a tensor of shape <paramref name="from"/> broadcasts to exactly <paramref name="to"/>.</summary>
    public static bool BroadcastsTo(Shape from, Shape to)
    {
        if (from.Rank > to.Rank) return false;
        for (int i = 1; i <= from.Rank; i++)
            if (from[-i] != 1 && from[-i] != to[-i]) return false;
        return true;
    }

    /// <summary>Throws unless <paramref name="value"/> has exactly the expected shape.</summary>
    public static void CheckSame(string op, string what, Shape expected, Tensor value)
    {
        if (value.Shape != expected)
            throw new ArgumentException($"{op}: expected {expected} but got {value.Shape} for '{what}'");
    }

    /// <summary>The integer values of a float tensor of indices; throws on fractions or values outside [0, K).</summary>
    public static int[] ToIndices(Tensor value, int K, string op)
    {
        var s = value.Span;
        var idx = new int[s.Length];
        for (int i = 0; i < s.Length; i++)
        {
            float v = s[i];
            if (!(v >= 0 && v < K) || v != MathF.Floor(v))
                throw new ArgumentException($"{op}: value {v} at flat index {i} is not a class index in [0, {K})");
            idx[i] = (int)v;
        }
        return idx;
    }

    /// <summary>A constant tensor with the rows' indices as float values.</summary>
    public static Tensor IndicesAsTensor(int[] idx, Shape batch)
    {
        var t = Tensor.Empty(batch);
        var s = t.Span;
        for (int i = 0; i < idx.Length; i++) s[i] = idx[i];
        return t;
    }
}

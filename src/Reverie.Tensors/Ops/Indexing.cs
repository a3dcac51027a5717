// Integer indexing: index_select, gather (torch.gather), take-along-last (log-prob of actions), one-hot.
// Backward passes scatter-add, so repeated indices accumulate their gradients.

namespace Reverie.Tensors;

public sealed partial class Tensor
{
    private static void CheckIndex(string op, ReadOnlySpan<int> index, int size, string what)
    {
        for (int i = 0; i < index.Length; i++)
            if ((uint)index[i] >= (uint)size)
                throw new ArgumentException($"{op}: index[{i}] = {index[i]} is out of range for {what} of size {size}");
    }

    /// <summary>
    /// Picks the slices <paramref name="index"/>[k] along <paramref name="axis"/>, as
    /// <c>torch.index_select</c>: the result has this shape with axis size index.Length, and
    /// y[..., k, ...] = x[..., index[k], ...]. Indices may repeat (their gradients add up). The index
    /// array is copied when a gradient is recorded.
    /// </summary>
    /// <exception cref="ArgumentException">An index is outside 0..size-1 of the axis.</exception>
    public Tensor IndexSelect(int axis, int[] index)
    {
        ArgumentNullException.ThrowIfNull(index);
        if (Rank == 0) throw new ArgumentException("index_select: cannot index a scalar");
        int ax = Shape.NormalizeAxis(axis);
        int outer = Shape.Prod(0, ax), n = Shape[ax], inner = Shape.Prod(ax + 1, Rank), m = index.Length;
        CheckIndex("index_select", index, n, $"axis {axis} of {Shape}");
        var y = Empty(Shape.With(ax, m));
        var xs = Span; var ys = y.Span;
        for (int o = 0; o < outer; o++)
            for (int k = 0; k < m; k++)
                xs.Slice((o * n + index[k]) * inner, inner).CopyTo(ys.Slice((o * m + k) * inner, inner));
        var x = this;
        if (NeedsGrad(x))
        {
            var idx = (int[])index.Clone();
            Record(y, "index_select", [x], g =>
            {
                if (!x.RequiresGrad) return;
                var gx = x.GradSpan(); var gs = g.Span;
                for (int o = 0; o < outer; o++)
                    for (int k = 0; k < m; k++)
                    {
                        var d = gx.Slice((o * n + idx[k]) * inner, inner);
                        System.Numerics.Tensors.TensorPrimitives.Add(d, gs.Slice((o * m + k) * inner, inner), d);
                    }
            });
        }
        return y;
    }

    /// <summary>
    /// torch.gather: <paramref name="index"/> (row-major, shape <paramref name="indexShape"/>, same rank
    /// as this tensor, each dimension other than <paramref name="axis"/> at most this tensor's) selects
    /// along <paramref name="axis"/>: y[i0, .., ik, ..] = x[i0, .., index[i0, .., ik, ..], ..] with
    /// ik in position axis. The result has shape <paramref name="indexShape"/>. Backward scatter-adds.
    /// </summary>
    /// <exception cref="ArgumentException">The index length, rank or dimensions do not fit, or an index is out of range.</exception>
    public Tensor Gather(int axis, int[] index, Shape indexShape)
    {
        ArgumentNullException.ThrowIfNull(index);
        if (Rank == 0) throw new ArgumentException("gather: cannot gather from a scalar");
        int ax = Shape.NormalizeAxis(axis);
        if (index.Length != indexShape.Size)
            throw new ArgumentException($"gather: {index.Length} indices cannot fill index shape {indexShape}");
        if (indexShape.Rank != Rank)
            throw new ArgumentException($"gather: index shape {indexShape} has rank {indexShape.Rank} but the input {Shape} has rank {Rank}");
        for (int d = 0; d < Rank; d++)
            if (d != ax && indexShape[d] > Shape[d])
                throw new ArgumentException($"gather: index shape {indexShape} exceeds the input {Shape} on axis {d} (only axis {axis} may differ freely)");
        CheckIndex("gather", index, Shape[ax], $"axis {axis} of {Shape}");
        var y = Empty(indexShape);
        GatherScatter(Span, Shape, ax, index, indexShape, y.Span, scatter: false);
        var x = this;
        if (NeedsGrad(x))
        {
            var idx = (int[])index.Clone();
            Record(y, "gather", [x], g =>
            {
                if (x.RequiresGrad) GatherScatter(x.GradSpan(), x.Shape, ax, idx, indexShape, g.Span, scatter: true);
            });
        }
        return y;
    }

    // gather: vals[j] = x[src(j)];  scatter: x[src(j)] += vals[j], where src(j) is the input offset of
    // output position j with its axis-`ax` coordinate replaced by index[j].
    private static void GatherScatter(Span<float> x, Shape xShape, int ax, ReadOnlySpan<int> index, Shape iShape, Span<float> vals, bool scatter)
    {
        int r = xShape.Rank;
        if (iShape.Size == 0) return;
        Span<int> xStride = stackalloc int[Shape.MaxRank], dims = stackalloc int[Shape.MaxRank], stride = stackalloc int[Shape.MaxRank];
        int acc = 1;
        for (int d = r - 1; d >= 0; d--) { xStride[d] = acc; acc *= xShape[d]; }
        // Outer odometer over axes 0..r-2 (the gathered axis contributes through index, so stride 0).
        for (int d = 0; d < r - 1; d++) { dims[d] = iShape[d]; stride[d] = d == ax ? 0 : xStride[d]; }
        Span<int> idx = stackalloc int[Shape.MaxRank];
        idx.Clear();
        int L = iShape[r - 1], rows = iShape.Size / L, sAx = xStride[ax], baseOff = 0;
        bool lastAxis = ax == r - 1;
        for (int row = 0; row < rows; row++)
        {
            int j0 = row * L;
            for (int l = 0; l < L; l++)
            {
                int src = baseOff + index[j0 + l] * sAx + (lastAxis ? 0 : l);
                if (scatter) x[src] += vals[j0 + l];
                else vals[j0 + l] = x[src];
            }
            for (int k = r - 2; k >= 0; k--)
            {
                idx[k]++;
                baseOff += stride[k];
                if (idx[k] < dims[k]) break;
                baseOff -= idx[k] * stride[k];
                idx[k] = 0;
            }
        }
    }

    /// <summary>
    /// For x of shape (..., K), picks one element per row: y[r] = x[r, index[r]] over the rows r of the
    /// leading axes; the result has shape (...) (a scalar for a vector input). Typical use: the
    /// log-probability of the taken actions from log-softmax logits. Backward scatter-adds.
    /// </summary>
    /// <exception cref="ArgumentException">index.Length differs from the number of rows, or an index is outside 0..K-1.</exception>
    public Tensor TakeAlongLast(int[] index)
    {
        ArgumentNullException.ThrowIfNull(index);
        if (Rank == 0) throw new ArgumentException("take_along_last: the input must have rank >= 1, got a scalar");
        int K = Shape[-1], rows = Shape.Prod(0, Rank - 1);
        if (index.Length != rows)
            throw new ArgumentException($"take_along_last: {index.Length} indices for input {Shape}, which has {rows} rows");
        CheckIndex("take_along_last", index, K, $"the last axis of {Shape}");
        var y = Empty(Shape.Without(-1));
        var xs = Span; var ys = y.Span;
        for (int r = 0; r < rows; r++) ys[r] = xs[r * K + index[r]];
        var x = this;
        if (NeedsGrad(x))
        {
            var idx = (int[])index.Clone();
            Record(y, "take_along_last", [x], g =>
            {
                if (!x.RequiresGrad) return;
                var gx = x.GradSpan(); var gs = g.Span;
                for (int r = 0; r < rows; r++) gx[r * K + idx[r]] += gs[r];
            });
        }
        return y;
    }

    /// <summary>
    /// A (index.Length, classes) float tensor with 1 at [i, index[i]] and 0 elsewhere. Constant: it never
    /// requires grad.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="classes"/> is not positive, or an index is outside 0..classes-1.</exception>
    public static Tensor OneHot(int[] index, int classes)
    {
        ArgumentNullException.ThrowIfNull(index);
        if (classes <= 0) throw new ArgumentException($"one_hot: classes must be positive, got {classes}");
        for (int i = 0; i < index.Length; i++)
            if ((uint)index[i] >= (uint)classes)
                throw new ArgumentException($"one_hot: index[{i}] = {index[i]} is out of range for {classes} classes");
        var y = Zeros(new Shape(index.Length, classes));
        var ys = y.Span;
        for (int i = 0; i < index.Length; i++) ys[i * classes + index[i]] = 1f;
        return y;
    }
}

// Shape ops: transpose/permute (copies), narrow/slice (a view along a leading run of size-1 axes,
// else a copy), concat, stack and expand. Split/chunk, built on narrow, live in Ops/Split.cs.
using System.Numerics.Tensors;
using Reverie.Tensors.Kernels;

namespace Reverie.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// Swaps axes <paramref name="axis0"/> and <paramref name="axis1"/> (negative axes count from the
    /// end). Returns a new contiguous tensor (a copy); the 2-D and last-two-axes cases run as a tiled transpose.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An axis is outside the shape.</exception>
    public Tensor Transpose(int axis0, int axis1)
    {
        int a0 = Shape.NormalizeAxis(axis0), a1 = Shape.NormalizeAxis(axis1);
        Span<int> perm = stackalloc int[Shape.MaxRank];
        for (int i = 0; i < Rank; i++) perm[i] = i;
        (perm[a0], perm[a1]) = (perm[a1], perm[a0]);
        return PermuteCore(perm[..Rank].ToArray(), "transpose");
    }

    /// <summary>
    /// Reorders the axes: output axis i is input axis <paramref name="axes"/>[i] (negative values count
    /// from the end), as <c>torch.permute</c>. Returns a new contiguous tensor (a copy).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="axes"/> is not a permutation of 0..Rank-1.</exception>
    public Tensor Permute(params int[] axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        if (axes.Length != Rank)
            throw new ArgumentException($"permute: ({string.Join(", ", axes)}) has {axes.Length} axes but the input {Shape} has rank {Rank}");
        var perm = new int[Rank];
        Span<bool> seen = stackalloc bool[Shape.MaxRank];
        for (int i = 0; i < Rank; i++)
        {
            int a = axes[i] < 0 ? axes[i] + Rank : axes[i];
            if ((uint)a >= (uint)Rank || seen[a])
                throw new ArgumentException($"permute: ({string.Join(", ", axes)}) is not a permutation of the axes of {Shape} " +
                    ((uint)a >= (uint)Rank ? $"(axis {axes[i]} is out of range)" : $"(axis {axes[i]} repeats)"));
            seen[a] = true;
            perm[i] = a;
        }
        return PermuteCore(perm, "permute");
    }

    private Tensor PermuteCore(int[] perm, string op)
    {
        Span<int> dims = stackalloc int[Shape.MaxRank];
        for (int i = 0; i < Rank; i++) dims[i] = Shape[perm[i]];
        var y = Empty(new Shape(dims[..Rank]));
        PermuteKernel.Run(Span, Shape, perm, y.Span, accumulate: false);
        var x = this;
        if (NeedsGrad(x))
        {
            var inv = new int[perm.Length];
            for (int i = 0; i < perm.Length; i++) inv[perm[i]] = i;
            Record(y, op, [x], g =>
            {
                if (x.RequiresGrad) PermuteKernel.Run(g.Span, g.Shape, inv, x.GradSpan(), accumulate: true);
            });
        }
        return y;
    }

    /// <summary>
    /// Elements [start, start + length) along <paramref name="axis"/>, as <c>torch.narrow</c>. When every
    /// axis before <paramref name="axis"/> has size 1 (always for axis 0) the result is a free view that
    /// shares memory with this tensor; otherwise it is a copy.
    /// </summary>
    /// <exception cref="ArgumentException">The range does not fit in the axis, or the tensor is a scalar.</exception>
    public Tensor Narrow(int axis, int start, int length)
    {
        if (Rank == 0) throw new ArgumentException("narrow: cannot narrow a scalar");
        int ax = Shape.NormalizeAxis(axis);
        int n = Shape[ax];
        if (start < 0 || length < 0 || start > n - length)
            throw new ArgumentException($"narrow: range [{start}, {(long)start + length}) does not fit axis {axis} of size {n} (shape {Shape})");
        int outer = Shape.Prod(0, ax), inner = Shape.Prod(ax + 1, Rank);
        var outShape = Shape.With(ax, length);
        var x = this;
        Tensor y;
        if (outer == 1 || outShape.Size == 0)
        {
            _ = Span;
            y = new Tensor(outShape, _data!, _offset + (outShape.Size == 0 ? 0 : start * inner), _base ?? this);
            TensorScope.Current?.Track(y);
        }
        else
        {
            y = Empty(outShape);
            var xs = Span; var ys = y.Span;
            int run = length * inner;
            for (int o = 0; o < outer; o++) xs.Slice((o * n + start) * inner, run).CopyTo(ys.Slice(o * run, run));
        }
        if (NeedsGrad(x))
            Record(y, "narrow", [x], g =>
            {
                if (!x.RequiresGrad) return;
                var gx = x.GradSpan(); var gs = g.Span;
                int run = length * inner;
                for (int o = 0; o < outer; o++)
                {
                    var d = gx.Slice((o * n + start) * inner, run);
                    TensorPrimitives.Add(d, gs.Slice(o * run, run), d);
                }
            });
        return y;
    }

    /// <summary>
    /// Elements [start, end) along <paramref name="axis"/> (Python slicing: a negative start or end counts
    /// from the end of the axis; no step). Same view/copy rule as <see cref="Narrow"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The range is empty-reversed (end &lt; start) or outside the axis.</exception>
    public Tensor Slice(int axis, int start, int end)
    {
        if (Rank == 0) throw new ArgumentException("slice: cannot slice a scalar");
        int n = Shape[axis];
        int s = start < 0 ? start + n : start, e = end < 0 ? end + n : end;
        if (s < 0 || e > n || e < s)
            throw new ArgumentException($"slice: [{start}, {end}) is not a valid range of axis {axis} of size {n} (shape {Shape})");
        return Narrow(axis, s, e - s);
    }

    /// <summary>
    /// Joins tensors along an existing <paramref name="axis"/>, as <c>torch.cat</c>. Every input must
    /// have the same rank (at least 1) and the same dimensions except along <paramref name="axis"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No inputs, or the shapes do not agree; the message names both shapes.</exception>
    public static Tensor Concat(IReadOnlyList<Tensor> xs, int axis)
    {
        ArgumentNullException.ThrowIfNull(xs);
        if (xs.Count == 0) throw new ArgumentException("concat: needs at least one tensor");
        var s0 = xs[0].Shape;
        if (s0.Rank == 0) throw new ArgumentException("concat: cannot concatenate scalars; use Stack");
        int ax = s0.NormalizeAxis(axis);
        var inputs = new Tensor[xs.Count];
        var ns = new int[xs.Count];
        int total = 0;
        for (int i = 0; i < xs.Count; i++)
        {
            var s = xs[i].Shape;
            bool ok = s.Rank == s0.Rank;
            for (int d = 0; ok && d < s.Rank; d++) ok = d == ax || s[d] == s0[d];
            if (!ok)
                throw new ArgumentException($"concat: tensor {i} has shape {s} but tensor 0 has {s0}; all dimensions except axis {axis} must match");
            inputs[i] = xs[i];
            ns[i] = s[ax];
            total += s[ax];
        }
        return JoinCore(inputs, ns, s0.Prod(0, ax), s0.Prod(ax + 1, s0.Rank), s0.With(ax, total), "concat");
    }

    /// <summary>
    /// Joins same-shape tensors along a new axis inserted at <paramref name="axis"/> (0..Rank; negative
    /// counts from the end of the result), as <c>torch.stack</c>.
    /// </summary>
    /// <exception cref="ArgumentException">No inputs, or the shapes differ.</exception>
    public static Tensor Stack(IReadOnlyList<Tensor> xs, int axis)
    {
        ArgumentNullException.ThrowIfNull(xs);
        if (xs.Count == 0) throw new ArgumentException("stack: needs at least one tensor");
        var s0 = xs[0].Shape;
        var outShape = s0.Insert(axis, xs.Count);
        int ax = axis < 0 ? axis + s0.Rank + 1 : axis;
        var inputs = new Tensor[xs.Count];
        var ns = new int[xs.Count];
        for (int i = 0; i < xs.Count; i++)
        {
            if (xs[i].Shape != s0)
                throw new ArgumentException($"stack: tensor {i} has shape {xs[i].Shape} but tensor 0 has {s0}; all shapes must be equal");
            inputs[i] = xs[i];
            ns[i] = 1;
        }
        return JoinCore(inputs, ns, s0.Prod(0, ax), s0.Prod(ax, s0.Rank), outShape, "stack");
    }

    // Input i is viewed as (outer, ns[i], inner) and lands in the output (outer, Σns, inner) at its offset.
    // Output rows are written in order (for each outer index, every input's run), so the writes stream
    // sequentially instead of striding through the output once per input.
    private static Tensor JoinCore(Tensor[] xs, int[] ns, int outer, int inner, Shape outShape, string op)
    {
        var y = Empty(outShape);
        var ys = y.Span;
        int total = 0;
        foreach (var n in ns) total += n;
        int rowOut = total * inner;
        var runs = new int[xs.Length];
        for (int i = 0; i < xs.Length; i++) runs[i] = ns[i] * inner;
        for (int o = 0; o < outer; o++)
        {
            int at = o * rowOut;
            for (int i = 0; i < xs.Length; i++)
            {
                int run = runs[i];
                xs[i].Span.Slice(o * run, run).CopyTo(ys.Slice(at, run));
                at += run;
            }
        }
        if (NeedsGrad(xs))
            Record(y, op, xs, g =>
            {
                var gs = g.Span;
                int at = 0;
                for (int i = 0; i < xs.Length; i++)
                {
                    int run = runs[i];
                    if (xs[i].RequiresGrad)
                    {
                        var gx = xs[i].GradDest(out float beta);
                        for (int o = 0; o < outer; o++)
                        {
                            var src = gs.Slice(o * rowOut + at, run);
                            var d = gx.Slice(o * run, run);
                            if (beta == 0f) src.CopyTo(d); else TensorPrimitives.Add(d, src, d);
                        }
                    }
                    at += run;
                }
            });
        return y;
    }

    /// <summary>
    /// Broadcasts this tensor to <paramref name="shape"/> (NumPy rules: dimensions align on the right,
    /// a size-1 dimension stretches, new leading axes may be added), as a copy. The gradient sums over
    /// the broadcast axes.
    /// </summary>
    /// <exception cref="ArgumentException">This shape cannot broadcast to <paramref name="shape"/>.</exception>
    public Tensor Expand(Shape shape)
    {
        bool ok = shape.Rank >= Rank;
        for (int i = 0; ok && i < Rank; i++)
        {
            int d = Shape[Rank - 1 - i];
            ok = d == 1 || d == shape[shape.Rank - 1 - i];
        }
        if (!ok) throw new ArgumentException($"expand: shape {Shape} cannot broadcast to {shape}");
        var x = this;
        var y = Empty(shape);
        var xs = Span; var ys = y.Span;
        if (shape.Size == Size) xs.CopyTo(ys);
        else if (shape.Size > 0)
        {
            var p = BroadcastPlan.Create(shape, Shape, shape);
            int len = p.Inner;
            for (int r = 0; r < p.Rows; r++)
            {
                p.Offsets(r, out int ox, out _);
                var d = ys.Slice(r * len, len);
                if (p.InnerStrideA == 1) xs.Slice(ox, len).CopyTo(d);
                else d.Fill(xs[ox]);
            }
        }
        if (NeedsGrad(x))
            Record(y, "expand", [x], g =>
            {
                if (x.RequiresGrad) BroadcastKernels.SumTo(g.Span, g.Shape, x.GradSpan(), x.Shape);
            });
        return y;
    }
}

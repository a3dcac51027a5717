// Reductions over axes (sum, mean, max, min), logsumexp, softmax, log_softmax, argmax.
// Every single-axis kernel views the input as (outer, n, inner) with the reduced axis in the middle.
using System.Numerics.Tensors;
using Reverie.Tensors.Kernels;

namespace Reverie.Tensors;

public sealed partial class Tensor
{
    private (int outer, int n, int inner) Split(int axis) =>
        (Shape.Prod(0, axis), Shape[axis], Shape.Prod(axis + 1, Rank));

    private Shape ReducedShape(int axis, bool keepDim) => keepDim ? Shape.With(axis, 1) : Shape.Without(axis);

    // ------------------------------------------------------------ sum / mean

    /// <summary>Sum of all elements (a scalar).</summary>
    public Tensor Sum()
    {
        var y = Empty(new Shape());
        y.Span[0] = TensorPrimitives.Sum(Span);
        var x = this;
        if (NeedsGrad(x))
            Record(y, "sum", [x], g =>
            {
                var gx = x.GradSpan();
                TensorPrimitives.Add(gx, g.Span[0], gx);
            });
        return y;
    }

    /// <summary>Sum over <paramref name="axis"/>.</summary>
    public Tensor Sum(int axis, bool keepDim = false)
    {
        if (Rank == 0) throw new ArgumentException("sum: cannot reduce an axis of a scalar");
        int ax = Shape.NormalizeAxis(axis);
        var (outer, n, inner) = Split(ax);
        var x = this;
        var y = Empty(ReducedShape(ax, keepDim));
        var xs = Span; var ys = y.Span;
        if (inner == 1)
            for (int o = 0; o < outer; o++) ys[o] = TensorPrimitives.Sum(xs.Slice(o * n, n));
        else
        {
            ys.Clear();
            for (int o = 0; o < outer; o++)
            {
                var d = ys.Slice(o * inner, inner);
                for (int k = 0; k < n; k++) TensorPrimitives.Add(d, xs.Slice((o * n + k) * inner, inner), d);
            }
        }
        if (NeedsGrad(x))
            Record(y, "sum", [x], g =>
            {
                var gx = x.GradSpan(); var gs = g.Span;
                for (int o = 0; o < outer; o++)
                {
                    if (inner == 1)
                    {
                        var d = gx.Slice(o * n, n);
                        TensorPrimitives.Add(d, gs[o], d);
                        continue;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        var d = gx.Slice((o * n + k) * inner, inner);
                        TensorPrimitives.Add(d, gs.Slice(o * inner, inner), d);
                    }
                }
            });
        return y;
    }

    /// <summary>Sum over several axes.</summary>
    public Tensor Sum(int[] axes, bool keepDim = false) => ReduceAxes(axes, keepDim, (t, a) => t.Sum(a, keepDim: true));

    /// <summary>Mean of all elements.</summary>
    public Tensor Mean() => Sum().Mul(1f / Math.Max(Size, 1));

    /// <summary>Mean over <paramref name="axis"/>.</summary>
    public Tensor Mean(int axis, bool keepDim = false) => Sum(axis, keepDim).Mul(1f / Shape[axis]);

    /// <summary>Mean over several axes.</summary>
    public Tensor Mean(int[] axes, bool keepDim = false)
    {
        int count = 1;
        foreach (var a in axes) count *= Shape[a];
        return Sum(axes, keepDim).Mul(1f / count);
    }

    private Tensor ReduceAxes(int[] axes, bool keepDim, Func<Tensor, int, Tensor> reduce1)
    {
        var norm = new int[axes.Length];
        for (int i = 0; i < axes.Length; i++) norm[i] = Shape.NormalizeAxis(axes[i]);
        Array.Sort(norm);
        for (int i = 1; i < norm.Length; i++)
            if (norm[i] == norm[i - 1]) throw new ArgumentException($"reduce: axis {norm[i]} is listed twice for shape {Shape}");
        var t = this;
        for (int i = norm.Length - 1; i >= 0; i--) t = reduce1(t, norm[i]);
        if (keepDim) return t;
        var s = Shape;
        for (int i = norm.Length - 1; i >= 0; i--) s = s.Without(norm[i]);
        return t.Reshape(s);
    }

    // ------------------------------------------------------------ max / min

    /// <summary>Largest element (gradient to its first occurrence).</summary>
    public Tensor Max() => Reshape(new Shape(Size)).Max(0);

    /// <summary>Smallest element (gradient to its first occurrence).</summary>
    public Tensor Min() => Reshape(new Shape(Size)).Min(0);

    /// <summary>Max over <paramref name="axis"/>; the gradient goes to the first maximal element.</summary>
    public Tensor Max(int axis, bool keepDim = false) => Extreme(axis, keepDim, true);

    /// <summary>Min over <paramref name="axis"/>; the gradient goes to the first minimal element.</summary>
    public Tensor Min(int axis, bool keepDim = false) => Extreme(axis, keepDim, false);

    private Tensor Extreme(int axis, bool keepDim, bool max)
    {
        string op = max ? "max" : "min";
        if (Rank == 0) throw new ArgumentException($"{op}: cannot reduce an axis of a scalar");
        int ax = Shape.NormalizeAxis(axis);
        var (outer, n, inner) = Split(ax);
        if (n == 0) throw new ArgumentException($"{op}: axis {axis} of shape {Shape} is empty");
        var x = this;
        var y = Empty(ReducedShape(ax, keepDim));
        var xs = Span; var ys = y.Span;
        if (inner == 1)
            for (int o = 0; o < outer; o++)
                ys[o] = max ? TensorPrimitives.Max(xs.Slice(o * n, n)) : TensorPrimitives.Min(xs.Slice(o * n, n));
        else
            for (int o = 0; o < outer; o++)
            {
                var d = ys.Slice(o * inner, inner);
                xs.Slice(o * n * inner, inner).CopyTo(d);
                for (int k = 1; k < n; k++)
                {
                    var row = xs.Slice((o * n + k) * inner, inner);
                    if (max) TensorPrimitives.Max(d, row, d); else TensorPrimitives.Min(d, row, d);
                }
            }
        if (NeedsGrad(x))
            Record(y, op, [x], g =>
            {
                var gx = x.GradSpan(); var gs = g.Span; var xv = x.Span; var yv = y.Span;
                for (int o = 0; o < outer; o++)
                    for (int i = 0; i < inner; i++)
                    {
                        float target = yv[o * inner + i];
                        for (int k = 0; k < n; k++)
                        {
                            int idx = (o * n + k) * inner + i;
                            if (xv[idx] == target || (float.IsNaN(target) && float.IsNaN(xv[idx]))) { gx[idx] += gs[o * inner + i]; break; }
                        }
                    }
            });
        return y;
    }

    /// <summary>Index of the largest element along <paramref name="axis"/> (first on ties); no gradient.</summary>
    public int[] Argmax(int axis = -1)
    {
        int ax = Shape.NormalizeAxis(axis);
        var (outer, n, inner) = Split(ax);
        var r = new int[outer * inner];
        var xs = Span;
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int best = 0; float bv = xs[o * n * inner + i];
                for (int k = 1; k < n; k++)
                {
                    float v = xs[(o * n + k) * inner + i];
                    if (v > bv) { bv = v; best = k; }
                }
                r[o * inner + i] = best;
            }
        return r;
    }

    // ------------------------------------------------------------ logsumexp / softmax

    /// <summary>log Σ exp(x) over <paramref name="axis"/>, computed stably.</summary>
    public Tensor LogSumExp(int axis = -1, bool keepDim = false)
    {
        int ax = Shape.NormalizeAxis(axis);
        var (outer, n, inner) = Split(ax);
        var x = this;
        var y = Empty(ReducedShape(ax, keepDim));
        var xs = Span; var ys = y.Span;
        if (inner == 1)
        {
            LogSumExpRows(xs, ys, outer, n);
            goto record;
        }
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                float m = float.NegativeInfinity;
                for (int k = 0; k < n; k++) m = MathF.Max(m, xs[(o * n + k) * inner + i]);
                if (float.IsNegativeInfinity(m)) { ys[o * inner + i] = m; continue; }
                float s = 0;
                for (int k = 0; k < n; k++) s += MathF.Exp(xs[(o * n + k) * inner + i] - m);
                ys[o * inner + i] = m + MathF.Log(s);
            }
    record:
        if (NeedsGrad(x))
            Record(y, "logsumexp", [x], g =>
            {
                var gx = x.GradSpan(); var gs = g.Span; var xv = x.Span; var yv = y.Span;
                for (int o = 0; o < outer; o++)
                    for (int k = 0; k < n; k++)
                        for (int i = 0; i < inner; i++)
                        {
                            int idx = (o * n + k) * inner + i, r = o * inner + i;
                            gx[idx] += gs[r] * MathF.Exp(xv[idx] - yv[r]);
                        }
            });
        return y;
    }

    private static void LogSumExpRows(ReadOnlySpan<float> x, Span<float> y, int rows, int n) => RowSoftmax.LogSumExp(x, y, rows, n);

    /// <summary>Softmax over <paramref name="axis"/>.</summary>
    public Tensor Softmax(int axis = -1) => SoftmaxImpl(axis, log: false);

    /// <summary>Log-softmax over <paramref name="axis"/>, computed stably.</summary>
    public Tensor LogSoftmax(int axis = -1) => SoftmaxImpl(axis, log: true);

    private Tensor SoftmaxImpl(int axis, bool log)
    {
        int ax = Shape.NormalizeAxis(axis);
        var (outer, n, inner) = Split(ax);
        var x = this;
        var y = Empty(Shape);
        if (inner == 1) RowSoftmax.Forward(Span, y.Span, outer, n, log);
        else SoftmaxStrided(Span, y.Span, outer, n, inner, log);
        if (NeedsGrad(x))
            Record(y, log ? "log_softmax" : "softmax", [x], g =>
            {
                if (inner == 1)
                {
                    var dx = x.GradDest(out float beta);
                    RowSoftmaxGrad.Softmax(g.Span, y.Span, dx, outer, n, log, accumulate: beta != 0f);
                    return;
                }
                var gx = x.GradSpan(); var gs = g.Span; var yv = y.Span;
                for (int o = 0; o < outer; o++)
                    for (int i = 0; i < inner; i++)
                    {
                        // softmax: gx = y (g - Σ g y);  log_softmax: gx = g - softmax Σ g
                        float dot = 0;
                        for (int k = 0; k < n; k++)
                        {
                            int idx = (o * n + k) * inner + i;
                            dot += log ? gs[idx] : gs[idx] * yv[idx];
                        }
                        for (int k = 0; k < n; k++)
                        {
                            int idx = (o * n + k) * inner + i;
                            gx[idx] += log ? gs[idx] - MathF.Exp(yv[idx]) * dot : yv[idx] * (gs[idx] - dot);
                        }
                    }
            });
        return y;
    }

    private static void SoftmaxStrided(ReadOnlySpan<float> x, Span<float> y, int outer, int n, int inner, bool log)
    {
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                float m = float.NegativeInfinity;
                for (int k = 0; k < n; k++) m = MathF.Max(m, x[(o * n + k) * inner + i]);
                float s = 0;
                for (int k = 0; k < n; k++) s += MathF.Exp(x[(o * n + k) * inner + i] - m);
                float ls = MathF.Log(s);
                for (int k = 0; k < n; k++)
                {
                    int idx = (o * n + k) * inner + i;
                    y[idx] = log ? x[idx] - m - ls : MathF.Exp(x[idx] - m) / s;
                }
            }
    }
}

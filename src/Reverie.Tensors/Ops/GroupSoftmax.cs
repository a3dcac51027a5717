// GroupSoftmax: softmax over consecutive groups of the last axis in one fused op (TD-MPC2's SimNorm), forward and backward.
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Reverie.Tensors.Kernels;

namespace Reverie.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// Softmax over each run of <paramref name="groupSize"/> consecutive elements of the last axis: for x (..., n)
    /// with n a multiple of g, y[..., j·g + k] = exp(x[..., j·g + k] − m_j) / Σ_k exp(x[..., j·g + k] − m_j), m_j the
    /// group's maximum. Equal to reshaping to (..., n/g, g), a softmax over the last axis and reshaping back, but one
    /// pass over the data whatever the group size (TD-MPC2's SimNorm uses groups of 8). Backward:
    /// dx = y ⊙ (g − Σ_group g ⊙ y).
    /// </summary>
    /// <exception cref="ArgumentException">A scalar input, a group size below 1, or a last axis that is not a multiple of it.</exception>
    public Tensor GroupSoftmax(int groupSize)
    {
        if (Rank == 0 || groupSize < 1 || Shape[-1] % groupSize != 0)
            throw new ArgumentException($"group_softmax: the last axis of {Shape} is not a multiple of the group size {groupSize}");
        var x = this;
        var y = Empty(Shape);
        GroupSoftmaxForward(x.Span, y.Span, groupSize);
        if (DebugChecks) CheckFinite(y, "group_softmax", x);
        if (NeedsGrad(x))
            Record(y, "group_softmax", [x], g => GroupSoftmaxBackward(g.Span, y.Span, x.GradSpan(), groupSize));
        return y;
    }

    // Per group: subtract the maximum; one vectorized exp over everything; divide by the group's sum.
    // Groups of 8 take whole Vector256 registers (max and sum by in-register shuffles); others the scalar loops.
    private static void GroupSoftmaxForward(ReadOnlySpan<float> x, Span<float> y, int g)
    {
        if (g == 8 && Avx.IsSupported) { GroupSoftmax8(x, y); return; }
        int groups = x.Length / g;
        for (int j = 0; j < groups; j++)
        {
            var xs = x.Slice(j * g, g);
            float m = xs[0];
            for (int k = 1; k < g; k++) m = MathF.Max(m, xs[k]);
            var ys = y.Slice(j * g, g);
            for (int k = 0; k < g; k++) ys[k] = xs[k] - m;
        }
        Simd.Map<Ew.Exp>(y, y);
        for (int j = 0; j < groups; j++)
        {
            var ys = y.Slice(j * g, g);
            float s = 0;
            for (int k = 0; k < g; k++) s += ys[k];
            float inv = 1f / s;
            for (int k = 0; k < g; k++) ys[k] *= inv;
        }
    }

    private static unsafe void GroupSoftmax8(ReadOnlySpan<float> x, Span<float> y)
    {
        int groups = x.Length / 8;
        fixed (float* px = x, py = y)
        {
            for (int j = 0; j < groups; j++)
            {
                var v = Avx.LoadVector256(px + 8 * j);
                Avx.Store(py + 8 * j, v - AllLanes(v, max: true));
            }
            Simd.Map<Ew.Exp>(new ReadOnlySpan<float>(py, y.Length), new Span<float>(py, y.Length));
            for (int j = 0; j < groups; j++)
            {
                var e = Avx.LoadVector256(py + 8 * j);
                Avx.Store(py + 8 * j, e / AllLanes(e, max: false));
            }
        }
    }

    // The max or the sum of the 8 lanes, in every lane: halves, then pairs, then neighbours.
    private static Vector256<float> AllLanes(Vector256<float> v, bool max)
    {
        var t = Avx.Permute2x128(v, v, 1);
        v = max ? Avx.Max(v, t) : v + t;
        t = Avx.Permute(v, 0b01_00_11_10);
        v = max ? Avx.Max(v, t) : v + t;
        t = Avx.Permute(v, 0b10_11_00_01);
        return max ? Avx.Max(v, t) : v + t;
    }

    // dx += y ⊙ (g − Σ_group g ⊙ y)
    private static void GroupSoftmaxBackward(ReadOnlySpan<float> gy, ReadOnlySpan<float> y, Span<float> gx, int g)
    {
        if (g == 8 && Avx.IsSupported) { GroupSoftmaxBackward8(gy, y, gx); return; }
        int groups = y.Length / g;
        for (int j = 0; j < groups; j++)
        {
            int o = j * g;
            float dot = 0;
            for (int k = 0; k < g; k++) dot += gy[o + k] * y[o + k];
            for (int k = 0; k < g; k++) gx[o + k] += y[o + k] * (gy[o + k] - dot);
        }
    }

    private static unsafe void GroupSoftmaxBackward8(ReadOnlySpan<float> gy, ReadOnlySpan<float> y, Span<float> gx)
    {
        int groups = y.Length / 8;
        fixed (float* pg = gy, py = y, pd = gx)
            for (int j = 0; j < groups; j++)
            {
                var gv = Avx.LoadVector256(pg + 8 * j);
                var yv = Avx.LoadVector256(py + 8 * j);
                var dot = AllLanes(gv * yv, max: false);
                Avx.Store(pd + 8 * j, Avx.LoadVector256(pd + 8 * j) + yv * (gv - dot));
            }
    }
}

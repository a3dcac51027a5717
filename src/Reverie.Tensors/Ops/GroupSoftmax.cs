// GroupSoftmax: softmax over consecutive groups of the last axis in one fused op (TD-MPC2's SimNorm), forward and backward.
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
    private static void GroupSoftmaxForward(ReadOnlySpan<float> x, Span<float> y, int g)
    {
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

    // dx += y ⊙ (g − Σ_group g ⊙ y)
    private static void GroupSoftmaxBackward(ReadOnlySpan<float> gy, ReadOnlySpan<float> y, Span<float> gx, int g)
    {
        int groups = y.Length / g;
        for (int j = 0; j < groups; j++)
        {
            int o = j * g;
            float dot = 0;
            for (int k = 0; k < g; k++) dot += gy[o + k] * y[o + k];
            for (int k = 0; k < g; k++) gx[o + k] += y[o + k] * (gy[o + k] - dot);
        }
    }
}

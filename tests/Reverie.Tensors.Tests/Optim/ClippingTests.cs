// Global-norm clipping (PyTorch clip_grad_norm_) and DreamerV3's per-tensor adaptive gradient clipping.
using Reverie.Tensors.Optim;

namespace Reverie.Tensors.Tests.Optim;

public class ClippingTests
{
    private static Tensor P(float[] values, float[]? grad)
    {
        var p = Tensor.Parameter(new Shape(values.Length));
        values.CopyTo(p.Span);
        if (grad is not null) p.Grad = Tensor.FromArray(grad);
        return p;
    }

    [Fact]
    public void ClipGradNorm_returns_the_global_norm_and_scales_by_max_over_norm_plus_1e_6()
    {
        // ‖(3, 4)‖² + ‖(12)‖² = 169 → N = 13; a parameter without gradient is skipped.
        var a = P([0, 0], [3, 4]);
        var b = P([0], [12]);
        var c = P([1, 2, 3], null);
        float n = Clipping.ClipGradNorm([a, b, c], maxNorm: 1.3);
        Assert.Equal(13f, n);
        float k = 1.3f / (13f + 1e-6f);
        Assert.Equal([3 * k, 4 * k], a.Grad!.ToArray());
        Assert.Equal([12 * k], b.Grad!.ToArray());
        Assert.Null(c.Grad);
        CheckOp.AssertClose(1.3, Clipping.GlobalNorm([a, b, c]), 1e-6, 1e-6, "norm after clipping");
    }

    [Fact]
    public void ClipGradNorm_is_a_no_op_below_the_maximum()
    {
        var a = P([0, 0, 0], [0.1f, -0.2f, 0.3f]);
        float n = Clipping.ClipGradNorm([a], maxNorm: 1);
        CheckOp.AssertClose(Math.Sqrt(0.14), n, 1e-7, 1e-6, "norm");
        Assert.Equal([0.1f, -0.2f, 0.3f], a.Grad!.ToArray());
        Assert.Equal(0f, Clipping.ClipGradNorm([P([1], null)], 1));   // no gradients at all
    }

    [Fact]
    public void ClipGradNorm_matches_a_double_norm_on_a_long_vector()
    {
        var rng = new Rng(3);
        var g = new float[1000];
        rng.FillNormal(g);
        var a = P(new float[1000], g);
        double expected = Math.Sqrt(g.Sum(x => (double)x * x));
        CheckOp.AssertClose(expected, Clipping.ClipGradNorm([a], 5), 1e-6, 1e-6, "norm");
        CheckOp.AssertClose(5, Clipping.GlobalNorm([a]), 1e-5, 1e-6, "clipped norm");
    }

    [Fact]
    public void AdaptiveGradClip_scales_each_tensor_to_clip_times_its_parameter_norm()
    {
        // ‖p‖ = 5, ‖g‖ = 10, clip 0.3 → bound 1.5 → factor 0.15.
        var a = P([3, 4], [6, 8]);
        // ‖p‖ = 5, ‖g‖ = 1 < 1.5 → untouched.
        var b = P([0, 5], [0.6f, 0.8f]);
        // p = 0 → bound 0.3 · pmin = 3e-4, ‖g‖ = 5 → factor 6e-5.
        var z = P([0, 0], [3, -4]);
        var none = P([1], null);
        int clipped = Clipping.AdaptiveGradClip([a, b, z, none], clip: 0.3);
        Assert.Equal(2, clipped);
        float fa = 1f / (10f / (0.3f * 5f));
        Assert.Equal([6 * fa, 8 * fa], a.Grad!.ToArray());
        CheckOp.AssertClose(0.9, a.Grad!.Span[0], 1e-7, 1e-6, "agc a[0]");
        CheckOp.AssertClose(1.2, a.Grad!.Span[1], 1e-7, 1e-6, "agc a[1]");
        Assert.Equal([0.6f, 0.8f], b.Grad!.ToArray());
        CheckOp.AssertClose(3 * 6e-5, z.Grad!.Span[0], 1e-10, 1e-5, "agc z[0]");
        CheckOp.AssertClose(-4 * 6e-5, z.Grad!.Span[1], 1e-10, 1e-5, "agc z[1]");
        CheckOp.AssertClose(3e-4, Clipping.GlobalNorm([z]), 1e-10, 1e-5, "agc z norm");
    }

    [Fact]
    public void AdaptiveGradClip_is_per_tensor_not_unit_wise()
    {
        // Rows of a (2, 2) weight: row 0 has a huge gradient, row 1 none. Unit-wise AGC would leave
        // row 1 alone and clip row 0 against its own row norm; DreamerV3's clips the whole tensor.
        var w = Tensor.Parameter(new Shape(2, 2));
        new float[] { 1, 0, 0, 1 }.CopyTo(w.Span);          // ‖w‖ = √2
        w.Grad = Tensor.FromArray([10f, 0, 0, 0], w.Shape);
        Clipping.AdaptiveGradClip([w], clip: 0.1, pmin: 1e-3);
        CheckOp.AssertClose(0.1 * Math.Sqrt(2), w.Grad.Span[0], 1e-7, 1e-6, "clipped to 0.1·‖w‖");
    }

    [Fact]
    public void Clipping_errors_name_the_problem()
    {
        var p = P([1, 2, 3], null);
        p.Grad = Tensor.FromArray(1f, 2f);
        var e = Assert.Throws<ArgumentException>(() => Clipping.AdaptiveGradClip([p]));
        Assert.Contains("gradient (2,) does not match parameter 0 (3,)", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Clipping.ClipGradNorm([p], -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Clipping.AdaptiveGradClip([p], clip: 0));
    }
}

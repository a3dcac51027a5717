// The fused optimizer loops (Vector512 body + tail) against their scalar twins at every length 0..70.
using Reverie.Tensors.Optim;

namespace Reverie.Tensors.Tests.Optim;

public class OptimKernelTests
{
    private static float[] R(Rng rng, int n, float scale = 1, bool positive = false)
    {
        var a = new float[n];
        rng.FillNormal(a);
        for (int i = 0; i < n; i++) a[i] = (positive ? MathF.Abs(a[i]) : a[i]) * scale;
        return a;
    }

    [Fact]
    public void Adam_kernel_equals_its_reference_bit_for_bit()
    {
        var rng = new Rng(1);
        foreach (float l2 in new[] { 0f, 0.1f })
            for (int n = 0; n <= 70; n++)
            {
                var c = new AdamCoefficients { B1 = 0.9f, OneMinusB1 = 0.1f, B2 = 0.999f, OneMinusB2 = 0.001f, Bc2Sqrt = 0.3f, Eps = 1e-8f, NegStepSize = -0.01f, L2 = l2 };
                var (p, g, m, v) = (R(rng, n), R(rng, n), R(rng, n, 0.1f), R(rng, n, 0.01f, true));
                var (p2, m2, v2) = ((float[])p.Clone(), (float[])m.Clone(), (float[])v.Clone());
                OptimKernels.Adam(p, g, m, v, c);
                OptimKernels.Reference.Adam(p2, g, m2, v2, c);
                Assert.True(p.AsSpan().SequenceEqual(p2) && m.AsSpan().SequenceEqual(m2) && v.AsSpan().SequenceEqual(v2), $"adam kernel differs at length {n}");
            }
    }

    [Fact]
    public void RmsMomentum_kernel_equals_its_reference_bit_for_bit()
    {
        var rng = new Rng(2);
        foreach (var (momentum, nesterov, wd) in new[] { (true, false, 0f), (true, true, 0.1f), (false, false, 0f), (false, false, 0.1f) })
            for (int n = 0; n <= 70; n++)
            {
                var c = new RmsMomentumCoefficients
                {
                    Scale = 0.7f, B2 = 0.999f, OneMinusB2 = 0.001f, Bc2 = 0.002f, Eps = 1e-20f, Momentum = momentum, Nesterov = nesterov,
                    B1 = 0.9f, OneMinusB1 = 0.1f, Bc1 = 0.19f, Wd = wd, NegLr = -4e-5f,
                };
                var (p, g, nu, mu) = (R(rng, n), R(rng, n), R(rng, n, 0.01f, true), momentum ? R(rng, n, 0.1f) : []);
                var (p2, nu2, mu2) = ((float[])p.Clone(), (float[])nu.Clone(), (float[])mu.Clone());
                OptimKernels.RmsMomentum(p, g, nu, mu, c);
                OptimKernels.Reference.RmsMomentum(p2, g, nu2, mu2, c);
                Assert.True(p.AsSpan().SequenceEqual(p2) && nu.AsSpan().SequenceEqual(nu2) && mu.AsSpan().SequenceEqual(mu2),
                    $"rms_momentum kernel differs at length {n} (momentum {momentum}, nesterov {nesterov}, wd {wd})");
            }
    }

    [Fact]
    public void Polyak_kernel_equals_its_reference_bit_for_bit()
    {
        var rng = new Rng(3);
        for (int n = 0; n <= 70; n++)
        {
            var (t, s) = (R(rng, n), R(rng, n));
            var t2 = (float[])t.Clone();
            OptimKernels.Polyak(t, s, 0.005f);
            OptimKernels.Reference.Polyak(t2, s, 0.005f);
            Assert.True(t.AsSpan().SequenceEqual(t2), $"polyak kernel differs at length {n}");
        }
    }

    [Fact]
    public void Kernels_reject_mismatched_spans()
    {
        var e = Assert.Throws<ArgumentException>(() => OptimKernels.Adam(new float[3], new float[2], new float[3], new float[3], default));
        Assert.Contains("adam: spans of lengths (3, 2, 3, 3) differ", e.Message);
        Assert.Throws<ArgumentException>(() => OptimKernels.Polyak(new float[3], new float[4], 0.5f));
    }
}

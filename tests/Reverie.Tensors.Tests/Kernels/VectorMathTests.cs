// Our Vector512 exp/log against double-precision Math over wide ranges and special values.
using System.Runtime.Intrinsics;
using Reverie.Tensors.Kernels;

namespace Reverie.Tensors.Tests.Kernels;

public class VectorMathTests
{
    private static float[] Apply(Func<Vector512<float>, Vector512<float>> f, float[] x)
    {
        var y = new float[x.Length];
        for (int i = 0; i < x.Length; i += 16) f(Vector512.Create(x.AsSpan(i, 16))).CopyTo(y.AsSpan(i, 16));
        return y;
    }

    [Fact]
    public void Exp_is_accurate_across_its_range()
    {
        var x = Enumerable.Range(0, 16 * 1000).Select(i => -87f + 175f * i / 16000f).ToArray();
        var y = Apply(Ew.VExp, x);
        for (int i = 0; i < x.Length; i++)
        {
            double e = Math.Exp(x[i]);
            if (e > 3e38) continue; // clamped top end, documented
            Assert.True(Math.Abs(y[i] - e) <= 4e-7 * e, $"exp({x[i]}) = {y[i]}, expected {e}");
        }
    }

    [Fact]
    public void Exp_special_values()
    {
        var x = new float[16] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 100f, -100f, 0f, -0f, 1f, -1f, 88f, -87f, 1e-8f, -1e-8f, 10f, -10f, 0.5f };
        var y = Apply(Ew.VExp, x);
        Assert.True(float.IsNaN(y[0]));
        Assert.Equal(float.PositiveInfinity, y[1]);
        Assert.Equal(0f, y[2]);
        Assert.Equal(float.PositiveInfinity, y[3]);
        Assert.Equal(0f, y[4]);
        Assert.Equal(1f, y[5]);
        Assert.Equal(1f, y[6]);
    }

    [Fact]
    public void Log_is_accurate_and_handles_specials()
    {
        var x = Enumerable.Range(0, 16 * 1000).Select(i => MathF.Exp(-80f + 160f * i / 16000f)).ToArray();
        var y = Apply(Ew.VLog, x);
        for (int i = 0; i < x.Length; i++)
        {
            double e = Math.Log(x[i]);
            Assert.True(Math.Abs(y[i] - e) <= 3e-7 * Math.Max(1, Math.Abs(e)), $"log({x[i]}) = {y[i]}, expected {e}");
        }
        var s = new float[16] { 0f, -1f, float.NaN, float.PositiveInfinity, 1f, 2f, 0.5f, 1e-30f, 1e30f, 3f, 4f, 5f, 6f, 7f, 8f, 9f };
        var ys = Apply(Ew.VLog, s);
        Assert.Equal(float.NegativeInfinity, ys[0]);
        Assert.True(float.IsNaN(ys[1]));
        Assert.True(float.IsNaN(ys[2]));
        Assert.Equal(float.PositiveInfinity, ys[3]);
        Assert.Equal(0f, ys[4]);
    }

    [Fact]
    public void Sigmoid_tanh_and_reciprocal_are_accurate_with_specials()
    {
        var x = Enumerable.Range(0, 16 * 1000).Select(i => -120f + 240f * i / 16000f).ToArray();
        var sig = Apply(Ew.Sigmoid, x);
        var th = Apply(Ew.Tanh.Invoke, x);
        for (int i = 0; i < x.Length; i++)
        {
            double s = 1 / (1 + Math.Exp(-x[i])), t = Math.Tanh(x[i]);
            Assert.True(Math.Abs(sig[i] - s) <= 3e-7 * s + 1e-37, $"sigmoid({x[i]}) = {sig[i]}, expected {s}");
            Assert.True(Math.Abs(th[i] - t) <= 3e-7 * Math.Abs(t) + 1e-7, $"tanh({x[i]}) = {th[i]}, expected {t}");
        }
        var sp = new float[16] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, 1e-8f, -1e-8f, 30f, -30f, 88f, -88f, 89f, -89f, 1f, -1f, 0.5f };
        var ss = Apply(Ew.Sigmoid, sp); var ts = Apply(Ew.Tanh.Invoke, sp);
        Assert.True(float.IsNaN(ss[0]) && float.IsNaN(ts[0]));
        Assert.Equal(1f, ss[1]); Assert.Equal(0f, ss[2]); Assert.Equal(0.5f, ss[3]); Assert.Equal(0.5f, ss[4]);
        Assert.Equal(1f, ts[1]); Assert.Equal(-1f, ts[2]); Assert.Equal(0f, ts[3]);
        var d = Enumerable.Range(0, 16 * 100).Select(i => 1f + i / 1600f).ToArray();
        var rc = Apply(Ew.Reciprocal, d);
        for (int i = 0; i < d.Length; i++) Assert.True(Math.Abs(rc[i] - 1.0 / d[i]) <= 1.2e-7 / d[i], $"1/{d[i]} = {rc[i]}");
    }
}

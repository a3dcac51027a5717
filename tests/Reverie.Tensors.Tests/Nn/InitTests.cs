// Statistics of the initializers on large tensors, truncation bounds, fans and determinism.
using Reverie.Tensors;
using Reverie.Tensors.Nn;

namespace Reverie.Tensors.Tests.Nn;

public class InitTests
{
    private static (double Mean, double Std, double Min, double Max) Stats(Tensor t)
    {
        var v = t.ToArray();
        double m = v.Average(x => (double)x);
        double s = Math.Sqrt(v.Average(x => (x - m) * (x - m)));
        return (m, s, v.Min(), v.Max());
    }

    private static Tensor Big(int outF = 200, int inF = 300) => Tensor.Parameter(new Shape(outF, inF));

    [Fact]
    public void Fans_follow_PyTorch()
    {
        Assert.Equal((300, 200), Init.Fans(new Shape(200, 300)));
        Assert.Equal((3 * 25, 8 * 25), Init.Fans(new Shape(8, 3, 5, 5)));
        Assert.Contains("rank >= 2", Assert.Throws<ArgumentException>(() => Init.Fans(new Shape(5))).Message);
    }

    [Fact]
    public void Uniform_family_has_the_right_bounds_and_moments()
    {
        var t = Big();
        Init.KaimingUniform(t, new Rng(1));
        double b = 1 / Math.Sqrt(300);
        var s = Stats(t);
        Assert.InRange(s.Min, -b, -0.99 * b);
        Assert.InRange(s.Max, 0.99 * b, b);
        Assert.InRange(s.Std, 0.98 * b / Math.Sqrt(3), 1.02 * b / Math.Sqrt(3));
        Assert.InRange(s.Mean, -0.01 * b, 0.01 * b);

        Init.XavierUniform(t, new Rng(2));
        b = Math.Sqrt(6.0 / 500);
        s = Stats(t);
        Assert.InRange(s.Max, 0.99 * b, b);
        Assert.InRange(s.Std, 0.98 * b / Math.Sqrt(3), 1.02 * b / Math.Sqrt(3));

        Init.Uniform(t, new Rng(3), -2f, 5f);
        s = Stats(t);
        Assert.InRange(s.Min, -2, -1.99);
        Assert.InRange(s.Mean, 1.45, 1.55);
    }

    [Fact]
    public void Normal_family_has_the_right_moments()
    {
        var t = Big();
        Init.XavierNormal(t, new Rng(4), gain: 2f);
        double std = 2 * Math.Sqrt(2.0 / 500);
        var s = Stats(t);
        Assert.InRange(s.Std, 0.98 * std, 1.02 * std);
        Assert.InRange(s.Mean, -0.01 * std, 0.01 * std);
        Init.Normal(t, new Rng(5), 3f, 0.5f);
        s = Stats(t);
        Assert.InRange(s.Mean, 2.995, 3.005);
        Assert.InRange(s.Std, 0.49, 0.51);
    }

    [Fact]
    public void Truncated_normal_resamples_inside_the_bounds()
    {
        var t = Big();
        Init.TruncatedNormal(t, new Rng(6), std: 0.5f);
        var s = Stats(t);
        Assert.InRange(s.Min, -1.0, -0.99);
        Assert.InRange(s.Max, 0.99, 1.0);
        Assert.InRange(s.Std, 0.98 * 0.5 * Init.TruncNormalStd, 1.02 * 0.5 * Init.TruncNormalStd);
        Init.TruncatedNormal(t, new Rng(7), std: 1f, mean: 1f, low: 0.5f, high: 3f);
        s = Stats(t);
        Assert.True(s.Min >= 0.5 && s.Max <= 3.0);
        Assert.Throws<ArgumentException>(() => Init.TruncatedNormal(t, new Rng(1), low: 1f, high: 0f));
        Assert.Throws<InvalidOperationException>(() => Init.TruncatedNormal(t, new Rng(1), std: 1f, low: 40f, high: 41f));
    }

    [Fact]
    public void DreamerV3_trunc_normal_has_std_one_over_root_fan()
    {
        var t = Big();
        Init.TruncNormalFanAvg(t, new Rng(8));
        double std = Math.Sqrt(1.0 / 250);
        var s = Stats(t);
        Assert.InRange(s.Std, 0.98 * std, 1.02 * std);
        double bound = 2 * std / Init.TruncNormalStd;
        Assert.InRange(s.Max, 0.98 * bound, bound * 1.000001);
        Assert.InRange(s.Min, -bound * 1.000001, -0.98 * bound);
        Init.TruncNormalFan(t, new Rng(8), FanMode.In, scale: 0.5f);
        Assert.InRange(Stats(t).Std, 0.98 * 0.5 / Math.Sqrt(300), 1.02 * 0.5 / Math.Sqrt(300));
        Init.TruncNormalFan(t, new Rng(8), FanMode.Out);
        Assert.InRange(Stats(t).Std, 0.98 / Math.Sqrt(200), 1.02 / Math.Sqrt(200));
    }

    [Fact]
    public void Apply_dispatches_by_scheme_and_inits_biases()
    {
        var w = Big(); var b = Tensor.Parameter(new Shape(200));
        Init.Apply("torch", w, b, 300, 200, new Rng(9));
        Assert.InRange(Stats(b).Max, 0.5 / Math.Sqrt(300), 1 / Math.Sqrt(300));
        Init.Apply("trunc_normal_in", w, b, 300, 200, new Rng(9), scale: 2f);
        Assert.All(b.ToArray(), v => Assert.Equal(0f, v));
        Assert.InRange(Stats(w).Std, 0.98 * 2 / Math.Sqrt(300), 1.02 * 2 / Math.Sqrt(300));
        Init.Apply("zeros", w, null, 300, 200, new Rng(9));
        Assert.All(w.ToArray(), v => Assert.Equal(0f, v));
        var e = Assert.Throws<ArgumentException>(() => Init.Apply("he_normal", w, b, 300, 200, new Rng(9)));
        Assert.Contains("unknown scheme 'he_normal'", e.Message);
    }

    [Fact]
    public void Same_seed_gives_the_same_values()
    {
        var a = Big(); var b = Big();
        Init.TruncNormalFanAvg(a, new Rng(10));
        Init.TruncNormalFanAvg(b, new Rng(10));
        Assert.Equal(a.ToArray(), b.ToArray());
        Init.TruncNormalFanAvg(b, new Rng(11));
        Assert.NotEqual(a.ToArray(), b.ToArray());
    }
}

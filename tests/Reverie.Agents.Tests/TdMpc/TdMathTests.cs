// TdMathTests: SimNorm, the bounded log-std, the squashed Gaussian's log-density, percentiles and the running scale, two-hot round trips.
using Reverie.Agents.TdMpc;
using Reverie.Tensors;

namespace Reverie.Agents.Tests.TdMpc;

public class TdMathTests
{
    [Fact]
    public void SimNorm_is_a_softmax_per_group_of_the_last_axis()
    {
        var rng = new Rng(3);
        var x = Tensor.Randn(new Shape(2, 3, 16), rng);
        var y = TdMath.SimNorm(x, 8);
        Assert.Equal(x.Shape, y.Shape);
        var xs = x.ToArray(); var ys = y.ToArray();
        for (int g = 0; g < xs.Length / 8; g++)
        {
            double max = Enumerable.Range(0, 8).Max(k => (double)xs[g * 8 + k]);
            double sum = Enumerable.Range(0, 8).Sum(k => Math.Exp(xs[g * 8 + k] - max));
            for (int k = 0; k < 8; k++) Assert.Equal(Math.Exp(xs[g * 8 + k] - max) / sum, ys[g * 8 + k], 5);
            Assert.Equal(1.0, Enumerable.Range(0, 8).Sum(k => (double)ys[g * 8 + k]), 5);
        }
        Assert.Contains("not a multiple of the group size 8", Assert.Throws<ArgumentException>(() => TdMath.SimNorm(Tensor.Zeros(new Shape(4, 12)), 8)).Message);
    }

    [Fact]
    public void SimNorm_gradient_matches_central_differences()
    {
        var rng = new Rng(5);
        var x0 = Tensor.Randn(new Shape(3, 8), rng).ToArray();
        var w = Tensor.Randn(new Shape(3, 8), rng).ToArray();
        double Loss(float[] v)
        {
            using var _ = Tensor.NoGrad();
            var y = TdMath.SimNorm(Tensor.FromArray(v, new Shape(3, 8)), 4).ToArray();
            return y.Select((t, i) => (double)t * w[i]).Sum();
        }
        var x = Tensor.FromArray(x0, new Shape(3, 8));
        x.RequiresGrad = true;
        (TdMath.SimNorm(x, 4) * Tensor.FromArray(w, new Shape(3, 8))).Sum().Backward();
        var g = x.Grad!.ToArray();
        for (int i = 0; i < x0.Length; i++)
        {
            var p = (float[])x0.Clone(); var m = (float[])x0.Clone();
            p[i] += 1e-2f; m[i] -= 1e-2f;
            Assert.Equal((Loss(p) - Loss(m)) / 2e-2, g[i], 3);
        }
    }

    [Fact]
    public void Log_std_maps_smoothly_into_its_bounds()
    {
        var y = TdMath.LogStd(Tensor.FromArray(-1e4f, 0f, 1e4f, 0.5f), -10f, 2f).ToArray();
        Assert.Equal(-10f, y[0], 4);
        Assert.Equal(-4f, y[1], 5);
        Assert.Equal(2f, y[2], 4);
        Assert.Equal(-10 + 6 * (Math.Tanh(0.5) + 1), y[3], 4);
    }

    [Fact]
    public void Gaussian_log_prob_and_squash_correction_match_closed_forms()
    {
        float[] eps = [0.3f, -1.2f, 2f, 0.1f], logStd = [-0.5f, 0.2f, -2f, 1f];
        var lp = TdMath.GaussianLogProb(Tensor.FromArray(eps, new Shape(2, 2)), Tensor.FromArray(logStd, new Shape(2, 2))).ToArray();
        for (int r = 0; r < 2; r++)
        {
            double expected = 0;
            for (int j = 0; j < 2; j++)
            {
                int i = r * 2 + j;
                double std = Math.Exp(logStd[i]), x = eps[i] * std;
                expected += -0.5 * (x / std) * (x / std) - Math.Log(std) - 0.5 * Math.Log(2 * Math.PI);   // log N(μ + σε; μ, σ)
            }
            Assert.Equal(expected, lp[r], 5);
        }
        var c = TdMath.SquashCorrection(Tensor.FromArray([0.5f, -0.9f, 1f, 0f], new Shape(2, 2))).ToArray();
        Assert.Equal(Math.Log(1 - 0.25 + 1e-6) + Math.Log(1 - 0.81 + 1e-6), c[0], 5);
        Assert.Equal(Math.Log(1e-6) + Math.Log(1 + 1e-6), c[1], 3);                  // relu keeps |a| = 1 finite
    }

    // torch.quantile(x, [0.05, 0.95]) (linear interpolation) of 0..9 shuffled: 0.45 and 8.55.
    [Fact]
    public void Percentiles_interpolate_linearly_like_torch_quantile()
    {
        float[] x = [7, 2, 9, 0, 4, 1, 8, 3, 6, 5];
        var p = TdMath.Percentiles(x, [5f, 95f, 0f, 100f, 50f]);
        Assert.Equal(0.45f, p[0], 5);
        Assert.Equal(8.55f, p[1], 5);
        Assert.Equal(0f, p[2]);
        Assert.Equal(9f, p[3]);
        Assert.Equal(4.5f, p[4], 5);
        Assert.Equal([3f, 3f], TdMath.Percentiles([3f], [5f, 95f]));
        Assert.Throws<ArgumentException>(() => TdMath.Percentiles([], [5f]));
    }

    [Fact]
    public void Running_scale_moves_toward_the_trimmed_range_but_never_below_one()
    {
        var s = new RunningScale(0.1f);
        Assert.Equal(1f, s.Value);
        s.Update(Enumerable.Range(0, 10).Select(i => (float)i * 10).ToArray());   // P95 − P5 = 85.5 − 4.5 = 81
        Assert.Equal(1f + 0.1f * (81f - 1f), s.Value, 4);
        var before = s.Value;
        s.Update([0.1f, 0.2f, 0.3f]);                                              // range 0.18 → clipped to 1
        Assert.Equal(before + 0.1f * (1f - before), s.Value, 4);
    }

    [Fact]
    public void Sample_index_follows_the_weights_and_falls_back_to_the_largest()
    {
        var rng = new Rng(1);
        var counts = new int[3];
        for (int i = 0; i < 20_000; i++) counts[TdMath.SampleIndex([0.2f, 0.5f, 0.3f], rng)]++;
        Assert.InRange(counts[0] / 20_000.0, 0.18, 0.22);
        Assert.InRange(counts[1] / 20_000.0, 0.48, 0.52);
        Assert.Equal(0, TdMath.SampleIndex([0f, float.NaN, 0f], rng));            // no usable total: the largest (first) weight
        Assert.Equal(2, TdMath.SampleIndex([0f, 0f, float.PositiveInfinity], rng));
    }

    // decode(log twohot(x)) = x: a target coded as two-hot probabilities decodes back to itself (TD-MPC2's
    // two_hot_inv(log two_hot(x)) on the 101-bin symlog grid), inside and beyond [vmin, vmax] in symlog space.
    [Fact]
    public void Two_hot_round_trips_through_the_scalar_head()
    {
        var head = new ScalarHead(101, -10f, 10f);
        float[] targets = [0f, 1f, -1f, 0.37f, -123.4f, 5e3f, 1e-3f];
        var enc = Reverie.Tensors.Dist.TwoHot.Encode(targets, head.Bins!);                     // (n, 101) probabilities
        var logits = enc.Add(1e-30f).Log();
        var back = head.Decode(logits).ToArray();
        for (int i = 0; i < targets.Length; i++) Assert.Equal(targets[i], back[i], Math.Max(1e-4f, Math.Abs(targets[i]) * 1e-4f));
        // The cross-entropy against the target's own code is the code's entropy: minimal at these logits.
        var loss = head.Loss(logits, Tensor.FromArray(targets)).ToArray();
        var other = head.Loss(logits + Tensor.Randn(logits.Shape, new Rng(2)).Mul(0.1f), Tensor.FromArray(targets)).ToArray();
        for (int i = 0; i < targets.Length; i++) Assert.True(loss[i] <= other[i] + 1e-5f, $"{targets[i]}: {loss[i]} > {other[i]}");
    }

    [Fact]
    public void Mse_heads_decode_raw_or_symlog_values()
    {
        var raw = new ScalarHead(0);
        Assert.Equal(1, raw.OutputSize);
        var y = Tensor.FromArray([2f, -3f], new Shape(2, 1));
        Assert.Equal([2f, -3f], raw.Decode(y).ToArray());
        Assert.Equal([1f, 16f], raw.Loss(y, Tensor.FromArray(1f, 1f)).ToArray());
        var sym = new ScalarHead(1);
        Assert.Equal(MathF.Exp(2f) - 1f, sym.Decode(y).ToArray()[0], 4);
        Assert.Equal(MathF.Pow(2f - MathF.Log(1f + 1f), 2), sym.Loss(y, Tensor.FromArray(1f, 1f)).ToArray()[0], 5);
        Assert.Contains("expected outputs (..., 1)", Assert.Throws<ArgumentException>(() => raw.Decode(Tensor.Zeros(new Shape(2, 3)))).Message);
    }

    [Theory]
    [InlineData(0.01f)]
    [InlineData(0.5f)]
    [InlineData(0.9f)]
    public void Dropout_masks_drop_each_element_with_probability_p(float p)
    {
        var rng = new Rng(21);
        var m = TdMlp.DropoutMask(new Shape(1000, 1000), p, rng).ToArray();
        double dropped = m.Count(v => v == 0f) / 1e6;
        Assert.InRange(dropped, p - 0.003, p + 0.003);
        Assert.All(m, v => Assert.True(v == 0f || v == 1f / (1f - p)));
        // Drops are independent of position: both halves drop at the same rate.
        Assert.InRange(m.AsSpan(0, 500_000).ToArray().Count(v => v == 0f) / 5e5, p - 0.004, p + 0.004);
        Assert.NotEqual(m, TdMlp.DropoutMask(new Shape(1000, 1000), p, rng).ToArray());
        Assert.All(TdMlp.DropoutMask(new Shape(7), 0f, rng).ToArray(), v => Assert.Equal(1f, v));
    }
}

// Sampling statistics from a seeded Rng, the IDistribution shape contract, and the Mse/SymlogMse outputs.
using Reverie.Tensors.Dist;

namespace Reverie.Tensors.Tests.Dist;

public class SamplingAndOutputsTests
{
    private const int N = 4000;

    private static (double mean, double std) Stats(IEnumerable<float> xs)
    {
        var a = xs.Select(v => (double)v).ToArray();
        double m = a.Average();
        return (m, Math.Sqrt(a.Sum(v => (v - m) * (v - m)) / (a.Length - 1)));
    }

    [Fact]
    public void Normal_samples_have_the_right_moments_and_are_deterministic_given_the_seed()
    {
        // N rows of 2 actions: column 0 ~ N(1.5, 0.5²), column 1 ~ N(−2, 2²).
        var mean = Tensor.FromArray(Enumerable.Range(0, 2 * N).Select(i => i % 2 == 0 ? 1.5f : -2f).ToArray(), new Shape(N, 2));
        var std = Tensor.FromArray(0.5f, 2f);
        var d = new Normal(mean, std);
        var x = d.Sample(new Rng(42)).ToArray();
        var (m0, s0) = Stats(x.Where((_, i) => i % 2 == 0));
        var (m1, s1) = Stats(x.Where((_, i) => i % 2 == 1));
        Assert.InRange(m0, 1.5 - 0.05, 1.5 + 0.05); Assert.InRange(s0, 0.5 - 0.03, 0.5 + 0.03);
        Assert.InRange(m1, -2 - 0.2, -2 + 0.2); Assert.InRange(s1, 2 - 0.12, 2 + 0.12);
        Assert.Equal(x, d.Sample(new Rng(42)).ToArray());
        Assert.NotEqual(x, d.Sample(new Rng(43)).ToArray());
        Assert.False(d.Sample(new Rng(1)).RequiresGrad);
    }

    [Fact]
    public void Tanh_normal_sample_mean_matches_numerical_expectation()
    {
        var d = new TanhNormal(Tensor.Full(new Shape(N), 0.8f), Tensor.Full(new Shape(N), 0.7f), eventRank: 0);
        var x = d.Sample(new Rng(3)).ToArray();
        Assert.All(x, v => Assert.InRange(v, -1f, 1f));
        // E[tanh(u)], u ~ N(0.8, 0.7²), by the trapezoid rule over ±8 std.
        double e = 0, h = 1e-3;
        for (double z = -8; z <= 8; z += h) e += Math.Tanh(0.8 + 0.7 * z) * Math.Exp(-0.5 * z * z) * h / Math.Sqrt(2 * Math.PI);
        Assert.InRange(Stats(x).mean, e - 0.03, e + 0.03);
    }

    [Fact]
    public void Categorical_sample_frequencies_match_probabilities()
    {
        var row = new[] { 0.5f, -1f, 1.2f, 0f };
        var logits = Tensor.FromArray(Enumerable.Range(0, N).SelectMany(_ => row).ToArray(), new Shape(N, 4));
        var oh = new OneHotCategorical(logits, unimix: 0.1f);
        var probs = oh.Probs.ToArray().Take(4).ToArray();
        var s = oh.Sample(new Rng(8)).ToArray();
        var cat = new Categorical(logits, unimix: 0.1f);
        var idx = cat.SampleIndices(new Rng(9));
        for (int k = 0; k < 4; k++)
        {
            double f1 = Enumerable.Range(0, N).Count(r => s[r * 4 + k] == 1f) / (double)N;
            double f2 = idx.Count(i => i == k) / (double)N;
            Assert.InRange(f1, probs[k] - 0.025, probs[k] + 0.025);
            Assert.InRange(f2, probs[k] - 0.025, probs[k] + 0.025);
        }
        Assert.Equal(idx, cat.SampleIndices(new Rng(9)));
        Assert.Equal(idx.Select(i => (float)i).ToArray(), cat.Sample(new Rng(9)).ToArray());
    }

    [Fact]
    public void Bernoulli_sample_frequency_matches_sigmoid()
    {
        var d = new Bernoulli(Tensor.Full(new Shape(N), 0.7f));
        var x = d.Sample(new Rng(5)).ToArray();
        Assert.All(x, v => Assert.True(v == 0f || v == 1f));
        Assert.InRange(x.Average(), DistRef.Sigmoid(0.7) - 0.025, DistRef.Sigmoid(0.7) + 0.025);
        Assert.Equal(x, d.Sample(new Rng(5)).ToArray());
        Assert.Throws<NotSupportedException>(() => d.RSample(new Rng(1)));
    }

    public static IEnumerable<object[]> Distributions()
    {
        var r = new Rng(6);
        var p3 = Tensor.Randn(new Shape(2, 3, 4), r);
        var s3 = Tensor.Uniform(new Shape(2, 3, 4), r, 0.2f, 1f);
        return new (string, IDistribution, Shape, Shape)[]
        {
            ("normal", new Normal(p3, s3), new Shape(2, 3), new Shape(4)),
            ("tanh_normal", new TanhNormal(p3, s3, eventRank: 2), new Shape(2), new Shape(3, 4)),
            ("bounded_normal", new BoundedNormal(p3, s3), new Shape(2, 3), new Shape(4)),
            ("one_hot", new OneHotCategorical(p3, 0.01f, eventRank: 1), new Shape(2), new Shape(3, 4)),
            ("categorical", new Categorical(p3), new Shape(2, 3), new Shape()),
            ("bernoulli", new Bernoulli(p3, eventRank: 1), new Shape(2, 3), new Shape(4)),
        }.Select(t => new object[] { t.Item1, t.Item2, t.Item3.ToArray(), t.Item4.ToArray() });
    }

    [Theory]
    [MemberData(nameof(Distributions))]
    public void Shapes_follow_the_batch_and_event_contract(string name, IDistribution d, int[] batch, int[] ev)
    {
        Assert.Equal(new Shape(batch), d.BatchShape);
        Assert.Equal(new Shape(ev), d.EventShape);
        var x = d.Sample(new Rng(1));
        Assert.Equal(new Shape(batch.Concat(ev).ToArray()), x.Shape);
        Assert.Equal(x.Shape, d.Mode().Shape);
        Assert.Equal(d.BatchShape, d.LogProb(x).Shape);
        Assert.Equal(d.BatchShape, d.Loss(x).Shape);
        Assert.All(d.LogProb(x).ToArray(), v => Assert.True(float.IsFinite(v), name));
        if (name != "tanh_normal") Assert.Equal(d.BatchShape, d.Entropy().Shape);
        if (d.HasRSample) Assert.Equal(x.Shape, d.RSample(new Rng(1)).Shape);
    }

    [Fact]
    public void A_world_model_style_loss_trains_through_a_scope()
    {
        var rng = new Rng(30);
        var w = Tensor.Randn(new Shape(2 * 4 + 5, 6), rng).Keep(); w.RequiresGrad = true;
        var bins = Bins.SymexpTwoHot(5, -3f, 3f);
        using (Tensor.Scope())
        {
            var h = Tensor.Linear(Tensor.Randn(new Shape(3, 6), rng), w);                   // (B, 2·4 + 5)
            var post = Slice(h, 0, 8).Reshape(3, 2, 4);                                      // (B, stoch, classes)
            var prior = Tensor.Randn(new Shape(3, 2, 4), rng);
            var rep = Kl.FreeBits(Kl.Categorical(post, prior.Detach(), 0.01f, eventRank: 1), 0.01f);   // (B,)
            var rew = new TwoHotDist(Slice(h, 8, 5), bins).Loss(Tensor.FromArray(0.5f, -2f, 10f));     // (B,)
            var z = new OneHotCategorical(post, 0.01f, eventRank: 1).Sample(rng);           // straight-through
            var loss = (rep + rew).Mean() + (z * Tensor.Randn(z.Shape, rng)).Sum();
            loss.Backward();
        }
        Assert.NotNull(w.Grad);
        Assert.All(w.Grad!.ToArray(), v => Assert.True(float.IsFinite(v)));
        Assert.Contains(w.Grad!.ToArray(), v => v != 0f);
    }

    // Columns [start, start + n) of a (B, C) tensor, differentiably (the engine has no slice op yet).
    private static Tensor Slice(Tensor x, int start, int n)
    {
        var sel = Tensor.Zeros(new Shape(x.Shape[1], n));
        for (int i = 0; i < n; i++) sel.Span[(start + i) * n + i] = 1f;
        return Tensor.MatMul(x, sel);
    }

    [Fact]
    public void Mse_and_symlog_mse_losses()
    {
        var s = new Shape(3, 4);
        var rng = new Rng(12);
        var target = Tensor.Randn(s, rng) * 5f;
        var t = target.ToArray();
        CheckOp.Run("mse.loss", x => new Mse(x[0], eventRank: 1).Loss(target),
            x => DistRef.SumGroups(x[0].Select((p, i) => (p - t[i]) * (p - t[i])).ToArray(), 4), [s]);
        CheckOp.Run("symlog_mse.loss", x => new SymlogMse(x[0]).Loss(target),
            x => x[0].Select((p, i) => Math.Pow(p - DistRef.Symlog(t[i]), 2)).ToArray(), [s]);
        CheckOp.Run("symlog_mse.mode", x => new SymlogMse(x[0]).Mode(), CheckOp.Map(DistRef.Symexp), [s]);

        // No gradient reaches the target.
        var tgt = Tensor.FromArray(1f, 2f); tgt.RequiresGrad = true;
        var pred = Tensor.FromArray(0f, 0f); pred.RequiresGrad = true;
        new Mse(pred, eventRank: 1).Loss(tgt).Backward();
        Assert.Null(tgt.Grad);
        Assert.Equal([-2f, -4f], pred.Grad!.ToArray());

        var m = new Mse(Tensor.Zeros(s));
        Assert.Equal(s, m.Mean.Shape);
        var e = Assert.Throws<NotSupportedException>(() => m.Sample(new Rng(1)));
        Assert.Contains("point prediction", e.Message);
        Assert.Throws<NotSupportedException>(() => m.Entropy());
        var ae = Assert.Throws<ArgumentException>(() => new SymlogMse(Tensor.Zeros(s)).Loss(Tensor.Zeros(new Shape(4, 3))));
        Assert.Contains("symlog_mse.loss: expected (3, 4) but got (4, 3) for 'target'", ae.Message);
    }
}

// OneHotCategorical (unimix, straight-through), Categorical over indices and Bernoulli against double formulas.
using Reverie.Tensors.Dist;

namespace Reverie.Tensors.Tests.Dist;

public class CategoricalTests
{
    private static double[] MixedAll(double[] x, int K, double unimix) =>
        Enumerable.Range(0, x.Length / K).SelectMany(r => DistRef.MixedProbsRow(x, r, K, unimix)).ToArray();

    [Theory]
    [InlineData(new[] { 4, 5 }, 0f, 0)]
    [InlineData(new[] { 4, 5 }, 0.01f, 0)]
    [InlineData(new[] { 2, 3, 4 }, 0.01f, 1)]
    [InlineData(new[] { 3, 1 }, 0.3f, 0)]
    [InlineData(new[] { 3, 2, 16 }, 0.01f, 1)]
    [InlineData(new[] { 2, 17 }, 0.01f, 0)]
    [InlineData(new[] { 2, 7 }, 0.01f, 0)]
    public void One_hot_probabilities_log_prob_and_entropy(int[] dims, float unimix, int eventRank)
    {
        var s = new Shape(dims);
        int K = s[-1], group = s.Prod(s.Rank - 1 - eventRank, s.Rank) / K;
        var rng = new Rng(9);
        var values = new float[s.Size];
        for (int r = 0; r < s.Size / K; r++) values[r * K + rng.NextInt(K)] = 1f;
        var v = Tensor.FromArray(values, s);

        CheckOp.Run("one_hot.probs", x => new OneHotCategorical(x[0], unimix, eventRank).Probs,
            x => MixedAll(x[0], K, unimix), [s]);
        CheckOp.Run("one_hot.log_prob", x => new OneHotCategorical(x[0], unimix, eventRank).LogProb(v),
            x => DistRef.SumGroups(MixedAll(x[0], K, unimix).Select((p, i) => values[i] * Math.Log(p)).Chunk(K).Select(c => c.Sum()).ToArray(), group),
            [s]);
        CheckOp.Run("one_hot.entropy", x => new OneHotCategorical(x[0], unimix, eventRank).Entropy(),
            x => DistRef.SumGroups(MixedAll(x[0], K, unimix).Select(p => -p * Math.Log(p)).Chunk(K).Select(c => c.Sum()).ToArray(), group),
            [s]);
        var d = new OneHotCategorical(Tensor.Zeros(s), unimix, eventRank);
        Assert.Equal(d.BatchShape, d.Entropy().Shape);
        Assert.Equal(s, d.Mode().Shape);
    }

    [Fact]
    public void Unimix_probabilities_on_a_hand_example()
    {
        // softmax([0, ln 3]) = [0.25, 0.75]; with unimix 0.1: 0.9·p + 0.05.
        var d = new OneHotCategorical(Tensor.FromArray(0f, MathF.Log(3f)), unimix: 0.1f);
        var p = d.Probs.ToArray();
        CheckOp.AssertClose(0.275, p[0], 1e-6, 0, "p0"); CheckOp.AssertClose(0.725, p[1], 1e-6, 0, "p1");
        Assert.Equal([0f, 1f], d.Mode().ToArray());
        Assert.Equal(p, d.Mean.ToArray());
    }

    [Fact]
    public void Straight_through_sample_is_one_hot_with_the_gradient_of_the_probabilities()
    {
        var s = new Shape(6, 4);
        var rng = new Rng(2);
        var raw = Tensor.Randn(s, rng).ToArray();
        var w = Tensor.Randn(s, rng);

        var logits = Tensor.FromArray(raw, s); logits.RequiresGrad = true;
        var d = new OneHotCategorical(logits, unimix: 0.01f);
        var sample = d.Sample(new Rng(4));
        var sv = sample.ToArray();
        for (int r = 0; r < 6; r++)
        {
            var row = sv.Skip(r * 4).Take(4).ToArray();
            Assert.Equal(1, row.Count(v => v == 1f));
            Assert.Equal(3, row.Count(v => v == 0f));
        }
        (sample * w).Sum().Backward();

        var logits2 = Tensor.FromArray(raw, s); logits2.RequiresGrad = true;
        (new OneHotCategorical(logits2, unimix: 0.01f).Probs * w).Sum().Backward();
        Assert.Equal(logits2.Grad!.ToArray(), logits.Grad!.ToArray());

        // The mode is straight-through too; and sampling is deterministic given the seed.
        var logits3 = Tensor.FromArray(raw, s); logits3.RequiresGrad = true;
        (new OneHotCategorical(logits3, unimix: 0.01f).Mode() * w).Sum().Backward();
        Assert.Equal(logits2.Grad!.ToArray(), logits3.Grad!.ToArray());
        Assert.Equal(sv, new OneHotCategorical(Tensor.FromArray(raw, s), 0.01f).Sample(new Rng(4)).ToArray());
        // The fused one-hot sample draws exactly the classes SampleIndices draws with the same seed.
        var idx = new OneHotCategorical(Tensor.FromArray(raw, s), 0.01f).SampleIndices(new Rng(4));
        for (int r = 0; r < 6; r++) Assert.Equal(1f, sv[r * 4 + idx[r]]);
    }

    [Theory]
    [InlineData(new[] { 5, 3 }, 0)]
    [InlineData(new[] { 2, 3, 4 }, 1)]
    [InlineData(new[] { 6 }, 0)]
    public void Categorical_over_indices(int[] dims, int eventRank)
    {
        var s = new Shape(dims);
        int K = s[-1], R = s.Size / K, group = s.Prod(s.Rank - 1 - eventRank, s.Rank - 1);
        var rng = new Rng(13);
        var idx = Enumerable.Range(0, R).Select(_ => rng.NextInt(K)).ToArray();
        CheckOp.Run("categorical.log_prob", x => new Categorical(x[0], eventRank: eventRank).LogProb(idx),
            x => DistRef.SumGroups(Enumerable.Range(0, R).Select(r => DistRef.LogSoftmaxRow(x[0], r, K)[idx[r]]).ToArray(), group), [s]);
        CheckOp.Run("categorical.entropy", x => new Categorical(x[0], eventRank: eventRank).Entropy(),
            x => DistRef.SumGroups(Enumerable.Range(0, R).Select(r => -DistRef.LogSoftmaxRow(x[0], r, K).Sum(l => Math.Exp(l) * l)).ToArray(), group), [s]);
        CheckOp.Run("categorical.mean", x => new Categorical(x[0]).Mean,
            x => Enumerable.Range(0, R).Select(r => DistRef.LogSoftmaxRow(x[0], r, K).Select((l, k) => k * Math.Exp(l)).Sum()).ToArray(), [s]);

        var logits = Tensor.Randn(s, rng);
        var d = new Categorical(logits, eventRank: eventRank);
        var asTensor = DistOps.IndicesAsTensor(idx, s.Without(-1));
        Assert.Equal(d.LogProb(idx).ToArray(), d.LogProb(asTensor).ToArray());
        Assert.Equal(d.LogProb(idx).Neg().ToArray(), d.Loss(asTensor).ToArray());
        Assert.Equal(logits.Argmax(-1).Select(i => (float)i).ToArray(), d.Mode().ToArray());
        Assert.Equal(d.BatchShape, d.LogProb(idx).Shape);
    }

    [Fact]
    public void Categorical_rejects_bad_values()
    {
        var d = new Categorical(Tensor.Zeros(new Shape(2, 3)));
        var e = Assert.Throws<ArgumentException>(() => d.LogProb(Tensor.FromArray(0.5f, 1f)));
        Assert.Contains("0.5", e.Message);
        e = Assert.Throws<ArgumentException>(() => d.LogProb(Tensor.FromArray(0f, 3f)));
        Assert.Contains("[0, 3)", e.Message);
        e = Assert.Throws<ArgumentException>(() => d.LogProb([0, 1, 2]));
        Assert.Contains("3 indices", e.Message);
        Assert.Throws<NotSupportedException>(() => d.RSample(new Rng(1)));
        e = Assert.Throws<ArgumentException>(() => new Categorical(Tensor.Zeros(new Shape(2, 3)), unimix: 1f));
        Assert.Contains("unimix", e.Message);
    }

    [Fact]
    public void Bernoulli_matches_naive_formula_and_is_stable()
    {
        var s = new Shape(4, 5);
        var rng = new Rng(21);
        var hard = Enumerable.Range(0, s.Size).Select(_ => (float)rng.NextInt(2)).ToArray();
        var soft = Enumerable.Range(0, s.Size).Select(_ => rng.NextFloat()).ToArray();
        foreach (var (name, vals) in new[] { ("hard", hard), ("soft", soft) })
        {
            var v = Tensor.FromArray(vals, s);
            CheckOp.Run($"bernoulli.log_prob.{name}", x => new Bernoulli(x[0], eventRank: 1).LogProb(v),
                x => DistRef.SumGroups(x[0].Select((l, i) => vals[i] * Math.Log(DistRef.Sigmoid(l)) + (1 - vals[i]) * Math.Log(1 - DistRef.Sigmoid(l))).ToArray(), 5),
                [s], sample: r => r.Normal() * 3f);
        }
        CheckOp.Run("bernoulli.entropy", x => new Bernoulli(x[0]).Entropy(),
            x => x[0].Select(l => { double p = DistRef.Sigmoid(l); return -p * Math.Log(p) - (1 - p) * Math.Log(1 - p); }).ToArray(),
            [s], sample: r => r.Normal() * 3f);

        var big = new Bernoulli(Tensor.FromArray(60f, -60f, 60f, 0f));
        var lp = big.LogProb(Tensor.FromArray(0f, 1f, 1f, 1f)).ToArray();
        CheckOp.AssertClose(-60, lp[0], 1e-5, 1e-6, "x=0, l=60");
        CheckOp.AssertClose(-60, lp[1], 1e-5, 1e-6, "x=1, l=-60");
        CheckOp.AssertClose(-Math.Exp(-60), lp[2], 1e-7, 0, "x=1, l=60");
        CheckOp.AssertClose(-Math.Log(2), lp[3], 1e-6, 0, "x=1, l=0");
        Assert.All(big.Entropy().ToArray(), h => Assert.True(float.IsFinite(h)));
        Assert.Equal([1f, 0f, 1f, 0f], big.Mode().ToArray());
        Assert.Equal(big.LogProb(Tensor.FromArray(0f, 1f, 1f, 1f)).Neg().ToArray(), big.Loss(Tensor.FromArray(0f, 1f, 1f, 1f)).ToArray());
    }
}

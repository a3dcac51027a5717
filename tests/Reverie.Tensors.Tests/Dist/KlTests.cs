// KL divergences (categorical with unimix, diagonal Normal) and free bits.
using Reverie.Tensors.Dist;

namespace Reverie.Tensors.Tests.Dist;

public class KlTests
{
    [Fact]
    public void Kl_of_a_distribution_with_itself_is_zero()
    {
        var rng = new Rng(1);
        var logits = Tensor.Randn(new Shape(2, 5, 3, 4), rng);   // (B, T, stoch, classes)
        var kl = Kl.Categorical(logits, logits, unimix: 0.01f, eventRank: 1);
        Assert.Equal(new Shape(2, 5), kl.Shape);
        Assert.All(kl.ToArray(), v => Assert.Equal(0f, v));
        var mean = Tensor.Randn(new Shape(3, 4), rng);
        var n = new Normal(mean, Tensor.Uniform(new Shape(3, 4), rng, 0.2f, 2f));
        Assert.All(Kl.Normal(n, n).ToArray(), v => Assert.Equal(0f, v, 6));
    }

    [Fact]
    public void Kl_on_hand_computed_examples()
    {
        // p = softmax([0, ln 3]) = [0.25, 0.75], q = uniform: 0.25 ln 0.5 + 0.75 ln 1.5.
        var p = Tensor.FromArray(0f, MathF.Log(3f)); var q = Tensor.FromArray(0f, 0f);
        CheckOp.AssertClose(0.25 * Math.Log(0.5) + 0.75 * Math.Log(1.5), Kl.Categorical(p, q).Item(), 1e-6, 0, "kl");
        Assert.Equal(new Shape(), Kl.Categorical(p, q).Shape);
        // With unimix 0.1 on both sides: p = [0.275, 0.725], q stays uniform.
        CheckOp.AssertClose(0.275 * Math.Log(0.55) + 0.725 * Math.Log(1.45), Kl.Categorical(p, q, unimix: 0.1f).Item(), 1e-6, 0, "kl unimix");
        CheckOp.AssertClose(0.275 * Math.Log(0.55) + 0.725 * Math.Log(1.45),
            new OneHotCategorical(p, 0.1f).Kl(new OneHotCategorical(q, 0.1f)).Item(), 1e-6, 0, "kl of dists");
        // N(0, 1) ‖ N(1, 2²) = ln 2 + (1 + 1)/8 − ½.
        var kln = Kl.Normal(new Normal(Tensor.FromArray(0f), 1f), new Normal(Tensor.FromArray(1f), 2f));
        CheckOp.AssertClose(Math.Log(2) + 0.25 - 0.5, kln.Item(), 1e-6, 0, "kl normal");
        Assert.Equal(kln.Item(), new Normal(Tensor.FromArray(0f), 1f).Kl(new Normal(Tensor.FromArray(1f), 2f)).Item());
    }

    [Fact]
    public void Categorical_kl_gradients_with_unimix_over_stoch_and_classes()
    {
        var s = new Shape(2, 3, 4);
        const double u = 0.01;
        CheckOp.Run("kl.categorical", x => Kl.Categorical(x[0], x[1], (float)u, eventRank: 1),
            x =>
            {
                var r = new double[2];
                for (int row = 0; row < 6; row++)
                {
                    var pp = DistRef.MixedProbsRow(x[0], row, 4, u); var qq = DistRef.MixedProbsRow(x[1], row, 4, u);
                    r[row / 3] += pp.Select((pk, k) => pk * (Math.Log(pk) - Math.Log(qq[k]))).Sum();
                }
                return r;
            }, [s, s]);
    }

    [Fact]
    public void Normal_kl_gradients()
    {
        var s = new Shape(3, 5);
        Func<Rng, float> mixed = r => r.NextFloat() < 0.5f ? r.Normal() : 0.3f + r.NextFloat();
        CheckOp.Run("kl.normal", x => Kl.Normal(new Normal(x[0], x[1].Abs().Add(0.2f)), new Normal(x[2], x[3].Abs().Add(0.2f))),
            x => DistRef.SumGroups(x[0].Select((mp, i) =>
            {
                double sp = Math.Abs(x[1][i]) + 0.2, mq = x[2][i], sq = Math.Abs(x[3][i]) + 0.2;
                return Math.Log(sq / sp) + (sp * sp + (mp - mq) * (mp - mq)) / (2 * sq * sq) - 0.5;
            }).ToArray(), 5), [s, s, s, s], sample: mixed);
    }

    [Fact]
    public void Free_bits_clip_below_with_zero_gradient()
    {
        var kl = Tensor.FromArray(0.5f, 1f, 2f, 0.99f); kl.RequiresGrad = true;
        var y = Kl.FreeBits(kl, 1f);
        Assert.Equal([1f, 1f, 2f, 1f], y.ToArray());
        (y * Tensor.FromArray(3f, 4f, 5f, 6f)).Sum().Backward();
        Assert.Equal([0f, 4f, 5f, 0f], kl.Grad!.ToArray());
        var e = Assert.Throws<ArgumentException>(() => Kl.FreeBits(kl, -1f));
        Assert.Contains("free", e.Message);
    }

    [Fact]
    public void Kl_reports_mismatched_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Kl.Categorical(Tensor.Zeros(new Shape(2, 4)), Tensor.Zeros(new Shape(2, 5))));
        Assert.Contains("expected (2, 4) but got (2, 5)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Kl.Normal(new Normal(Tensor.Zeros(new Shape(3)), 1f), new Normal(Tensor.Zeros(new Shape(4)), 1f)));
        Assert.Contains("kl.normal", e.Message);
    }
}

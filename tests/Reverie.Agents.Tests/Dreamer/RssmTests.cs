// RssmTests: DreamerV3's RSSM at the debug size: shapes, is_first reset, straight-through gradients, determinism, KL losses.
using Reverie.Agents.Dreamer;
using Reverie.Tensors;
using Reverie.Tensors.Dist;

namespace Reverie.Agents.Tests.Dreamer;

public class RssmTests
{
    private const int B = 2, T = 4, E = 5, A = 3;
    private static readonly RssmConfig Cfg = DreamerConfig.Debug.Rssm;      // deter 8, hidden 3, stoch 2, classes 4, blocks 4

    private static Rssm Make(ulong seed = 7) => new(Cfg, E, A, new Rng(seed));

    private static Tensor Randn(Rng rng, params int[] dims) => Tensor.Randn(new Shape(dims), rng);

    private static RssmState RandomState(Rng rng)
    {
        var idx = Enumerable.Range(0, B * Cfg.Stoch).Select(_ => rng.NextInt(Cfg.Classes)).ToArray();
        return new RssmState(Randn(rng, B, Cfg.Deter), Tensor.OneHot(idx, Cfg.Classes).Reshape(B, Cfg.Stoch, Cfg.Classes));
    }

    private static Tensor Tensor2(float[] data, params int[] dims) => Tensor.FromArray(data, new Shape(dims));

    [Fact]
    public void Observe_and_imagine_shapes_at_debug_size()
    {
        var rssm = Make();
        var rng = new Rng(1);
        var isFirst = Tensor2([1, 0, 0, 0, 1, 0, 1, 0], B, T);
        var o = rssm.Observe(Randn(rng, B, T, E), Randn(rng, B, T, A), isFirst, rssm.Initial(B), new Rng(2));
        Assert.Equal(new Shape(B, T, 8), o.Deter.Shape);
        Assert.Equal(new Shape(B, T, 2, 4), o.Stoch.Shape);
        Assert.Equal(new Shape(B, T, 2, 4), o.PostLogits.Shape);
        Assert.Equal(new Shape(B, T, 2, 4), o.PriorLogits.Shape);
        Assert.Equal(new Shape(B, 8), o.Last.Deter.Shape);
        Assert.Equal(new Shape(B, T, 16), rssm.Features(o.Deter, o.Stoch).Shape);
        Assert.Equal(16, rssm.FeatureSize);
        var s = o.Stoch.ToArray();                                   // one-hot per latent
        for (int r = 0; r < s.Length / 4; r++)
        {
            Assert.All(s.Skip(4 * r).Take(4), v => Assert.True(v == 0f || v == 1f));
            Assert.Equal(1f, s.Skip(4 * r).Take(4).Sum());
        }
        Assert.Equal(new Shape(B, T), Rssm.DynLoss(o.PostLogits, o.PriorLogits, Cfg.Unimix, Cfg.FreeNats).Shape);

        var img = rssm.Imagine(st => rssm.Features(st).Narrow(1, 0, A).Tanh(), o.Last, 5, new Rng(3));
        Assert.Equal(new Shape(B, 5, 8), img.Deter.Shape);
        Assert.Equal(new Shape(B, 5, 2, 4), img.Stoch.Shape);
        Assert.Equal(new Shape(B, 5, 2, 4), img.PriorLogits.Shape);
        Assert.Equal(new Shape(B, 5, A), img.Action.Shape);
    }

    [Fact]
    public void Is_first_discards_the_previous_carry_and_action()
    {
        var rssm = Make();
        var rng = new Rng(4);
        var embed = Randn(rng, B, E);
        var first = Tensor.Ones(new Shape(B));
        var (s1, l1) = rssm.ObserveStep(RandomState(rng), Randn(rng, B, A), embed, first, new Rng(9));
        var (s2, l2) = rssm.ObserveStep(RandomState(rng), Randn(rng, B, A), embed, first, new Rng(9));
        Assert.Equal(s1.Deter.ToArray(), s2.Deter.ToArray());
        Assert.Equal(l1.ToArray(), l2.ToArray());
        Assert.Equal(s1.Stoch.ToArray(), s2.Stoch.ToArray());
        var (z, _) = rssm.ObserveStep(rssm.Initial(B), Tensor.Zeros(new Shape(B, A)), embed, Tensor.Zeros(new Shape(B)), new Rng(9));
        Assert.Equal(z.Deter.ToArray(), s1.Deter.ToArray());                        // reset = the zero initial state

        var (c, _) = rssm.ObserveStep(RandomState(rng), Randn(rng, B, A), embed, Tensor.Zeros(new Shape(B)), new Rng(9));
        Assert.NotEqual(s1.Deter.ToArray(), c.Deter.ToArray());                      // without is_first the carry matters

        // Over a sequence: is_first at t = 0 makes the whole output independent of the starting carry.
        var seqE = Randn(rng, B, T, E); var seqA = Randn(rng, B, T, A);
        var isFirst = Tensor2([1, 0, 0, 0, 1, 0, 0, 0], B, T);
        var o1 = rssm.Observe(seqE, seqA, isFirst, RandomState(rng), new Rng(3));
        var o2 = rssm.Observe(seqE, seqA, isFirst, RandomState(rng), new Rng(3));
        Assert.Equal(o1.Deter.ToArray(), o2.Deter.ToArray());
        Assert.Equal(o1.PostLogits.ToArray(), o2.PostLogits.ToArray());
    }

    // The straight-through sample's gradient is the gradient of the (unimixed) probabilities.
    [Fact]
    public void Straight_through_gradient_reaches_the_posterior()
    {
        var rssm = Make();
        var rng = new Rng(6);
        var prev = RandomState(rng); var act = Randn(rng, B, A); var embed = Randn(rng, B, E);
        var w = Randn(rng, B, Cfg.Stoch, Cfg.Classes);
        var weight = rssm.NamedParameters().Single(p => p.Name == "obs.out.weight").Parameter;

        var (s, _) = rssm.ObserveStep(prev, act, embed, Tensor.Zeros(new Shape(B)), new Rng(1));
        (rssm.Features(s).Narrow(1, Cfg.Deter, Cfg.Stoch * Cfg.Classes) * w.Flatten(1)).Sum().Backward();
        var viaSample = weight.Grad!.ToArray();
        Assert.Contains(viaSample, g => g != 0f);

        rssm.ZeroGrad();
        var (_, logits) = rssm.ObserveStep(prev, act, embed, Tensor.Zeros(new Shape(B)), new Rng(1));
        (rssm.Dist(logits).Probs * w).Sum().Backward();
        var viaProbs = weight.Grad!.ToArray();
        for (int i = 0; i < viaProbs.Length; i++) Assert.Equal(viaProbs[i], viaSample[i], 5);
    }

    [Fact]
    public void Same_seeds_give_identical_results()
    {
        var rng = new Rng(8);
        var e = Randn(rng, B, T, E); var a = Randn(rng, B, T, A);
        var f = Tensor2([1, 0, 0, 0, 1, 0, 0, 0], B, T);
        RssmObservation Run() { var m = Make(3); return m.Observe(e, a, f, m.Initial(B), new Rng(12)); }
        var (x, y) = (Run(), Run());
        Assert.Equal(x.Stoch.ToArray(), y.Stoch.ToArray());
        Assert.Equal(x.Deter.ToArray(), y.Deter.ToArray());
        Assert.Equal(x.PriorLogits.ToArray(), y.PriorLogits.ToArray());
    }

    // Free bits: below 1 nat the loss is exactly 1 and no gradient flows; above it dyn trains only the
    // prior and rep only the posterior, each with the value of the plain KL.
    [Fact]
    public void Kl_losses_with_free_bits()
    {
        var post = Tensor.Parameter(new Shape(1, 2, 4)); var prior = Tensor.Parameter(new Shape(1, 2, 4));
        post.Span[0] = 0.3f; prior.Span[1] = 0.2f;                                    // close: KL ≪ 1
        foreach (var loss in new[] { Rssm.DynLoss(post, prior, 0.01f, 1f), Rssm.RepLoss(post, prior, 0.01f, 1f) })
        {
            Assert.Equal(1f, loss.ToArray()[0]);
            loss.Sum().Backward();
        }
        Assert.All(post.Grad?.ToArray() ?? [], g => Assert.Equal(0f, g));
        Assert.All(prior.Grad?.ToArray() ?? [], g => Assert.Equal(0f, g));

        var p2 = Tensor.Parameter(new Shape(1, 2, 4)); var q2 = Tensor.Parameter(new Shape(1, 2, 4));
        float[] pl = [6, 0, 0, 0, 0, 5, 0, 0], ql = [0, 0, 4, 0, 0, 0, 0, 6];
        pl.CopyTo(p2.Span); ql.CopyTo(q2.Span);
        double expected = 0;                                                          // Σ_latents Σ_k p (ln p − ln q), unimix 1%
        for (int s = 0; s < 2; s++)
        {
            double[] P = Mix(pl.AsSpan(4 * s, 4)), Q = Mix(ql.AsSpan(4 * s, 4));
            for (int k = 0; k < 4; k++) expected += P[k] * (Math.Log(P[k]) - Math.Log(Q[k]));
        }
        Assert.True(expected > 1);
        var dyn = Rssm.DynLoss(p2, q2, 0.01f, 1f);
        Assert.Equal(expected, dyn.ToArray()[0], 4);
        dyn.Sum().Backward();
        Assert.Null(p2.Grad);                                                          // sg(post)
        Assert.Contains(q2.Grad!.ToArray(), g => g != 0f);

        p2.Grad = null; q2.Grad = null;
        var rep = Rssm.RepLoss(p2, q2, 0.01f, 1f);
        Assert.Equal(expected, rep.ToArray()[0], 4);
        rep.Sum().Backward();
        Assert.Null(q2.Grad);                                                          // sg(prior)
        Assert.Contains(p2.Grad!.ToArray(), g => g != 0f);
        Assert.Equal(expected, Kl.Categorical(p2, q2, 0.01f, 1).ToArray()[0], 4);
    }

    private static double[] Mix(ReadOnlySpan<float> logits)
    {
        double max = double.NegativeInfinity; foreach (var l in logits) max = Math.Max(max, l);
        var e = new double[logits.Length]; double z = 0;
        for (int k = 0; k < e.Length; k++) { e[k] = Math.Exp(logits[k] - max); z += e[k]; }
        for (int k = 0; k < e.Length; k++) e[k] = 0.99 * e[k] / z + 0.01 / e.Length;
        return e;
    }

    [Fact]
    public void Bad_inputs_name_the_argument_and_shapes()
    {
        var rssm = Make();
        var ex = Assert.Throws<ArgumentException>(() =>
            rssm.Observe(Tensor.Zeros(new Shape(B, T, E)), Tensor.Zeros(new Shape(B, T, 4)), Tensor.Zeros(new Shape(B, T)), rssm.Initial(B), new Rng(1)));
        Assert.Contains("(2, 4, 3)", ex.Message);
        Assert.Contains("(2, 4, 4)", ex.Message);
        Assert.Contains("action", ex.Message);
        var bad = Assert.Throws<ArgumentException>(() => new Rssm(Cfg with { Blocks = 3 }, E, A, new Rng(1)));
        Assert.Contains("rssm.blocks", bad.Message);
    }
}

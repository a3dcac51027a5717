// SharedMathTests: DreamerV3's λ-returns and percentile return normalizer on hand-worked and random inputs.
using Reverie.Agents.Shared;
using Reverie.Tensors;

namespace Reverie.Agents.Tests.Dreamer;

public class SharedMathTests
{
    private static float[] Ret(float[] last, float[] term, float[] rew, float[] boot, int B, float disc, float lam)
    {
        int T = rew.Length / B;
        var s = new Shape(B, T);
        return LambdaReturn.Compute(Tensor.FromArray(last, s), Tensor.FromArray(term, s), Tensor.FromArray(rew, s),
            Tensor.FromArray(boot, s), disc, lam).ToArray();
    }

    // γ = λ = 0.5, rew = [0, 1, 2], boot = [10, 20, 30]:
    // R2 = 30;  R1 = 2 + 0.5·(0.5·30 + 0.5·30) = 17;  R0 = 1 + 0.5·(0.5·20 + 0.5·17) = 10.25.
    [Fact]
    public void Lambda_return_hand_worked()
    {
        float[] rew = [0, 1, 2], boot = [10, 20, 30];
        Assert.Equal([10.25f, 17f], Ret(new float[3], new float[3], rew, boot, 1, 0.5f, 0.5f));
    }

    // term2 = 1: live2 = 0 so R1 = 2, R0 = 1 + 0.5·(10 + 0.5·2) = 6.5.
    // last1 = 1: cont1 = 0 so R0 = 1 + 0.5·20 = 11 (full bootstrap, no carry).
    [Fact]
    public void Lambda_return_termination_and_cut()
    {
        float[] rew = [0, 1, 2], boot = [10, 20, 30];
        Assert.Equal([6.5f, 2f], Ret(new float[3], [0, 0, 1], rew, boot, 1, 0.5f, 0.5f));
        Assert.Equal([11f, 17f], Ret([0, 1, 0], new float[3], rew, boot, 1, 0.5f, 0.5f));
    }

    // λ = 1 and no termination: the discounted Monte-Carlo return bootstrapped at the end; λ = 0: one-step TD.
    [Fact]
    public void Lambda_return_limits()
    {
        float[] rew = [0, 1, 2, 3], boot = [5, 6, 7, 8], z = new float[4];
        var mc = Ret(z, z, rew, boot, 1, 0.9f, 1f);
        Assert.Equal(1 + 0.9 * 2 + 0.81 * 3 + 0.729 * 8, mc[0], 4);
        var td = Ret(z, z, rew, boot, 1, 0.9f, 0f);
        Assert.Equal(new[] { 1 + 0.9f * 6, 2 + 0.9f * 7, 3 + 0.9f * 8 }, td);
    }

    [Fact]
    public void Lambda_return_matches_plain_backward_loop()
    {
        const int B = 3, T = 9;
        const float disc = 0.97f, lam = 0.9f;
        var rng = new Rng(5);
        float[] rew = new float[B * T], boot = new float[B * T], term = new float[B * T], last = new float[B * T];
        for (int i = 0; i < B * T; i++)
        {
            rew[i] = rng.Normal(); boot[i] = 3 * rng.Normal();
            term[i] = rng.NextFloat();                       // continuation probabilities, as imagined
            last[i] = rng.NextFloat() < 0.2f ? 1 : 0;
        }
        var got = Ret(last, term, rew, boot, B, disc, lam);
        for (int b = 0; b < B; b++)
        {
            double g = boot[b * T + T - 1];
            for (int t = T - 2; t >= 0; t--)
            {
                int i = b * T + t + 1;
                double l = lam * (1 - last[i]);
                g = rew[i] + disc * (1 - term[i]) * ((1 - l) * boot[i] + l * g);
                Assert.Equal(g, got[b * (T - 1) + t], 4);
            }
        }
    }

    [Fact]
    public void Lambda_return_rejects_bad_shapes()
    {
        var a = Tensor.Zeros(new Shape(2, 5));
        var ex = Assert.Throws<ArgumentException>(() => LambdaReturn.Compute(a, Tensor.Zeros(new Shape(2, 4)), a, a, 0.9f, 0.95f));
        Assert.Contains("term", ex.Message);
        Assert.Contains("(2, 4)", ex.Message);
        Assert.Throws<ArgumentException>(() => LambdaReturn.Compute(a, a, a, a, 1.5f, 0.95f));
    }

    [Fact]
    public void Percentile_interpolates_like_numpy()
    {
        float[] x = [1, 2, 3, 4];
        Assert.Equal(2.5, ReturnNormalizer.Percentile(x, 50), 6);
        Assert.Equal(1.15, ReturnNormalizer.Percentile(x, 5), 6);   // numpy.percentile([1,2,3,4], 5) = 1.15
        Assert.Equal(3.85, ReturnNormalizer.Percentile(x, 95), 6);
        Assert.Equal(4.0, ReturnNormalizer.Percentile(x, 100), 6);
        Assert.Equal(7.0, ReturnNormalizer.Percentile([7f], 5), 6);
    }

    // Returns 0..100: P5 = 5, P95 = 95.
    [Fact]
    public void Return_normalizer_ema_and_limit()
    {
        var x = Enumerable.Range(0, 101).Select(i => (float)(100 - i)).ToArray();   // unsorted on purpose
        var norm = new ReturnNormalizer();                                             // rate 0.01, limit 1
        var (offset, scale) = norm.Call(x);
        Assert.Equal(0.05f, offset, 6);
        Assert.Equal(0.95f, norm.Hi, 6);
        Assert.Equal(1f, scale);                                                        // max(1, 0.9)
        norm.Update(x);
        Assert.Equal(0.05f * 0.99f + 0.05f, norm.Lo, 6);
        Assert.Equal(0.95f * 0.99f + 0.95f, norm.Hi, 6);

        var fast = new ReturnNormalizer(rate: 0.5f);
        fast.Update(x);                                                                 // lo 2.5, hi 47.5
        fast.Update(x.Select(v => 2 * v).ToArray());                                    // lo 2.5/2 + 5, hi 47.5/2 + 95
        Assert.Equal((6.25f, 118.75f - 6.25f), fast.Stats());
    }

    [Fact]
    public void Return_normalizer_rejects_bad_settings()
    {
        Assert.Throws<ArgumentException>(() => new ReturnNormalizer(rate: 0f));
        Assert.Throws<ArgumentException>(() => new ReturnNormalizer(perclo: 95f, perchi: 5f));
        Assert.Throws<ArgumentException>(() => new ReturnNormalizer().Update([]));
    }
}

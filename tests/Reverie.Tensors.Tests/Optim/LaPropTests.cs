// LaProp and DreamerV3's optimizer chain against a double-precision reimplementation of the reference
// formulas (danijar/dreamerv3 embodied/jax/opt.py: clip_by_agc, scale_by_rms, scale_by_momentum, optax schedules).
using Reverie.Tensors.Optim;

namespace Reverie.Tensors.Tests.Optim;

public class LaPropTests
{
    private sealed record Chain(double Lr, double Agc, double Pmin, double Eps, double B1, double B2,
        bool Momentum, bool Nesterov, double Wd, bool[] Decays, int Warmup, double[] Scales);

    /// <summary>The reference chain for one parameter tensor at its update number t, in double precision.</summary>
    private static void RefUpdate(double[] p, double[] g, double[] nu, double[] mu, long t, double lr, double wd, Chain c)
    {
        double scale = 1;
        if (c.Agc > 0)
        {
            double unorm = Math.Sqrt(g.Sum(x => x * x)), pnorm = Math.Sqrt(p.Sum(x => x * x));
            double upper = c.Agc * Math.Max(c.Pmin, pnorm);
            scale = 1 / Math.Max(1, unorm / upper);
        }
        for (int i = 0; i < p.Length; i++)
        {
            double u = g[i] * scale;
            nu[i] = c.B2 * nu[i] + (1 - c.B2) * u * u;
            double r = u / (Math.Sqrt(nu[i] / (1 - Math.Pow(c.B2, t))) + c.Eps);
            double o = r;
            if (c.Momentum)
            {
                mu[i] = (1 - c.B1) * r + c.B1 * mu[i];
                o = (c.Nesterov ? (1 - c.B1) * r + c.B1 * mu[i] : mu[i]) / (1 - Math.Pow(c.B1, t));
            }
            o += wd * p[i];
            p[i] -= lr * o;
        }
    }

    private static float[] Values(int n, int seed, float scale)
    {
        var rng = new Rng((ulong)seed);
        var a = new float[n];
        rng.FillNormal(a);
        for (int i = 0; i < n; i++) a[i] *= scale;
        return a;
    }

    /// <summary>
    /// Runs <paramref name="opt"/> and the reference side by side for <paramref name="steps"/> steps on the
    /// given parameters, with parameter <paramref name="skip"/> lacking a gradient at step 2 (-1: never).
    /// </summary>
    private static void Compare(Tensor[] ps, Optimizer opt, Chain c, int steps, float gradScale, int skip = -1)
    {
        var rp = ps.Select(p => p.ToArray().Select(x => (double)x).ToArray()).ToArray();
        var nu = ps.Select(p => new double[p.Size]).ToArray();
        var mu = ps.Select(p => new double[p.Size]).ToArray();
        var counts = new long[ps.Length];
        for (int s = 0; s < steps; s++)
        {
            double lr = c.Lr * (c.Warmup > 0 ? Math.Min((double)s / c.Warmup, 1) : 1);
            for (int k = 0; k < ps.Length; k++)
            {
                if (k == skip && s == 2) { ps[k].Grad = null; continue; }
                var g = Values(ps[k].Size, 100 * s + k, gradScale * (k + 1));
                ps[k].Grad = Tensor.FromArray(g, ps[k].Shape);
                RefUpdate(rp[k], g.Select(x => (double)x).ToArray(), nu[k], mu[k], ++counts[k], lr * c.Scales[k], c.Decays[k] ? c.Wd : 0, c);
            }
            opt.Step();
            for (int k = 0; k < ps.Length; k++)
            {
                var got = ps[k].ToArray();
                for (int i = 0; i < got.Length; i++)
                    CheckOp.AssertClose(rp[k][i], got[i], 1e-7, 2e-6, $"{opt.Kind} step {s} param {k}[{i}]");
            }
        }
    }

    private static Tensor[] Params(params int[][] shapes)
    {
        var ps = new Tensor[shapes.Length];
        for (int k = 0; k < shapes.Length; k++)
        {
            ps[k] = Tensor.Parameter(new Shape(shapes[k]), $"w{k}");
            Values(ps[k].Size, 7 + k, 0.5f).CopyTo(ps[k].Span);
        }
        return ps;
    }

    [Fact]
    public void LaProp_matches_the_reference_formulas()
    {
        // Gradients of size ~1e-3 with eps 1e-3: eps placement (outside the root, after bias correction) matters.
        var ps = Params([3, 5], [37], [1]);
        var c = new Chain(0.01, 0, 1e-3, 1e-3, 0.9, 0.999, true, false, 0, [false, false, false], 0, [1, 1, 1]);
        Compare(ps, new LaProp(ps, lr: 0.01, eps: 1e-3), c, steps: 6, gradScale: 1e-3f, skip: 1);
    }

    [Fact]
    public void LaProp_first_step_moves_each_weight_by_lr_times_the_sign_of_its_gradient()
    {
        // At t = 1 both bias corrections cancel: ν̂ = g², r = g / (|g| + eps), μ̂ = r.
        var p = Tensor.Parameter(new Shape(4), "p");
        p.Grad = Tensor.FromArray(3f, -0.5f, 1e-4f, -200f);
        new LaProp([p], lr: 0.1).Step();
        Assert.Equal([-0.1f, 0.1f, -0.1f, 0.1f], p.ToArray());
    }

    [Fact]
    public void Dreamer_chain_matches_the_reference_formulas_with_agc_and_warmup()
    {
        // w0 starts at zero, so its AGC bound is clip * pmin; gradients of size ~1 make AGC clip every tensor.
        var ps = Params([4, 3], [33], [2, 1, 3]);
        ps[0].Span.Clear();
        var c = new Chain(0.01, 0.3, 1e-3, 1e-20, 0.9, 0.999, true, false, 0, [false, false, false], 3, [1, 1, 1]);
        var opt = new DreamerOptimizer(ps, lr: 0.01, warmup: 3);
        Compare(ps, opt, c, steps: 6, gradScale: 1f);
        Assert.Equal(6, opt.StepCount);
        Assert.Equal(0.01, opt.CurrentLearningRate, 12);
    }

    [Fact]
    public void Dreamer_first_update_has_learning_rate_zero()
    {
        var ps = Params([5]);
        var before = ps[0].ToArray();
        ps[0].Grad = Tensor.FromArray(Values(5, 3, 1f), ps[0].Shape);
        var opt = new DreamerOptimizer(ps, lr: 0.01, warmup: 10);
        Assert.Equal(0, opt.CurrentLearningRate);
        opt.Step();
        Assert.Equal(before, ps[0].ToArray());
        Assert.Equal(0.001, opt.CurrentLearningRate, 12);
    }

    [Fact]
    public void Dreamer_chain_variants_nesterov_weight_decay_mask_groups_no_momentum()
    {
        var ps = Params([17], [2, 9]);
        var groups = new[] { ParamGroup.Of([("enc/kernel", ps[0])], lrScale: 0.3), ParamGroup.Of([("enc/bias", ps[1])]) };
        var c = new Chain(0.02, 0.3, 1e-3, 1e-8, 0.8, 0.99, true, true, 0.1, [true, false], 0, [0.3, 1]);
        var opt = new DreamerOptimizer(groups, lr: 0.02, eps: 1e-8, beta1: 0.8, beta2: 0.99, nesterov: true,
            weightDecay: 0.1, weightDecayMask: name => name.EndsWith("/kernel"), warmup: 0);
        Assert.Null(opt.Schedule);
        Compare(ps, opt, c, steps: 5, gradScale: 0.1f, skip: 0);

        var qs = Params([6], [20]);
        var c2 = c with { Momentum = false, Nesterov = false, Wd = 0, Decays = [false, false], Scales = [1, 1], Warmup = 2 };
        var opt2 = new DreamerOptimizer(qs, lr: 0.02, eps: 1e-8, beta1: 0.8, beta2: 0.99, momentum: false, warmup: 2);
        Assert.DoesNotContain(opt2.StateDict().Keys, k => k.StartsWith("dreamer.mu."));
        Compare(qs, opt2, c2, steps: 4, gradScale: 0.1f);
    }

    [Fact]
    public void Dreamer_chain_does_not_modify_gradients()
    {
        var ps = Params([40]);
        var g = Values(40, 5, 100f);
        ps[0].Grad = Tensor.FromArray(g, ps[0].Shape);
        new DreamerOptimizer(ps, warmup: 0).Step();
        Assert.Equal(g, ps[0].Grad!.ToArray());
    }
}

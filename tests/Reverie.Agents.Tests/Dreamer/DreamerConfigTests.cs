// DreamerConfigTests: DreamerV3 defaults, the size table, the debug preset and validation.
using Reverie.Agents.Dreamer;
using Reverie.Rl.Config;
using Reverie.Testing;

namespace Reverie.Agents.Tests.Dreamer;

public class DreamerConfigTests
{
    [Fact]
    public void Defaults_are_dreamerv3_configs_yaml()
    {
        var c = new DreamerConfig();
        Assert.Equal((8192, 1024, 32, 64, 8), (c.Rssm.Deter, c.Rssm.Hidden, c.Rssm.Stoch, c.Rssm.Classes, c.Rssm.Blocks));
        Assert.Equal((0.01f, 1f), (c.Rssm.Unimix, c.Rssm.FreeNats));
        Assert.Equal((15, 333f, 0.95f, 3e-4f), (c.ImagLength, c.Horizon, c.ImagLoss.Lam, c.ImagLoss.Actent));
        Assert.Equal(1f - 1f / 333f, c.Discount);
        var s = c.LossScales;
        Assert.Equal([1f, 1f, 1f, 1f, 0.1f, 1f, 1f, 0.3f], new[] { s.Rec, s.Rew, s.Con, s.Dyn, s.Rep, s.Policy, s.Value, s.Repval });
        Assert.Equal((0.02f, 1), (c.Slowvalue.Rate, c.Slowvalue.Every));
        Assert.Equal((0.01f, 1f, 5f, 95f), (c.Retnorm.Rate, c.Retnorm.Limit, c.Retnorm.Perclo, c.Retnorm.Perchi));
        Assert.Equal((4e-5, 0.3, 1e-20, 1000), (c.Opt.Lr, c.Opt.Agc, c.Opt.Eps, c.Opt.Warmup));
        Assert.Empty(c.Validate());
        var big = DreamerSizes.Get("size200m");
        Assert.Equal(c, c.WithSize("size200m"));
        Assert.Equal(c.Units, big.Units);
    }

    [Fact]
    public void Size_presets_and_debug()
    {
        var c = new DreamerConfig().WithSize("size1m");
        Assert.Equal((512, 64, 4, 4, 64), (c.Rssm.Deter, c.Rssm.Hidden, c.Rssm.Classes, c.Depth, c.Units));
        Assert.Equal(32, c.Rssm.Stoch);
        Assert.Equal((2048, 256, 16), (DreamerSizes.Get("size12m").Deter, DreamerSizes.Get("size12m").Hidden, DreamerSizes.Get("size12m").Classes));
        Assert.Equal((3072, 384, 24), (DreamerSizes.Get("size25m").Deter, DreamerSizes.Get("size25m").Hidden, DreamerSizes.Get("size25m").Classes));
        Assert.Equal((4096, 512, 32), (DreamerSizes.Get("size50m").Deter, DreamerSizes.Get("size50m").Hidden, DreamerSizes.Get("size50m").Classes));
        var d = DreamerConfig.Debug;
        Assert.Equal((8, 3, 2, 4, 4), (d.Rssm.Deter, d.Rssm.Hidden, d.Rssm.Stoch, d.Rssm.Classes, d.Rssm.Blocks));
        Assert.Equal((8, 1, 1, 1, 2, 5), (d.Units, d.Layers, d.EncLayers, d.DecLayers, d.Depth, d.Bins));
        Assert.Empty(d.Validate());
        var ex = Assert.Throws<ArgumentException>(() => DreamerSizes.Get("size3m"));
        Assert.Contains("size12m", ex.Message);
    }

    // The CLI's DMC default is the measured CPU recipe (results/dreamer-cartpole-swingup-cli), not DreamerV3's ratio 512 / lr 4e-5.
    [Fact]
    public void Dmc_preset_is_the_vector_recipe()
    {
        var lib = PresetLibrary.Load([RepoPaths.Of("configs", "dreamer.yaml")]);
        var cfg = new ConfigSet().Add("run", new RunConfig()).Add("agent", new DreamerConfig())
            .Resolve(lib, [.. DreamerAgent.DefaultPresets("cartpole-swingup")], []);
        var (run, agent) = (cfg.Get<RunConfig>("run"), cfg.Get<DreamerConfig>("agent"));
        Assert.Equal((50000L, 256.0, 2500L), ((long)run.Steps, run.TrainRatio, (long)run.Prefill));
        Assert.Equal((100f, 3e-4, 3e-4, 3e-4, 100), (agent.Horizon, agent.Opt.Lr, agent.Opt.ActorLr, agent.Opt.CriticLr, agent.Opt.Warmup));
        Assert.Equal((512, 64, 4), (agent.Rssm.Deter, agent.Rssm.Hidden, agent.Rssm.Classes));   // size1m
    }

    // Every preset of configs/dreamer.yaml resolves on top of the base preset (as `reverie train` applies them) and
    // validates; the size presets are DreamerSizes' table and `debug` is DreamerConfig.Debug, so code and file agree.
    [Fact]
    public void Every_shipped_preset_resolves_and_matches_the_code()
    {
        var lib = PresetLibrary.Load([RepoPaths.Of("configs", "dreamer.yaml")]);
        Assert.Equal(["dreamer", "vector", "discrete", "dmc", "pixels", "size1m", "size12m", "size25m", "size50m", "dreamerv1", "dreamerv2", "debug"], lib.Names);
        foreach (var name in lib.Names)
        {
            var cfg = new ConfigSet().Add("run", new RunConfig()).Add("agent", new DreamerConfig()).Resolve(lib, ["dreamer", name], []);
            var agent = cfg.Get<DreamerConfig>("agent");
            Assert.Empty(agent.Validate());
            if (name.StartsWith("size", StringComparison.Ordinal))
            {
                var sz = DreamerSizes.Get(name);
                Assert.Equal((sz.Deter, sz.Hidden, sz.Classes, sz.Depth, sz.Units), (agent.Rssm.Deter, agent.Rssm.Hidden, agent.Rssm.Classes, agent.Depth, agent.Units));
            }
        }
        var base1m = new ConfigSet().Add("run", new RunConfig()).Add("agent", new DreamerConfig()).Resolve(lib, ["dreamer"], []).Get<DreamerConfig>("agent");
        Assert.Equal(new DreamerConfig().WithSize("size1m") with { Mults = base1m.Mults }, base1m);   // the base preset is size1m
        var debug = new ConfigSet().Add("run", new RunConfig()).Add("agent", new DreamerConfig()).Resolve(lib, ["debug"], []).Get<DreamerConfig>("agent");
        Assert.Equal(DreamerConfig.Debug with { Mults = debug.Mults }, debug);          // Mults: an array, compared next
        Assert.Equal(DreamerConfig.Debug.Mults, debug.Mults);
    }

    // The older algorithms' presets differ from DreamerV3 where their papers do (the test names each difference), resolved
    // as `reverie train --env cartpole-swingup --preset dreamerv1` resolves them (after the base and the `dmc` preset).
    [Fact]
    public void Dreamerv1_and_dreamerv2_presets_are_the_papers()
    {
        var lib = PresetLibrary.Load([RepoPaths.Of("configs", "dreamer.yaml")]);
        DreamerConfig Of(string p) => new ConfigSet().Add("run", new RunConfig()).Add("agent", new DreamerConfig())
            .Resolve(lib, [.. DreamerAgent.DefaultPresets("cartpole-swingup"), p], []).Get<DreamerConfig>("agent");
        var v1 = Of("dreamerv1");
        Assert.Equal(("gaussian", 30, 1, 3f, 0f), (v1.Rssm.Latent, v1.Rssm.Stoch, v1.Rssm.Classes, v1.Rssm.FreeNats, v1.Rssm.Unimix));
        Assert.Equal(("none", "none", "elu", false), (v1.Rssm.Norm, v1.Norm, v1.Act, v1.Symlog));
        Assert.Equal(("mse", "mse", false, 0.99f), (v1.RewardHead, v1.ValueHead, v1.ContHead, v1.Discount));
        Assert.Equal((1f, 1f, 0f), (v1.LossScales.Dyn, v1.LossScales.Rep, v1.LossScales.Repval));
        Assert.Equal(("tanh_normal", "dynamics", 0.3f, 0f), (v1.Actor.Dist, v1.Actor.Grad, v1.Actor.ExplNoise, v1.Actor.Unimix));
        Assert.Equal(("adam", 6e-4, 8e-5, 8e-5, 100.0), (v1.Opt.Kind, v1.Opt.Lr, v1.Opt.ActorLr, v1.Opt.CriticLr, v1.Opt.Clip));
        Assert.Equal(("none", "elu", 0.1f, 1e-4f), (v1.Retnorm.Impl, v1.Rssm.Act, v1.Rssm.MinStd, v1.Actor.Minstd));
        Assert.Equal((1e-4, 0), (v1.Opt.Eps, v1.Opt.Warmup));
        Assert.Equal((0f, 0f, 1f, 1), (v1.ImagLoss.Actent, v1.ImagLoss.Slowreg, v1.Slowvalue.Rate, v1.Slowvalue.Every));
        var v2 = Of("dreamerv2");
        Assert.Equal(("categorical", 32, 32, 1f, 0f), (v2.Rssm.Latent, v2.Rssm.Stoch, v2.Rssm.Classes, v2.Rssm.FreeNats, v2.Rssm.Unimix));
        Assert.Equal(("layer", "none", "elu", false), (v2.Rssm.Norm, v2.Norm, v2.Act, v2.Symlog));   // v2 normalized inside its GRU only
        Assert.Equal(("mse", "mse", true, 0.99f), (v2.RewardHead, v2.ValueHead, v2.ContHead, v2.Discount));
        Assert.Equal((0.8f, 0.2f, 0f), (v2.LossScales.Dyn, v2.LossScales.Rep, v2.LossScales.Repval));   // KL balancing 0.8
        Assert.Equal(("tanh_normal", "auto", 0.1f, 0f), (v2.Actor.Dist, v2.Actor.Grad, v2.Actor.Rho, v2.Actor.Unimix));
        Assert.Equal((1e-4f, true, 1f, 100), (v2.ImagLoss.Actent, v2.ImagLoss.Slowtar, v2.Slowvalue.Rate, v2.Slowvalue.Every));
        Assert.Equal(("adam", 3e-4, 8e-5, 8e-5, 1e-5), (v2.Opt.Kind, v2.Opt.Lr, v2.Opt.ActorLr, v2.Opt.CriticLr, v2.Opt.Eps));
        Assert.Equal(("none", "elu", 0.1f, 0f), (v2.Retnorm.Impl, v2.Rssm.Act, v2.Actor.Minstd, v2.ImagLoss.Slowreg));
        Assert.Equal((100.0, 0), (v2.Opt.Clip, v2.Opt.Warmup));
        foreach (var v in new[] { v1, v2 }) Assert.Equal(15, v.ImagLength);
    }

    [Fact]
    public void Validation_names_the_bad_key()
    {
        var c = new DreamerConfig { Rssm = new RssmConfig { Deter = 10 }, ImagLoss = new ImagLossConfig { Lam = 2f } };
        var keys = c.Validate().Select(p => p.Key).ToList();
        Assert.Contains("rssm.blocks", keys);
        Assert.Contains("imag_loss.lam", keys);
    }
}

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
        Assert.Equal((8, 1, 2, 5), (d.Units, d.Layers, d.Depth, d.Bins));
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

    [Fact]
    public void Validation_names_the_bad_key()
    {
        var c = new DreamerConfig { Rssm = new RssmConfig { Deter = 10 }, ImagLoss = new ImagLossConfig { Lam = 2f } };
        var keys = c.Validate().Select(p => p.Key).ToList();
        Assert.Contains("rssm.blocks", keys);
        Assert.Contains("imag_loss.lam", keys);
    }
}

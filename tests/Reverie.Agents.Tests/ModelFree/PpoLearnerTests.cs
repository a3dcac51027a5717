// PpoLearnerTests: networks, rollout bookkeeping, truncation bootstrapping, state round trips and the config checks.
using Reverie.Agents.ModelFree;
using Reverie.Envs;
using Reverie.Tensors;

namespace Reverie.Agents.Tests.ModelFree;

public class PpoLearnerTests
{
    private static PpoConfig Small => new() { NumEnvs = 2, NumSteps = 8, NumMinibatches = 2, UpdateEpochs = 2, Hidden = [16, 16] };

    private static void Rollout(PpoLearner l, Rng rng, bool truncateLast = false)
    {
        int N = l.Config.NumEnvs, D = l.ObsDim;
        var obs = new float[N * D];
        var act = new float[N * l.ActionSize];
        while (!l.RolloutFull)
        {
            rng.FillNormal(obs);
            l.Collect(obs, act);
            var trunc = new bool[N];
            trunc[0] = truncateLast;
            l.Observe(Enumerable.Repeat(1f, N).ToArray(), new bool[N], trunc, obs);
        }
    }

    [Fact]
    public void Networks_follow_cleanrl_layout_and_init()
    {
        var net = new PpoNetworks(4, 2, discrete: true, [64, 64], "tanh", 0f, new Rng(1));
        var names = net.NamedParameters().Select(p => p.Name).ToArray();
        Assert.Equal(["critic.h0.weight", "critic.h0.bias", "critic.h1.weight", "critic.h1.bias", "critic.out.weight", "critic.out.bias",
            "actor.h0.weight", "actor.h0.bias", "actor.h1.weight", "actor.h1.bias", "actor.out.weight", "actor.out.bias"], names);
        Assert.All(net.NamedParameters().Where(p => p.Name.EndsWith("bias")), p => Assert.All(p.Parameter.ToArray(), v => Assert.Equal(0f, v)));
        // Policy head: orthogonal rows with gain 0.01 → each row has norm 0.01.
        var w = net.StateDict()["actor.out.weight"].ToArray();
        for (int r = 0; r < 2; r++) Assert.Equal(0.01, Math.Sqrt(w.Skip(r * 64).Take(64).Sum(x => (double)x * x)), 5);
        var cont = new PpoNetworks(3, 1, discrete: false, [8], "tanh", -0.5f, new Rng(1));
        Assert.Equal(-0.5f, cont.ActorLogStd!.Span[0]);
        Assert.IsType<Reverie.Tensors.Dist.Normal>(cont.Policy(Tensor.Zeros(new Shape(5, 3))));
    }

    [Fact]
    public void Update_returns_every_metric_and_changes_the_weights()
    {
        var l = new PpoLearner(Small, 4, new DiscreteSpace(3), 1);
        var before = l.Net.Parameters().Select(p => p.ToArray()).ToList();
        Rollout(l, new Rng(2));
        var m = l.Update(new float[2 * 4]);
        Assert.Equal(["loss/policy", "loss/value", "loss/entropy", "train/approx_kl", "train/old_approx_kl", "train/clipfrac",
            "train/grad_norm", "train/explained_variance", "train/learning_rate", "train/minibatches"], m.Keys.ToArray());
        Assert.Equal(4f, m["train/minibatches"]);                    // 2 epochs x 2 minibatches
        Assert.Equal((float)Small.LearningRate, m["train/learning_rate"]);   // the first update anneals from the full rate
        Assert.All(m.Values.Where((_, i) => i != 7), v => Assert.True(float.IsFinite(v)));
        Assert.NotEqual(before, l.Net.Parameters().Select(p => p.ToArray()).ToList());
        Assert.False(l.RolloutFull);
        Assert.Equal(16, l.EnvSteps);
    }

    [Fact]
    public void Learning_rate_anneals_linearly_to_zero()
    {
        var cfg = Small with { TotalSteps = 64 };                    // 4 iterations of 16 steps
        var l = new PpoLearner(cfg, 4, new DiscreteSpace(2), 1);
        var rng = new Rng(3);
        var rates = new List<float>();
        for (int i = 0; i < 4; i++) { Rollout(l, rng); rates.Add(l.Update(new float[8])["train/learning_rate"]); }
        var lr = (float)cfg.LearningRate;
        Assert.Equal(new[] { lr, 0.75f * lr, 0.5f * lr, 0.25f * lr }, rates.ToArray());
    }

    [Fact]
    public void Continuous_policy_clips_env_actions_and_learns_its_log_std()
    {
        var cfg = Small with { NormObs = true, NormReward = true, EntCoef = 0f };
        var l = new PpoLearner(cfg, 3, new BoxSpace(-1, 1, 2), 1);
        var obs = new float[6]; var act = new float[4];
        var rng = new Rng(5);
        while (!l.RolloutFull)
        {
            rng.FillNormal(obs);
            for (int i = 0; i < 6; i++) obs[i] = obs[i] * 10 + 100;  // far from zero: the normalizer must handle it
            l.Collect(obs, act);
            Assert.All(act, a => Assert.InRange(a, -1f, 1f));
            l.Observe([rng.NextFloat(), rng.NextFloat()], [false, false], [false, false], obs);
        }
        var logStd = l.Net.ActorLogStd!.ToArray();
        var m = l.Update(obs);
        Assert.True(float.IsFinite(m["loss/value"]));
        Assert.NotEqual(logStd, l.Net.ActorLogStd!.ToArray());
        var eval = new float[4];
        l.Act(obs, eval, explore: false);
        Assert.All(eval, a => Assert.InRange(a, -1f, 1f));
    }

    [Fact]
    public void Time_limit_truncation_bootstraps_from_the_final_value()
    {
        // With γ = 1, λ = 1, reward 1 per step and one truncation at the last step of env 0, the last return of env 0
        // is 1 + V(final obs) when bootstrapping and exactly 1 when treating truncation as terminal.
        var returns = new List<float>();
        foreach (bool bootstrap in new[] { true, false })
        {
            var cfg = Small with { Gamma = 1f, GaeLambda = 1f, BootstrapTruncated = bootstrap, NumSteps = 1, NumMinibatches = 1, UpdateEpochs = 1 };
            var l = new PpoLearner(cfg, 4, new DiscreteSpace(2), 1);
            var obs = new float[8]; var act = new float[2];
            var final = Enumerable.Range(0, 8).Select(i => (float)i).ToArray();
            l.Collect(obs, act);
            float vFinal;
            using (Tensor.NoGrad()) vFinal = l.Net.Value(Tensor.FromArray(final, new Shape(2, 4))).ToArray()[0];
            l.Observe([1f, 1f], [false, false], [true, false], final);
            var state = typeof(PpoLearner).GetField("_returns", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
            l.Update(new float[8]);
            float ret = ((float[])state.GetValue(l)!)[0];
            Assert.Equal(bootstrap ? 1f + vFinal : 1f, ret, 5);
        }
    }

    [Fact]
    public void State_round_trip_continues_identically()
    {
        var cfg = Small with { NormObs = true };
        var a = new PpoLearner(cfg, 4, new DiscreteSpace(2), 1);
        Rollout(a, new Rng(4));
        a.Update(new float[8]);
        var b = new PpoLearner(cfg, 4, new DiscreteSpace(2), 99);
        b.LoadState(a.GetState());
        Assert.Equal(a.Iteration, b.Iteration);
        Rollout(a, new Rng(5));
        Rollout(b, new Rng(5));
        var ma = a.Update(new float[8]);
        var mb = b.Update(new float[8]);
        Assert.Equal(ma["loss/policy"], mb["loss/policy"]);
        Assert.Equal(a.Net.Parameters().Select(p => p.ToArray()), b.Net.Parameters().Select(p => p.ToArray()));
    }

    [Fact]
    public void Protocol_misuse_and_bad_config_are_reported()
    {
        var l = new PpoLearner(Small, 4, new DiscreteSpace(2), 1);
        Assert.Throws<InvalidOperationException>(() => l.Observe(new float[2], new bool[2], new bool[2], new float[8]));
        l.Collect(new float[8], new float[2]);
        Assert.Throws<InvalidOperationException>(() => l.Collect(new float[8], new float[2]));
        Assert.Throws<InvalidOperationException>(() => l.Update(new float[8]));
        var e = Assert.Throws<ArgumentException>(() => new PpoLearner(Small with { NumMinibatches = 3 }, 4, new DiscreteSpace(2), 1));
        Assert.Contains("NumMinibatches = 3", e.Message);
    }
}

// DreamerLearnerTests: the learner's return/weight math by hand, every preset's update on toy batches, gradient routing,
// the open-loop state report, and a tiny learning test.
using Reverie.Agents.Dreamer;
using Reverie.Agents.Shared;
using Reverie.Rl.Config;
using Reverie.Tensors;
using Reverie.Testing;

namespace Reverie.Agents.Tests.Dreamer;

public class DreamerLearnerTests
{
    // A debug-sized model on a 3-feature state and a 2-dim action.
    private static DreamerConfig Tiny => DreamerConfig.Debug with { Opt = new OptConfig { Warmup = 0, Lr = 1e-3, ActorLr = 1e-3, CriticLr = 1e-3 } };

    private static DreamerBatch RandomBatch(int B, int T, int obs, int act, ulong seed, bool discrete = false)
    {
        var rng = new Rng(seed);
        Tensor action;
        if (discrete)
        {
            var idx = new int[B * T];
            for (int i = 0; i < idx.Length; i++) idx[i] = rng.NextInt(act);
            action = Tensor.OneHot(idx, act).Reshape(B, T, act);
        }
        else action = Tensor.Uniform(new Shape(B, T, act), rng, -1f, 1f);
        var first = Tensor.Zeros(new Shape(B, T));
        first.Span[0] = 1f;
        var last = Tensor.Zeros(new Shape(B, T));
        var term = Tensor.Zeros(new Shape(B, T));
        term.Span[T - 1] = last.Span[T - 1] = 1f;                                  // one terminal step
        return new DreamerBatch(new ObsTensors(Tensor.Randn(new Shape(B * T, obs), rng), null), action,
            Tensor.Uniform(new Shape(B, T), rng, -1f, 1f), first, last, term);
    }

    private static float[] Flat(IEnumerable<KeyValuePair<string, Tensor>> sd) =>
        [.. sd.OrderBy(kv => kv.Key, StringComparer.Ordinal).SelectMany(kv => kv.Value.ToArray())];

    [Fact]
    public void ReturnsMatchTheLambdaReturnByHandAndDreamerV3Form()
    {
        // H = 2: R_2 = v_2; R_1 = r_2 + c_2((1 − λ) v_2 + λ R_2) = r_2 + c_2 v_2; R_0 = r_1 + c_1((1 − λ) v_1 + λ R_1).
        var rew = Tensor.FromArray([0f, 1f, 2f], new Shape(1, 3));
        var con = Tensor.FromArray([1f, 0.5f, 0.9f], new Shape(1, 3));
        var val = Tensor.FromArray([0f, 4f, 10f], new Shape(1, 3));
        var ret = DreamerLearner.Returns(rew, con, val, 0.5f).ToArray();
        float r1 = 2f + 0.9f * 10f;
        float r0 = 1f + 0.5f * (0.5f * 4f + 0.5f * r1);
        Assert.Equal(new[] { r0, r1 }, ret);

        var rng = new Rng(3);
        var rw = Tensor.Randn(new Shape(4, 6), rng); var cn = Tensor.Uniform(new Shape(4, 6), rng); var vl = Tensor.Randn(new Shape(4, 6), rng);
        var mine = DreamerLearner.Returns(rw, cn, vl, 0.95f).ToArray();
        var theirs = LambdaReturn.Compute(Tensor.Zeros(new Shape(4, 6)), 1f - cn, rw, vl, 1f, 0.95f).ToArray();
        for (int i = 0; i < mine.Length; i++) Assert.Equal(theirs[i], mine[i], 5);
    }

    [Fact]
    public void ReturnsAreDifferentiableInRewardsAndValues()
    {
        var rew = Tensor.Zeros(new Shape(1, 3)); rew.RequiresGrad = true;
        var con = Tensor.Full(new Shape(1, 3), 0.5f);
        var val = Tensor.Zeros(new Shape(1, 3)); val.RequiresGrad = true;
        DreamerLearner.Returns(rew, con, val, 1f).Narrow(1, 0, 1).Sum().Backward();
        // λ = 1: R_0 = r_1 + c_1 (r_2 + c_2 v_2) → ∂/∂r = [0, 1, 0.5], ∂/∂v = [0, 0, 0.25].
        Assert.Equal(new[] { 0f, 1f, 0.5f }, rew.Grad!.ToArray());
        Assert.Equal(new[] { 0f, 0f, 0.25f }, val.Grad!.ToArray());
    }

    [Fact]
    public void WeightIsTheCumulativeContinueProductWithTheLastStepZero()
    {
        var con = Tensor.FromArray([0.5f, 0.5f, 0.5f, 1f, 0f, 1f], new Shape(2, 3));
        Assert.Equal(new[] { 0.5f, 0.25f, 0f, 1f, 0f, 0f }, DreamerLearner.Weight(con, 2).ToArray());
    }

    [Fact]
    public void AnUpdateReportsEveryLossAndIsDeterministic()
    {
        var a = new DreamerLearner(Tiny, new ObsLayout(3, 0, 0, 0), 2, discrete: false, seed: 4);
        var b = new DreamerLearner(Tiny, new ObsLayout(3, 0, 0, 0), 2, discrete: false, seed: 4);
        var before = Flat(a.Wm.StateDict());
        var batch = RandomBatch(2, 6, 3, 2, 9);
        var ma = a.Train(batch);
        var mb = b.Train(batch);
        foreach (var name in new[] { "rec", "rew", "con", "dyn", "rep", "policy", "value", "repval" })
        {
            Assert.True(ma.ContainsKey("loss/" + name), $"missing loss/{name}");
            Assert.True(float.IsFinite(ma["loss/" + name]), $"loss/{name} = {ma["loss/" + name]}");
        }
        Assert.True(ma["loss/dyn"] >= Tiny.Rssm.FreeNats && ma["loss/rep"] >= Tiny.Rssm.FreeNats);   // free bits
        Assert.Equal(ma.Where(kv => !kv.Key.StartsWith("time/")), mb.Where(kv => !kv.Key.StartsWith("time/")));
        Assert.Equal(Flat(a.Wm.StateDict()), Flat(b.Wm.StateDict()));
        Assert.NotEqual(before, Flat(a.Wm.StateDict()));
        Assert.Equal(1, a.Updates);
    }

    // A replayed step that ends its episode has no return in the sequence: its λ-return would take the next episode's
    // first reward. It is weighted 0 (DreamerV3's ~is_last), so that reward cannot move the replay-value loss, while a
    // reward one step later (inside the next episode's returns) does.
    [Fact]
    public void ReplayValueLossIgnoresTheReturnAcrossAnEpisodeEnd()
    {
        float Repval(int changed)
        {
            var batch = RandomBatch(1, 6, 3, 2, 5);
            batch.IsLast.Span[2] = batch.IsTerminal.Span[2] = 1f;       // step 2 ends an episode, step 3 starts one
            batch.IsFirst.Span[3] = 1f;
            if (changed >= 0) batch.Reward.Span[changed] += 5f;
            // The critic's output layer starts at zero (a uniform two-hot, whose loss ignores its target): train it first.
            var learner = new DreamerLearner(Tiny, new ObsLayout(3, 0, 0, 0), 2, discrete: false, seed: 4);
            for (int i = 0; i < 3; i++) learner.Train(RandomBatch(1, 6, 3, 2, 20 + (ulong)i));
            return learner.Train(batch)["loss/repval"];
        }
        float baseline = Repval(-1);
        Assert.Equal(baseline, Repval(3));
        Assert.NotEqual(baseline, Repval(4));
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    [InlineData("v2-discrete")]
    [InlineData("v3-discrete")]
    public void OlderPresetsAndDiscreteActionsTrain(string kind)
    {
        var c = kind.StartsWith("v1") ? V1(Tiny) : kind.StartsWith("v2") ? V2(Tiny) : Tiny;
        bool discrete = kind.EndsWith("discrete");
        var l = new DreamerLearner(c, new ObsLayout(3, 0, 0, 0), 3, discrete, seed: 1);
        Assert.Equal(kind switch { "v1" or "v2" => 0f, _ => 1f }, l.Rho);            // v2's auto: dynamics for continuous, REINFORCE for discrete
        var before = Flat(l.Ac.Actor.StateDict());
        for (int i = 0; i < 3; i++)
        {
            var m = l.Train(RandomBatch(2, 6, 3, 3, (ulong)i, discrete));
            Assert.All(m.Where(kv => kv.Key.StartsWith("loss/")), kv => Assert.True(float.IsFinite(kv.Value), $"{kv.Key} = {kv.Value}"));
            if (!discrete && !kind.StartsWith("v3")) Assert.True(m.ContainsKey("loss/policy_dynamics"));
        }
        Assert.NotEqual(before, Flat(l.Ac.Actor.StateDict()));
        if (kind == "v1") Assert.Equal(1, l.Wm.Dynamics.Config.Classes);
    }

    [Fact]
    public void TheMixEstimatorWeighsDynamicsAndReinforceByRho()
    {
        // v2's mix: ρ·REINFORCE + (1 − ρ)·dynamics backpropagation. On the same first update (same init, batch and rollout
        // samples), the dynamics loss is (1 − ρ) times the pure-dynamics one, the policy loss moves from the pure-dynamics
        // one (entropy only) by ρ times what full REINFORCE adds, and the actor's gradient is (1 − ρ)·g_dynamics + ρ·g_REINFORCE
        // (the entropy term's gradient is in both).
        (Dictionary<string, float> M, float[] G) First(string grad, float rho)
        {
            var c = V2(Tiny) with { Actor = V2(Tiny).Actor with { Grad = grad, Rho = rho } };
            var l = new DreamerLearner(c, new ObsLayout(3, 0, 0, 0), 2, discrete: false, seed: 8);
            Assert.Equal(grad switch { "dynamics" => 0f, "reinforce" => 1f, _ => rho }, l.Rho);
            var m = l.Train(RandomBatch(2, 6, 3, 2, 9));
            return (m, [.. l.Ac.Actor.Parameters().SelectMany(p => p.Grad!.ToArray())]);
        }
        var (dyn, gDyn) = First("dynamics", 0f);
        var (rf, gRf) = First("reinforce", 1f);
        var (mix, gMix) = First("mix", 0.1f);
        Assert.False(rf.ContainsKey("loss/policy_dynamics"));
        float dynamics = dyn["loss/policy_dynamics"];
        Assert.True(Math.Abs(dynamics) > 1e-4f, $"the dynamics loss is {dynamics}");
        Assert.Equal(0.9f * dynamics, mix["loss/policy_dynamics"], 1e-4f * Math.Abs(dynamics));
        float reinforce = rf["loss/policy"] - dyn["loss/policy"];
        Assert.True(Math.Abs(reinforce) > 1e-4f, $"REINFORCE adds {reinforce}");
        Assert.Equal(0.1f * reinforce, mix["loss/policy"] - dyn["loss/policy"], 1e-3f * Math.Abs(reinforce) + 1e-6f);
        float scale = gDyn.Concat(gRf).Max(Math.Abs);
        Assert.True(scale > 0f && gDyn.Zip(gRf).Any(p => Math.Abs(p.First - p.Second) > 1e-3f * scale), "the two estimators' gradients differ");
        for (int i = 0; i < gMix.Length; i++)
            Assert.True(Math.Abs(gMix[i] - (0.9f * gDyn[i] + 0.1f * gRf[i])) <= 1e-3f * scale, $"actor gradient {i}: {gMix[i]} vs {0.9f * gDyn[i] + 0.1f * gRf[i]}");
    }

    [Fact]
    public void TheStateReportPlotsPredictionsAndTheirErrorPerStep()
    {
        // Hand-checked: 2 sequences × 2 steps × 2 features; step 0 errs by 2 in one feature of each sequence, step 1 by 1.
        float[] pred = [1, 2, 3, 4, 0, 0, 1, 1], truth = [1, 0, 3, 3, 0, 2, 0, 1];
        Assert.Equal([2.0, 0.5], DreamerReport.StepErrors(pred, truth, 2, 2, 2));
        // On a learner: one image with the prediction plot (640 × 400) above the error plot (640 × 240), and the metrics.
        var l = new DreamerLearner(Tiny, new ObsLayout(3, 0, 0, 0), 2, discrete: false, seed: 3);
        var r = DreamerReport.OpenLoop(l, RandomBatch(2, 8, 3, 2, 4), new ObsLayout(3, 0, 0, 0));
        var v = Assert.Single(r.Videos);
        Assert.Equal(("openloop_state", 640, 640, 1), (v.Name, v.Height, v.Width, v.Frames.Count));
        Assert.Equal(640 * 640 * 3, v.Frames[0].Length);
        Assert.True(r.Metrics["openloop/state_mse_open"] >= 0 && r.Metrics.ContainsKey("openloop/state_mse_context"));
    }

    [Fact]
    public void DynamicsBackpropagationTrainsOnlyTheActor()
    {
        // Every loss but the policy's is scaled to 0: with Adam, parameters without gradient stay put.
        var c = V1(Tiny) with { LossScales = new LossScalesConfig { Rec = 0, Rew = 0, Con = 0, Dyn = 0, Rep = 0, Value = 0, Repval = 0, Policy = 1 } };
        var l = new DreamerLearner(c, new ObsLayout(3, 0, 0, 0), 2, discrete: false, seed: 2);
        var wm = Flat(l.Wm.StateDict()); var critic = Flat(l.Ac.Critic.StateDict()); var actor = Flat(l.Ac.Actor.StateDict());
        l.Train(RandomBatch(2, 6, 3, 2, 5));
        Assert.Equal(wm, Flat(l.Wm.StateDict()));
        Assert.Equal(critic, Flat(l.Ac.Critic.StateDict()));
        Assert.NotEqual(actor, Flat(l.Ac.Actor.StateDict()));
    }

    [Fact]
    public void GaussianLatentsHaveTheirShapesAndKl()
    {
        var c = V1(Tiny);
        var rssm = new Rssm(c.Rssm, 5, 2, new Rng(0));
        var o = rssm.Observe(Tensor.Randn(new Shape(2, 4, 5), new Rng(1)), Tensor.Zeros(new Shape(2, 4, 2)), Tensor.Zeros(new Shape(2, 4)), rssm.Initial(2), new Rng(2));
        int S = c.Rssm.Stoch;
        Assert.Equal(new Shape(2, 4, S, 1), o.Stoch.Shape);
        Assert.Equal(new Shape(2, 4, S, 2), o.PostLogits.Shape);
        var dyn = rssm.DynLossOf(o.PostLogits, o.PriorLogits);
        Assert.Equal(new Shape(2, 4), dyn.Shape);
        Assert.All(dyn.ToArray(), v => Assert.True(v >= c.Rssm.FreeNats));
        // KL of a distribution with itself is 0, so free bits give exactly the free nats.
        Assert.All(rssm.RepLossOf(o.PostLogits, o.PostLogits).ToArray(), v => Assert.Equal(c.Rssm.FreeNats, v));
    }

    [Fact]
    public void BadConfigValuesAreNamed()
    {
        var bad = Tiny with { Rssm = Tiny.Rssm with { Latent = "gaussian" } };      // classes 4
        var e = Assert.Throws<ArgumentException>(() => new DreamerLearner(bad, new ObsLayout(3, 0, 0, 0), 2, false, 0));
        Assert.Contains("rssm.classes", e.Message);
        e = Assert.Throws<ArgumentException>(() => new DreamerLearner(Tiny with { Actor = new ActorConfig { Grad = "magic" } }, new ObsLayout(3, 0, 0, 0), 2, false, 0));
        Assert.Contains("actor.grad", e.Message);
        e = Assert.Throws<ArgumentException>(() => new DreamerLearner(Tiny with { RewardHead = "gauss" }, new ObsLayout(3, 0, 0, 0), 2, false, 0));
        Assert.Contains("reward_head", e.Message);
    }

    [Fact]
    public void CheckpointStateRoundTripsAndContinuesIdentically()
    {
        var a = new DreamerLearner(Tiny, new ObsLayout(3, 0, 0, 0), 2, false, 6);
        a.Train(RandomBatch(2, 6, 3, 2, 1));
        var b = new DreamerLearner(Tiny, new ObsLayout(3, 0, 0, 0), 2, false, 99);
        b.LoadState(a.GetState());
        var batch = RandomBatch(2, 6, 3, 2, 2);
        var ma = a.Train(batch); var mb = b.Train(batch);
        Assert.Equal(ma.Where(kv => !kv.Key.StartsWith("time/")), mb.Where(kv => !kv.Key.StartsWith("time/")));
        Assert.Equal(Flat(a.SlowCritic.StateDict()), Flat(b.SlowCritic.StateDict()));
    }

    [Fact]
    public void TheActorLearnsTheBestActionInImagination()
    {
        // A one-state task (the debug preset's 5 two-hot bins cannot resolve rewards this small, so 255 here): the reward on arriving at step t is −(a_{t−1} − 0.5)², so the best action is 0.5.
        // The data come from uniformly random actions; the actor learns only from imagined rollouts of the world model.
        var c = Tiny with
        {
            Units = 32, Rssm = Tiny.Rssm with { Deter = 32, Hidden = 16, Stoch = 4, Classes = 4 },
            Opt = new OptConfig { Warmup = 0, Lr = 3e-3, ActorLr = 3e-3, CriticLr = 3e-3 }, ImagLength = 5, Bins = 255,
        };
        var l = new DreamerLearner(c, new ObsLayout(1, 0, 0, 0), 1, discrete: false, seed: 11);
        var rng = new Rng(12);
        int B = 8, T = 16;
        float firstRew = 0, lastRew = 0;
        for (int u = 0; u < 500; u++)
        {
            var act = Tensor.Uniform(new Shape(B, T, 1), rng, -1f, 1f);
            var rew = Tensor.Zeros(new Shape(B, T));
            var a = act.ReadOnlySpan; var r = rew.Span;
            for (int b = 0; b < B; b++)
                for (int t = 1; t < T; t++) { float d = a[b * T + t - 1] - 0.5f; r[b * T + t] = -d * d; }
            var first = Tensor.Zeros(new Shape(B, T));
            for (int b = 0; b < B; b++) first.Span[b * T] = 1f;
            var m = l.Train(new DreamerBatch(new ObsTensors(Tensor.Zeros(new Shape(B * T, 1)), null), act, rew, first,
                Tensor.Zeros(new Shape(B, T)), Tensor.Zeros(new Shape(B, T))));
            if (u < 10) firstRew += m["loss/rew"] / 10; else if (u >= 490) lastRew += m["loss/rew"] / 10;
        }
        Assert.True(lastRew < firstRew * 0.7f, $"reward loss {firstRew} → {lastRew}");
        // The actor's mean action at the (only) state: far better than random's expected −0.583.
        using var _ = Tensor.NoGrad();
        var s = l.Wm.Dynamics.ObserveStep(l.Wm.Dynamics.Initial(1), Tensor.Zeros(new Shape(1, 1)), l.Wm.Encoder.Forward(new ObsTensors(Tensor.Zeros(new Shape(1, 1)), null)),
            Tensor.Ones(new Shape(1)), new Rng(0)).State;
        float mean = l.Ac.Policy(l.Wm.Features(s)).Mode().ToArray()[0];
        float expected = -(mean - 0.5f) * (mean - 0.5f);
        Assert.True(expected > -0.1f, $"actor's action {mean} earns {expected} (random: -0.583)");
    }

    // configs/dreamer.yaml's dreamerv1 / dreamerv2 preset applied on top of c (the shipped presets, not copies of them).
    private static DreamerConfig V1(DreamerConfig c) => Preset(c, "dreamerv1");
    private static DreamerConfig V2(DreamerConfig c) => Preset(c, "dreamerv2");

    private static DreamerConfig Preset(DreamerConfig c, string name) =>
        new ConfigSet().Add("agent", c).Resolve(PresetLibrary.Load([RepoPaths.Of("configs", "dreamer.yaml")]), [name], []).Get<DreamerConfig>("agent");
}

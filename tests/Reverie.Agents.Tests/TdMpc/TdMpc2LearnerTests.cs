// TdMpc2LearnerTests: TD targets and ρ-weighting by hand, what one update changes (losses fall, Q weights frozen in the policy loss,
// encoder lr scale, Polyak targets), metrics, shape errors and a bit-exact state round trip.
using Reverie.Agents.TdMpc;
using Reverie.Tensors;

namespace Reverie.Agents.Tests.TdMpc;

public class TdMpc2LearnerTests
{
    private static readonly TdMpc2Config Small = TdMpc2Config.Debug with { MlpDim = 32, LatentDim = 16 };

    private static (Tensor Obs, Tensor Action, Tensor Reward, Tensor Terminated) Batch(int H, int B, int D, int A, ulong seed = 1)
    {
        var rng = new Rng(seed);
        return (Tensor.Randn(new Shape(H + 1, B, D), rng), Tensor.Uniform(new Shape(H, B, A), rng, -1, 1),
            Tensor.Uniform(new Shape(H, B), rng, 0, 1), Tensor.Zeros(new Shape(H, B)));
    }

    [Fact]
    public void Td_targets_bootstrap_unless_terminated()
    {
        var r = Tensor.FromArray([1f, 2f, 3f, 4f], new Shape(2, 2));
        var term = Tensor.FromArray([0f, 1f, 0f, 0f], new Shape(2, 2));
        var q = Tensor.FromArray([10f, 10f, -5f, 0.5f], new Shape(2, 2));
        Assert.Equal([1f + 0.9f * 10f, 2f, 3f - 0.9f * 5f, 4f + 0.45f], TdMpc2Learner.TdTargets(r, term, Tensor.Scalar(0.9f), q).ToArray());
        // A discount per row (multi-task): row b uses γ_b.
        Assert.Equal([1f + 5f, 2f, 3f - 2.5f, 4f + 0.05f], TdMpc2Learner.TdTargets(r, term, Tensor.FromArray(0.5f, 0.1f), q).ToArray());
        // Σ_t ρ^t mean_B(x_t)
        Assert.Equal((1f + 2f) / 2 + 0.5f * (3f + 4f) / 2, TdMpc2Learner.RhoWeighted(r, 0.5f).Item(), 6);
    }

    [Fact]
    public void The_first_update_targets_the_reward_because_q_heads_start_at_zero()
    {
        var l = new TdMpc2Learner(Small, 5, 2, 1, [0.99f]);
        var (obs, act, rew, term) = Batch(Small.Horizon, 16, 5, 2);
        var m = l.Update(obs, act, rew, term);
        Assert.Equal(rew.Mean().Item(), m["train/td_target"], 5);
        foreach (var k in new[] { "loss/consistency", "loss/reward", "loss/value", "loss/total", "train/grad_norm", "loss/pi", "train/pi_grad_norm",
            "train/pi_entropy", "train/pi_scaled_entropy", "train/pi_scale" })
            Assert.True(m.ContainsKey(k), k);
        Assert.False(m.ContainsKey("loss/termination"));
        Assert.Equal(1, l.Updates);
        var episodic = new TdMpc2Learner(Small with { Episodic = true }, 5, 2, 1, [0.99f]);
        Assert.True(episodic.Update(obs, act, rew, term).ContainsKey("loss/termination"));
    }

    [Fact]
    public void Repeated_updates_on_one_batch_lower_the_model_losses()
    {
        var l = new TdMpc2Learner(Small with { Lr = 1e-3 }, 5, 2, 2, [0.9f]);
        var (obs, act, rew, term) = Batch(Small.Horizon, 32, 5, 2);
        var first = l.Update(obs, act, rew, term);
        Dictionary<string, float> last = first;
        for (int i = 0; i < 60; i++) last = l.Update(obs, act, rew, term);
        Assert.True(last["loss/reward"] < 0.5f * first["loss/reward"], $"reward loss {first["loss/reward"]} → {last["loss/reward"]}");
        Assert.True(last["loss/total"] < first["loss/total"], $"total {first["loss/total"]} → {last["loss/total"]}");
        Assert.All(last.Values, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void The_policy_loss_leaves_q_weights_alone_and_the_encoder_learns_at_a_third()
    {
        var l = new TdMpc2Learner(Small with { Lr = 1e-3, EncLrScale = 0.3 }, 5, 2, 3, [0.9f]);
        var (obs, act, rew, term) = Batch(Small.Horizon, 16, 5, 2);
        var before = l.Model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
        l.Update(obs, act, rew, term);
        // Gradients were zeroed after the model step; the policy's backward pass adds nothing to the Q weights.
        Assert.All(l.Model.Qs.Parameters(), p => Assert.All(p.Grad?.ToArray() ?? [], g => Assert.Equal(0f, g)));
        Assert.All(l.Model.Qs.Parameters(), p => Assert.True(p.RequiresGrad));
        // Adam's first step moves each weight by about lr·sign(g): 1e-3 for the model, 3e-4 for the encoder.
        float MaxMove(string prefix) => l.Model.StateDict().Where(kv => kv.Key.StartsWith(prefix) && kv.Key.EndsWith("weight"))
            .Max(kv => kv.Value.ToArray().Zip(before[kv.Key]).Max(p => Math.Abs(p.First - p.Second)));
        Assert.Equal(1e-3f, MaxMove("dynamics."), 1e-4f);
        Assert.Equal(3e-4f, MaxMove("encoder."), 3e-5f);
        Assert.InRange(MaxMove("pi."), 3e-4f, 1.0001e-3f);                  // eps 1e-5: small policy gradients move less
        // Targets moved toward the Qs by tau only.
        float tau = Small.Tau;
        foreach (var (k, t) in l.Model.StateDict().Where(kv => kv.Key.StartsWith("target_qs.")))
        {
            var q = l.Model.StateDict()["qs." + k["target_qs.".Length..]].ToArray();
            var b = before[k];
            var now = t.ToArray();
            for (int i = 0; i < now.Length; i++) Assert.Equal((1 - tau) * b[i] + tau * q[i], now[i], 6);
        }
    }

    [Fact]
    public void Shapes_that_do_not_fit_are_refused()
    {
        var l = new TdMpc2Learner(Small, 5, 2, 4, [0.9f]);
        var (obs, act, rew, term) = Batch(Small.Horizon, 8, 5, 2);
        var e = Assert.Throws<ArgumentException>(() => l.Update(obs.Narrow(0, 0, 2), act, rew, term));
        Assert.Contains("(2, 8, 5)", e.Message);
        Assert.Contains("(4, B, 5)", e.Message);
        Assert.Throws<ArgumentException>(() => l.Update(obs, act, rew, Tensor.Zeros(new Shape(3, 7))));
        Assert.Throws<ArgumentException>(() => l.Act(new float[4], new PlanState(3, 2), true, new float[2]));
        Assert.Throws<ArgumentException>(() => new TdMpc2Learner(Small, 5, 2, 4, []));
        Assert.Throws<ArgumentException>(() => new TdMpc2Learner(Small, 5, 2, 4, [1.5f]));
    }

    [Fact]
    public void State_round_trip_continues_bit_for_bit()
    {
        var cfg = Small with { Dropout = 0.1f };
        var a = new TdMpc2Learner(cfg, 5, 2, 5, [0.95f]);
        var (obs, act, rew, term) = Batch(cfg.Horizon, 8, 5, 2);
        for (int i = 0; i < 3; i++) a.Update(obs, act, rew, term);
        var s = a.GetState();
        var b = new TdMpc2Learner(cfg, 5, 2, 99, [0.95f]);
        b.LoadState(s);
        Assert.Equal(a.Updates, b.Updates);
        Assert.Equal(a.Scale.Value, b.Scale.Value);
        Assert.Equal(a.Update(obs, act, rew, term), b.Update(obs, act, rew, term));
        var xa = new float[2]; var xb = new float[2];
        a.Act([0.1f, 0.2f, 0.3f, 0.4f, 0.5f], new PlanState(cfg.Horizon, 2), false, xa);
        b.Act([0.1f, 0.2f, 0.3f, 0.4f, 0.5f], new PlanState(cfg.Horizon, 2), false, xb);
        Assert.Equal(xa, xb);
        Assert.Throws<ArgumentException>(() => new TdMpc2Learner(cfg with { MlpDim = 8 }, 5, 2, 5, [0.95f]).LoadState(s));
    }

    [Fact]
    public void Without_mpc_the_policy_prior_acts_and_evaluates_on_its_mean()
    {
        var l = new TdMpc2Learner(Small with { Mpc = false }, 5, 2, 6, [0.9f]);
        var a1 = new float[2]; var a2 = new float[2];
        l.Act([1, 2, 3, 4, 5], new PlanState(3, 2), true, a1);
        l.Act([1, 2, 3, 4, 5], new PlanState(3, 2), true, a2);
        Assert.Equal(a1, a2);                                               // the mean: deterministic
        Assert.All(a1, v => Assert.InRange(v, -1f, 1f));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void The_tdmpc_preset_trains_with_mse_heads_and_plain_latents(int numBins)
    {
        var cfg = TdMpc2Config.TdMpc with { NumBins = numBins, MlpDim = 32, EncDim = 32, NumSamples = 32, NumElites = 4, NumPiTrajs = 4 };
        var l = new TdMpc2Learner(cfg, 5, 2, 7, [0.99f]);
        Assert.Equal(1, l.Model.Head.OutputSize);
        var (obs, act, rew, term) = Batch(cfg.Horizon, 8, 5, 2);
        var z = l.Model.Encode(obs.Narrow(0, 0, 1).Reshape(8, 5)).ToArray();
        Assert.Contains(z, v => v < 0f);                                     // no SimNorm: latents are not probabilities
        var first = l.Update(obs, act, rew, term);
        Dictionary<string, float> last = first;
        for (int i = 0; i < 20; i++) last = l.Update(obs, act, rew, term);
        Assert.All(last.Values, v => Assert.True(float.IsFinite(v)));
        Assert.True(last["loss/reward"] < first["loss/reward"], $"reward loss {first["loss/reward"]} → {last["loss/reward"]}");
        var a = new float[2];
        l.Act([0.1f, 0.2f, 0.3f, 0.4f, 0.5f], new PlanState(cfg.Horizon, 2), true, a);
        Assert.All(a, v => Assert.InRange(v, -1f, 1f));
    }
}

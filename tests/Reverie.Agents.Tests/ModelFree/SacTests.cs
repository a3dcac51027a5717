// SacTests: the tanh-Gaussian log-prob correction, the log-std bounds, Polyak targets, the temperature's update direction, state round trips.
using Reverie.Agents.ModelFree;
using Reverie.Envs;
using Reverie.Tensors;
using Reverie.Tensors.Dist;
using Reverie.Tensors.Optim;

namespace Reverie.Agents.Tests.ModelFree;

public class SacTests
{
    private static SacConfig Tiny => new() { Hidden = [16, 16], BatchSize = 8, LearningStarts = 0, BufferSize = 100 };

    private static SacLearner Filled(SacConfig cfg, ulong seed = 1, int n = 50)
    {
        var l = new SacLearner(cfg, 3, new BoxSpace(-1, 1, 2), seed);
        var rng = new Rng(9);
        var o = new float[3]; var next = new float[3]; var a = new float[2];
        for (int i = 0; i < n; i++)
        {
            rng.FillNormal(o); rng.FillNormal(next); rng.FillUniform(a, -1, 1);
            l.Observe(o, a, [rng.NextFloat()], [i % 7 == 6], next);
        }
        return l;
    }

    // CleanRL: log π(a) = Σ [log N(u; μ, σ) − log(1 − tanh²u + 1e-6)]; ours uses the exact stable form of log(1 − tanh²u).
    [Fact]
    public void Tanh_gaussian_log_prob_has_the_change_of_variables_correction()
    {
        float[] mu = [0.3f, -1.2f, 0.05f, 2f], sd = [0.5f, 1.5f, 0.1f, 0.8f], u = [0.9f, -2.5f, 0.02f, 1.7f];
        var dist = new TanhNormal(Tensor.FromArray(mu, new Shape(2, 2)), Tensor.FromArray(sd, new Shape(2, 2)));
        var lp = dist.LogProbOfPreTanh(Tensor.FromArray(u, new Shape(2, 2))).ToArray();
        for (int row = 0; row < 2; row++)
        {
            double expected = 0;
            for (int j = 0; j < 2; j++)
            {
                int i = row * 2 + j;
                double z = (u[i] - mu[i]) / sd[i];
                double logN = -0.5 * z * z - Math.Log(sd[i]) - 0.5 * Math.Log(2 * Math.PI);
                double t = Math.Tanh(u[i]);
                expected += logN - Math.Log(1 - t * t);
            }
            Assert.Equal(expected, lp[row], 4);
        }
    }

    [Fact]
    public void Actor_log_std_stays_within_its_bounds()
    {
        var actor = new SacActor(3, 2, [8], -5f, 2f, new Rng(1));
        var x = Tensor.FromArray([1e4f, -1e4f, 3f, -1e4f, 1e4f, -3f, 0f, 0f, 0f], new Shape(3, 3));
        var (_, logStd) = actor.Forward(x);
        Assert.All(logStd.ToArray(), v => Assert.InRange(v, -5f, 2f));
    }

    [Fact]
    public void Targets_move_toward_the_critics_by_tau()
    {
        var l = Filled(Tiny with { Tau = 0.1f });
        var q1Before = l.Q1.Parameters().Select(p => p.ToArray()).ToList();
        var targetBefore = l.Q1Target.Parameters().Select(p => p.ToArray()).ToList();
        for (int k = 0; k < q1Before.Count; k++) Assert.Equal(q1Before[k], targetBefore[k]);   // targets start as copies
        l.Update();
        var q1After = l.Q1.Parameters().Select(p => p.ToArray()).ToList();
        var targetAfter = l.Q1Target.Parameters().Select(p => p.ToArray()).ToList();
        bool moved = false;
        for (int k = 0; k < q1After.Count; k++)
            for (int i = 0; i < q1After[k].Length; i++)
            {
                Assert.Equal(0.9f * targetBefore[k][i] + 0.1f * q1After[k][i], targetAfter[k][i], 6);
                moved |= q1After[k][i] != q1Before[k][i];
            }
        Assert.True(moved, "the critic update changed nothing");
    }

    [Fact]
    public void Polyak_with_target_frequency_skips_in_between_updates()
    {
        var l = Filled(Tiny with { TargetNetworkFrequency = 2 });
        var before = l.Q2Target.Parameters().Select(p => p.ToArray()).ToList();
        l.Update();                                                  // update 1: no target move
        Assert.Equal(before, l.Q2Target.Parameters().Select(p => p.ToArray()).ToList());
        l.Update();                                                  // update 2: moves
        Assert.NotEqual(before, l.Q2Target.Parameters().Select(p => p.ToArray()).ToList());
    }

    // ∂/∂log α of mean(−α·(log π + target)) is −α·(log π + target) (α = 1 at log α = 0). log π + target > 0 means the
    // entropy (≈ −log π) is below the target, so α must rise; below 0, α must fall.
    [Theory]
    [InlineData(0.5f, true)]
    [InlineData(-3f, false)]
    public void Temperature_rises_when_entropy_is_below_target(float logPi, bool rises)
    {
        const float target = -0.2f;
        var logAlpha = Tensor.Parameter(new Shape(1));
        var loss = SacLearner.AlphaLoss(logAlpha, Tensor.FromArray(logPi, logPi), target);
        loss.Backward();
        Assert.Equal(-(logPi + target), logAlpha.Grad!.Span[0], 6);
        var opt = new Adam([logAlpha], lr: 0.01);
        opt.Step();
        Assert.Equal(rises, logAlpha.Span[0] > 0);
    }

    [Fact]
    public void Autotuned_alpha_moves_and_stays_positive_through_updates()
    {
        var l = Filled(Tiny with { PolicyFrequency = 1 });
        float a0 = l.Alpha;
        Dictionary<string, float> m = [];
        for (int i = 0; i < 5; i++) m = l.Update();
        Assert.NotEqual(a0, l.Alpha);
        Assert.True(l.Alpha > 0);
        foreach (var key in new[] { "loss/qf1", "loss/qf2", "loss/qf", "loss/actor", "loss/alpha", "train/alpha", "train/entropy", "train/qf1_values", "train/qf2_values" })
            Assert.True(float.IsFinite(m[key]), key);
    }

    [Fact]
    public void Warmup_actions_are_uniform_in_the_bounds_then_the_policy_acts()
    {
        var l = new SacLearner(Tiny with { LearningStarts = 10 }, 3, new BoxSpace([-2f, 0f], [2f, 1f]), 1);
        var obs = new float[3]; var a = new float[2];
        for (int i = 0; i < 200; i++)
        {
            l.Act(obs, a, explore: true);
            Assert.InRange(a[0], -2f, 2f);
            Assert.InRange(a[1], 0f, 1f);
        }
        Assert.False(l.ShouldUpdate);
        for (int i = 0; i < 11; i++) l.Observe(obs, a, [0f], [false], obs);
        Assert.True(l.ShouldUpdate);
        l.Act(obs, a, explore: false);
        l.Act(obs, new float[2], explore: false);
        Assert.InRange(a[0], -2f, 2f);
        Assert.InRange(a[1], 0f, 1f);
    }

    [Fact]
    public void State_round_trip_continues_identically()
    {
        var a = Filled(Tiny);
        a.Update(); a.Update();
        var b = Filled(Tiny, seed: 77);                              // different weights and generator
        b.LoadState(a.GetState());
        var ma = a.Update();
        var mb = b.Update();                                         // same replay contents (Filled), same rng state
        Assert.Equal(ma["loss/qf"], mb["loss/qf"]);
        Assert.Equal(a.Actor.Parameters().Select(p => p.ToArray()), b.Actor.Parameters().Select(p => p.ToArray()));
        Assert.Equal(a.Alpha, b.Alpha);
    }

    [Fact]
    public void Discrete_action_space_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new SacLearner(Tiny, 4, new DiscreteSpace(2), 1));
        Assert.Contains("Box", e.Message);
    }
}

// WorldModelTests: shapes of every TD-MPC2 head, its parameter count against PyTorch's, the policy prior's math, Q draws, targets, task inputs and errors.
using Reverie.Agents.TdMpc;
using Reverie.Tensors;

namespace Reverie.Agents.Tests.TdMpc;

public class WorldModelTests
{
    private static readonly TdMpc2Config Small = TdMpc2Config.Debug;

    [Fact]
    public void Model_size_5_has_exactly_the_parameters_of_the_pytorch_reference()
    {
        // ../shared/peers/bench_tdmpc2.py (obs 24, actions 6, size 5) reports params 4960618 and target_q_params 2911225.
        var m = new WorldModel(TdMpc2Config.Size5, 24, 6, new Rng(0));
        Assert.Equal(4_960_618, m.Parameters().Where(p => p.RequiresGrad).Sum(p => (long)p.Size));
        Assert.Equal(2_911_225, m.TargetQs.ParameterCount);
        Assert.All(m.TargetQs.Parameters(), p => Assert.False(p.RequiresGrad));
    }

    [Fact]
    public void Heads_map_batches_and_time_major_batches()
    {
        var m = new WorldModel(Small, 5, 2, new Rng(1));
        var rng = new Rng(2);
        foreach (var lead in new[] { new Shape(7), new Shape(3, 7) })
        {
            var obs = Tensor.Randn(lead.Insert(lead.Rank, 5), rng);
            var a = Tensor.Uniform(lead.Insert(lead.Rank, 2), rng, -1, 1);
            var z = m.Encode(obs);
            Assert.Equal(lead.Insert(lead.Rank, 16), z.Shape);
            Assert.Equal(z.Shape, m.Next(z, a).Shape);
            Assert.Equal(lead.Insert(lead.Rank, 11), m.Reward(z, a).Shape);
            var all = m.QAll(z, a);
            Assert.Equal(2, all.Length);
            Assert.All(all, q => Assert.Equal(lead.Insert(lead.Rank, 11), q.Shape));
            Assert.Equal(lead, m.Q(z, a, QMode.Min, rng).Shape);
            var pi = m.Pi(z, rng);
            Assert.Equal(a.Shape, pi.Action.Shape);
            Assert.Equal(lead, pi.Entropy.Shape);
            Assert.Equal(lead, pi.ScaledEntropy.Shape);
            // SimNorm latents: every group of 8 sums to 1.
            var zs = z.ToArray();
            for (int g = 0; g < zs.Length / 8; g++) Assert.Equal(1f, zs.AsSpan(g * 8, 8).ToArray().Sum(), 4);
        }
    }

    [Fact]
    public void Reward_and_q_start_at_zero_and_targets_start_equal()
    {
        var m = new WorldModel(TdMpc2Config.Debug, 4, 3, new Rng(4));
        var rng = new Rng(5);
        var z = m.Encode(Tensor.Randn(new Shape(6, 4), rng));
        var a = Tensor.Uniform(new Shape(6, 3), rng, -1, 1);
        Assert.All(m.Head.Decode(m.Reward(z, a)).ToArray(), v => Assert.Equal(0f, v));            // zero output weights
        Assert.All(m.Q(z, a, QMode.Avg, rng).ToArray(), v => Assert.Equal(0f, v));
        for (int k = 0; k < m.NumQ; k++)
        {
            var q = m.Qs[k].Parameters().Select(p => p.ToArray()).ToList();
            var t = m.TargetQs[k].Parameters().Select(p => p.ToArray()).ToList();
            for (int i = 0; i < q.Count; i++) Assert.Equal(q[i], t[i]);
        }
    }

    // TD-MPC2's pi: a = tanh(mean + σε), log π = Σ(−½ε² − log σ − ½ log 2π) − Σ log(relu(1 − a²) + 1e-6),
    // scaled entropy = −log π · (A·gauss) / (log π + 1e-8).
    [Fact]
    public void Policy_prior_follows_the_reference_formulas()
    {
        var m = new WorldModel(Small with { LogStdMin = -3f, LogStdMax = 1f }, 4, 3, new Rng(6));
        var z = m.Encode(Tensor.Randn(new Shape(5, 4), new Rng(7)));
        var pi = m.Pi(z, new Rng(8));
        var eps = Tensor.Randn(new Shape(5, 3), new Rng(8)).ToArray();   // the same draw
        var a = pi.Action.ToArray(); var ls = pi.LogStd.ToArray(); var mean = pi.Mean.ToArray();
        Assert.All(ls, v => Assert.InRange(v, -3f, 1f));
        for (int r = 0; r < 5; r++)
        {
            double gauss = 0, squash = 0;
            for (int j = 0; j < 3; j++)
            {
                int i = r * 3 + j;
                double u = Math.Atanh(mean[i]) + eps[i] * Math.Exp(ls[i]);
                Assert.Equal(Math.Tanh(u), a[i], 5);
                gauss += -0.5 * eps[i] * eps[i] - ls[i] - 0.9189385175704956;
                squash += Math.Log(Math.Max(1 - a[i] * a[i], 0) + 1e-6);
            }
            double logPi = gauss - squash;
            Assert.Equal(-logPi, pi.Entropy.ToArray()[r], 3);
            Assert.Equal(-logPi * (3 * gauss) / (logPi + 1e-8), pi.ScaledEntropy.ToArray()[r], 3);
        }
    }

    [Fact]
    public void Q_draws_two_distinct_members_and_min_is_below_avg()
    {
        var rng = new Rng(9);
        var seen = new HashSet<(int, int)>();
        for (int i = 0; i < 400; i++)
        {
            var (a, b) = WorldModel.DrawPair(5, rng);
            Assert.NotEqual(a, b);
            Assert.InRange(a, 0, 4); Assert.InRange(b, 0, 4);
            seen.Add((a, b));
        }
        Assert.Equal(20, seen.Count);                                        // every ordered pair occurs
        var m = new WorldModel(Small with { NumQ = 4 }, 4, 2, new Rng(10));
        foreach (var p in m.Qs.Parameters()) Init(p, rng);                 // make the members differ
        var z = m.Encode(Tensor.Randn(new Shape(8, 4), rng));
        var act = Tensor.Uniform(new Shape(8, 2), rng, -1, 1);
        var min = m.Q(z, act, QMode.Min, new Rng(11)).ToArray();
        var avg = m.Q(z, act, QMode.Avg, new Rng(11)).ToArray();             // same pair
        for (int i = 0; i < 8; i++) Assert.True(min[i] <= avg[i] + 1e-6f);
        var (k1, k2) = WorldModel.DrawPair(4, new Rng(11));
        var all = m.QAll(z, act).Select(m.Head.Decode).Select(t => t.ToArray()).ToArray();
        for (int i = 0; i < 8; i++) Assert.Equal(Math.Min(all[k1][i], all[k2][i]), min[i], 5);
    }

    private static void Init(Tensor p, Rng rng)
    {
        var s = p.Span;
        for (int i = 0; i < s.Length; i++) s[i] += 0.1f * rng.Normal();
    }

    [Fact]
    public void Soft_update_moves_targets_by_tau()
    {
        var m = new WorldModel(Small, 4, 2, new Rng(12));
        var rng = new Rng(13);
        foreach (var p in m.Qs.Parameters()) Init(p, rng);
        var before = m.TargetQs.Parameters().Select(p => p.ToArray()).ToList();
        var source = m.Qs.Parameters().Select(p => p.ToArray()).ToList();
        m.SoftUpdateTargets(0.25f);
        var after = m.TargetQs.Parameters().Select(p => p.ToArray()).ToList();
        for (int k = 0; k < after.Count; k++)
            for (int i = 0; i < after[k].Length; i++) Assert.Equal(0.75f * before[k][i] + 0.25f * source[k][i], after[k][i], 6);
    }

    [Fact]
    public void Dropout_acts_on_the_qs_in_training_mode_only()
    {
        var m = new WorldModel(Small with { Dropout = 0.5f }, 4, 2, new Rng(14));
        var rng = new Rng(15);
        foreach (var p in m.Qs.Parameters()) Init(p, rng);
        var z = m.Encode(Tensor.Randn(new Shape(16, 4), rng));
        var a = Tensor.Uniform(new Shape(16, 2), rng, -1, 1);
        var eval1 = m.QAll(z, a)[0].ToArray();
        Assert.Equal(eval1, m.QAll(z, a)[0].ToArray());                      // evaluation mode: deterministic
        m.SetTraining(true);
        Assert.NotEqual(eval1, m.QAll(z, a)[0].ToArray());
        Assert.Equal(m.QAll(z, a, target: true)[0].ToArray(), m.QAll(z, a, target: true)[0].ToArray());   // targets stay in evaluation mode
        m.SetTraining(false);
    }

    [Fact]
    public void Multi_task_models_append_the_task_embedding_and_mask_actions()
    {
        var m = new WorldModel(Small, 5, 3, new Rng(16), numTasks: 2);
        var rng = new Rng(17);
        var obs = Tensor.Randn(new Shape(4, 5), rng);
        var task = new TaskBatch([0, 1, 1, 0], Tensor.FromArray([1, 1, 0, 1, 0, 0, 1, 0, 0, 1, 1, 0], new Shape(4, 3)));
        Assert.Contains("needs the task of every row", Assert.Throws<ArgumentException>(() => m.Encode(obs)).Message);
        var z = m.Encode(obs, task);
        var pi = m.Pi(z, rng, task);
        var a = pi.Action.ToArray(); var mask = task.Mask.ToArray();
        for (int i = 0; i < a.Length; i++) if (mask[i] == 0) Assert.Equal(0f, a[i]);
        // The time-major form broadcasts the embedding over time.
        var zt = m.Encode(Tensor.Randn(new Shape(2, 4, 5), rng), task);
        Assert.Equal(new Shape(2, 4, 16), zt.Shape);
        Assert.Equal(new Shape(2, 4), m.Q(zt, Tensor.Zeros(new Shape(2, 4, 3)), QMode.Avg, rng, task).Shape);
        Assert.Contains("task id 2", Assert.Throws<ArgumentException>(() => m.Encode(obs, task with { Ids = [0, 2, 1, 0] })).Message);
        Assert.Contains("single-task", Assert.Throws<ArgumentException>(() => new WorldModel(Small, 5, 3, new Rng(1)).Encode(obs, task)).Message);
    }

    [Fact]
    public void Bad_shapes_name_both_shapes()
    {
        var m = new WorldModel(Small, 4, 2, new Rng(18));
        var z = m.Encode(Tensor.Zeros(new Shape(3, 4)));
        Assert.Contains("does not end in 4", Assert.Throws<ArgumentException>(() => m.Encode(Tensor.Zeros(new Shape(3, 5)))).Message);
        var e = Assert.Throws<ArgumentException>(() => m.Next(z, Tensor.Zeros(new Shape(3, 3))));
        Assert.Contains("(3, 16)", e.Message);
        Assert.Contains("(3, 3)", e.Message);
        Assert.Contains("episodic", Assert.Throws<InvalidOperationException>(() => m.Termination(z)).Message);
        Assert.Equal(new Shape(3), new WorldModel(Small with { Episodic = true }, 4, 2, new Rng(1)).Termination(z).Shape);
    }
}

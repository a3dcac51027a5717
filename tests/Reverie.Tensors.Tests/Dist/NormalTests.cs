// Normal, TanhNormal and BoundedNormal: log-probs and entropies against closed forms in double, with gradients.
using Reverie.Tensors.Dist;

namespace Reverie.Tensors.Tests.Dist;

public class NormalTests
{
    private static float Positive(Rng r) => 0.3f + 1.5f * r.NextFloat();

    public static IEnumerable<object[]> Cases() =>
    [
        [new[] { 3, 5 }, 1],
        [new[] { 2, 3, 4 }, 2],
        [new[] { 7 }, 0],
        [new[] { 1, 1, 3 }, 1],
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Normal_log_prob_and_entropy_match_closed_form(int[] dims, int eventRank)
    {
        var s = new Shape(dims);
        int ev = s.Prod(s.Rank - eventRank, s.Rank);
        // Inputs: mean, std, value.
        CheckOp.Run("normal.log_prob", x => new Normal(x[0], x[1].Abs().Add(0.3f), eventRank).LogProb(x[2]),
            x => DistRef.SumGroups(x[0].Select((m, i) => DistRef.NormalLogPdf(x[2][i], m, Math.Abs(x[1][i]) + 0.3)).ToArray(), ev),
            [s, s, s], sample: r => r.Normal());
        CheckOp.Run("normal.entropy", x => new Normal(x[0], x[1], eventRank).Entropy(),
            x => DistRef.SumGroups(x[1].Select(sd => 0.5 + DistRef.HalfLog2Pi + Math.Log(sd)).ToArray(), ev),
            [s, s], sample: Positive, differentiable: [false, true]);
        CheckOp.Run("normal.loss", x => new Normal(x[0], x[1], eventRank).Loss(x[2]),
            x => DistRef.SumGroups(x[0].Select((m, i) => -DistRef.NormalLogPdf(x[2][i], m, x[1][i])).ToArray(), ev),
            [s, s, s], sample: Positive, differentiable: [true, true, false]);
    }

    [Fact]
    public void Normal_with_scalar_std_broadcasts_and_reports_shapes()
    {
        var s = new Shape(4, 3);
        CheckOp.Run("normal.scalar_std", x => new Normal(x[0], x[1]).LogProb(x[2]),
            x => DistRef.SumGroups(x[0].Select((m, i) => DistRef.NormalLogPdf(x[2][i], m, x[1][0])).ToArray(), 3),
            [s, new Shape(), s], sample: Positive);
        var d = new Normal(Tensor.Zeros(s), 2f);
        Assert.Equal(new Shape(4), d.Entropy().Shape);
        CheckOp.AssertClose(3 * (0.5 + DistRef.HalfLog2Pi + Math.Log(2)), d.Entropy().ToArray()[0], 1e-5, 1e-6, "entropy");

        var e = Assert.Throws<ArgumentException>(() => new Normal(Tensor.Zeros(s), Tensor.Ones(new Shape(4))));
        Assert.Contains("(4, 3)", e.Message); Assert.Contains("(4,)", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Normal(Tensor.Zeros(s), 1f, eventRank: 3));
        Assert.Contains("eventRank 3", e.Message);
        e = Assert.Throws<ArgumentException>(() => d.LogProb(Tensor.Zeros(new Shape(3, 4))));
        Assert.Contains("expected (4, 3) but got (3, 4) for 'value'", e.Message);
    }

    private static double TanhLogProbNaive(double u, double m, double sd) =>
        DistRef.NormalLogPdf(u, m, sd) - Math.Log(1 - Math.Tanh(u) * Math.Tanh(u));

    [Fact]
    public void Tanh_normal_log_prob_matches_naive_change_of_variables()
    {
        var s = new Shape(5, 3);
        // Inputs: mean, std, pre-tanh u (moderate, where the naive formula is accurate in double).
        CheckOp.Run("tanh_normal.log_prob_u", x => new TanhNormal(x[0], x[1]).LogProbOfPreTanh(x[2]),
            x => DistRef.SumGroups(x[0].Select((m, i) => TanhLogProbNaive(x[2][i], m, x[1][i])).ToArray(), 3),
            [s, s, s], sample: Positive);
        // The same through the action a = tanh(u) (atanh in float: looser forward tolerance).
        var rng = new Rng(7);
        var mean = Tensor.Randn(s, rng); var std = Tensor.Uniform(s, rng, 0.3f, 1.5f);
        var u = Tensor.Randn(s, rng) * 1.5f;
        var d = new TanhNormal(mean, std);
        var viaA = d.LogProb(u.Tanh()).ToArray();
        var viaU = d.LogProbOfPreTanh(u).ToArray();
        for (int i = 0; i < viaA.Length; i++) CheckOp.AssertClose(viaU[i], viaA[i], 1e-3, 1e-3, $"log_prob via action [{i}]");
    }

    [Fact]
    public void Tanh_normal_is_stable_for_large_pre_tanh_values_and_rejects_values_outside_the_support()
    {
        var d = new TanhNormal(Tensor.FromArray(0f, 0f), Tensor.FromArray(1f, 1f), eventRank: 0);
        var lp = d.LogProbOfPreTanh(Tensor.FromArray(20f, -30f)).ToArray();
        // log(1 − tanh²u) → 2 ln 2 − 2|u| for large |u|: finite where the naive float form gives log(0).
        CheckOp.AssertClose(DistRef.NormalLogPdf(20, 0, 1) - (2 * Math.Log(2) - 40), lp[0], 1e-3, 1e-5, "u=20");
        CheckOp.AssertClose(DistRef.NormalLogPdf(-30, 0, 1) - (2 * Math.Log(2) - 60), lp[1], 1e-3, 1e-5, "u=-30");
        Assert.All(d.LogProb(Tensor.FromArray(1f, -1f)).ToArray(), v => Assert.True(float.IsFinite(v)));
        var e = Assert.Throws<ArgumentException>(() => d.LogProb(Tensor.FromArray(0.5f, 1.5f)));
        Assert.Contains("1.5", e.Message);
        Assert.Throws<NotSupportedException>(() => d.Entropy());
        Assert.Throws<NotSupportedException>(() => d.Mean);
        Assert.Equal([0f, 0f], d.Mode().ToArray());
    }

    [Fact]
    public void Tanh_normal_rsample_with_log_prob_is_consistent_and_differentiable()
    {
        var mean = Tensor.FromArray([0.3f, -0.2f, 0.1f, 0.5f], new Shape(2, 2)); mean.RequiresGrad = true;
        var std = Tensor.FromArray([0.5f, 0.4f, 0.6f, 0.3f], new Shape(2, 2)); std.RequiresGrad = true;
        var d = new TanhNormal(mean, std);
        var (a, lp) = d.RSampleWithLogProb(new Rng(1));
        var lpA = d.LogProb(a.Detach()).ToArray();
        for (int i = 0; i < 2; i++) CheckOp.AssertClose(lpA[i], lp.ToArray()[i], 1e-3, 1e-3, $"log_prob[{i}]");
        Assert.All(a.ToArray(), v => Assert.InRange(v, -1f, 1f));
        (a.Sum() + lp.Sum()).Backward();
        Assert.NotNull(mean.Grad); Assert.NotNull(std.Grad);
        // Same seed, same sample.
        Assert.Equal(a.ToArray(), new TanhNormal(mean, std).RSample(new Rng(1)).ToArray());
    }

    [Fact]
    public void Bounded_normal_maps_raw_outputs_as_dreamerv3()
    {
        var s = new Shape(3, 4);
        CheckOp.Run("bounded_normal.mean", x => new BoundedNormal(x[0], x[1]).Mean,
            x => x[0].Select(Math.Tanh).ToArray(), [s, s], differentiable: [true, false]);
        CheckOp.Run("bounded_normal.std", x => new BoundedNormal(x[0], x[1], 0.1f, 1f).Std,
            x => x[1].Select(v => 0.9 * DistRef.Sigmoid(v + 2) + 0.1).ToArray(), [s, s], differentiable: [false, true]);
        CheckOp.Run("bounded_normal.entropy", x => new BoundedNormal(x[0], x[1]).Entropy(),
            x => DistRef.SumGroups(x[1].Select(v => 0.5 + DistRef.HalfLog2Pi + Math.Log(0.9 * DistRef.Sigmoid(v + 2) + 0.1)).ToArray(), 4),
            [s, s], differentiable: [false, true]);
        var extreme = new BoundedNormal(Tensor.FromArray(50f, -50f), Tensor.FromArray(-100f, 100f));
        var sd = extreme.Std.ToArray();
        CheckOp.AssertClose(0.1, sd[0], 1e-6, 0, "min std"); CheckOp.AssertClose(1.0, sd[1], 1e-6, 0, "max std");
        CheckOp.AssertClose(2 * (0.5 + DistRef.HalfLog2Pi + Math.Log(0.1)), extreme.MinEntropy, 1e-5, 0, "minent");
        CheckOp.AssertClose(2 * (0.5 + DistRef.HalfLog2Pi), extreme.MaxEntropy, 1e-5, 0, "maxent");
        var e = Assert.Throws<ArgumentException>(() => new BoundedNormal(Tensor.Zeros(s), Tensor.Zeros(s), 1f, 0.5f));
        Assert.Contains("minStd", e.Message);
    }
}

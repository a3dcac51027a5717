// Two-hot discrete regression: encoding on hand cases, DreamerV3 and TD-MPC2 grids, decode(encode), loss gradients.
using Reverie.Tensors.Dist;

namespace Reverie.Tensors.Tests.Dist;

public class TwoHotTests
{
    private static readonly Bins Plain = new([-2f, -1f, 0f, 1f, 2f], symlogTargets: false);

    private static float[] Row(Tensor t, int r) => t.ToArray().Skip(r * t.Shape[-1]).Take(t.Shape[-1]).ToArray();

    [Fact]
    public void Encode_hand_cases_on_a_bin_between_bins_beyond_both_ends_and_zero()
    {
        var enc = TwoHot.Encode([0f, 0.25f, -1.5f, 1f, 2f, 5f, -7f, float.PositiveInfinity], Plain);
        Assert.Equal(new Shape(8, 5), enc.Shape);
        Assert.Equal([0f, 0, 1, 0, 0], Row(enc, 0));        // 0: on the middle bin
        Assert.Equal([0f, 0, 0.75f, 0.25f, 0], Row(enc, 1)); // between 0 and 1, nearer 0
        Assert.Equal([0.5f, 0.5f, 0, 0, 0], Row(enc, 2));   // halfway between −2 and −1
        Assert.Equal([0f, 0, 0, 1, 0], Row(enc, 3));        // on a bin
        Assert.Equal([0f, 0, 0, 0, 1], Row(enc, 4));        // on the last bin
        Assert.Equal([0f, 0, 0, 0, 1], Row(enc, 5));        // beyond the top: clipped to the last bin
        Assert.Equal([1f, 0, 0, 0, 0], Row(enc, 6));        // beyond the bottom
        Assert.Equal([0f, 0, 0, 0, 1], Row(enc, 7));

        // With symlog targets: symexp(0.5) lands halfway between the bins 0 and 1 of the symlog grid.
        var g = Bins.SymlogLinear(5, -2f, 2f);
        Assert.Equal([-2f, -1f, 0f, 1f, 2f], g.Values.ToArray());
        var e2 = TwoHot.Encode([Squash.SymExp(0.5f), -Squash.SymExp(2f), 0f], g);
        var r0 = Row(e2, 0);
        CheckOp.AssertClose(0.5, r0[2], 1e-6, 0, "below"); CheckOp.AssertClose(0.5, r0[3], 1e-6, 0, "above");
        Assert.Equal(1f, Row(e2, 1)[0], 5);
        Assert.Equal([0f, 0, 1, 0, 0], Row(e2, 2));

        var e = Assert.Throws<ArgumentException>(() => TwoHot.Encode([1f, float.NaN], Plain));
        Assert.Contains("NaN", e.Message);
    }

    [Fact]
    public void Encode_matches_dreamerv3_rule_and_tdmpc2_on_its_grid()
    {
        var rng = new Rng(17);
        var targets = Enumerable.Range(0, 200).Select(i => i < 5 ? new[] { 0f, 1e6f, -1e6f, 1f, -1f }[i] : rng.Normal() * 400f).ToArray();

        var td = Bins.TdMpc2();
        Assert.Equal(101, td.Count);
        var enc = TwoHot.Encode(targets, td).ToArray();
        for (int r = 0; r < targets.Length; r++)
        {
            var expected = DistRef.TdMpc2TwoHot(targets[r], 101, -10, 10);
            for (int k = 0; k < 101; k++) CheckOp.AssertClose(expected[k], enc[r * 101 + k], 2e-5, 0, $"tdmpc2 target {targets[r]} bin {k}");
        }

        var dv3 = Bins.SymexpTwoHot();
        var b = dv3.Values.ToArray().Select(v => (double)v).ToArray();
        var enc3 = TwoHot.Encode(targets, dv3).ToArray();
        for (int r = 0; r < targets.Length; r++)
        {
            var expected = DistRef.TwoHotRow(targets[r], b);
            for (int k = 0; k < 255; k++) CheckOp.AssertClose(expected[k], enc3[r * 255 + k], 1e-6, 0, $"dreamerv3 target {targets[r]} bin {k}");
        }
    }

    [Fact]
    public void Dreamerv3_bins_are_symexp_of_a_symmetric_linspace()
    {
        var b = Bins.SymexpTwoHot(255, -20f, 20f);
        Assert.False(b.SymlogTargets);
        var v = b.Values.ToArray();
        Assert.Equal(255, v.Length);
        Assert.Equal(0f, v[127]);
        for (int i = 0; i < 255; i++)
        {
            Assert.Equal(-v[254 - i], v[i]);
            CheckOp.AssertClose(DistRef.Symexp(-20 + 40.0 * i / 254), v[i], 0, 1e-5, $"bin {i}");
        }
        var e = Assert.Throws<ArgumentException>(() => new Bins([0f, 1f, 1f], false));
        Assert.Contains("strictly increasing", e.Message);
    }

    [Fact]
    public void Decode_of_encode_round_trips()
    {
        var all = new[] { 0f, 0.3f, -0.7f, 1f, 12.5f, -250f, 3e4f, -1e6f };
        foreach (var bins in new[] { Bins.SymexpTwoHot(), Bins.TdMpc2(), Bins.SymlogLinear(255, -20, 20) })
        {
            // Targets inside the grid (TD-MPC2's reaches symexp(10) ≈ 22025).
            float top = bins.SymlogTargets ? Squash.SymExp(bins.Values[^1]) : bins.Values[^1];
            var targets = all.Where(t => MathF.Abs(t) < top).ToArray();
            var logits = TwoHot.Encode(targets, bins).Log();            // zero weights become −∞ logits
            var back = TwoHot.Decode(logits, bins).ToArray();
            for (int i = 0; i < targets.Length; i++)
                CheckOp.AssertClose(targets[i], back[i], 1e-6, 2e-5, $"decode(encode({targets[i]})) on {bins.Count} bins");
        }
        // Beyond the grid the prediction saturates at the end bin.
        var td = Bins.TdMpc2();
        var sat = TwoHot.Decode(TwoHot.Encode([1e9f], td).Log(), td).ToArray()[0];
        CheckOp.AssertClose(DistRef.Symexp(10), sat, 0, 1e-5, "saturated");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Decode_and_loss_gradients(bool symlog)
    {
        var bins = symlog ? Bins.SymlogLinear(11, -3f, 3f) : new Bins(Enumerable.Range(0, 11).Select(i => i * 0.5f - 2.5f).ToArray(), false);
        var b = bins.Values.ToArray().Select(v => (double)v).ToArray();
        var s = new Shape(2, 3, 11);
        var targets = new[] { 0f, 0.3f, -1.2f, 7f, -40f, 2.5f };
        var tt = Tensor.FromArray(targets, new Shape(2, 3));
        Func<double, double> fwd = symlog ? DistRef.Symlog : x => x;
        Func<double, double> bwd = symlog ? DistRef.Symexp : x => x;

        CheckOp.Run("two_hot.decode", x => TwoHot.Decode(x[0], bins),
            x => Enumerable.Range(0, 6).Select(r => bwd(DistRef.LogSoftmaxRow(x[0], r, 11).Select((l, k) => Math.Exp(l) * b[k]).Sum())).ToArray(), [s]);
        CheckOp.Run("two_hot.loss", x => new TwoHotDist(x[0], bins).Loss(tt),
            x => Enumerable.Range(0, 6).Select(r =>
            {
                var w = DistRef.TwoHotRow(fwd(targets[r]), b);
                var l = DistRef.LogSoftmaxRow(x[0], r, 11);
                return -w.Select((wk, k) => wk * l[k]).Sum();
            }).ToArray(), [s]);
        CheckOp.Run("two_hot.loss_event", x => new TwoHotDist(x[0], bins, eventRank: 1).Loss(tt),
            x => DistRef.SumGroups(Enumerable.Range(0, 6).Select(r =>
            {
                var w = DistRef.TwoHotRow(fwd(targets[r]), b);
                var l = DistRef.LogSoftmaxRow(x[0], r, 11);
                return -w.Select((wk, k) => wk * l[k]).Sum();
            }).ToArray(), 3), [s]);
    }

    [Fact]
    public void Two_hot_dist_shapes_errors_and_unsupported_members()
    {
        var bins = Bins.TdMpc2();
        var d = new TwoHotDist(Tensor.Zeros(new Shape(4, 101)), bins);
        Assert.Equal(new Shape(4), d.Mean.Shape);
        Assert.Equal(new float[4], d.Mode().ToArray());
        Assert.Equal(d.Loss(Tensor.Zeros(new Shape(4))).ToArray(), TwoHot.SoftCe(d.Logits, Tensor.Zeros(new Shape(4)), bins).ToArray());
        var e = Assert.Throws<ArgumentException>(() => d.Loss(Tensor.Zeros(new Shape(4, 1))));
        Assert.Contains("expected (4,) but got (4, 1) for 'target'", e.Message);
        e = Assert.Throws<ArgumentException>(() => new TwoHotDist(Tensor.Zeros(new Shape(4, 255)), bins));
        Assert.Contains("(..., 101)", e.Message); Assert.Contains("(4, 255)", e.Message);
        Assert.Throws<NotSupportedException>(() => d.Sample(new Rng(1)));
        Assert.Throws<NotSupportedException>(() => d.LogProb(Tensor.Zeros(new Shape(4))));
    }
}

// Checks of symlog/symexp and of the internal ops of Dist (pick along the last axis, one-hot, symmetric bin sum).
using Reverie.Tensors.Dist;

namespace Reverie.Tensors.Tests.Dist;

public class SquashAndOpsTests
{
    private static readonly Shape[] Awkward = [new(7), new(3, 17), new(2, 1, 5), new()];

    public static IEnumerable<object[]> Shapes() => Awkward.Select(s => new object[] { s.ToArray() });

    // Away from 0, where the derivative of |x| has its kink.
    private static float Wide(Rng r) { float v; do v = r.Normal() * 4f; while (Math.Abs(v) < 1e-2f); return v; }
    private static float Moderate(Rng r) { float v; do v = r.Normal() * 1.5f; while (Math.Abs(v) < 1e-2f); return v; }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Symlog_and_symexp_match_reference_and_finite_differences(int[] dims)
    {
        var s = new Shape(dims);
        CheckOp.Run("symlog", x => x[0].SymLog(), CheckOp.Map(DistRef.Symlog), [s], sample: Wide);
        CheckOp.Run("symexp", x => x[0].SymExp(), CheckOp.Map(DistRef.Symexp), [s], sample: Moderate);
    }

    [Fact]
    public void Symlog_symexp_round_trip_from_tiny_to_huge()
    {
        var vals = new List<float> { 0f, 1e-30f, 1e-8f, 1e-3f, 0.5f, 1f, 3f, 1e3f, 1e8f, 1e30f };
        vals.AddRange(vals.Select(v => -v).ToList());
        var x = Tensor.FromArray(vals.ToArray());
        var back = x.SymLog().SymExp().ToArray();
        for (int i = 0; i < vals.Count; i++)
            CheckOp.AssertClose(vals[i], back[i], 0, 2e-6, $"symexp(symlog({vals[i]}))");
        // Near 0 symlog(x) ≈ x − x²/2 without cancellation.
        CheckOp.AssertClose(1e-8 - 0.5e-16, Squash.SymLog(1e-8f), 0, 1e-6, "symlog(1e-8)");
        CheckOp.AssertClose(1e-8, Squash.SymExp(1e-8f), 0, 1e-6, "symexp(1e-8)");
        Assert.Equal(-Squash.SymExp(7f), Squash.SymExp(-7f));
        Assert.True(float.IsNaN(Squash.SymLog(float.NaN)));
    }

    [Fact]
    public void Scalar_and_tensor_forms_agree()
    {
        var rng = new Rng(5);
        var x = Tensor.Randn(new Shape(50), rng) * 3f;
        var l = x.SymLog().ToArray(); var e = x.SymExp().ToArray(); var xs = x.ToArray();
        for (int i = 0; i < xs.Length; i++)
        {
            Assert.Equal(Squash.SymLog(xs[i]), l[i]);
            Assert.Equal(Squash.SymExp(xs[i]), e[i]);
        }
    }

    [Theory]
    [InlineData(new[] { 7, 5 })]
    [InlineData(new[] { 2, 3, 4 })]
    [InlineData(new[] { 1, 1 })]
    [InlineData(new[] { 9 })]
    public void Pick_last_gathers_and_scatters_gradients(int[] dims)
    {
        var s = new Shape(dims);
        int K = s[-1], R = s.Size / K;
        var rng = new Rng(11);
        var idx = Enumerable.Range(0, R).Select(_ => rng.NextInt(K)).ToArray();
        CheckOp.Run("pick_last", x => DistOps.PickLast(x[0], idx, "test"),
            x => Enumerable.Range(0, R).Select(r => x[0][r * K + idx[r]]).ToArray(), [s]);
    }

    [Fact]
    public void Pick_last_rejects_bad_indices_with_shapes_in_the_message()
    {
        var x = Tensor.Zeros(new Shape(3, 4));
        var e = Assert.Throws<ArgumentException>(() => DistOps.PickLast(x, [0, 4, 1], "categorical.log_prob"));
        Assert.Contains("index 4", e.Message); Assert.Contains("(3, 4)", e.Message);
        e = Assert.Throws<ArgumentException>(() => DistOps.PickLast(x, [0, 1], "categorical.log_prob"));
        Assert.Contains("2 indices", e.Message); Assert.Contains("(3,)", e.Message);
    }

    [Fact]
    public void One_hot_of_indices()
    {
        var y = DistOps.OneHotOf([2, 0, 1], new Shape(3), 3, "test");
        Assert.Equal(new Shape(3, 3), y.Shape);
        Assert.Equal([0f, 0, 1, 1, 0, 0, 0, 1, 0], y.ToArray());
        Assert.Throws<ArgumentException>(() => DistOps.OneHotOf([3], new Shape(1), 3, "test"));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(1)]
    public void Symmetric_bin_sum_matches_dot_and_differentiates(int K)
    {
        var rng = new Rng(3);
        var bins = Enumerable.Range(0, K).Select(_ => rng.Normal()).ToArray();
        var s = new Shape(4, K);
        CheckOp.Run("symmetric_bin_sum", x => DistOps.SymmetricBinSum(x[0], bins, "test"),
            x => Enumerable.Range(0, 4).Select(r => Enumerable.Range(0, K).Sum(k => x[0][r * K + k] * bins[k])).ToArray(), [s]);
    }

    [Fact]
    public void Symmetric_bin_sum_is_exactly_zero_for_uniform_probabilities_on_symmetric_bins()
    {
        foreach (var bins in new[] { Bins.SymexpTwoHot(), Bins.SymexpTwoHot(254), Bins.TdMpc2(), Bins.SymlogLinear(255, -20, 20) })
        {
            var p = Tensor.Full(new Shape(2, bins.Count), 1f / bins.Count);
            var y = DistOps.SymmetricBinSum(p, bins.Values.ToArray(), "test").ToArray();
            Assert.Equal([0f, 0f], y);
            Assert.Equal([0f, 0f], TwoHot.Decode(Tensor.Zeros(new Shape(2, bins.Count)), bins).ToArray());
        }
    }
}

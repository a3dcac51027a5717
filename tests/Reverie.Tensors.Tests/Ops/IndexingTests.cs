// Checks of index_select, gather, take_along_last and one_hot (forward, scatter-add gradients, errors).
using Reverie.Tensors;

namespace Reverie.Tensors.Tests.Ops;

public class IndexingTests
{
    [Theory]
    [InlineData(new[] { 5, 3 }, 0, new[] { 4, 0, 4, 2 })]          // duplicates add up in backward
    [InlineData(new[] { 2, 5, 3 }, 1, new[] { 1, 1, 3 })]
    [InlineData(new[] { 2, 3, 5 }, -1, new[] { 0, 4, 2, 4, 4, 1, 3 })]
    [InlineData(new[] { 6 }, 0, new[] { 5 })]
    [InlineData(new[] { 3, 4 }, 1, new int[0])]
    public void IndexSelect_matches_reference(int[] dims, int axis, int[] index)
    {
        var s = new Shape(dims);
        int ax = s.NormalizeAxis(axis);
        int outer = s.Prod(0, ax), n = s[ax], inner = s.Prod(ax + 1, s.Rank);
        CheckOp.Run("index_select", x => x[0].IndexSelect(axis, index), x =>
        {
            var r = new List<double>();
            for (int o = 0; o < outer; o++)
                foreach (var k in index)
                    for (int i = 0; i < inner; i++) r.Add(x[0][(o * n + k) * inner + i]);
            return r.ToArray();
        }, [s]);
    }

    public static IEnumerable<object[]> GatherCases() =>
    [
        [new[] { 3, 4 }, 1, new[] { 3, 2 }],
        [new[] { 3, 4 }, 0, new[] { 5, 4 }],       // more indices than the axis size: allowed
        [new[] { 2, 3, 4 }, 0, new[] { 3, 2, 3 }],
        [new[] { 2, 3, 4 }, 1, new[] { 1, 5, 2 }],
        [new[] { 2, 3, 4 }, -1, new[] { 2, 3, 6 }],
        [new[] { 7 }, 0, new[] { 9 }],
    ];

    [Theory]
    [MemberData(nameof(GatherCases))]
    public void Gather_matches_torch_semantics(int[] dims, int axis, int[] indexDims)
    {
        Shape s = new(dims), si = new(indexDims);
        int ax = s.NormalizeAxis(axis);
        var rng = new Rng(3);
        var index = new int[si.Size];
        for (int i = 0; i < index.Length; i++) index[i] = rng.NextInt(s[ax]);
        var st = CheckOp.Strides(s);
        CheckOp.Run("gather", x => x[0].Gather(axis, index, si), x =>
        {
            var r = new double[si.Size];
            for (int j = 0; j < r.Length; j++)
            {
                var idx = CheckOp.Unravel(j, si);
                idx[ax] = index[j];
                int off = 0;
                for (int d = 0; d < s.Rank; d++) off += idx[d] * st[d];
                r[j] = x[0][off];
            }
            return r;
        }, [s]);
    }

    [Theory]
    [InlineData(new[] { 4, 3 })]
    [InlineData(new[] { 2, 3, 5 })]
    [InlineData(new[] { 6 })]
    public void TakeAlongLast_picks_one_per_row(int[] dims)
    {
        var s = new Shape(dims);
        int K = s[-1], rows = s.Size / K;
        var index = Enumerable.Range(0, rows).Select(r => (r * 7 + 2) % K).ToArray();
        CheckOp.Run("take_along_last", x => x[0].TakeAlongLast(index), x =>
            Enumerable.Range(0, rows).Select(r => x[0][r * K + index[r]]).ToArray(), [s]);
        Assert.Equal(s.Without(-1), Tensor.Zeros(s).TakeAlongLast(index).Shape);
    }

    [Fact]
    public void TakeAlongLast_of_log_softmax_is_the_log_prob_of_actions()
    {
        var logits = Tensor.FromArray([0f, 1f, 2f, 3f, 3f, 1f], new Shape(2, 3));
        var lp = logits.LogSoftmax(-1).TakeAlongLast([2, 0]).ToArray();
        double l0 = 2 - Math.Log(Math.Exp(0) + Math.Exp(1) + Math.Exp(2));
        double l1 = 3 - Math.Log(Math.Exp(3) + Math.Exp(3) + Math.Exp(1));
        Assert.Equal(l0, lp[0], 5);
        Assert.Equal(l1, lp[1], 5);
    }

    [Fact]
    public void OneHot_sets_one_per_row_and_needs_no_grad()
    {
        var y = Tensor.OneHot([2, 0, 2], 4);
        Assert.Equal(new Shape(3, 4), y.Shape);
        Assert.Equal([0f, 0f, 1f, 0f, 1f, 0f, 0f, 0f, 0f, 0f, 1f, 0f], y.ToArray());
        Assert.False(y.RequiresGrad);
        Assert.Equal(new Shape(0, 5), Tensor.OneHot([], 5).Shape);
    }

    [Fact]
    public void Index_errors_name_the_index_and_the_bound()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.OneHot([1, 4], 4));
        Assert.Contains("index[1] = 4", e.Message);
        Assert.Contains("4 classes", e.Message);
        Assert.Throws<ArgumentException>(() => Tensor.OneHot([-1], 4));
        Assert.Throws<ArgumentException>(() => Tensor.OneHot([0], 0));

        var x = Tensor.Zeros(new Shape(2, 3));
        var s = Assert.Throws<ArgumentException>(() => x.IndexSelect(1, [0, 3]));
        Assert.Contains("index_select: index[1] = 3", s.Message);
        Assert.Contains("(2, 3)", s.Message);
        Assert.Throws<ArgumentException>(() => x.IndexSelect(0, [-1]));

        Assert.Contains("rank", Assert.Throws<ArgumentException>(() => x.Gather(1, [0, 1], new Shape(2))).Message);
        Assert.Contains("exceeds", Assert.Throws<ArgumentException>(() => x.Gather(1, new int[3], new Shape(3, 1))).Message);
        Assert.Contains("cannot fill", Assert.Throws<ArgumentException>(() => x.Gather(1, new int[3], new Shape(2, 1))).Message);
        Assert.Contains("index[1] = 5", Assert.Throws<ArgumentException>(() => x.Gather(0, [0, 5], new Shape(1, 2))).Message);

        var t = Assert.Throws<ArgumentException>(() => x.TakeAlongLast([0, 1, 2]));
        Assert.Contains("2 rows", t.Message);
        Assert.Contains("index[0] = 3", Assert.Throws<ArgumentException>(() => x.TakeAlongLast([3, 0])).Message);
    }

    [Fact]
    public void Recorded_index_is_a_copy_so_later_changes_do_not_corrupt_backward()
    {
        var x = Tensor.FromArray([1f, 2f, 3f, 4f], new Shape(2, 2));
        x.RequiresGrad = true;
        int[] idx = [1, 0];
        var y = x.TakeAlongLast(idx).Sum();
        idx[0] = 0;
        y.Backward();
        Assert.Equal([0f, 1f, 1f, 0f], x.Grad!.ToArray());
    }
}

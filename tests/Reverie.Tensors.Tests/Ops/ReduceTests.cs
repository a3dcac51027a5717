// Checks of reductions, softmax family and matrix products.
using Reverie.Tensors;

namespace Reverie.Tensors.Tests.Ops;

public class ReduceTests
{
    private static Reference AxisReduce(Shape s, int axis, bool keep, Func<double[], double> f)
    {
        return x =>
        {
            int ax = s.NormalizeAxis(axis);
            int outer = s.Prod(0, ax), n = s[ax], inner = s.Prod(ax + 1, s.Rank);
            var r = new double[outer * inner];
            var buf = new double[n];
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    for (int k = 0; k < n; k++) buf[k] = x[0][(o * n + k) * inner + i];
                    r[o * inner + i] = f(buf);
                }
            return r;
        };
    }

    private static double Lse(double[] v) { double m = v.Max(); return m + Math.Log(v.Sum(t => Math.Exp(t - m))); }

    [Theory]
    [InlineData(new[] { 7 }, 0)]
    [InlineData(new[] { 3, 5 }, 1)]
    [InlineData(new[] { 3, 5 }, 0)]
    [InlineData(new[] { 2, 3, 4 }, 1)]
    [InlineData(new[] { 2, 3, 4 }, -1)]
    public void Axis_reductions(int[] dims, int axis)
    {
        var s = new Shape(dims);
        foreach (var keep in new[] { false, true })
        {
            CheckOp.Run("sum", x => x[0].Sum(axis, keep), AxisReduce(s, axis, keep, v => v.Sum()), [s]);
            CheckOp.Run("mean", x => x[0].Mean(axis, keep), AxisReduce(s, axis, keep, v => v.Average()), [s]);
            CheckOp.Run("max", x => x[0].Max(axis, keep), AxisReduce(s, axis, keep, v => v.Max()), [s]);
            CheckOp.Run("min", x => x[0].Min(axis, keep), AxisReduce(s, axis, keep, v => v.Min()), [s]);
            CheckOp.Run("logsumexp", x => x[0].LogSumExp(axis, keep), AxisReduce(s, axis, keep, Lse), [s]);
        }
        int ax = s.NormalizeAxis(axis);
        int outer = s.Prod(0, ax), n = s[ax], inner = s.Prod(ax + 1, s.Rank);
        Reference Soft(bool log) => x =>
        {
            var r = new double[s.Size];
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    var v = Enumerable.Range(0, n).Select(k => x[0][(o * n + k) * inner + i]).ToArray();
                    double l = Lse(v);
                    for (int k = 0; k < n; k++) r[(o * n + k) * inner + i] = log ? v[k] - l : Math.Exp(v[k] - l);
                }
            return r;
        };
        CheckOp.Run("softmax", x => x[0].Softmax(axis), Soft(false), [s]);
        CheckOp.Run("log_softmax", x => x[0].LogSoftmax(axis), Soft(true), [s]);
    }

    [Fact]
    public void Full_and_multi_axis_reductions()
    {
        var s = new Shape(2, 3, 4);
        CheckOp.Run("sum_all", x => x[0].Sum(), x => [x[0].Sum()], [s]);
        CheckOp.Run("mean_all", x => x[0].Mean(), x => [x[0].Average()], [s]);
        CheckOp.Run("max_all", x => x[0].Max(), x => [x[0].Max()], [s]);
        CheckOp.Run("sum_02", x => x[0].Sum([0, 2]), x =>
        {
            var r = new double[3];
            for (int i = 0; i < 24; i++) r[(i / 4) % 3] += x[0][i];
            return r;
        }, [s]);
    }

    [Fact]
    public void Argmax_picks_first_maximum()
    {
        var x = Tensor.FromArray([1f, 5f, 5f, 2f, 9f, 0f], new Shape(2, 3));
        Assert.Equal([1, 1], x.Argmax(1));
        Assert.Equal([1, 1, 0], x.Argmax(0));
    }

    public static IEnumerable<object[]> MatMulCases() =>
    [
        [new[] { 3, 5 }, new[] { 5, 4 }, false, false],
        [new[] { 5, 3 }, new[] { 5, 4 }, true, false],
        [new[] { 3, 5 }, new[] { 4, 5 }, false, true],
        [new[] { 5, 3 }, new[] { 4, 5 }, true, true],
        [new[] { 2, 3, 5 }, new[] { 2, 5, 4 }, false, false],
        [new[] { 2, 5, 3 }, new[] { 2, 4, 5 }, true, true],
        [new[] { 2, 3, 5 }, new[] { 5, 4 }, false, false],
        [new[] { 2, 3, 5 }, new[] { 4, 5 }, false, true],
        [new[] { 2, 5, 3 }, new[] { 5, 4 }, true, false],
        [new[] { 3, 5 }, new[] { 2, 5, 4 }, false, false],
    ];

    [Theory]
    [MemberData(nameof(MatMulCases))]
    public void MatMul_all_variants(int[] da, int[] db, bool ta, bool tb)
    {
        Shape sa = new(da), sb = new(db);
        int M = ta ? sa[-1] : sa[-2], K = ta ? sa[-2] : sa[-1], N = tb ? sb[-2] : sb[-1];
        int batch = Math.Max(sa.Prod(0, sa.Rank - 2), sb.Prod(0, sb.Rank - 2));
        bool shareA = sa.Rank == 2, shareB = sb.Rank == 2;
        CheckOp.Run($"matmul{(ta ? "T" : "")}{(tb ? "T" : "")}", x => Tensor.MatMul(x[0], x[1], ta, tb), x =>
        {
            var r = new double[batch * M * N];
            for (int t = 0; t < batch; t++)
            {
                int oa = shareA ? 0 : t * M * K, ob = shareB ? 0 : t * K * N;
                for (int i = 0; i < M; i++)
                    for (int j = 0; j < N; j++)
                    {
                        double s = 0;
                        for (int k = 0; k < K; k++)
                            s += x[0][oa + (ta ? k * M + i : i * K + k)] * x[1][ob + (tb ? j * K + k : k * N + j)];
                        r[t * M * N + i * N + j] = s;
                    }
            }
            return r;
        }, [sa, sb]);
    }

    [Fact]
    public void Linear_matches_reference()
    {
        Shape sx = new(2, 3, 5), sw = new(4, 5), sb = new(4);
        CheckOp.Run("linear", x => Tensor.Linear(x[0], x[1], x[2]), x =>
        {
            var r = new double[6 * 4];
            for (int row = 0; row < 6; row++)
                for (int o = 0; o < 4; o++)
                {
                    double s = x[2][o];
                    for (int k = 0; k < 5; k++) s += x[0][row * 5 + k] * x[1][o * 5 + k];
                    r[row * 4 + o] = s;
                }
            return r;
        }, [sx, sw, sb]);
    }

    [Fact]
    public void MatMul_shape_errors_name_both_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.MatMul(Tensor.Zeros(new Shape(3, 4)), Tensor.Zeros(new Shape(5, 2))));
        Assert.Contains("(3, 4)", e.Message);
        Assert.Contains("(5, 2)", e.Message);
        var e2 = Assert.Throws<ArgumentException>(() => Tensor.Linear(Tensor.Zeros(new Shape(3, 4)), Tensor.Zeros(new Shape(2, 5))));
        Assert.Contains("linear", e2.Message);
    }
}

// The row softmax kernels (softmax, log-softmax, logsumexp, unimix and their backward rules) against their
// scalar reference twins at every row length 0..70, for 1, 3 and more rows than one short-row block holds.
using Reverie.Tensors;
using Reverie.Tensors.Kernels;

namespace Reverie.Tensors.Tests.Kernels;

public class RowSoftmaxTests
{
    private static float[] Data(int len, ulong seed, float scale = 3f)
    {
        var r = new Rng(seed);
        var a = new float[len];
        for (int i = 0; i < len; i++) a[i] = r.Normal() * scale;
        return a;
    }

    private static void Close(float[] expected, float[] actual, string what, float tol = 2e-6f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            float e = expected[i], a = actual[i];
            if (float.IsNaN(e)) { Assert.True(float.IsNaN(a), $"{what}[{i}]: expected NaN, got {a}"); continue; }
            Assert.True(Math.Abs(e - a) <= tol + 4 * tol * Math.Abs(e), $"{what}[{i}] of {expected.Length}: expected {e}, got {a}");
        }
    }

    // Row counts: one, a few, and more than a short-row block (1024 floats) holds for every n.
    private static IEnumerable<(int Rows, int N)> Sizes()
    {
        for (int n = 0; n <= 70; n++)
            foreach (int rows in new[] { 1, 3, n == 0 ? 2 : 1100 / n + 3 })
                yield return (rows, n);
        yield return (0, 5);
        yield return (2, 255);
    }

    [Fact]
    public void Forward_kernels_match_the_reference_at_every_length()
    {
        foreach (var (rows, n) in Sizes())
        {
            var x = Data(rows * n, (ulong)(n * 1000 + rows));
            foreach (bool log in new[] { false, true })
            {
                var fast = new float[rows * n]; var slow = new float[rows * n];
                RowSoftmax.Forward(x, fast, rows, n, log);
                RowSoftmax.Reference.Forward(x, slow, rows, n, log);
                Close(slow, fast, $"{(log ? "log_softmax" : "softmax")} rows={rows} n={n}", log ? 4e-6f : 2e-6f);
            }
            var lf = new float[rows]; var ls = new float[rows];
            RowSoftmax.LogSumExp(x, lf, rows, n);
            RowSoftmax.Reference.LogSumExp(x, ls, rows, n);
            if (n > 0) Close(ls, lf, $"logsumexp rows={rows} n={n}", 4e-6f);
            else Assert.All(lf, v => Assert.Equal(float.NegativeInfinity, v));
            if (n == 0) continue;
            var pf = new float[rows * n]; var lpf = new float[rows * n]; var ps = new float[rows * n]; var lps = new float[rows * n];
            RowSoftmax.Unimix(x, pf, lpf, rows, n, 0.01f);
            RowSoftmax.Reference.Unimix(x, ps, lps, rows, n, 0.01f);
            Close(ps, pf, $"unimix.p rows={rows} n={n}");
            Close(lps, lpf, $"unimix.lp rows={rows} n={n}", 4e-6f);
        }
    }

    [Fact]
    public void Backward_kernels_match_the_reference_at_every_length()
    {
        foreach (var (rows, n) in Sizes())
        {
            int len = rows * n;
            var x = Data(len, (ulong)(n * 1000 + rows + 7));
            var g = Data(len, (ulong)(n * 1000 + rows + 8), 1f);
            var start = Data(len, (ulong)(n * 1000 + rows + 9), 1f);
            foreach (bool log in new[] { false, true })
                foreach (bool acc in new[] { false, true })
                {
                    var y = new float[len];
                    RowSoftmax.Reference.Forward(x, y, rows, n, log);
                    var fast = (float[])start.Clone(); var slow = (float[])start.Clone();
                    RowSoftmaxGrad.Softmax(g, y, fast, rows, n, log, acc);
                    RowSoftmax.Reference.Backward(g, y, slow, rows, n, log, acc);
                    Close(slow, fast, $"{(log ? "log_softmax" : "softmax")}_backward acc={acc} rows={rows} n={n}", 1e-5f);
                }
            var p = new float[len]; var lp = new float[len];
            RowSoftmax.Reference.Unimix(x, p, lp, rows, n, 0.01f);
            foreach (bool ofLog in new[] { false, true })
                foreach (bool acc in new[] { false, true })
                {
                    var fast = (float[])start.Clone(); var slow = (float[])start.Clone();
                    RowSoftmaxGrad.Unimix(g, p, fast, rows, n, 0.01f, ofLog, acc);
                    RowSoftmax.Reference.UnimixBackward(g, p, slow, rows, n, 0.01f, ofLog, acc);
                    Close(slow, fast, $"unimix_backward ofLog={ofLog} acc={acc} rows={rows} n={n}", ofLog ? 1e-4f : 1e-5f);
                }
        }
    }

    [Fact]
    public void Special_rows_give_the_reference_values()
    {
        foreach (int n in new[] { 4, 20 })
        {
            var x = new float[3 * n];
            for (int k = 0; k < n; k++) { x[k] = float.NegativeInfinity; x[n + k] = k == 1 ? float.NaN : k; x[2 * n + k] = k == 0 ? 0f : float.NegativeInfinity; }
            foreach (bool log in new[] { false, true })
            {
                var y = new float[3 * n];
                RowSoftmax.Forward(x, y, 3, n, log);
                Assert.All(y[..(2 * n)], v => Assert.True(float.IsNaN(v)));           // all −∞, and a NaN
                Assert.Equal(log ? 0f : 1f, y[2 * n]);                                // one finite entry
                Assert.Equal(log ? float.NegativeInfinity : 0f, y[2 * n + 1]);
            }
        }
    }

    [Fact]
    public void Short_spans_are_rejected_with_the_sizes()
    {
        var e = Assert.Throws<ArgumentException>(() => RowSoftmax.Forward(new float[5], new float[6], 2, 3, false));
        Assert.Contains("rows·n = 6", e.Message);
        e = Assert.Throws<ArgumentException>(() => RowSoftmaxGrad.Softmax(new float[6], new float[6], new float[4], 2, 3, false, false));
        Assert.Contains("softmax_backward", e.Message);
    }
}

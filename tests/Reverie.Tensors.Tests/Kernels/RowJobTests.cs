// Row kernels split over the worker pool (RowJob): large inputs give bit-identical results for 1 and 2 threads.
using Reverie.Tensors;
using Reverie.Tensors.Dist;
using Reverie.Tensors.Kernels;

namespace Reverie.Tensors.Tests.Kernels;

public class RowJobTests
{
    private static float[] Data(int len, ulong seed)
    {
        var r = new Rng(seed);
        var a = new float[len];
        r.FillNormal(a);
        return a;
    }

    // Runs f with the given thread limit and returns what it wrote.
    private static float[][] With(int threads, Func<float[][]> f)
    {
        int saved = Gemm.MaxThreads;
        Gemm.MaxThreads = threads;
        try { return f(); }
        finally { Gemm.MaxThreads = saved; }
    }

    private static void SameForOneAndTwoThreads(string what, Func<float[][]> f)
    {
        var one = With(1, f);
        var two = With(2, f);
        for (int i = 0; i < one.Length; i++)
            Assert.True(one[i].AsSpan().SequenceEqual(two[i]), $"{what}: output {i} differs between 1 and 2 threads");
    }

    [Fact]
    public void Large_row_kernels_are_bit_identical_for_one_and_two_threads()
    {
        foreach (var (rows, n) in new[] { (20000, 4), (3000, 255), (9000, 7), (5000, 64) })
        {
            var x = Data(rows * n, (ulong)n); var g = Data(rows * n, (ulong)n + 1);
            SameForOneAndTwoThreads($"softmax n={n}", () =>
            {
                var y = new float[rows * n]; var ly = new float[rows * n]; var p = new float[rows * n]; var lp = new float[rows * n];
                RowSoftmax.Forward(x, y, rows, n, false);
                RowSoftmax.Forward(x, ly, rows, n, true);
                RowSoftmax.Unimix(x, p, lp, rows, n, 0.01f);
                var d1 = new float[rows * n]; var d2 = new float[rows * n]; var d3 = new float[rows * n];
                RowSoftmaxGrad.Softmax(g, y, d1, rows, n, false, false);
                RowSoftmaxGrad.Softmax(g, ly, d2, rows, n, true, false);
                RowSoftmaxGrad.Unimix(g, p, d3, rows, n, 0.01f, true, false);
                return [y, ly, p, lp, d1, d2, d3];
            });
            var gam = Data(n, 3); var bet = Data(n, 4);
            SameForOneAndTwoThreads($"norm n={n}", () =>
            {
                var y = new float[rows * n]; var st = new float[2 * rows];
                RowNorm.Forward(x, gam, bet, y, st, rows, n, 1e-4f, centered: true, NormActivation.Silu);
                return [y, st];
            });
        }
        var bins = Bins.SymexpTwoHot(255);
        int R = 3000;
        var logits = Data(R * 255, 9); var targets = Data(R, 10); var gr = Data(R, 11);
        SameForOneAndTwoThreads("two_hot", () =>
        {
            var y = new float[R]; var probs = new float[R * 255]; var loss = new float[R]; var saved = new float[5 * R];
            TwoHotOps.Decode(logits, bins.Values, y, probs, R);
            TwoHotOps.SoftCe(logits, targets, bins.Values, false, loss, saved, R, "test");
            var d1 = new float[R * 255]; var d2 = new float[R * 255];
            TwoHotOps.DecodeBackward(gr, probs, y, bins.Values, d1, R, false);
            TwoHotOps.SoftCeBackward(gr, logits, saved, d2, R, 255, false);
            return [y, probs, loss, saved, d1, d2];
        });
        int B = 300, D = 512;
        var gates = Data(3 * B * D, 12); var h = Data(B * D, 13); var go = Data(B * D, 14);
        SameForOneAndTwoThreads("gru_gate", () =>
        {
            var y = new float[B * D]; var dg = new float[3 * B * D]; var dh = new float[B * D];
            GruGateKernel.Forward(gates, h, y, B, D, 8);
            GruGateKernel.Backward(gates, h, go, dg, false, dh, false, B, D, 8);
            return [y, dg, dh];
        });
        // And the split result is the reference's.
        var ys = new float[R]; var yf = new float[R];
        TwoHotOps.Reference.Decode(logits, bins.Values, ys, default, R);
        With(2, () => { TwoHotOps.Decode(logits, bins.Values, yf, default, R); return []; });
        double top = bins.Values[^1];                                          // float exps on bins up to 4.9e8
        for (int r = 0; r < R; r++) CheckOp.AssertClose(ys[r], yf[r], 2e-6 * top, 0, $"decode[{r}]");
    }

    [Fact]
    public void Large_adam_steps_and_clears_are_bit_identical_for_one_and_two_threads_and_equal_the_serial_kernel()
    {
        const int n = 300_007;                                       // 73 blocks of 4096 and a ragged tail
        var p0 = Data(n, 1); var g = Data(n, 2); var m0 = Data(n, 3); var v0 = Data(n, 4);
        for (int i = 0; i < n; i++) v0[i] = MathF.Abs(v0[i]);
        var c = new Reverie.Tensors.Optim.AdamCoefficients
        {
            B1 = 0.9f, OneMinusB1 = 0.1f, B2 = 0.999f, OneMinusB2 = 0.001f, Bc2Sqrt = 0.3f, Eps = 1e-8f, NegStepSize = -1e-3f, L2 = 0.01f,
        };
        float[][] Step(bool parallel)
        {
            float[] p = (float[])p0.Clone(), m = (float[])m0.Clone(), v = (float[])v0.Clone(), z = (float[])g.Clone();
            if (parallel) { Reverie.Tensors.Optim.OptimKernels.AdamParallel(p, g, m, v, c); Reverie.Tensors.Optim.OptimKernels.ClearParallel(z); }
            else Reverie.Tensors.Optim.OptimKernels.Adam(p, g, m, v, c);
            return [p, m, v, z];
        }
        SameForOneAndTwoThreads("adam", () => Step(parallel: true));
        var serial = Step(parallel: false);
        var two = With(2, () => Step(parallel: true));
        for (int i = 0; i < 3; i++) Assert.True(serial[i].AsSpan().SequenceEqual(two[i]), $"adam output {i}: the split kernel differs from the serial one");
        Assert.All(two[3], x => Assert.Equal(0f, x));
    }
}

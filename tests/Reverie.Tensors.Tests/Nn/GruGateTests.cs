// The fused GRU gate: its kernel against the scalar twin at every block width 1..70, and the op through CheckOp.
using Reverie.Tensors;
using Reverie.Tensors.Kernels;
using Reverie.Tensors.Nn;

namespace Reverie.Tensors.Tests.Nn;

public class GruGateTests
{
    private static float[] Data(int len, ulong seed)
    {
        var r = new Rng(seed);
        var a = new float[len];
        for (int i = 0; i < len; i++) a[i] = r.Normal() * 2f;
        return a;
    }

    private static void Close(float[] e, float[] a, string what)
    {
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= 2e-6f + 2e-6f * Math.Abs(e[i]), $"{what}[{i}]: expected {e[i]}, got {a[i]}");
    }

    [Fact]
    public void Kernel_matches_the_reference_at_every_block_width()
    {
        for (int dg = 1; dg <= 70; dg++)
            foreach (int blocks in new[] { 1, 3 })
            {
                int R = 2, D = dg * blocks;
                var gates = Data(3 * R * D, (ulong)dg); var h = Data(R * D, (ulong)dg + 1); var go = Data(R * D, (ulong)dg + 2);
                var yf = new float[R * D]; var ys = new float[R * D];
                GruGateKernel.Forward(gates, h, yf, R, D, blocks);
                GruGateKernel.Reference.Forward(gates, h, ys, R, D, blocks);
                Close(ys, yf, $"gru_gate dg={dg} blocks={blocks}");
                foreach (bool acc in new[] { false, true })
                {
                    var dgf = Data(3 * R * D, 5); var dgs = (float[])dgf.Clone();
                    var dhf = Data(R * D, 6); var dhs = (float[])dhf.Clone();
                    GruGateKernel.Backward(gates, h, go, dgf, acc, dhf, !acc, R, D, blocks);
                    GruGateKernel.Reference.Backward(gates, h, go, dgs, acc, dhs, !acc, R, D, blocks);
                    Close(dgs, dgf, $"gru_gate dgates dg={dg} blocks={blocks} acc={acc}");
                    Close(dhs, dhf, $"gru_gate dh dg={dg} blocks={blocks} acc={!acc}");
                }
            }
    }

    [Theory]
    [InlineData(3, 2, 2)]
    [InlineData(1, 1, 17)]
    [InlineData(4, 3, 5)]
    public void Op_matches_the_gate_formula_with_gradients(int R, int blocks, int dg)
    {
        int D = blocks * dg;
        static double Sig(double v) => 1 / (1 + Math.Exp(-v));
        CheckOp.Run("gru_gate", x => Gates.GruGates(x[0], x[1], blocks), x =>
        {
            var y = new double[R * D];
            for (int r = 0; r < R; r++)
                for (int k = 0; k < blocks; k++)
                    for (int j = 0; j < dg; j++)
                    {
                        int g0 = r * 3 * D + k * 3 * dg + j, hi = r * D + k * dg + j;
                        double rs = Sig(x[0][g0]), c = Math.Tanh(rs * x[0][g0 + dg]), u = Sig(x[0][g0 + 2 * dg] - 1);
                        y[hi] = u * c + (1 - u) * x[1][hi];
                    }
            return y;
        }, [new Shape(R, 3 * D), new Shape(R, D)]);
        var e = Assert.Throws<ArgumentException>(() => Gates.GruGates(Tensor.Zeros(new Shape(R, 2 * D)), Tensor.Zeros(new Shape(R, D)), blocks));
        Assert.Contains("three times", e.Message);
    }
}

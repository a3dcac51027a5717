// Checks of the direct conv weight gradient's patch kernel (Kernels/ConvDirectPatches.cs): against a double-precision
// reference on shapes that reach every branch (1, 2 and 3 sets of 8 channels per pass, ragged last groups, 1 to 3
// passes, positions not a multiple of 16, sweeps of several images ending inside a block of images), through both
// conv ops, the same bits at 1 and 2 threads, and infinite inputs that must stay out of the taps that never read them.
using Reverie.Tensors;
using Reverie.Tensors.Kernels;

namespace Reverie.Tensors.Tests.Ops;

public class ConvPatchTests
{
    // dw0[a, b, ki, kj] + Σ_n Σ_oh Σ_ow small[n, a, oh, ow] · big[n, b, 2·oh + ki − 1, 2·ow + kj − 1] (zero outside big), in doubles.
    private static double[] Reference(float[] small, float[] big, float[] dw0, int N, int A, int B, int H, int W)
    {
        int Ho = H / 2, Wo = W / 2;
        var dw = dw0.Select(v => (double)v).ToArray();
        for (int n = 0; n < N; n++)
            for (int a = 0; a < A; a++)
                for (int b = 0; b < B; b++)
                    for (int ki = 0; ki < 4; ki++)
                        for (int kj = 0; kj < 4; kj++)
                        {
                            double acc = 0;
                            for (int oh = 0; oh < Ho; oh++)
                                for (int ow = 0; ow < Wo; ow++)
                                {
                                    int r = 2 * oh + ki - 1, c = 2 * ow + kj - 1;
                                    if (r < 0 || r >= H || c < 0 || c >= W) continue;
                                    acc += (double)small[((n * A + a) * Ho + oh) * Wo + ow] * big[((n * B + b) * H + r) * W + c];
                                }
                            dw[((a * B + b) * 4 + ki) * 4 + kj] += acc;
                        }
        return dw;
    }

    [Theory]
    // (N, A small channels, B big channels, H, W). A = 1..8: one set; 12, 16: two (12 with 4 channels of zeros); 20, 24:
    // three; 33: two passes (3 + 2 groups, the last holding 1 channel); 64: three passes. P = Ho·Wo of 1, 15 (no full
    // 16-position block), 20 (one block and a tail of 4), 256 and 1024 (one image per sweep), 16 (16 images per sweep, so
    // with 40 images the sweeps end inside the blocks of 13 and 14).
    [InlineData(2, 1, 1, 2, 2)]
    [InlineData(3, 5, 2, 6, 10)]
    [InlineData(2, 8, 3, 8, 10)]
    [InlineData(3, 12, 4, 4, 8)]
    [InlineData(2, 16, 3, 6, 10)]
    [InlineData(2, 20, 5, 8, 10)]
    [InlineData(40, 24, 3, 8, 8)]
    [InlineData(2, 33, 2, 8, 8)]
    [InlineData(2, 64, 2, 4, 4)]
    [InlineData(1, 17, 2, 32, 32)]
    [InlineData(1, 9, 1, 64, 64)]
    public void Patch_kernel_matches_a_double_reference(int N, int A, int B, int H, int W)
    {
        var rng = new Rng(11);
        var g = new ConvGeom(B, H, W, 4, 4, 2, 1);
        var small = new float[N * A * g.P]; rng.FillNormal(small);
        var big = new float[N * g.ImageSize]; rng.FillNormal(big);
        var dw0 = new float[A * B * 16]; rng.FillNormal(dw0);
        var expected = Reference(small, big, dw0, N, A, B, H, W);
        var dw = (float[])dw0.Clone();
        ConvDirect.WeightGrad(small, big, dw, N, A, B, g, ConvDirect.SweepBytes, patches: true);
        for (int i = 0; i < dw.Length; i++)
            CheckOp.AssertClose(expected[i], dw[i], 2e-4, 2e-4, $"patch weight grad N={N} A={A} B={B} {H}x{W} [{i}]");
    }

    [Fact]
    public void Both_conv_ops_take_the_patch_kernel_on_wide_layers_and_match_the_im2col_path()
    {
        // Conv2d 8 -> 16 channels (A = 16 output channels, B = 8 inputs) and its transpose 16 -> 8 (A = 16 inputs, B = 8
        // outputs): both shapes are patch shapes, and the im2col path (NoDirect) gives the same dW to float tolerance.
        Assert.True(ConvDirect.PatchesFor(16, 8));
        Assert.True(ConvDirect.PatchesFor(32, 3));
        Assert.False(ConvDirect.PatchesFor(8, 16));
        Assert.False(ConvDirect.PatchesFor(16, 3));
        var rng = new Rng(12);
        const int n = 3, c = 8, o = 16;
        var g = new ConvGeom(c, 16, 16, 4, 4, 2, 1);
        var x = new float[n * g.ImageSize]; rng.FillNormal(x);
        var gy = new float[n * o * g.P]; rng.FillNormal(gy);
        var wt = new float[o * g.Rows]; rng.FillNormal(wt);
        var dw0 = new float[o * g.Rows]; rng.FillNormal(dw0);
        foreach (bool transpose in new[] { false, true })
        {
            var expected = ConvTests.WeightGradThroughOps(false, transpose, x, wt, gy, dw0, n, o, g);
            var direct = ConvTests.WeightGradThroughOps(true, transpose, x, wt, gy, dw0, n, o, g);
            for (int i = 0; i < expected.Length; i++)
                CheckOp.AssertClose(expected[i], direct[i], 2e-4, 2e-4, $"weight grad transpose={transpose} [{i}]");
        }
    }

    [Theory]
    [InlineData(40, 24, 8, 8, 8)]     // 16 images per sweep: sweeps end inside the blocks of 13 and 14 images
    [InlineData(40, 32, 3, 32, 32)]   // one image per sweep, two passes
    public void Patch_kernel_gives_the_same_bits_at_1_and_2_threads(int N, int A, int B, int H, int W)
    {
        var rng = new Rng(13);
        var g = new ConvGeom(B, H, W, 4, 4, 2, 1);
        var small = new float[N * A * g.P]; rng.FillNormal(small);
        var big = new float[N * g.ImageSize]; rng.FillNormal(big);
        float[] Grad(int threads)
        {
            var dw = new float[A * B * 16];
            int saved = Gemm.MaxThreads;
            Gemm.MaxThreads = threads;
            try { ConvDirect.WeightGrad(small, big, dw, N, A, B, g, ConvDirect.SweepBytes, patches: true); }
            finally { Gemm.MaxThreads = saved; }
            return dw;
        }
        Assert.Equal(Grad(1), Grad(2));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(34)]
    public void An_infinite_last_column_reaches_only_the_tap_that_reads_it(int width)
    {
        // Column W − 1 is read only by tap kj = 2 of the last output column; the zero border gives kj = 3 there a zero tap,
        // and the channels past A (A = 12: 4 channels of zeros times the infinite taps) are dropped, not added.
        var rng = new Rng(14);
        const int A = 12, H = 4;
        var g = new ConvGeom(1, H, width, 4, 4, 2, 1);
        var big = new float[g.ImageSize]; rng.FillNormal(big);
        for (int r = 0; r < H; r++) big[r * width + width - 1] = float.PositiveInfinity;
        var small = new float[A * g.P]; rng.FillNormal(small);
        var dw = new float[A * 16];
        ConvDirect.WeightGrad(small, big, dw, 1, A, 1, g, ConvDirect.SweepBytes, patches: true);
        for (int a = 0; a < A; a++)
            for (int ki = 0; ki < 4; ki++)
                for (int kj = 0; kj < 4; kj++)
                    Assert.True(float.IsFinite(dw[(a * 4 + ki) * 4 + kj]) == (kj != 2), $"W = {width}: dW[{a}, ki={ki}, kj={kj}] = {dw[(a * 4 + ki) * 4 + kj]}");
    }
}

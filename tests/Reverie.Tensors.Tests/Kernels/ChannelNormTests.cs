// The channel-axis LayerNorm / RmsNorm kernels against their scalar reference twins at every spatial length 0..70,
// against the row kernel on the channels-last permutation, and for 1 and 2 threads.
using Reverie.Tensors;
using Reverie.Tensors.Kernels;
using static Reverie.Tensors.Tests.Kernels.NormKernelData;

namespace Reverie.Tensors.Tests.Kernels;

public class ChannelNormTests
{
    [Fact]
    public void Forward_and_backward_match_the_reference_at_every_spatial_length()
    {
        // Every spatial length on small shapes (C = 70: past the 64 channels the dx pass caches), and a few on N = 37 (the
        // fused dx + dγ/dβ pass in 10 blocks of images) and C = 257 (past the fused pass: dγ/dβ in a pass over channels).
        var cases = new List<(int N, int C, int S)>();
        for (int S = 0; S <= 70; S++)
            foreach (var (N, C) in new[] { (1, 3), (2, 1), (2, 17), (1, 70) }) cases.Add((N, C, S));
        foreach (int S in new[] { 1, 17, 64 }) { cases.Add((37, 5, S)); cases.Add((2, 257, S)); }
        foreach (var (N, C, S) in cases)
            foreach (bool centered in new[] { false, true })
                foreach (bool affine in new[] { false, true })
                    foreach (bool silu in new[] { false, true })
                    {
                        int len = N * C * S;
                        string what = $"{(centered ? "layer" : "rms")} N={N} C={C} S={S} affine={affine} silu={silu}";
                        var x = Data(len, (ulong)(S * 10 + C), 2f, 0.5f);
                        var gam = affine ? Data(C, (ulong)C + 500, 0.5f, 1f) : [];
                        var bet = affine && centered ? Data(C, (ulong)C + 600) : [];
                        var yf = new float[len]; var ys = new float[len];
                        var sf = new float[2 * N * S]; var ss = new float[2 * N * S];
                        ChannelNorm.Forward(x, gam, bet, yf, sf, N, C, S, 1e-4f, centered, silu);
                        ChannelNorm.Reference.Forward(x, gam, bet, ys, ss, N, C, S, 1e-4f, centered, silu);
                        Close(ys, yf, what + " y", 1e-5f);
                        Close(ss, sf, what + " stats", 1e-5f);

                        var g = Data(len, (ulong)S + 700, 1f);
                        foreach (bool acc in new[] { false, true })
                        {
                            var dxf = Data(len, 3, 1f); var dxs = (float[])dxf.Clone();
                            var dgf = Data(C, 4, 1f); var dgs = (float[])dgf.Clone();
                            var dbf = Data(C, 5, 1f); var dbs = (float[])dbf.Clone();
                            ChannelNorm.Backward(x, gam, bet, ss, g, dxf, affine ? dgf : default, affine && centered ? dbf : default, N, C, S, centered, acc, silu);
                            ChannelNorm.Reference.Backward(x, gam, bet, ss, g, dxs, affine ? dgs : default, affine && centered ? dbs : default, N, C, S, centered, acc, silu);
                            Close(dxs, dxf, what + $" dx acc={acc}", 2e-5f);
                            Close(dgs, dgf, what + " dgamma", 5e-5f);
                            Close(dbs, dbf, what + " dbeta", 5e-5f);
                        }
                    }
    }

    [Fact]
    public void The_backward_by_channels_and_by_positions_give_the_same_bits()
    {
        // The backward goes channel by channel on large maps of many channels, position by position otherwise; forced
        // each way on the same inputs, dx (fresh and added to), dγ and dβ agree bit for bit, and with the
        // reference. S = 300 ends in a partial 16-position chunk; C = 70 is past the position pass's cache of d and xhat,
        // C = 257 past the fused dγ/dβ sums; N = 37 gives uneven blocks of images.
        try
        {
            foreach (var (N, C, S) in new[] { (2, 3, 1), (3, 17, 17), (37, 5, 64), (2, 16, 256), (2, 70, 300), (2, 257, 33) })
                foreach (bool centered in new[] { false, true })
                    foreach (bool silu in new[] { false, true })
                        foreach (bool acc in new[] { false, true })
                        {
                            int len = N * C * S;
                            string what = $"{(centered ? "layer" : "rms")} N={N} C={C} S={S} silu={silu} acc={acc}";
                            var x = Data(len, (ulong)(S + C), 2f, 0.5f); var g = Data(len, (ulong)S + 70, 1f);
                            var gam = Data(C, (ulong)C + 5, 0.5f, 1f); var bet = centered ? Data(C, (ulong)C + 6) : [];
                            var st = new float[2 * N * S];
                            ChannelNorm.Reference.Forward(x, gam, bet, new float[len], st, N, C, S, 1e-4f, centered, silu);
                            (float[] dx, float[] dg, float[] db) Run(bool byChannels)
                            {
                                ChannelNorm.ByChannels = byChannels;
                                var dx = Data(len, 3, 1f); var dg = Data(C, 4, 1f); var db = Data(C, 5, 1f);
                                ChannelNorm.Backward(x, gam, bet, st, g, dx, dg, centered ? db : default, N, C, S, centered, acc, silu);
                                return (dx, dg, db);
                            }
                            var byChannels = Run(true); var byPositions = Run(false);
                            Assert.Equal(byPositions.dx, byChannels.dx);
                            Assert.Equal(byPositions.dg, byChannels.dg);
                            Assert.Equal(byPositions.db, byChannels.db);
                            var dxs = Data(len, 3, 1f); var dgs = Data(C, 4, 1f); var dbs = Data(C, 5, 1f);
                            ChannelNorm.Reference.Backward(x, gam, bet, st, g, dxs, dgs, centered ? dbs : default, N, C, S, centered, acc, silu);
                            Close(dxs, byChannels.dx, what + " dx", 2e-5f);
                            Close(dgs, byChannels.dg, what + " dgamma", 5e-5f);
                            Close(dbs, byChannels.db, what + " dbeta", 5e-5f);
                        }
        }
        finally { ChannelNorm.ByChannels = null; }
    }

    [Fact]
    public void Equals_the_row_norm_on_the_channels_last_permutation()
    {
        // (N, C, S) = (3, 12, 37): the row kernel over (N·S, C) rows of the permuted input gives the same numbers.
        const int N = 3, C = 12, S = 37;
        var x = Data(N * C * S, 11, 1.5f, 0.3f);
        var gam = Data(C, 12, 0.5f, 1f); var bet = Data(C, 13);
        var perm = new float[x.Length];
        for (int n = 0; n < N; n++) for (int c = 0; c < C; c++) for (int s = 0; s < S; s++) perm[(n * S + s) * C + c] = x[(n * C + c) * S + s];
        var yRow = new float[x.Length]; var yCh = new float[x.Length];
        RowNorm.Forward(perm, gam, bet, yRow, default, N * S, C, 1e-4f, centered: true, NormActivation.Silu);
        ChannelNorm.Forward(x, gam, bet, yCh, default, N, C, S, 1e-4f, centered: true, silu: true);
        var back = new float[x.Length];
        for (int n = 0; n < N; n++) for (int c = 0; c < C; c++) for (int s = 0; s < S; s++) back[(n * C + c) * S + s] = yRow[(n * S + s) * C + c];
        Close(back, yCh, "y", 1e-6f);
    }

    [Fact]
    public void One_and_two_threads_give_identical_bits()
    {
        // Large enough for the row job to split images (forward; dx with dgamma and dbeta in fixed blocks of images, 16
        // blocks of 4 at N = 64, uneven blocks at N = 37) and channels (dgamma, dbeta without dx) over threads.
        foreach (int N in new[] { 64, 37 })
            foreach (bool withDx in new[] { true, false })
                OneAndTwoThreads(N, withDx);
    }

    private static void OneAndTwoThreads(int N, bool withDx)
    {
        const int C = 16, S = 256;
        var x = Data(N * C * S, 21); var g = Data(N * C * S, 22); var gam = Data(C, 23, 0.5f, 1f); var bet = Data(C, 24);
        (float[] y, float[] dx, float[] dg, float[] db) Run(int threads)
        {
            int saved = Gemm.MaxThreads;
            Gemm.MaxThreads = threads;
            try
            {
                var y = new float[x.Length]; var st = new float[2 * N * S];
                ChannelNorm.Forward(x, gam, bet, y, st, N, C, S, 1e-4f, true, true);
                var dx = new float[withDx ? x.Length : 0]; var dg = new float[C]; var db = new float[C];
                ChannelNorm.Backward(x, gam, bet, st, g, dx, dg, db, N, C, S, true, false, true);
                return (y, dx, dg, db);
            }
            finally { Gemm.MaxThreads = saved; }
        }
        var one = Run(1); var two = Run(2);
        Assert.Equal(one.y, two.y);
        Assert.Equal(one.dx, two.dx);
        Assert.Equal(one.dg, two.dg);
        Assert.Equal(one.db, two.db);
    }

    [Fact]
    public void Short_spans_are_rejected_with_the_sizes()
    {
        var e = Assert.Throws<ArgumentException>(() => ChannelNorm.Forward(new float[12], new float[2], default, new float[12], default, 2, 3, 2, 1e-5f, false));
        Assert.Contains("gamma (2)", e.Message);
        e = Assert.Throws<ArgumentException>(() => ChannelNorm.Backward(new float[12], default, default, new float[8], new float[12], new float[11], default, default, 2, 3, 2, false, false));
        Assert.Contains("dx of length 11", e.Message);
        e = Assert.Throws<ArgumentException>(() => ChannelNorm.Forward(new float[12], default, default, new float[12], new float[7], 2, 3, 2, 1e-5f, false));
        Assert.Contains("stats of length 7", e.Message);
    }
}

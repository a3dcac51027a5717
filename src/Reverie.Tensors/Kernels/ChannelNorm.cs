// ChannelNorm: LayerNorm / RmsNorm over the channel axis of (N, C, S) feature maps in place of a permute to
// channels-last, a row norm over C floats per pixel and a permute back. Vector512 lanes run over 16 positions s;
// the loops over c read C rows S floats apart. Forward, backward, and their scalar reference twins.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using V = System.Runtime.Intrinsics.Vector512<float>;

namespace Reverie.Tensors.Kernels;

/// <summary>
/// Normalization over c of x (N, C, S) at every (n, s): centered (LayerNorm) y = (x − mean)·rstd·γ[c] + β[c] with
/// rstd = 1/√(var + eps) (biased variance over the C channels); not centered (RmsNorm) y = x·rstd·γ[c] with
/// rstd = 1/√(mean(x²) + eps). γ and β are optional (length C). stats, when given, receives (N, 2, S): the mean
/// plane (0 when not centered) then the rstd plane of each image. With silu, y goes through SiLU in the same pass.
/// The same arithmetic as <see cref="RowNorm"/> on the permuted rows (sum, divide by C, then squares).
/// </summary>
public static unsafe class ChannelNorm
{
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> y,
        Span<float> stats, int N, int C, int S, float eps, bool centered, bool silu = false)
    {
        Check(N, C, S, x.Length, y.Length, gamma, beta, stats);
        if (N == 0 || C == 0 || S == 0) return;
        if (!RowSimd.Enabled) { Reference.Forward(x, gamma, beta, y, stats, N, C, S, eps, centered, silu); return; }
        fixed (float* px = x, py = y, pg = gamma, pb = beta, ps = stats)
        {
            var job = RowJob.Current;
            job.Body = &ForwardImages;
            job.P0 = px; job.P1 = py; job.P2 = pg; job.P3 = pb; job.P4 = ps;
            job.N = C; job.I0 = S; job.F0 = eps; job.B0 = centered; job.B1 = silu;
            job.Run(N, 2L * C * S);
        }
    }

    private static void ForwardImages(RowJob j, int n0, int n1)
    {
        int C = j.N, S = j.I0;
        float* pg = j.P2, pb = j.P3, ps = j.P4;
        bool centered = j.B0, silu = j.B1, hasG = pg != null, hasB = pb != null;
        var vc = Vector512.Create((float)C); var veps = Vector512.Create(j.F0);
        nint cs = (nint)C * S;
        for (int n = n0; n < n1; n++)
        {
            float* xn = j.P0 + n * cs, yn = j.P1 + n * cs;
            for (int s = 0; s < S; s += 16)
            {
                var mask = s + 16 <= S ? V.AllBitsSet : RowSimd.Mask(S - s);
                float* xs = xn + s;
                var mean = V.Zero;
                if (centered)
                {
                    for (int c = 0; c < C; c++) mean += RowSimd.Load(xs + c * S, mask, V.Zero);
                    mean /= vc;
                }
                var ss = V.Zero;
                for (int c = 0; c < C; c++) { var d = RowSimd.Load(xs + c * S, mask, V.Zero) - mean; ss = Avx512F.FusedMultiplyAdd(d, d, ss); }
                var rstd = V.One / Vector512.Sqrt(ss / vc + veps);
                for (int c = 0; c < C; c++)
                {
                    var v = (RowSimd.Load(xs + c * S, mask, V.Zero) - mean) * rstd;
                    if (hasG) v *= Vector512.Create(pg[c]);
                    if (hasB) v += Vector512.Create(pb[c]);
                    if (silu) v *= Ew.Sigmoid(v);
                    RowSimd.Store(yn + c * S + s, mask, v);
                }
                if (ps != null)
                {
                    RowSimd.Store(ps + (nint)2 * n * S + s, mask, mean);
                    RowSimd.Store(ps + (nint)(2 * n + 1) * S + s, mask, rstd);
                }
            }
        }
    }

    /// <summary>
    /// Backward with xhat = (x − mean)·rstd and dxhat = g·γ[c] (g through SiLU's derivative first with silu):
    /// dβ[c] += Σ_{n,s} g; dγ[c] += Σ_{n,s} g·xhat; dx = rstd·(dxhat − [centered] mean_c(dxhat) − xhat·mean_c(dxhat·xhat)),
    /// added into dx when <paramref name="accumulateDx"/>. Empty dx, dgamma or dbeta spans are skipped. dx runs over
    /// images. With dx and C ≤ <see cref="FusedMaxChannels"/>, dγ and dβ are summed in the same pass, per fixed block of
    /// images (<see cref="ParamBlocks"/>), and the blocks added in order; otherwise in a pass over channels (each channel's
    /// sums by one thread). Either way the result never depends on the threads, but the two orders give different
    /// last bits, so dγ's bits depend on whether dx is asked for. The fused pass has at most 16 work items, so it uses
    /// at most min(16, ⌈N/4⌉) threads for dx (enough on the 2-core machines this was tuned for).
    /// </summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> stats,
        ReadOnlySpan<float> g, Span<float> dx, Span<float> dgamma, Span<float> dbeta, int N, int C, int S, bool centered,
        bool accumulateDx, bool silu = false)
    {
        Check(N, C, S, x.Length, g.Length, gamma, beta, stats);
        long size = (long)N * C * S;
        if (stats.Length < 2L * N * S) throw new ArgumentException($"channel_norm_backward: stats of length {stats.Length} is shorter than 2·N·S = {2L * N * S}");
        if (!dx.IsEmpty && dx.Length < size) throw new ArgumentException($"channel_norm_backward: dx of length {dx.Length} is shorter than N·C·S = {size}");
        if ((!dgamma.IsEmpty && dgamma.Length < C) || (!dbeta.IsEmpty && dbeta.Length < C))
            throw new ArgumentException($"channel_norm_backward: dgamma ({dgamma.Length}) or dbeta ({dbeta.Length}) is shorter than C = {C}");
        if (size == 0) return;
        if (!RowSimd.Enabled) { Reference.Backward(x, gamma, beta, stats, g, dx, dgamma, dbeta, N, C, S, centered, accumulateDx, silu); return; }
        bool parms = !dgamma.IsEmpty || !dbeta.IsEmpty;
        fixed (float* px = x, pgam = gamma, pbet = beta, pst = stats, pg = g, pdx = dx, pdg = dgamma, pdb = dbeta)
        {
            var job = RowJob.Current;
            job.P0 = px; job.P1 = pgam; job.P2 = pbet; job.P3 = pst; job.P4 = pg;
            job.N = C; job.I0 = S; job.I1 = N; job.B0 = centered; job.B1 = silu; job.B2 = accumulateDx;
            if (!dx.IsEmpty && parms && C <= FusedMaxChannels)
            {
                // One pass for dx, dγ and dβ: the dx pass already has g (through SiLU) and xhat at every element.
                int blocks = ParamBlocks(N);
                var part = BufferPool.Rent(2 * blocks * C);
                try
                {
                    fixed (float* pp = part)
                    {
                        job.P5 = pdx; job.P6 = pp; job.I2 = blocks;
                        job.Body = &DxParamBlocks;
                        job.Run(blocks, 3L * C * S * (N / blocks));
                    }
                    // The blocks' sums in block order: the bounds depend on N only, so any thread count gives the same bits.
                    for (int b = 0; b < blocks; b++)
                        for (int c = 0; c < C; c++)
                        {
                            if (!dgamma.IsEmpty) dgamma[c] += part[(2 * b) * C + c];
                            if (!dbeta.IsEmpty) dbeta[c] += part[(2 * b + 1) * C + c];
                        }
                }
                finally { BufferPool.Return(part); }
                return;
            }
            if (!dx.IsEmpty)
            {
                job.P5 = pdx; job.P6 = null;
                job.Body = &DxImages;
                job.Run(N, 3L * C * S);
            }
            if (parms)
            {
                job.P5 = pdg; job.P6 = pdb;
                job.Body = &ParamChannels;
                job.Run(C, 2L * N * S);
            }
        }
    }

    /// <summary>
    /// Most channels the fused dx + dγ/dβ pass keeps per-channel vector sums for (on the stack: 2 vectors each); a field so
    /// the bench can A/B the fused pass against the separate dγ/dβ pass over channels (CHANNELNORM_FUSED=0).
    /// </summary>
    internal static int FusedMaxChannels = 256;

    /// <summary>The fused pass's blocks of consecutive images: ⌈N/4⌉ of them (at most 4 images each) up to N = 64, then 16.</summary>
    private static int ParamBlocks(int N) => Math.Clamp((N + 3) / 4, 1, 16);

    // Blocks b0..b1 of images: dx as DxImages, and the block's Σ g and Σ g·xhat per channel into P6 (2·C floats per block:
    // dγ's sums, then dβ's).
    private static void DxParamBlocks(RowJob j, int b0, int b1)
    {
        int C = j.N, N = j.I1, blocks = j.I2;
        var accG = stackalloc V[C];
        var accB = stackalloc V[C];
        for (int b = b0; b < b1; b++)
        {
            for (int c = 0; c < C; c++) { accG[c] = V.Zero; accB[c] = V.Zero; }
            int i0 = (int)((long)b * N / blocks), i1 = (int)((long)(b + 1) * N / blocks);
            DxRange(j, i0, i1, accG, accB);
            float* pp = j.P6 + (nint)2 * b * C;
            for (int c = 0; c < C; c++) { pp[c] = RowSimd.Sum(accG[c]); pp[C + c] = RowSimd.Sum(accB[c]); }
        }
    }

    private static void DxImages(RowJob j, int n0, int n1) => DxRange(j, n0, n1, null, null);

    // The gradient reaching the norm (through SiLU when fused) and xhat, at channel c of a 16-position chunk. Inlined: as a
    // call (three vectors by value and one out) it cost more than its arithmetic.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Grad(RowJob j, float* xs, float* gs, int c, int S, V mask, V mean, V rstd, out V xh)
    {
        xh = (RowSimd.Load(xs + c * S, mask, V.Zero) - mean) * rstd;
        var gv = RowSimd.Load(gs + c * S, mask, V.Zero);
        if (!j.B1) return gv;
        var nv = j.P1 != null ? xh * Vector512.Create(j.P1[c]) : xh;
        if (j.P2 != null) nv += Vector512.Create(j.P2[c]);
        var sg = Ew.Sigmoid(nv);
        return gv * sg * (V.One + nv * (V.One - sg));
    }

    // dx for images n0..n1; with accG/accB (one vector per channel), also Σ g·xhat and Σ g (g before γ, after SiLU's
    // derivative), the sums dγ and dβ need.
    private static void DxRange(RowJob j, int n0, int n1, V* accG, V* accB)
    {
        if (ByChannels ?? (j.N >= 32 && j.I0 >= 256)) DxRangeByChannels(j, n0, n1, accG, accB);
        else DxRangeByPositions(j, n0, n1, accG, accB);
    }

    /// <summary>
    /// Whether the backward goes channel by channel (<see cref="DxRangeByChannels"/>) or position by position; null: by
    /// shape, channel by channel from 32 channels of 256 positions (depth-16 pixel model: −5% per step; at 16 channels,
    /// depth 8, the position pass's memory streams are few enough and recomputing SiLU's derivative made it no faster).
    /// Both give the same bits, so tests and the bench may force either while others run.
    /// </summary>
    internal static bool? ByChannels;

    private static void DxRangeByChannels(RowJob j, int n0, int n1, V* accG, V* accB)
    {
        int C = j.N, S = j.I0, chunks = (S + 15) / 16;
        bool parms = accG != null;
        float* pgam = j.P1;
        bool centered = j.B0, acc = j.B2, hasG = pgam != null;
        var vc = Vector512.Create((float)C);
        nint cs = (nint)C * S;
        // Two passes over each image, each channel by channel along its plane (two or three sequential streams at a time:
        // a pass over positions that reads all C planes at once keeps 2·C pages in flight, more than the hardware
        // prefetcher follows, and waited on memory at every load). The first sums d and d·xhat over channels per
        // position; the second recomputes d and xhat (SiLU's derivative included) and writes dx. Per position the sums
        // run over c in order, as a pass over positions would.
        var ab = BufferPool.Rent(2 * 16 * chunks);
        try
        {
            fixed (float* pab = ab)
            {
                V* va = (V*)pab, vb = va + chunks;     // Σ_c d, then a = [centered] mean_c(d); Σ_c d·xhat, then b = its mean
                for (int n = n0; n < n1; n++)
                {
                    float* xn = j.P0 + n * cs, gn = j.P4 + n * cs, dn = j.P5 + n * cs;
                    float* mp = j.P3 + (nint)2 * n * S, rp = mp + S;
                    for (int k = 0; k < chunks; k++) { Unsafe.Write(va + k, V.Zero); Unsafe.Write(vb + k, V.Zero); }
                    for (int c = 0; c < C; c++)
                    {
                        V sb = parms ? accB[c] : V.Zero, sg = parms ? accG[c] : V.Zero;
                        var gam = hasG ? Vector512.Create(pgam[c]) : V.One;
                        for (int k = 0, s = 0; k < chunks; k++, s += 16)
                        {
                            var mask = s + 16 <= S ? V.AllBitsSet : RowSimd.Mask(S - s);
                            var gv = Grad(j, xn + s, gn + s, c, S, mask, RowSimd.Load(mp + s, mask, V.Zero), RowSimd.Load(rp + s, mask, V.Zero), out var xh);
                            if (parms) { sb += gv; sg = Avx512F.FusedMultiplyAdd(gv, xh, sg); }
                            var d = hasG ? gv * gam : gv;
                            va[k] += d;
                            vb[k] = Avx512F.FusedMultiplyAdd(d, xh, vb[k]);
                        }
                        if (parms) { accB[c] = sb; accG[c] = sg; }
                    }
                    for (int k = 0; k < chunks; k++) { va[k] = centered ? va[k] / vc : V.Zero; vb[k] /= vc; }
                    for (int c = 0; c < C; c++)
                    {
                        var gam = hasG ? Vector512.Create(pgam[c]) : V.One;
                        for (int k = 0, s = 0; k < chunks; k++, s += 16)
                        {
                            var mask = s + 16 <= S ? V.AllBitsSet : RowSimd.Mask(S - s);
                            var rstd = RowSimd.Load(rp + s, mask, V.Zero);
                            var gv = Grad(j, xn + s, gn + s, c, S, mask, RowSimd.Load(mp + s, mask, V.Zero), rstd, out var xh);
                            var d = hasG ? gv * gam : gv;
                            var v = rstd * (d - va[k] - xh * vb[k]);
                            float* dp = dn + c * S + s;
                            if (acc) v += RowSimd.Load(dp, mask, V.Zero);
                            RowSimd.Store(dp, mask, v);
                        }
                    }
                }
            }
        }
        finally { BufferPool.Return(ab); }
    }

    // DxRange in one pass over positions: 16 at a time, every channel's plane read there. On small maps, or few channels,
    // the planes of an image span few pages, and caching d and xhat saves recomputing them.
    private static void DxRangeByPositions(RowJob j, int n0, int n1, V* accG, V* accB)
    {
        int C = j.N, S = j.I0;
        bool parms = accG != null;
        float* pgam = j.P1;
        bool centered = j.B0, acc = j.B2, hasG = pgam != null;
        var vc = Vector512.Create((float)C);
        nint cs = (nint)C * S;
        // Up to CacheChannels channels, the first pass keeps d and xhat per channel (2 vectors each, 8 KB at 64) for the
        // second, instead of recomputing them (and SiLU's derivative); beyond that the second pass recomputes.
        const int CacheChannels = 64;
        bool cache = C <= CacheChannels;
        var dCache = stackalloc V[cache ? C : 0];
        var xCache = stackalloc V[cache ? C : 0];
        for (int n = n0; n < n1; n++)
        {
            float* xn = j.P0 + n * cs, gn = j.P4 + n * cs, dn = j.P5 + n * cs;
            float* mp = j.P3 + (nint)2 * n * S, rp = mp + S;
            for (int s = 0; s < S; s += 16)
            {
                var mask = s + 16 <= S ? V.AllBitsSet : RowSimd.Mask(S - s);
                var mean = RowSimd.Load(mp + s, mask, V.Zero); var rstd = RowSimd.Load(rp + s, mask, V.Zero);
                V sumD = V.Zero, sumDX = V.Zero;
                for (int c = 0; c < C; c++)
                {
                    var gv = Grad(j, xn + s, gn + s, c, S, mask, mean, rstd, out var xh);
                    if (parms) { accB[c] += gv; accG[c] = Avx512F.FusedMultiplyAdd(gv, xh, accG[c]); }
                    var d = hasG ? gv * Vector512.Create(pgam[c]) : gv;
                    if (cache) { dCache[c] = d; xCache[c] = xh; }
                    sumD += d;
                    sumDX = Avx512F.FusedMultiplyAdd(d, xh, sumDX);
                }
                var a = centered ? sumD / vc : V.Zero;
                var b = sumDX / vc;
                for (int c = 0; c < C; c++)
                {
                    V d, xh;
                    if (cache) { d = dCache[c]; xh = xCache[c]; }
                    else
                    {
                        var gv = Grad(j, xn + s, gn + s, c, S, mask, mean, rstd, out xh);
                        d = hasG ? gv * Vector512.Create(pgam[c]) : gv;
                    }
                    var v = rstd * (d - a - xh * b);
                    float* dp = dn + c * S + s;
                    if (acc) v += RowSimd.Load(dp, mask, V.Zero);
                    RowSimd.Store(dp, mask, v);
                }
            }
        }
    }

    private static void ParamChannels(RowJob j, int c0, int c1)
    {
        int C = j.N, S = j.I0, N = j.I1;
        float* pdg = j.P5, pdb = j.P6;
        nint cs = (nint)C * S;
        for (int c = c0; c < c1; c++)
        {
            V accG = V.Zero, accB = V.Zero;
            for (int n = 0; n < N; n++)
            {
                float* xn = j.P0 + n * cs, gn = j.P4 + n * cs;
                float* mp = j.P3 + (nint)2 * n * S, rp = mp + S;
                for (int s = 0; s < S; s += 16)
                {
                    var mask = s + 16 <= S ? V.AllBitsSet : RowSimd.Mask(S - s);
                    var gv = Grad(j, xn + s, gn + s, c, S, mask, RowSimd.Load(mp + s, mask, V.Zero), RowSimd.Load(rp + s, mask, V.Zero), out var xh);
                    accB += gv;
                    accG = Avx512F.FusedMultiplyAdd(gv, xh, accG);
                }
            }
            if (pdg != null) pdg[c] += RowSimd.Sum(accG);
            if (pdb != null) pdb[c] += RowSimd.Sum(accB);
        }
    }

    private static void Check(int N, int C, int S, int xLen, int yLen, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> stats)
    {
        if (N < 0 || C < 0 || S < 0) throw new ArgumentException($"channel_norm: negative size N={N} C={C} S={S}");
        long need = (long)N * C * S;
        if (xLen < need || yLen < need) throw new ArgumentException($"channel_norm: spans of length ({xLen}, {yLen}) are shorter than N·C·S = {need}");
        if ((!gamma.IsEmpty && gamma.Length < C) || (!beta.IsEmpty && beta.Length < C))
            throw new ArgumentException($"channel_norm: gamma ({gamma.Length}) or beta ({beta.Length}) is shorter than C = {C}");
        if (!stats.IsEmpty && stats.Length < 2L * N * S) throw new ArgumentException($"channel_norm: stats of length {stats.Length} is shorter than 2·N·S = {2L * N * S}");
    }

    /// <summary>Plain scalar twins (double sums); the tests compare the Vector512 paths against them.</summary>
    public static class Reference
    {
        public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> y,
            Span<float> stats, int N, int C, int S, float eps, bool centered, bool silu = false)
        {
            for (int n = 0; n < N; n++)
                for (int s = 0; s < S; s++)
                {
                    double mean = 0, ss = 0;
                    if (centered) { for (int c = 0; c < C; c++) mean += x[(n * C + c) * S + s]; mean /= C; }
                    for (int c = 0; c < C; c++) { double d = x[(n * C + c) * S + s] - mean; ss += d * d; }
                    double rstd = 1.0 / Math.Sqrt(ss / C + eps);
                    for (int c = 0; c < C; c++)
                    {
                        double v = (x[(n * C + c) * S + s] - mean) * rstd;
                        if (!gamma.IsEmpty) v *= gamma[c];
                        if (!beta.IsEmpty) v += beta[c];
                        if (silu) v /= 1 + Math.Exp(-v);
                        y[(n * C + c) * S + s] = (float)v;
                    }
                    if (!stats.IsEmpty) { stats[2 * n * S + s] = (float)mean; stats[(2 * n + 1) * S + s] = (float)rstd; }
                }
        }

        public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> stats,
            ReadOnlySpan<float> g, Span<float> dx, Span<float> dgamma, Span<float> dbeta, int N, int C, int S, bool centered,
            bool accumulateDx, bool silu = false)
        {
            var xh = new double[C]; var gv = new double[C];
            double[] dg = new double[C], db = new double[C];
            for (int n = 0; n < N; n++)
                for (int s = 0; s < S; s++)
                {
                    double mean = stats[2 * n * S + s], rstd = stats[(2 * n + 1) * S + s], sumD = 0, sumDX = 0;
                    for (int c = 0; c < C; c++)
                    {
                        int i = (n * C + c) * S + s;
                        xh[c] = (x[i] - mean) * rstd;
                        gv[c] = g[i];
                        if (silu)
                        {
                            double nv = xh[c] * (gamma.IsEmpty ? 1.0 : gamma[c]) + (beta.IsEmpty ? 0.0 : beta[c]);
                            double sg = 1 / (1 + Math.Exp(-nv));
                            gv[c] *= sg * (1 + nv * (1 - sg));
                        }
                        db[c] += gv[c];
                        dg[c] += gv[c] * xh[c];
                        double d = gv[c] * (gamma.IsEmpty ? 1.0 : gamma[c]);
                        sumD += d; sumDX += d * xh[c];
                    }
                    if (dx.IsEmpty) continue;
                    double a = centered ? sumD / C : 0, b = sumDX / C;
                    for (int c = 0; c < C; c++)
                    {
                        int i = (n * C + c) * S + s;
                        double d = gv[c] * (gamma.IsEmpty ? 1.0 : gamma[c]);
                        double v = rstd * (d - a - xh[c] * b);
                        dx[i] = (float)(accumulateDx ? dx[i] + v : v);
                    }
                }
            for (int c = 0; c < C; c++)
            {
                if (!dgamma.IsEmpty) dgamma[c] += (float)dg[c];
                if (!dbeta.IsEmpty) dbeta[c] += (float)db[c];
            }
        }
    }
}

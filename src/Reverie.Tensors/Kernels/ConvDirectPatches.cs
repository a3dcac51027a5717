// ConvDirect's weight gradient by patches: for channel b of the big map, the 16 taps (ki, kj) of the 4x4 kernel at each
// output position form one vector, and dW[a, b, ·] (16 floats in the same order) is a sum of small[a, p] · patch[p]:
// broadcast multiply-adds into up to 24 vector sums, with no masks and no reductions across lanes.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using V = System.Runtime.Intrinsics.Vector512<float>;

namespace Reverie.Tensors.Kernels;

internal static unsafe partial class ConvDirect
{
    /// <summary>
    /// Whether the weight gradient of A small-map and B big-map channels goes by patches: from 16 channels a up, and with at
    /// least 8 channels b or 32 channels a. Below that, building a patch per channel b and position costs more than its
    /// multiply-adds save (measured on the pixel model's layers at depths 4, 8 and 16: docs/performance.md).
    /// </summary>
    internal static bool PatchesFor(int A, int B) => PatchWeights && A >= 16 && (B >= 8 || A >= 32);

    /// <summary>Bench A/B: false sends every weight gradient to the 16-column / row kernels (CONV_PATCH=0).</summary>
    internal static bool PatchWeights = true;

    /// <summary>Positions (images × output positions) per sweep of the patch kernel at least, so that loading and storing its
    /// accumulators once per sweep and channel b stays small next to the multiply-adds.</summary>
    private const int PatchSweepPositions = 256;

    // The weight gradient by patches: for channel b of the big map, the 16 taps (ki, kj) at output position p are one
    // vector (lane 4·ki + kj, as dW[a, b] stores them), built once from a zero-bordered copy of the channel; then for up to
    // 24 channels a at a time dW[a, b, ·] += small[a, p] · patch[p], with small[·, p] from a positions-major copy. Each lane
    // sums over the block's images and positions in order: no reductions across lanes, no masks.
    private static void PatchBlocks(RowJob j, int blk0, int blk1)
    {
        int A = j.N, B = j.I0, H = j.I1, W = j.I2, N = j.I3, Ho = H / 2, Wo = W / 2, P = Ho * Wo, K = A * B * 16, blocks = Blocks(N);
        int Hp = H + 2, Wp = W + 2, groups = (A + 7) / 8, Ap = 8 * groups, passes = (groups + 2) / 3;
        int sweep = Math.Clamp(PatchSweepPositions / P, 1, N);
        nint sImg = (nint)A * P, bImg = (nint)B * H * W, tImg = (nint)P * Ap, pImg = (nint)P * 16;
        nint padLen = ((nint)Hp * Wp + 15) & ~(nint)15;
        float* patches = GemmBuffers.Current.T(sweep * (pImg + tImg) + padLen);
        float* smallT = patches + sweep * pImg, pad = smallT + sweep * tImg;
        new Span<float>(pad, (int)padLen).Clear();                       // the border stays zero; rows are copied in per channel
        if (Ap > A)                                                        // channels past A read zeros (their sums are dropped)
            for (nint r = 0; r < sweep * P; r++) new Span<float>(smallT + r * Ap + A, Ap - A).Clear();
        for (int blk = blk0; blk < blk1; blk++)
        {
            float* pp = j.P2 + (nint)blk * K;
            new Span<float>(pp, K).Clear();
            int i0 = (int)((long)blk * N / blocks), i1 = (int)((long)(blk + 1) * N / blocks);
            for (int n0 = i0; n0 < i1; n0 += sweep)
            {
                int count = Math.Min(sweep, i1 - n0);
                for (int n = 0; n < count; n++) TransposeSmall(j.P0 + (n0 + n) * sImg, smallT + n * tImg, A, P, Ap);
                for (int b = 0; b < B; b++)
                {
                    for (int n = 0; n < count; n++) Patches(j.P1 + (n0 + n) * bImg + (nint)b * H * W, pad, patches + n * pImg, H, W);
                    for (int q = 0; q < passes; q++)
                    {
                        int g0 = q * groups / passes, g1 = (q + 1) * groups / passes, ab = Math.Min(8 * g1, A) - 8 * g0;
                        float* sq = smallT + 8 * g0, dq = pp + ((nint)8 * g0 * B + b) * 16;
                        switch (g1 - g0)
                        {
                            case 1: PatchPass<OneSet>(sq, tImg, Ap, patches, pImg, dq, (nint)B * 16, ab, count, P); break;
                            case 2: PatchPass<TwoSets>(sq, tImg, Ap, patches, pImg, dq, (nint)B * 16, ab, count, P); break;
                            default: PatchPass<ThreeSets>(sq, tImg, Ap, patches, pImg, dq, (nint)B * 16, ab, count, P); break;
                        }
                    }
                }
            }
        }
    }

    // small (A, P) of one image → positions-major (P, Ap): 16 × 16 blocks transposed in registers (a scalar loop would read
    // A planes P floats apart, which alias in L1 when P is a multiple of 1024). Columns A..Ap stay as cleared.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposeSmall(float* s, float* t, int A, int P, int Ap)
    {
        int p0 = 0;
        for (; p0 + 16 <= P; p0 += 16)
            for (int a0 = 0; a0 < A; a0 += 16)
                Transpose16(s + (nint)a0 * P + p0, P, Math.Min(16, A - a0), t + (nint)p0 * Ap + a0, Ap, RowSimd.Mask(Math.Min(16, Ap - a0)));
        for (; p0 < P; p0++)
            for (int a = 0; a < A; a++) t[(nint)p0 * Ap + a] = s[(nint)a * P + p0];
    }

    // dst[p·dstStride + a] = src[a·srcStride + p] for p < 16 and a < rows (a in rows..16 gives zeros), lanes of mask stored.
    // Pairs of rows interleave (ps), then pairs of pairs (pd): 128-bit chunk L of u(g, k) holds column 4·L + k of rows
    // 4g..4g+3; two rounds of 128-bit shuffles gather column 4·L + k of all four groups.
    private static void Transpose16(float* src, nint srcStride, int rows, float* dst, nint dstStride, V mask)
    {
        Interleave4(src, srcStride, rows, 0, out var u0, out var u1, out var u2, out var u3);
        Interleave4(src, srcStride, rows, 4, out var u4, out var u5, out var u6, out var u7);
        Interleave4(src, srcStride, rows, 8, out var u8, out var u9, out var u10, out var u11);
        Interleave4(src, srcStride, rows, 12, out var u12, out var u13, out var u14, out var u15);
        Gather4(dst, dstStride, mask, u0, u4, u8, u12);
        Gather4(dst + dstStride, dstStride, mask, u1, u5, u9, u13);
        Gather4(dst + 2 * dstStride, dstStride, mask, u2, u6, u10, u14);
        Gather4(dst + 3 * dstStride, dstStride, mask, u3, u7, u11, u15);
    }

    // u(g, k) for rows r0..r0+3 (rows at or past `rows` read as zeros).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Interleave4(float* src, nint srcStride, int rows, int r0, out V u0, out V u1, out V u2, out V u3)
    {
        V R(int k) => r0 + k < rows ? Vector512.Load(src + (r0 + k) * srcStride) : V.Zero;
        V r_0 = R(0), r_1 = R(1), r_2 = R(2), r_3 = R(3);
        var t0 = Avx512F.UnpackLow(r_0, r_1).AsDouble(); var t1 = Avx512F.UnpackHigh(r_0, r_1).AsDouble();
        var t2 = Avx512F.UnpackLow(r_2, r_3).AsDouble(); var t3 = Avx512F.UnpackHigh(r_2, r_3).AsDouble();
        u0 = Avx512F.UnpackLow(t0, t2).AsSingle(); u1 = Avx512F.UnpackHigh(t0, t2).AsSingle();
        u2 = Avx512F.UnpackLow(t1, t3).AsSingle(); u3 = Avx512F.UnpackHigh(t1, t3).AsSingle();
    }

    // Columns k, 4 + k, 8 + k, 12 + k (rows 4 and 8 and 12 dstStride apart from dst) from u(0..3, k).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Gather4(float* dst, nint dstStride, V mask, V g0, V g1, V g2, V g3)
    {
        V x01 = Avx512F.Shuffle4x128(g0, g1, 0x44), y01 = Avx512F.Shuffle4x128(g0, g1, 0xEE);
        V x23 = Avx512F.Shuffle4x128(g2, g3, 0x44), y23 = Avx512F.Shuffle4x128(g2, g3, 0xEE);
        RowSimd.Store(dst, mask, Avx512F.Shuffle4x128(x01, x23, 0x88));
        RowSimd.Store(dst + 4 * dstStride, mask, Avx512F.Shuffle4x128(x01, x23, 0xDD));
        RowSimd.Store(dst + 8 * dstStride, mask, Avx512F.Shuffle4x128(y01, y23, 0x88));
        RowSimd.Store(dst + 12 * dstStride, mask, Avx512F.Shuffle4x128(y01, y23, 0xDD));
    }

    // Channel (H, W) → the zero-bordered copy pad (H + 2, W + 2) → patches[p = oh·Wo + ow] = pad[2·oh + ki, 2·ow + kj] at lane 4·ki + kj.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Patches(float* x, float* pad, float* patches, int H, int W)
    {
        int Wp = W + 2, Ho = H / 2, Wo = W / 2;
        for (int r = 0; r < H; r++)
        {
            float* src = x + (nint)r * W, dst = pad + (nint)(r + 1) * Wp + 1;
            for (int c = 0; c < W; c += 16)
            {
                var m = c + 16 <= W ? V.AllBitsSet : RowSimd.Mask(W - c);
                RowSimd.Store(dst + c, m, RowSimd.Load(src + c, m, V.Zero));
            }
        }
        for (int oh = 0; oh < Ho; oh++)
        {
            float* r0 = pad + (nint)2 * oh * Wp;
            float* dst = patches + (nint)oh * Wo * 16;
            for (int ow = 0; ow < Wo; ow++)
            {
                float* c = r0 + 2 * ow;
                var lo = Vector256.Create(Vector128.Load(c), Vector128.Load(c + Wp));
                var hi = Vector256.Create(Vector128.Load(c + 2 * Wp), Vector128.Load(c + 3 * Wp));
                Vector512.Create(lo, hi).StoreAligned(dst + 16 * ow);
            }
        }
    }

    // Sets × 8 sums (channel groups of 8, ≤ 3) over `count` images and P positions: dst[k·dstStride + 0..16) += Σ_n Σ_p
    // smallT[n, p, k] · patches[n, p], added for the ab real channels k (channels ab..8·sets read zeros and are dropped).
    // The set count is a type argument so that each count compiles to its own loop without branches: with branches on
    // it, the JIT stored and reloaded the second and third sets at every position.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PatchPass<TSets>(float* smallT, nint tImg, int Ap, float* patches, nint pImg, float* dst, nint dstStride,
        int ab, int count, int P) where TSets : struct, ISetCount
    {
        V a0 = V.Zero, a1 = V.Zero, a2 = V.Zero, a3 = V.Zero, a4 = V.Zero, a5 = V.Zero, a6 = V.Zero, a7 = V.Zero;
        V b0 = V.Zero, b1 = V.Zero, b2 = V.Zero, b3 = V.Zero, b4 = V.Zero, b5 = V.Zero, b6 = V.Zero, b7 = V.Zero;
        V c0 = V.Zero, c1 = V.Zero, c2 = V.Zero, c3 = V.Zero, c4 = V.Zero, c5 = V.Zero, c6 = V.Zero, c7 = V.Zero;
        for (int n = 0; n < count; n++)
        {
            float* s = smallT + n * tImg, pt = patches + n * pImg;
            for (int p = 0; p < P; p++, s += Ap, pt += 16)
            {
                var t = Vector512.LoadAligned(pt);
                Fma8(ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7, s, t);
                if (TSets.Sets > 1) Fma8(ref b0, ref b1, ref b2, ref b3, ref b4, ref b5, ref b6, ref b7, s + 8, t);
                if (TSets.Sets > 2) Fma8(ref c0, ref c1, ref c2, ref c3, ref c4, ref c5, ref c6, ref c7, s + 16, t);
            }
        }
        Store8(dst, dstStride, ab, a0, a1, a2, a3, a4, a5, a6, a7);
        if (TSets.Sets > 1) Store8(dst + 8 * dstStride, dstStride, ab - 8, b0, b1, b2, b3, b4, b5, b6, b7);
        if (TSets.Sets > 2) Store8(dst + 16 * dstStride, dstStride, ab - 16, c0, c1, c2, c3, c4, c5, c6, c7);
    }

    private interface ISetCount { static abstract int Sets { get; } }
    private struct OneSet : ISetCount { public static int Sets => 1; }
    private struct TwoSets : ISetCount { public static int Sets => 2; }
    private struct ThreeSets : ISetCount { public static int Sets => 3; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Fma8(ref V a0, ref V a1, ref V a2, ref V a3, ref V a4, ref V a5, ref V a6, ref V a7, float* s, V t)
    {
        a0 = Avx512F.FusedMultiplyAdd(Vector512.Create(s[0]), t, a0);
        a1 = Avx512F.FusedMultiplyAdd(Vector512.Create(s[1]), t, a1);
        a2 = Avx512F.FusedMultiplyAdd(Vector512.Create(s[2]), t, a2);
        a3 = Avx512F.FusedMultiplyAdd(Vector512.Create(s[3]), t, a3);
        a4 = Avx512F.FusedMultiplyAdd(Vector512.Create(s[4]), t, a4);
        a5 = Avx512F.FusedMultiplyAdd(Vector512.Create(s[5]), t, a5);
        a6 = Avx512F.FusedMultiplyAdd(Vector512.Create(s[6]), t, a6);
        a7 = Avx512F.FusedMultiplyAdd(Vector512.Create(s[7]), t, a7);
    }

    // Adds the first `count` (≤ 8) of the sums into dst, dstStride floats apart. Inlined: a call after the loop would have
    // the JIT keep the other sets' sums on the stack (stored at every multiply-add), as vectors live across a call.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store8(float* dst, nint dstStride, int count, V a0, V a1, V a2, V a3, V a4, V a5, V a6, V a7)
    {
        AddTo(dst, a0);
        if (count > 1) AddTo(dst + dstStride, a1);
        if (count > 2) AddTo(dst + 2 * dstStride, a2);
        if (count > 3) AddTo(dst + 3 * dstStride, a3);
        if (count > 4) AddTo(dst + 4 * dstStride, a4);
        if (count > 5) AddTo(dst + 5 * dstStride, a5);
        if (count > 6) AddTo(dst + 6 * dstStride, a6);
        if (count > 7) AddTo(dst + 7 * dstStride, a7);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTo(float* d, V a) => (Vector512.Load(d) + a).Store(d);
}

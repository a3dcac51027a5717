// ConvDirect's weight gradient: dW of the 4x4 / stride-2 / padding-1 convolution (and of its transpose), summed over
// fixed blocks of images so that the bits do not depend on the thread count. Wide layers take the patch kernel
// (ConvDirectPatches.cs); narrow ones the taps of the big map times the small map, 16 columns per vector (4 or 2 rows
// side by side on 4- and 8-wide maps).
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using V = System.Runtime.Intrinsics.Vector512<float>;

namespace Reverie.Tensors.Kernels;

internal static unsafe partial class ConvDirect
{
    /// <summary>
    /// The weight gradient sums images in at most this many blocks of consecutive images (fewer when N &lt; 16·MaxBlocks), each
    /// into its own partial dW, then adds the partials in block order: the block bounds depend on N only, so the result
    /// is the same for any thread count, and the partials take MaxBlocks·A·B·16 floats whatever the batch.
    /// </summary>
    private const int MaxBlocks = 16, MinImagesPerBlock = 16;

    /// <summary>
    /// dw[a, b, ki, kj] += Σ_n Σ_oh Σ_ow small[n, a, oh, ow] · big[n, b, 2·oh + ki − 1, 2·ow + kj − 1] (zero outside big), for small
    /// (N, A, H/2, W/2) and big (N, B, H, W): conv2d's weight gradient (small = gy, big = x) and conv_transpose2d's (small = x,
    /// big = gy). Where <see cref="PatchesFor"/> says so (16 or more channels a), by patches (<see cref="PatchBlocks"/>: the 4x4
    /// input patch of each output position as one vector, times small[a, p] broadcast); otherwise per sweep of images, (b, ki)
    /// and 4 channels a: the 4 taps of each 16-column chunk (as in <see cref="Forward"/>) times the chunk of small (on 4- and
    /// 8-wide small maps, 4 or 2 rows side by side instead: <see cref="WeightRowsBlock"/>), 16 vector sums reduced once per
    /// sweep of images (<see cref="SweepBytes"/>). Either way images go in at most 16 fixed blocks whose partial sums are added
    /// in block order, so the bits do not depend on the thread count (the two kernels sum in different orders).
    /// </summary>
    public static void WeightGrad(ReadOnlySpan<float> small, ReadOnlySpan<float> big, Span<float> dw, int N, int A, int B, in ConvGeom g) =>
        WeightGrad(small, big, dw, N, A, B, g, SweepBytes, NarrowWeightRows);

    /// <summary>
    /// <see cref="WeightGrad(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, in ConvGeom)"/> with a given
    /// sweep of images between reductions, a choice of the 16-column kernel on 4- and 8-wide layers, and of the patch
    /// kernel (null: <see cref="PatchesFor"/>) (tests).
    /// </summary>
    internal static void WeightGrad(ReadOnlySpan<float> small, ReadOnlySpan<float> big, Span<float> dw, int N, int A, int B, in ConvGeom g, long sweepBytes,
        bool narrowRows = true, bool? patches = null)
    {
        if (!Takes(g)) throw new ArgumentException(RowSimd.Enabled ? $"conv_weight_grad_direct: takes kernel 4x4, stride 2, padding 1 on even sizes, got k{g.KH}x{g.KW} s{g.Stride} p{g.Pad} on {g.H}x{g.W}" : "conv_weight_grad_direct: needs AVX-512");
        if (g.C != B) throw new ArgumentException($"conv_weight_grad_direct: the geometry has {g.C} channels, the big input {B}");
        long ss = (long)N * A * g.P, bs = (long)N * g.ImageSize, ws = (long)A * B * 16;
        if (small.Length < ss || big.Length < bs || dw.Length < ws)
            throw new ArgumentException($"conv_weight_grad_direct: spans small {small.Length}, big {big.Length}, dw {dw.Length} are shorter than {ss}, {bs}, {ws}");
        if (N == 0 || A == 0 || B == 0) return;
        int blocks = Blocks(N), K = A * B * 16;
        var part = BufferPool.Rent(blocks * K);
        try
        {
            fixed (float* ps = small, pb = big, pp = part)
            {
                var job = RowJob.Current;
                job.Body = patches ?? PatchesFor(A, B) ? &PatchBlocks : &WeightBlocks;
                job.P0 = ps; job.P1 = pb; job.P2 = pp;
                job.N = A; job.I0 = B; job.I1 = g.H; job.I2 = g.W; job.I3 = N;
                job.I4 = (int)Math.Clamp(sweepBytes / (4L * A * g.P + 4L * g.ImageSize), 1, N);   // images per sweep
                job.B0 = narrowRows;
                job.Run(blocks, (long)(N / blocks) * A * B * g.P);
            }
            var dst = dw[..K];
            for (int blk = 0; blk < blocks; blk++) TensorPrimitives.Add(dst, part.AsSpan(blk * K, K), dst);
        }
        finally { BufferPool.Return(part); }
    }

    private static int Blocks(int N) => Math.Min(MaxBlocks, (N + MinImagesPerBlock - 1) / MinImagesPerBlock);

    /// <summary>
    /// The weight gradient reduces its 16 vector sums to scalars once per sweep of this many bytes of images (small and
    /// big together, so a sweep stays in L2 while every (b, ki, a) block runs over it), not once per image: on the
    /// pixel model's 4x4 and 8x8 layers, where a 16-lane row holds 4 or 8 columns, the per-image reductions cost more than
    /// the multiply-adds. (A field, not a constant, so the conv bench can A/B it: CONV_SWEEP=bytes, 0 for one image.)
    /// </summary>
    internal static long SweepBytes = 512 * 1024;

    private static void WeightBlocks(RowJob j, int blk0, int blk1)
    {
        int A = j.N, B = j.I0, H = j.I1, W = j.I2, N = j.I3, Ho = H / 2, Wo = W / 2, K = A * B * 16, blocks = Blocks(N);
        nint sImg = (nint)A * Ho * Wo, bImg = (nint)B * H * W;
        int sweep = j.I4;
        bool narrow = j.B0 && (Wo == 4 || Wo == 8);
        for (int blk = blk0; blk < blk1; blk++)
        {
            float* pp = j.P2 + (nint)blk * K;
            new Span<float>(pp, K).Clear();
            int i0 = (int)((long)blk * N / blocks), i1 = (int)((long)(blk + 1) * N / blocks);
            for (int n0 = i0; n0 < i1; n0 += sweep)
            {
                int count = Math.Min(sweep, i1 - n0);
                float* sn = j.P0 + n0 * sImg, bn = j.P1 + n0 * bImg;
                for (int b = 0; b < B; b++)
                    for (int ki = 0; ki < 4; ki++)
                        for (int a0 = 0; a0 < A; a0 += 4)
                            if (narrow) WeightRowsBlock(sn, bn, pp, A, B, H, W, b, ki, a0, Math.Min(4, A - a0), count);
                            else WeightBlock(sn, bn, pp, A, B, H, W, b, ki, a0, Math.Min(4, A - a0), count);
            }
        }
    }

    // Σ over `count` consecutive images of small[a0..a0+ab, oh, ow] · the 4 taps of big[b, 2·oh + ki − 1, ·], added to
    // pp[a, b, ki, 0..4).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightBlock(float* sn, float* bn, float* pp, int A, int B, int H, int W, int b, int ki, int a0, int ab, int count)
    {
        int Ho = H / 2, Wo = W / 2;
        V c00 = V.Zero, c01 = V.Zero, c02 = V.Zero, c03 = V.Zero, c10 = V.Zero, c11 = V.Zero, c12 = V.Zero, c13 = V.Zero;
        V c20 = V.Zero, c21 = V.Zero, c22 = V.Zero, c23 = V.Zero, c30 = V.Zero, c31 = V.Zero, c32 = V.Zero, c33 = V.Zero;
        var z = V.Zero;
        nint plane = (nint)Ho * Wo, sImg = A * plane, bImg = (nint)B * H * W;
        for (int ow0 = 0; ow0 < Wo; ow0 += 16)
        {
            int base0 = 2 * ow0 - 1;
            var (m0, m1, m2) = InputMasks(base0, W);
            var mo = RowSimd.Mask(Math.Min(16, Wo - ow0));
            for (int n = 0; n < count; n++)
                for (int oh = 0; oh < Ho; oh++)
                {
                    int row = 2 * oh + ki - 1;
                    if ((uint)row >= (uint)H) continue;
                    float* src = bn + n * bImg + ((nint)b * H + row) * W + base0;
                    LoadTaps(src, m0, m1, m2, out var e, out var od, out var e2, out var o2);
                    if (ow0 + 16 > Wo) { e &= mo; od &= mo; e2 &= mo; o2 &= mo; }   // lanes past Wo: no 0·inf from their columns
                    float* s0 = sn + n * sImg + (nint)a0 * plane + (nint)oh * Wo + ow0;
                    Taps4(ref c00, ref c01, ref c02, ref c03, RowSimd.Load(s0, mo, z), e, od, e2, o2);
                    if (ab > 1) Taps4(ref c10, ref c11, ref c12, ref c13, RowSimd.Load(s0 + plane, mo, z), e, od, e2, o2);
                    if (ab > 2) Taps4(ref c20, ref c21, ref c22, ref c23, RowSimd.Load(s0 + 2 * plane, mo, z), e, od, e2, o2);
                    if (ab > 3) Taps4(ref c30, ref c31, ref c32, ref c33, RowSimd.Load(s0 + 3 * plane, mo, z), e, od, e2, o2);
                }
        }
        AddChannels(pp, B, b, ki, a0, ab, c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33);
    }

    // WeightBlock for Wo = 4 or 8 (W = 2·Wo): R = 16 / Wo output rows per vector (<see cref="RowTaps"/>), so all 16 lanes
    // hold products where the 16-column rows would leave 8 or 12 of them empty. Lanes of rows past Ho, input rows outside
    // [0, H) and columns outside [0, W) hold zero taps (and zero small values past Ho).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightRowsBlock(float* sn, float* bn, float* pp, int A, int B, int H, int W, int b, int ki, int a0, int ab, int count)
    {
        int Ho = H / 2, Wo = W / 2, R = 16 / Wo;
        V c00 = V.Zero, c01 = V.Zero, c02 = V.Zero, c03 = V.Zero, c10 = V.Zero, c11 = V.Zero, c12 = V.Zero, c13 = V.Zero;
        V c20 = V.Zero, c21 = V.Zero, c22 = V.Zero, c23 = V.Zero, c30 = V.Zero, c31 = V.Zero, c32 = V.Zero, c33 = V.Zero;
        var z = V.Zero;
        var lw = RowSimd.Mask(W);
        nint plane = (nint)Ho * Wo, sImg = A * plane, bImg = (nint)B * H * W;
        for (int oh0 = 0; oh0 < Ho; oh0 += R)
        {
            int rows = Math.Min(R, Ho - oh0), r0 = 2 * oh0 + ki - 1;
            if (r0 + 2 * (rows - 1) < 0 || r0 >= H) continue;   // every row of the block reads outside the input
            var mo = RowSimd.Mask(rows * Wo);
            for (int n = 0; n < count; n++)
            {
                RowTaps(bn + n * bImg + (nint)b * H * W, H, W, r0, rows, lw, out var t0, out var t1, out var t2, out var t3);
                float* s0 = sn + n * sImg + (nint)a0 * plane + (nint)oh0 * Wo;
                Taps4(ref c00, ref c01, ref c02, ref c03, RowSimd.Load(s0, mo, z), t0, t1, t2, t3);
                if (ab > 1) Taps4(ref c10, ref c11, ref c12, ref c13, RowSimd.Load(s0 + plane, mo, z), t0, t1, t2, t3);
                if (ab > 2) Taps4(ref c20, ref c21, ref c22, ref c23, RowSimd.Load(s0 + 2 * plane, mo, z), t0, t1, t2, t3);
                if (ab > 3) Taps4(ref c30, ref c31, ref c32, ref c33, RowSimd.Load(s0 + 3 * plane, mo, z), t0, t1, t2, t3);
            }
        }
        AddChannels(pp, B, b, ki, a0, ab, c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Taps4(ref V c0, ref V c1, ref V c2, ref V c3, V s, V e, V od, V e2, V o2)
    {
        c0 = Avx512F.FusedMultiplyAdd(s, e, c0);
        c1 = Avx512F.FusedMultiplyAdd(s, od, c1);
        c2 = Avx512F.FusedMultiplyAdd(s, e2, c2);
        c3 = Avx512F.FusedMultiplyAdd(s, o2, c3);
    }

    // The sums of ab ≤ 4 channels a0.. (4 taps kj each) added to pp[a, b, ki, 0..4).
    private static void AddChannels(float* pp, int B, int b, int ki, int a0, int ab, V c00, V c01, V c02, V c03, V c10, V c11, V c12, V c13,
        V c20, V c21, V c22, V c23, V c30, V c31, V c32, V c33)
    {
        float* p = pp + (((nint)a0 * B + b) * 4 + ki) * 4;
        nint next = (nint)B * 16;
        Add4(p, c00, c01, c02, c03);
        if (ab > 1) Add4(p + next, c10, c11, c12, c13);
        if (ab > 2) Add4(p + 2 * next, c20, c21, c22, c23);
        if (ab > 3) Add4(p + 3 * next, c30, c31, c32, c33);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add4(float* p, V c0, V c1, V c2, V c3)
    {
        p[0] += RowSimd.Sum(c0); p[1] += RowSimd.Sum(c1); p[2] += RowSimd.Sum(c2); p[3] += RowSimd.Sum(c3);
    }
}

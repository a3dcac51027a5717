// ConvDirect: conv2d with a 4x4 kernel, stride 2, padding 1 (the world-model CNN layer) computed directly, without
// an im2col matrix: 16 output columns per vector, built from the even/odd phases of three input loads (on 4- and
// 8-wide maps, 4 or 2 rows side by side instead), its transpose, and (ConvDirectWeight.cs) its weight gradient.
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using V = System.Runtime.Intrinsics.Vector512<float>;
using VI = System.Runtime.Intrinsics.Vector512<int>;

namespace Reverie.Tensors.Kernels;

/// <summary>
/// y[n, o, oh, ow] (=|+=) b[o] + Σ_c Σ_ki Σ_kj w[o, c, ki, kj] · x[n, c, 2·oh + ki − 1, 2·ow + kj − 1] (zero outside x),
/// for x (N, C, H, W) with H and W even and y (N, O, H/2, W/2). For 16 outputs ow0..ow0+15 of one row, the inputs of
/// tap kj are the columns base + kj + 2l (base = 2·ow0 − 1): the even and odd lanes of the 32 columns from base,
/// and the same shifted by one output (the next column pair from a third load). Each (c, ki) costs three masked loads
/// and four permutes, then 4 FMAs per output channel with the weight broadcast from memory; output channels go in
/// blocks of 8 (32 accumulating FMAs per 4 permutes). Outputs 4 or 8 columns wide would leave 12 or 8 lanes empty, so
/// there <see cref="RowsBlock"/> puts 4 or 2 output rows side by side (and <see cref="TransposeRowsBlock"/> does the same
/// for the transpose's 4- or 8-wide inputs), with the same sums in the same order. Each y element sums its taps in the
/// order (c, ki, kj), so results do not depend on the thread count (images are split over threads) or on the kernel.
/// </summary>
internal static unsafe partial class ConvDirect
{
    /// <summary>Whether the direct kernel takes this convolution (AVX-512, kernel 4x4, stride 2, padding 1, even H and W).</summary>
    public static bool Takes(in ConvGeom g) =>
        RowSimd.Enabled && g.KH == 4 && g.KW == 4 && g.Stride == 2 && g.Pad == 1 && g.H % 2 == 0 && g.W % 2 == 0 && g.H > 0 && g.W > 0;

    private static readonly VI Evens = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    private static readonly VI Odds = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    // Lanes 1..15 of a, then lane 0 (ShiftE) or 1 (ShiftO) of b: the phase advanced by one output column.
    private static readonly VI ShiftE = Vector512.Create(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
    private static readonly VI ShiftO = Vector512.Create(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17);

    /// <summary>
    /// y (N, O, H/2, W/2) = conv2d(x, w (O, C, 4, 4)) + b, or y += conv2d(x, w) when <paramref name="accumulate"/>
    /// (b may be empty). Geometry from <paramref name="g"/> (checked by <see cref="Takes"/>).
    /// </summary>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> y, int N, int O, in ConvGeom g, bool accumulate) =>
        Launch("conv_direct", &Images, x, w, b, y, N, g.C, g.H, g.W, O, (long)N * g.ImageSize, (long)N * O * g.P, (long)O * g.Rows, g, accumulate);

    // Checks the spans, then runs body over the N images: job.N = input channels, I0 × I1 = input height × width, I2 = output channels.
    private static void Launch(string op, delegate*<RowJob, int, int, void> body, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b,
        Span<float> y, int N, int cin, int h, int wd, int cout, long xs, long ys, long ws, in ConvGeom g, bool accumulate)
    {
        if (!Takes(g)) throw new ArgumentException(RowSimd.Enabled ? $"{op}: takes kernel 4x4, stride 2, padding 1 on even sizes, got k{g.KH}x{g.KW} s{g.Stride} p{g.Pad} on {g.H}x{g.W}" : $"{op}: needs AVX-512");
        if (x.Length < xs || y.Length < ys || w.Length < ws || (!b.IsEmpty && b.Length < cout))
            throw new ArgumentException($"{op}: spans x {x.Length}, w {w.Length}, b {b.Length}, y {y.Length} are shorter than {xs}, {ws}, {cout}, {ys}");
        if (N == 0 || cout == 0) return;
        fixed (float* px = x, pw = w, pb = b, py = y)
        {
            var job = RowJob.Current;
            job.Body = body;
            job.P0 = px; job.P1 = pw; job.P2 = pb; job.P3 = py;
            job.N = cin; job.I0 = h; job.I1 = wd; job.I2 = cout; job.B0 = accumulate;
            job.Run(N, (long)cout * g.P * cin * 16);
        }
    }

    /// <summary>
    /// Whether 4- or 8-wide outputs (conv2d) and inputs (conv_transpose2d) go R = 16 / width rows per vector
    /// (<see cref="RowsBlock"/>, <see cref="TransposeRowsBlock"/>); a field so tests and the bench can compare. Both
    /// settings give the same bits, so a test that flips it cannot disturb another running at the same time.
    /// </summary>
    internal static bool NarrowRows = true;

    /// <summary>
    /// Whether the weight gradient of 4- and 8-wide layers goes R = 16 / width rows per vector (<see cref="WeightRowsBlock"/>).
    /// Unlike <see cref="NarrowRows"/> the two settings sum in different orders (different bits), so only the bench flips
    /// this field (CONV_NARROW=0); tests choose through the internal WeightGrad overload instead.
    /// </summary>
    internal static bool NarrowWeightRows = true;

    private static void Images(RowJob j, int n0, int n1)
    {
        int C = j.N, H = j.I0, W = j.I1, O = j.I2, Ho = H / 2, Wo = W / 2;
        bool acc = j.B0;
        float* w = j.P1, b = j.P2;
        if (NarrowRows && (Wo == 4 || Wo == 8))
        {
            int R = 16 / Wo;
            for (int n = n0; n < n1; n++)
            {
                float* xn = j.P0 + (nint)n * C * H * W, yn = j.P3 + (nint)n * O * Ho * Wo;
                for (int oh0 = 0; oh0 < Ho; oh0 += R)
                {
                    var mo = RowSimd.Mask(Math.Min(R, Ho - oh0) * Wo);
                    for (int o0 = 0; o0 < O; o0 += 8)
                        RowsBlock(xn, w, b, yn, C, H, W, Ho, Wo, O, o0, Math.Min(8, O - o0), oh0, mo, acc);
                }
            }
            return;
        }
        for (int n = n0; n < n1; n++)
        {
            float* xn = j.P0 + (nint)n * C * H * W, yn = j.P3 + (nint)n * O * Ho * Wo;
            for (int ow0 = 0; ow0 < Wo; ow0 += 16)
            {
                int base0 = 2 * ow0 - 1;
                // Column masks of the three loads (columns base0 + lane, + 16, + 32 inside [0, W)), and the output lanes.
                var (m0, m1, m2) = InputMasks(base0, W);
                var mo = RowSimd.Mask(Math.Min(16, Wo - ow0));
                for (int o0 = 0; o0 < O; o0 += 8)
                {
                    int ob = Math.Min(8, O - o0);
                    for (int oh = 0; oh < Ho; oh++)
                        Block(xn, w, b, yn, C, H, W, Ho, Wo, O, o0, ob, oh, ow0, base0, m0, m1, m2, mo, acc);
                }
            }
        }
    }

    // Masks of the columns base0 + lane, + 16, + 32 that lie inside [0, W) (the three loads of a 16-output chunk).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (V, V, V) InputMasks(int base0, int W)
    {
        var lane = Vector512<int>.Indices + Vector512.Create(base0);
        var lim = Vector512.Create(W);
        return (Valid(lane, lim), Valid(lane + Vector512.Create(16), lim), Valid(lane + Vector512.Create(32), lim));
    }

    // The inputs of taps kj = 0..3 for 16 outputs from the 34 columns at src (three masked loads, four permutes).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LoadTaps(float* src, V m0, V m1, V m2, out V e, out V od, out V e2, out V o2)
    {
        var z = V.Zero;
        var v0 = RowSimd.Load(src, m0, z); var v1 = RowSimd.Load(src + 16, m1, z); var v2 = RowSimd.Load(src + 32, m2, z);
        e = Avx512F.PermuteVar16x32x2(v0, Evens, v1);       // columns base + 2l       (kj = 0)
        od = Avx512F.PermuteVar16x32x2(v0, Odds, v1);       // columns base + 1 + 2l   (kj = 1)
        e2 = Avx512F.PermuteVar16x32x2(e, ShiftE, v2);      // columns base + 2 + 2l   (kj = 2)
        o2 = Avx512F.PermuteVar16x32x2(od, ShiftO, v2);     // columns base + 3 + 2l   (kj = 3)
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Valid(VI col, VI lim) =>
        (Vector512.GreaterThanOrEqual(col, VI.Zero) & Vector512.LessThan(col, lim)).AsSingle();

    // Outputs y[o0..o0+ob, oh, ow0..ow0+16) of one image.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block(float* xn, float* w, float* b, float* yn, int C, int H, int W, int Ho, int Wo, int O,
        int o0, int ob, int oh, int ow0, int base0, V m0, V m1, V m2, V mo, bool acc)
    {
        V a0 = V.Zero, a1 = V.Zero, a2 = V.Zero, a3 = V.Zero, a4 = V.Zero, a5 = V.Zero, a6 = V.Zero, a7 = V.Zero;
        for (int c = 0; c < C; c++)
        {
            for (int ki = 0; ki < 4; ki++)
            {
                int row = 2 * oh + ki - 1;
                if ((uint)row >= (uint)H) continue;
                float* src = xn + ((nint)c * H + row) * W + base0;
                LoadTaps(src, m0, m1, m2, out var e, out var od, out var e2, out var o2);
                float* wk = w + (((nint)o0 * C + c) * 4 + ki) * 4;      // w[o0, c, ki, 0]; + o·C·16 per channel
                nint ws = (nint)C * 16;
                a0 = Taps(a0, e, od, e2, o2, wk);
                if (ob > 1) a1 = Taps(a1, e, od, e2, o2, wk + ws);
                if (ob > 2) a2 = Taps(a2, e, od, e2, o2, wk + 2 * ws);
                if (ob > 3) a3 = Taps(a3, e, od, e2, o2, wk + 3 * ws);
                if (ob > 4) a4 = Taps(a4, e, od, e2, o2, wk + 4 * ws);
                if (ob > 5) a5 = Taps(a5, e, od, e2, o2, wk + 5 * ws);
                if (ob > 6) a6 = Taps(a6, e, od, e2, o2, wk + 6 * ws);
                if (ob > 7) a7 = Taps(a7, e, od, e2, o2, wk + 7 * ws);
            }
        }
        nint plane = (nint)Ho * Wo;
        float* y0 = yn + (nint)o0 * plane + (nint)oh * Wo + ow0;
        PutChannels(y0, plane, b, o0, ob, mo, acc, a0, a1, a2, a3, a4, a5, a6, a7);
    }

    // Tap kj of R = 16 / Wo output rows side by side (lane L = q·Wo + l: output row oh0 + q, column l) reads input column
    // 2l + kj − 1 of row q's load. Wo = 8: one two-source permute of rows q = 0 (lanes 0..15 of the table) and 1 (16..31).
    // Wo = 4: rows 0 and 1 into lanes 0..7, rows 2 and 3 likewise, then the upper half inserted. Columns outside [0, W)
    // are zeroed by the ColsN masks (kj = 0 at l = 0, kj = 3 at l = Wo − 1).
    private static readonly VI[] Idx8 = [.. Enumerable.Range(0, 4).Select(kj => TapIndex(8, kj))];
    private static readonly VI[] Idx4 = [.. Enumerable.Range(0, 4).Select(kj => TapIndex(4, kj))];
    private static readonly V[] Cols8 = [.. Enumerable.Range(0, 4).Select(kj => TapCols(8, kj))];
    private static readonly V[] Cols4 = [.. Enumerable.Range(0, 4).Select(kj => TapCols(4, kj))];

    private static VI TapIndex(int wo, int kj)
    {
        var idx = new int[16];
        for (int lane = 0; lane < (wo == 8 ? 16 : 8); lane++)
        {
            int q = lane / wo, l = lane % wo;
            idx[lane] = 16 * q + Math.Clamp(2 * l + kj - 1, 0, 2 * wo - 1);
        }
        return Vector512.Create(idx);
    }

    private static V TapCols(int wo, int kj)
    {
        var m = new int[16];
        for (int lane = 0; lane < 16; lane++) { int col = 2 * (lane % wo) + kj - 1; m[lane] = col >= 0 && col < 2 * wo ? -1 : 0; }
        return Vector512.Create(m).AsSingle();
    }

    // Outputs y[o0..o0+ob, oh0..oh0+R, 0..Wo) of one image for Wo = 4 or 8 (W = 2·Wo): R = 16 / Wo output rows per vector,
    // so all 16 lanes hold outputs (the 16-column kernel would leave 8 or 12 of them empty). The same sums in the same
    // (c, ki, kj) order as Block. Rows past Ho (mo) and input rows outside [0, H) read as zeros.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowsBlock(float* xn, float* w, float* b, float* yn, int C, int H, int W, int Ho, int Wo, int O,
        int o0, int ob, int oh0, V mo, bool acc)
    {
        V a0 = V.Zero, a1 = V.Zero, a2 = V.Zero, a3 = V.Zero, a4 = V.Zero, a5 = V.Zero, a6 = V.Zero, a7 = V.Zero;
        int rows = Math.Min(16 / Wo, Ho - oh0);
        var lw = RowSimd.Mask(W);
        nint ws = (nint)C * 16;
        for (int c = 0; c < C; c++)
        {
            float* xc = xn + (nint)c * H * W;
            for (int ki = 0; ki < 4; ki++)
            {
                RowTaps(xc, H, W, 2 * oh0 + ki - 1, rows, lw, out var t0, out var t1, out var t2, out var t3);
                float* wk = w + (((nint)o0 * C + c) * 4 + ki) * 4;
                a0 = Taps(a0, t0, t1, t2, t3, wk);
                if (ob > 1) a1 = Taps(a1, t0, t1, t2, t3, wk + ws);
                if (ob > 2) a2 = Taps(a2, t0, t1, t2, t3, wk + 2 * ws);
                if (ob > 3) a3 = Taps(a3, t0, t1, t2, t3, wk + 3 * ws);
                if (ob > 4) a4 = Taps(a4, t0, t1, t2, t3, wk + 4 * ws);
                if (ob > 5) a5 = Taps(a5, t0, t1, t2, t3, wk + 5 * ws);
                if (ob > 6) a6 = Taps(a6, t0, t1, t2, t3, wk + 6 * ws);
                if (ob > 7) a7 = Taps(a7, t0, t1, t2, t3, wk + 7 * ws);
            }
        }
        nint plane = (nint)Ho * Wo;
        float* y0 = yn + (nint)o0 * plane + (nint)oh0 * Wo;
        PutChannels(y0, plane, b, o0, ob, mo, acc, a0, a1, a2, a3, a4, a5, a6, a7);
    }

    // Taps kj = 0..3 of R = 16 / Wo output rows side by side (Wo = W / 2 = 4 or 8) whose first input row is r0: row q of the
    // block reads input row r0 + 2q (zeros outside [0, H) or past the block's `rows` rows, and in columns outside [0, W)).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowTaps(float* xc, int H, int W, int r0, int rows, V lw, out V t0, out V t1, out V t2, out V t3)
    {
        var z = V.Zero;
        V u0 = z, u1 = z, u2 = z, u3 = z;
        if ((uint)r0 < (uint)H) u0 = RowSimd.Load(xc + (nint)r0 * W, lw, z);
        if (rows > 1 && (uint)(r0 + 2) < (uint)H) u1 = RowSimd.Load(xc + (nint)(r0 + 2) * W, lw, z);
        if (W == 8)
        {
            if (rows > 2 && (uint)(r0 + 4) < (uint)H) u2 = RowSimd.Load(xc + (nint)(r0 + 4) * W, lw, z);
            if (rows > 3 && (uint)(r0 + 6) < (uint)H) u3 = RowSimd.Load(xc + (nint)(r0 + 6) * W, lw, z);
            t0 = Avx512F.InsertVector256(Avx512F.PermuteVar16x32x2(u0, Idx4[0], u1), Avx512F.PermuteVar16x32x2(u2, Idx4[0], u3).GetLower(), 1) & Cols4[0];
            t1 = Avx512F.InsertVector256(Avx512F.PermuteVar16x32x2(u0, Idx4[1], u1), Avx512F.PermuteVar16x32x2(u2, Idx4[1], u3).GetLower(), 1);
            t2 = Avx512F.InsertVector256(Avx512F.PermuteVar16x32x2(u0, Idx4[2], u1), Avx512F.PermuteVar16x32x2(u2, Idx4[2], u3).GetLower(), 1);
            t3 = Avx512F.InsertVector256(Avx512F.PermuteVar16x32x2(u0, Idx4[3], u1), Avx512F.PermuteVar16x32x2(u2, Idx4[3], u3).GetLower(), 1) & Cols4[3];
        }
        else
        {
            t0 = Avx512F.PermuteVar16x32x2(u0, Idx8[0], u1) & Cols8[0];
            t1 = Avx512F.PermuteVar16x32x2(u0, Idx8[1], u1);
            t2 = Avx512F.PermuteVar16x32x2(u0, Idx8[2], u1);
            t3 = Avx512F.PermuteVar16x32x2(u0, Idx8[3], u1) & Cols8[3];
        }
    }

    // a + w[0]·e + w[1]·od + w[2]·e2 + w[3]·o2, in tap order.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Taps(V a, V e, V od, V e2, V o2, float* wk)
    {
        a = Avx512F.FusedMultiplyAdd(Vector512.Create(wk[0]), e, a);
        a = Avx512F.FusedMultiplyAdd(Vector512.Create(wk[1]), od, a);
        a = Avx512F.FusedMultiplyAdd(Vector512.Create(wk[2]), e2, a);
        return Avx512F.FusedMultiplyAdd(Vector512.Create(wk[3]), o2, a);
    }

    // The accumulators of ob ≤ 8 output channels o0.. into their planes (plane floats apart), as Put each.
    private static void PutChannels(float* y0, nint plane, float* b, int o0, int ob, V mo, bool acc, V a0, V a1, V a2, V a3, V a4, V a5, V a6, V a7)
    {
        Put(y0, a0, b, o0, mo, acc);
        if (ob > 1) Put(y0 + plane, a1, b, o0 + 1, mo, acc);
        if (ob > 2) Put(y0 + 2 * plane, a2, b, o0 + 2, mo, acc);
        if (ob > 3) Put(y0 + 3 * plane, a3, b, o0 + 3, mo, acc);
        if (ob > 4) Put(y0 + 4 * plane, a4, b, o0 + 4, mo, acc);
        if (ob > 5) Put(y0 + 5 * plane, a5, b, o0 + 5, mo, acc);
        if (ob > 6) Put(y0 + 6 * plane, a6, b, o0 + 6, mo, acc);
        if (ob > 7) Put(y0 + 7 * plane, a7, b, o0 + 7, mo, acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* y, V a, float* b, int o, V mo, bool acc)
    {
        if (b != null) a += Vector512.Create(b[o]);
        if (acc) a += RowSimd.Load(y, mo, V.Zero);
        RowSimd.Store(y, mo, a);
    }

    // Output lanes 0..15 of the interleave E0 O0 E1 O1 ... (Lo), and 16..31 (Hi).
    private static readonly VI ZipLo = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    private static readonly VI ZipHi = Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);

    /// <summary>
    /// The transposed convolution (the adjoint of <see cref="Forward"/>): y[n, co, ih, iw] (=|+=) b[co] + Σ_ci Σ_ki Σ_kj
    /// x[n, ci, oh, ow] · w[ci, co, ki, kj] over ih = 2·oh + ki − 1, iw = 2·ow + kj − 1, for x (N, Cin, Hi, Wi) and y (N, Cout,
    /// 2·Hi, 2·Wi). <paramref name="g"/> is the geometry of the matching conv2d from y to x (C = Cout, H = 2·Hi, W = 2·Wi).
    /// 16 input columns give 32 outputs: the even ones from taps kj = 1 (ow = l) and 3 (ow = l − 1), the odd ones from kj = 0
    /// (ow = l + 1) and 2 (ow = l), so each (ci, ki) costs three shifted masked loads and 4 FMAs per output channel, and the
    /// two phases are interleaved once per output row (4- or 8-wide inputs: 4 or 2 rows per vector, <see cref="TransposeRowsBlock"/>).
    /// Sums run over (ci, ki, kj) in order, for any thread count.
    /// </summary>
    public static void TransposeForward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> y, int N, int Cin, in ConvGeom g, bool accumulate) =>
        Launch("conv_transpose_direct", &TransposeImages, x, w, b, y, N, Cin, g.Ho, g.Wo, g.C, (long)N * Cin * g.P, (long)N * g.ImageSize, (long)Cin * g.Rows, g, accumulate);

    private static void TransposeImages(RowJob j, int n0, int n1)
    {
        int Cin = j.N, Hi = j.I0, Wi = j.I1, Cout = j.I2, H = 2 * Hi, W = 2 * Wi;
        bool acc = j.B0;
        float* w = j.P1, b = j.P2;
        if (NarrowRows && (Wi == 4 || Wi == 8))
        {
            int R = 16 / Wi;
            for (int n = n0; n < n1; n++)
            {
                float* xn = j.P0 + (nint)n * Cin * Hi * Wi, yn = j.P3 + (nint)n * Cout * H * W;
                for (int co0 = 0; co0 < Cout; co0 += 8)
                    for (int p = 0; p < 2; p++)
                        for (int m0 = 0; m0 < Hi; m0 += R)
                            TransposeRowsBlock(xn, w, b, yn, Cin, Hi, Wi, Cout, co0, Math.Min(8, Cout - co0), p, m0, acc);
            }
            return;
        }
        for (int n = n0; n < n1; n++)
        {
            float* xn = j.P0 + (nint)n * Cin * Hi * Wi, yn = j.P3 + (nint)n * Cout * H * W;
            for (int l0 = 0; l0 < Wi; l0 += 16)
            {
                // Input columns l0 − 1 + lane, l0 + lane, l0 + 1 + lane inside [0, Wi); output columns 2·l0 + lane (+ 16) inside [0, W).
                var lane = Vector512<int>.Indices + Vector512.Create(l0);
                var lim = Vector512.Create(Wi);
                var ma = Valid(lane - Vector512.Create(1), lim); var mb = Valid(lane, lim); var mc = Valid(lane + Vector512.Create(1), lim);
                var mlo = RowSimd.Mask(Math.Clamp(W - 2 * l0, 0, 16)); var mhi = RowSimd.Mask(Math.Clamp(W - 2 * l0 - 16, 0, 16));
                for (int co0 = 0; co0 < Cout; co0 += 8)
                {
                    int cb = Math.Min(8, Cout - co0);
                    for (int ih = 0; ih < H; ih++)
                        TransposeBlock(xn, w, b, yn, Cin, Hi, Wi, Cout, co0, cb, ih, l0, ma, mb, mc, mlo, mhi, acc);
                }
            }
        }
    }

    // Outputs y[co0..co0+cb, ih, 2·l0 .. 2·l0 + 32) of one image.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposeBlock(float* xn, float* w, float* b, float* yn, int Cin, int Hi, int Wi, int Cout,
        int co0, int cb, int ih, int l0, V ma, V mb, V mc, V mlo, V mhi, bool acc)
    {
        V e0 = V.Zero, e1 = V.Zero, e2 = V.Zero, e3 = V.Zero, e4 = V.Zero, e5 = V.Zero, e6 = V.Zero, e7 = V.Zero;
        V d0 = V.Zero, d1 = V.Zero, d2 = V.Zero, d3 = V.Zero, d4 = V.Zero, d5 = V.Zero, d6 = V.Zero, d7 = V.Zero;
        var z = V.Zero;
        for (int ci = 0; ci < Cin; ci++)
        {
            for (int ki = (ih + 1) & 1; ki < 4; ki += 2)
            {
                int oh = (ih + 1 - ki) >> 1;
                if ((uint)oh >= (uint)Hi) continue;
                float* src = xn + ((nint)ci * Hi + oh) * Wi + l0;
                var xa = RowSimd.Load(src - 1, ma, z); var xb = RowSimd.Load(src, mb, z); var xc = RowSimd.Load(src + 1, mc, z);
                float* wk = w + (((nint)ci * Cout + co0) * 4 + ki) * 4;      // w[ci, co0, ki, 0]; + 16 per output channel
                Phases(ref e0, ref d0, xa, xb, xc, wk);
                if (cb > 1) Phases(ref e1, ref d1, xa, xb, xc, wk + 16);
                if (cb > 2) Phases(ref e2, ref d2, xa, xb, xc, wk + 32);
                if (cb > 3) Phases(ref e3, ref d3, xa, xb, xc, wk + 48);
                if (cb > 4) Phases(ref e4, ref d4, xa, xb, xc, wk + 64);
                if (cb > 5) Phases(ref e5, ref d5, xa, xb, xc, wk + 80);
                if (cb > 6) Phases(ref e6, ref d6, xa, xb, xc, wk + 96);
                if (cb > 7) Phases(ref e7, ref d7, xa, xb, xc, wk + 112);
            }
        }
        nint plane = (nint)(2 * Hi) * (2 * Wi);
        float* y0 = yn + (nint)co0 * plane + (nint)ih * (2 * Wi) + 2 * l0;
        Zip(y0, e0, d0, b, co0, mlo, mhi, acc);
        if (cb > 1) Zip(y0 + plane, e1, d1, b, co0 + 1, mlo, mhi, acc);
        if (cb > 2) Zip(y0 + 2 * plane, e2, d2, b, co0 + 2, mlo, mhi, acc);
        if (cb > 3) Zip(y0 + 3 * plane, e3, d3, b, co0 + 3, mlo, mhi, acc);
        if (cb > 4) Zip(y0 + 4 * plane, e4, d4, b, co0 + 4, mlo, mhi, acc);
        if (cb > 5) Zip(y0 + 5 * plane, e5, d5, b, co0 + 5, mlo, mhi, acc);
        if (cb > 6) Zip(y0 + 6 * plane, e6, d6, b, co0 + 6, mlo, mhi, acc);
        if (cb > 7) Zip(y0 + 7 * plane, e7, d7, b, co0 + 7, mlo, mhi, acc);
    }

    // Lane L of a 4- or 8-wide input holding R = 16 / Wi rows side by side: its row q = L / Wi and column l = L % Wi.
    private static readonly VI LaneRow4 = Vector512.Create(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
    private static readonly VI LaneRow8 = Vector512.Create(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
    private static readonly VI LaneCol4 = Vector512.Create(0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3);
    private static readonly VI LaneCol8 = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7);

    // Output rows ih = 2m + p, m = m0..m0+R, of y[co0..co0+cb] for inputs Wi = 4 or 8 wide: the input rows those outputs
    // read for one ki are m + s (s = (p + 1 − ki) / 2), R consecutive rows, so 16 contiguous floats, and one load per
    // shift fills every lane (the 16-column kernel leaves 8 or 12 lanes empty). Lanes whose row lies outside [0, Hi) or past
    // the block, or whose column shift leaves the row, read zeros. Same sums in the same (ci, ki, kj) order as
    // TransposeBlock; each output row is stored from its half (Wi = 8) or quarter (Wi = 4) of the interleaved phases.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposeRowsBlock(float* xn, float* w, float* b, float* yn, int Cin, int Hi, int Wi, int Cout,
        int co0, int cb, int p, int m0, bool acc)
    {
        V e0 = V.Zero, e1 = V.Zero, e2 = V.Zero, e3 = V.Zero, e4 = V.Zero, e5 = V.Zero, e6 = V.Zero, e7 = V.Zero;
        V d0 = V.Zero, d1 = V.Zero, d2 = V.Zero, d3 = V.Zero, d4 = V.Zero, d5 = V.Zero, d6 = V.Zero, d7 = V.Zero;
        var z = V.Zero;
        bool four = Wi == 4;
        int R = 16 / Wi, rows = Math.Min(R, Hi - m0);
        VI laneRow = four ? LaneRow4 : LaneRow8, laneCol = four ? LaneCol4 : LaneCol8;
        // The two ki of this parity (ascending), their row shifts and lane masks (rows valid; columns l − 1 and l + 1 inside the row).
        int kiA = (p + 1) & 1, kiB = kiA + 2, sA = (p + 1 - kiA) >> 1, sB = (p + 1 - kiB) >> 1;
        var inBlock = Vector512.LessThan(laneRow, Vector512.Create(rows));
        var colA = Vector512.GreaterThanOrEqual(laneCol, Vector512.Create(1)).AsSingle();
        var colC = Vector512.LessThan(laneCol, Vector512.Create(Wi - 1)).AsSingle();
        var rowA = (inBlock & Valid(laneRow + Vector512.Create(m0 + sA), Vector512.Create(Hi)).AsInt32()).AsSingle();
        var rowB = (inBlock & Valid(laneRow + Vector512.Create(m0 + sB), Vector512.Create(Hi)).AsInt32()).AsSingle();
        for (int ci = 0; ci < Cin; ci++)
        {
            float* xc = xn + (nint)ci * Hi * Wi;
            for (int t = 0; t < 2; t++)
            {
                int ki = t == 0 ? kiA : kiB;
                var mb = t == 0 ? rowA : rowB;
                float* src = xc + (nint)(m0 + (t == 0 ? sA : sB)) * Wi;
                var xa = RowSimd.Load(src - 1, mb & colA, z); var xb = RowSimd.Load(src, mb, z); var xcv = RowSimd.Load(src + 1, mb & colC, z);
                float* wk = w + (((nint)ci * Cout + co0) * 4 + ki) * 4;
                Phases(ref e0, ref d0, xa, xb, xcv, wk);
                if (cb > 1) Phases(ref e1, ref d1, xa, xb, xcv, wk + 16);
                if (cb > 2) Phases(ref e2, ref d2, xa, xb, xcv, wk + 32);
                if (cb > 3) Phases(ref e3, ref d3, xa, xb, xcv, wk + 48);
                if (cb > 4) Phases(ref e4, ref d4, xa, xb, xcv, wk + 64);
                if (cb > 5) Phases(ref e5, ref d5, xa, xb, xcv, wk + 80);
                if (cb > 6) Phases(ref e6, ref d6, xa, xb, xcv, wk + 96);
                if (cb > 7) Phases(ref e7, ref d7, xa, xb, xcv, wk + 112);
            }
        }
        int W = 2 * Wi;
        nint plane = (nint)(2 * Hi) * W;
        float* y0 = yn + (nint)co0 * plane + (nint)(2 * m0 + p) * W;   // output row of q = 0; q's is 2·q·W further
        ZipRows(y0, e0, d0, b, co0, rows, W, acc);
        if (cb > 1) ZipRows(y0 + plane, e1, d1, b, co0 + 1, rows, W, acc);
        if (cb > 2) ZipRows(y0 + 2 * plane, e2, d2, b, co0 + 2, rows, W, acc);
        if (cb > 3) ZipRows(y0 + 3 * plane, e3, d3, b, co0 + 3, rows, W, acc);
        if (cb > 4) ZipRows(y0 + 4 * plane, e4, d4, b, co0 + 4, rows, W, acc);
        if (cb > 5) ZipRows(y0 + 5 * plane, e5, d5, b, co0 + 5, rows, W, acc);
        if (cb > 6) ZipRows(y0 + 6 * plane, e6, d6, b, co0 + 6, rows, W, acc);
        if (cb > 7) ZipRows(y0 + 7 * plane, e7, d7, b, co0 + 7, rows, W, acc);
    }

    // The interleaved phases of R rows side by side: W = 16: row q is the low (q = 0) or high (q = 1) interleave; W = 8:
    // rows 0 and 1 are lanes 0..7 and 8..15 of the low one, rows 2 and 3 of the high one. Rows q go 2·q·W floats apart
    // (outputs of one parity); a row in lanes 8..15 is stored from 8 floats before it, so its lanes land on it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ZipRows(float* y, V even, V odd, float* b, int co, int rows, int W, bool acc)
    {
        var lo = Avx512F.PermuteVar16x32x2(even, ZipLo, odd);
        var hi = Avx512F.PermuteVar16x32x2(even, ZipHi, odd);
        if (W == 16)
        {
            Put(y, lo, b, co, V.AllBitsSet, acc);
            if (rows > 1) Put(y + 2 * 16, hi, b, co, V.AllBitsSet, acc);
            return;
        }
        var first = RowSimd.Mask(8); var second = ~first;
        Put(y, lo, b, co, first, acc);
        if (rows > 1) Put(y + 2 * 8 - 8, lo, b, co, second, acc);
        if (rows > 2) Put(y + 4 * 8, hi, b, co, first, acc);
        if (rows > 3) Put(y + 6 * 8 - 8, hi, b, co, second, acc);
    }

    // Even outputs += w[kj=1]·x[l] + w[kj=3]·x[l−1]; odd outputs += w[kj=0]·x[l+1] + w[kj=2]·x[l] (taps in kj order).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Phases(ref V even, ref V odd, V xa, V xb, V xc, float* wk)
    {
        odd = Avx512F.FusedMultiplyAdd(Vector512.Create(wk[0]), xc, odd);
        even = Avx512F.FusedMultiplyAdd(Vector512.Create(wk[1]), xb, even);
        odd = Avx512F.FusedMultiplyAdd(Vector512.Create(wk[2]), xb, odd);
        even = Avx512F.FusedMultiplyAdd(Vector512.Create(wk[3]), xa, even);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Zip(float* y, V even, V odd, float* b, int co, V mlo, V mhi, bool acc)
    {
        Put(y, Avx512F.PermuteVar16x32x2(even, ZipLo, odd), b, co, mlo, acc);
        Put(y + 16, Avx512F.PermuteVar16x32x2(even, ZipHi, odd), b, co, mhi, acc);
    }
}

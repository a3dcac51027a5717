// GemmTranspose: in-register 16x16 float transposes (AVX-512 unpack + 128-bit lane shuffles) for sgemm's packing.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Reverie.Tensors.Kernels;

/// <summary>
/// Transposes blocks of up to 16×16 floats through registers: 16 row loads (each row's 16 floats
/// are one cache line when aligned, so strided rows do not thrash L1 the way gathers do), 64 shuffles,
/// and up to 16 stores. Replaces gathers in the packing of A slivers and transposed B panels.
/// </summary>
internal static unsafe class GemmTranspose
{
    /// <summary>
    /// dst[c*dstStride + r] = src[r*ld + c] for r &lt; rows, c &lt; cols (rows, cols ≤ 16); lanes r ≥ rows
    /// are written as 0 (when dstStride ≥ 16, all 16 lanes are stored; below, only the first dstStride
    /// lanes, and rows ≤ dstStride is required). Touches only those source and destination elements
    /// (masked loads for cols &lt; 16, masked stores for dstStride &lt; 16).
    /// </summary>
    /// <summary>
    /// dst[c*ldd + r] = src[r*ld + c] for a whole rows×cols matrix, in 16×16 register blocks; ldd must be at
    /// least rows rounded up to 16 (the padding lanes r ≥ rows of each destination row are written as 0).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Matrix(float* src, nint ld, int rows, int cols, float* dst, nint ldd)
    {
        for (int r0 = 0; r0 < rows; r0 += 16)
            for (int c0 = 0; c0 < cols; c0 += 16)
                Block(src + r0 * ld + c0, ld, Math.Min(16, rows - r0), Math.Min(16, cols - c0), dst + c0 * ldd + r0, ldd);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Block(float* src, nint ld, int rows, int cols, float* dst, nint dstStride)
    {
        Vector512<float> r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11, r12, r13, r14, r15;
        if (rows == 16 && cols == 16)
        {
            r0 = Vector512.Load(src); r1 = Vector512.Load(src + ld); r2 = Vector512.Load(src + 2 * ld); r3 = Vector512.Load(src + 3 * ld);
            r4 = Vector512.Load(src + 4 * ld); r5 = Vector512.Load(src + 5 * ld); r6 = Vector512.Load(src + 6 * ld); r7 = Vector512.Load(src + 7 * ld);
            r8 = Vector512.Load(src + 8 * ld); r9 = Vector512.Load(src + 9 * ld); r10 = Vector512.Load(src + 10 * ld); r11 = Vector512.Load(src + 11 * ld);
            r12 = Vector512.Load(src + 12 * ld); r13 = Vector512.Load(src + 13 * ld); r14 = Vector512.Load(src + 14 * ld); r15 = Vector512.Load(src + 15 * ld);
        }
        else
        {
            var m = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(cols)).AsSingle();
            r0 = Row(src, 0, ld, rows, m); r1 = Row(src, 1, ld, rows, m); r2 = Row(src, 2, ld, rows, m); r3 = Row(src, 3, ld, rows, m);
            r4 = Row(src, 4, ld, rows, m); r5 = Row(src, 5, ld, rows, m); r6 = Row(src, 6, ld, rows, m); r7 = Row(src, 7, ld, rows, m);
            r8 = Row(src, 8, ld, rows, m); r9 = Row(src, 9, ld, rows, m); r10 = Row(src, 10, ld, rows, m); r11 = Row(src, 11, ld, rows, m);
            r12 = Row(src, 12, ld, rows, m); r13 = Row(src, 13, ld, rows, m); r14 = Row(src, 14, ld, rows, m); r15 = Row(src, 15, ld, rows, m);
        }
        // Stage 1: interleave pairs of rows (32-bit), stage 2: pairs of pairs (64-bit). Afterwards
        // u[4g + c] holds, in 128-bit lane l, rows 4g..4g+3 of column 4l + c.
        var t0 = Avx512F.UnpackLow(r0, r1); var t1 = Avx512F.UnpackHigh(r0, r1);
        var t2 = Avx512F.UnpackLow(r2, r3); var t3 = Avx512F.UnpackHigh(r2, r3);
        var t4 = Avx512F.UnpackLow(r4, r5); var t5 = Avx512F.UnpackHigh(r4, r5);
        var t6 = Avx512F.UnpackLow(r6, r7); var t7 = Avx512F.UnpackHigh(r6, r7);
        var t8 = Avx512F.UnpackLow(r8, r9); var t9 = Avx512F.UnpackHigh(r8, r9);
        var t10 = Avx512F.UnpackLow(r10, r11); var t11 = Avx512F.UnpackHigh(r10, r11);
        var t12 = Avx512F.UnpackLow(r12, r13); var t13 = Avx512F.UnpackHigh(r12, r13);
        var t14 = Avx512F.UnpackLow(r14, r15); var t15 = Avx512F.UnpackHigh(r14, r15);
        var u0 = Lo(t0, t2); var u1 = Hi(t0, t2); var u2 = Lo(t1, t3); var u3 = Hi(t1, t3);
        var u4 = Lo(t4, t6); var u5 = Hi(t4, t6); var u6 = Lo(t5, t7); var u7 = Hi(t5, t7);
        var u8 = Lo(t8, t10); var u9 = Hi(t8, t10); var u10 = Lo(t9, t11); var u11 = Hi(t9, t11);
        var u12 = Lo(t12, t14); var u13 = Hi(t12, t14); var u14 = Lo(t13, t15); var u15 = Hi(t13, t15);
        // Stages 3-4: lane l of the four row groups' vectors into output column 4l + c.
        var v0 = Avx512F.Shuffle4x128(u0, u4, 0x88); var w0 = Avx512F.Shuffle4x128(u0, u4, 0xDD);
        var p0 = Avx512F.Shuffle4x128(u8, u12, 0x88); var q0 = Avx512F.Shuffle4x128(u8, u12, 0xDD);
        var v1 = Avx512F.Shuffle4x128(u1, u5, 0x88); var w1 = Avx512F.Shuffle4x128(u1, u5, 0xDD);
        var p1 = Avx512F.Shuffle4x128(u9, u13, 0x88); var q1 = Avx512F.Shuffle4x128(u9, u13, 0xDD);
        var v2 = Avx512F.Shuffle4x128(u2, u6, 0x88); var w2 = Avx512F.Shuffle4x128(u2, u6, 0xDD);
        var p2 = Avx512F.Shuffle4x128(u10, u14, 0x88); var q2 = Avx512F.Shuffle4x128(u10, u14, 0xDD);
        var v3 = Avx512F.Shuffle4x128(u3, u7, 0x88); var w3 = Avx512F.Shuffle4x128(u3, u7, 0xDD);
        var p3 = Avx512F.Shuffle4x128(u11, u15, 0x88); var q3 = Avx512F.Shuffle4x128(u11, u15, 0xDD);
        // Stores: full vectors when the destination rows are 16 or more floats apart, else masked to dstStride lanes.
        var sm = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create((int)Math.Min(dstStride, 16))).AsSingle();
        bool full = dstStride >= 16;
        Put(Avx512F.Shuffle4x128(v0, p0, 0x88), 0, cols, dst, dstStride, full, sm);
        Put(Avx512F.Shuffle4x128(v1, p1, 0x88), 1, cols, dst, dstStride, full, sm);
        Put(Avx512F.Shuffle4x128(v2, p2, 0x88), 2, cols, dst, dstStride, full, sm);
        Put(Avx512F.Shuffle4x128(v3, p3, 0x88), 3, cols, dst, dstStride, full, sm);
        Put(Avx512F.Shuffle4x128(w0, q0, 0x88), 4, cols, dst, dstStride, full, sm);
        Put(Avx512F.Shuffle4x128(w1, q1, 0x88), 5, cols, dst, dstStride, full, sm);
        Put(Avx512F.Shuffle4x128(w2, q2, 0x88), 6, cols, dst, dstStride, full, sm);
        Put(Avx512F.Shuffle4x128(w3, q3, 0x88), 7, cols, dst, dstStride, full, sm);
        Put(Avx512F.Shuffle4x128(v0, p0, 0xDD), 8, cols, dst, dstStride, full, sm);
        Put(Avx512F.Shuffle4x128(v1, p1, 0xDD), 9, cols, dst, dstStride, full, sm);
        Put(Avx512F.Shuffle4x128(v2, p2, 0xDD), 10, cols, dst, dstStride, full, sm);
        Put(Avx512F.Shuffle4x128(v3, p3, 0xDD), 11, cols, dst, dstStride, full, sm);
        Put(Avx512F.Shuffle4x128(w0, q0, 0xDD), 12, cols, dst, dstStride, full, sm);
        Put(Avx512F.Shuffle4x128(w1, q1, 0xDD), 13, cols, dst, dstStride, full, sm);
        Put(Avx512F.Shuffle4x128(w2, q2, 0xDD), 14, cols, dst, dstStride, full, sm);
        Put(Avx512F.Shuffle4x128(w3, q3, 0xDD), 15, cols, dst, dstStride, full, sm);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(Vector512<float> x, int c, int cols, float* dst, nint stride, bool full, Vector512<float> mask)
    {
        if (c >= cols) return;
        if (full) Vector512.Store(x, dst + c * stride);
        else Avx512F.MaskStore(dst + c * stride, mask, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Row(float* src, int r, nint ld, int rows, Vector512<float> mask) =>
        r < rows ? Avx512F.MaskLoad(src + r * ld, mask, Vector512<float>.Zero) : Vector512<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Lo(Vector512<float> a, Vector512<float> b) => Avx512F.UnpackLow(a.AsDouble(), b.AsDouble()).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Hi(Vector512<float> a, Vector512<float> b) => Avx512F.UnpackHigh(a.AsDouble(), b.AsDouble()).AsSingle();
}

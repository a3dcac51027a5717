// GemmMicro: the 14x32 Vector512 FMA micro-kernel of sgemm, its ragged-edge wrapper and the packing routines.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Reverie.Tensors.Kernels;

/// <summary>A compile-time row count for the micro-kernel (one struct per count, so the JIT specializes).</summary>
internal interface IRowCount { static abstract int Value { get; } }
internal struct Rows1 : IRowCount { public static int Value => 1; }
internal struct Rows2 : IRowCount { public static int Value => 2; }
internal struct Rows3 : IRowCount { public static int Value => 3; }
internal struct Rows4 : IRowCount { public static int Value => 4; }
internal struct Rows5 : IRowCount { public static int Value => 5; }
internal struct Rows6 : IRowCount { public static int Value => 6; }
internal struct Rows7 : IRowCount { public static int Value => 7; }
internal struct Rows8 : IRowCount { public static int Value => 8; }
internal struct Rows9 : IRowCount { public static int Value => 9; }
internal struct Rows10 : IRowCount { public static int Value => 10; }
internal struct Rows11 : IRowCount { public static int Value => 11; }
internal struct Rows12 : IRowCount { public static int Value => 12; }
internal struct Rows13 : IRowCount { public static int Value => 13; }
internal struct Rows14 : IRowCount { public static int Value => 14; }

/// <summary>
/// Micro-kernel and packing. Packed A: slivers of mr ≤ 14 rows, element (r, k) at k*mr + r.
/// Packed B: panels of 32 columns, element (k, j) at k*32 + j, zero-padded past N.
/// Every C element gets C + alpha * (k-ordered FMA chain over one K block), whatever the tile's position.
/// </summary>
internal static unsafe class GemmMicro
{
    /// <summary>Rows per micro-tile.</summary>
    public const int MR = 14;
    /// <summary>Columns per micro-tile (two Vector512).</summary>
    public const int NR = 32;

    /// <summary>
    /// How many k rows ahead the micro-kernel prefetches B (to L1), never past the last row it reads. Measured
    /// 2026-11-22 in process against no prefetch (gemmcpu, interleaved samples, medians): 1 thread sq1024 107.9 → 110.2
    /// and 107.6 → 109.9, sq2048 108.3 → 118.1 and 116.0 → 120.9; 2 threads sq2048 194.3 → 207.9 and 187.4 → 203.3,
    /// sq256 201.7 → 211.9; 16 and 32 rows ahead did no better.
    /// </summary>
    private const int BPrefetchRows = 8;

    /// <summary>
    /// C[0..mr, 0..nr) += alpha · Σ_k a(r, k) · b(k, j), a packed (mr rows), b rows ldb apart (32 valid
    /// floats each). Ragged tiles (nr &lt; 32) go through a stack tile so no column past nr is touched.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile(int mr, int nr, int kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha)
    {
        if (nr == NR) { Dispatch(mr, kc, a, b, ldb, c, ldc, alpha); return; }
        float* t = stackalloc float[MR * NR];
        new Span<float>(t, MR * NR).Clear();
        Dispatch(mr, kc, a, b, ldb, t, NR, alpha);
        for (int r = 0; r < mr; r++)
            for (int j = 0; j < nr; j++) c[r * ldc + j] += t[r * NR + j];
    }

    private static void Dispatch(int mr, int kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha)
    {
        switch (mr)
        {
            case 1: Micro<Rows1>(kc, a, b, ldb, c, ldc, alpha); break;
            case 2: Micro<Rows2>(kc, a, b, ldb, c, ldc, alpha); break;
            case 3: Micro<Rows3>(kc, a, b, ldb, c, ldc, alpha); break;
            case 4: Micro<Rows4>(kc, a, b, ldb, c, ldc, alpha); break;
            case 5: Micro<Rows5>(kc, a, b, ldb, c, ldc, alpha); break;
            case 6: Micro<Rows6>(kc, a, b, ldb, c, ldc, alpha); break;
            case 7: Micro<Rows7>(kc, a, b, ldb, c, ldc, alpha); break;
            case 8: Micro<Rows8>(kc, a, b, ldb, c, ldc, alpha); break;
            case 9: Micro<Rows9>(kc, a, b, ldb, c, ldc, alpha); break;
            case 10: Micro<Rows10>(kc, a, b, ldb, c, ldc, alpha); break;
            case 11: Micro<Rows11>(kc, a, b, ldb, c, ldc, alpha); break;
            case 12: Micro<Rows12>(kc, a, b, ldb, c, ldc, alpha); break;
            case 13: Micro<Rows13>(kc, a, b, ldb, c, ldc, alpha); break;
            case 14: Micro<Rows14>(kc, a, b, ldb, c, ldc, alpha); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector512<float> x, Vector512<float> y, Vector512<float> al)
    {
        // Multiply then add (no FMA): the stack-tile path of ragged tiles rounds identically.
        Vector512.Store(Vector512.Load(c) + x * al, c);
        Vector512.Store(Vector512.Load(c + 16) + y * al, c + 16);
    }

    // 14x32 micro-kernel (rows < TR.Value are live; the JIT drops the rest per instantiation):
    // C[r, 0..32) += alpha * sum_k a[k*MR + r] * b[k*ldb + 0..32). Two B loads, MR broadcasts,
    // 2*MR FMAs per k step; 28 zmm accumulators at MR = 14.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Micro<TR>(nint kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha) where TR : struct, IRowCount
    {
        int MR = TR.Value;
        Vector512<float> c0a = default, c0b = default; Vector512<float> c1a = default, c1b = default; Vector512<float> c2a = default, c2b = default; Vector512<float> c3a = default, c3b = default; Vector512<float> c4a = default, c4b = default; Vector512<float> c5a = default, c5b = default; Vector512<float> c6a = default, c6b = default;
        Vector512<float> c7a = default, c7b = default; Vector512<float> c8a = default, c8b = default; Vector512<float> c9a = default, c9b = default; Vector512<float> c10a = default, c10b = default; Vector512<float> c11a = default, c11b = default; Vector512<float> c12a = default, c12b = default; Vector512<float> c13a = default, c13b = default;
        nint pfEnd = kc - BPrefetchRows, pfStep = BPrefetchRows * ldb;
        for (nint k = 0; k < kc; k++)
        {
            // B's row k + 8 on its way to L1 while row k is used; in the last 8 rows, row k itself (a no-op), so the
            // prefetch never reaches past the panel (past its end it can land on an unmapped page and cost a page walk).
            float* pf = k < pfEnd ? b + pfStep : b;
            Sse.Prefetch0(pf); Sse.Prefetch0(pf + 16);
            Vector512<float> b0 = Vector512.Load(b), b1 = Vector512.Load(b + 16), av;
            { av = Vector512.Create(a[0]); c0a = Avx512F.FusedMultiplyAdd(av, b0, c0a); c0b = Avx512F.FusedMultiplyAdd(av, b1, c0b); }
            if (MR > 1) { av = Vector512.Create(a[1]); c1a = Avx512F.FusedMultiplyAdd(av, b0, c1a); c1b = Avx512F.FusedMultiplyAdd(av, b1, c1b); }
            if (MR > 2) { av = Vector512.Create(a[2]); c2a = Avx512F.FusedMultiplyAdd(av, b0, c2a); c2b = Avx512F.FusedMultiplyAdd(av, b1, c2b); }
            if (MR > 3) { av = Vector512.Create(a[3]); c3a = Avx512F.FusedMultiplyAdd(av, b0, c3a); c3b = Avx512F.FusedMultiplyAdd(av, b1, c3b); }
            if (MR > 4) { av = Vector512.Create(a[4]); c4a = Avx512F.FusedMultiplyAdd(av, b0, c4a); c4b = Avx512F.FusedMultiplyAdd(av, b1, c4b); }
            if (MR > 5) { av = Vector512.Create(a[5]); c5a = Avx512F.FusedMultiplyAdd(av, b0, c5a); c5b = Avx512F.FusedMultiplyAdd(av, b1, c5b); }
            if (MR > 6) { av = Vector512.Create(a[6]); c6a = Avx512F.FusedMultiplyAdd(av, b0, c6a); c6b = Avx512F.FusedMultiplyAdd(av, b1, c6b); }
            if (MR > 7) { av = Vector512.Create(a[7]); c7a = Avx512F.FusedMultiplyAdd(av, b0, c7a); c7b = Avx512F.FusedMultiplyAdd(av, b1, c7b); }
            if (MR > 8) { av = Vector512.Create(a[8]); c8a = Avx512F.FusedMultiplyAdd(av, b0, c8a); c8b = Avx512F.FusedMultiplyAdd(av, b1, c8b); }
            if (MR > 9) { av = Vector512.Create(a[9]); c9a = Avx512F.FusedMultiplyAdd(av, b0, c9a); c9b = Avx512F.FusedMultiplyAdd(av, b1, c9b); }
            if (MR > 10) { av = Vector512.Create(a[10]); c10a = Avx512F.FusedMultiplyAdd(av, b0, c10a); c10b = Avx512F.FusedMultiplyAdd(av, b1, c10b); }
            if (MR > 11) { av = Vector512.Create(a[11]); c11a = Avx512F.FusedMultiplyAdd(av, b0, c11a); c11b = Avx512F.FusedMultiplyAdd(av, b1, c11b); }
            if (MR > 12) { av = Vector512.Create(a[12]); c12a = Avx512F.FusedMultiplyAdd(av, b0, c12a); c12b = Avx512F.FusedMultiplyAdd(av, b1, c12b); }
            if (MR > 13) { av = Vector512.Create(a[13]); c13a = Avx512F.FusedMultiplyAdd(av, b0, c13a); c13b = Avx512F.FusedMultiplyAdd(av, b1, c13b); }
            a += MR; b += ldb;
        }
        var al = Vector512.Create(alpha);
        Store(c + 0 * ldc, c0a, c0b, al);
        if (MR > 1) Store(c + 1 * ldc, c1a, c1b, al);
        if (MR > 2) Store(c + 2 * ldc, c2a, c2b, al);
        if (MR > 3) Store(c + 3 * ldc, c3a, c3b, al);
        if (MR > 4) Store(c + 4 * ldc, c4a, c4b, al);
        if (MR > 5) Store(c + 5 * ldc, c5a, c5b, al);
        if (MR > 6) Store(c + 6 * ldc, c6a, c6b, al);
        if (MR > 7) Store(c + 7 * ldc, c7a, c7b, al);
        if (MR > 8) Store(c + 8 * ldc, c8a, c8b, al);
        if (MR > 9) Store(c + 9 * ldc, c9a, c9b, al);
        if (MR > 10) Store(c + 10 * ldc, c10a, c10b, al);
        if (MR > 11) Store(c + 11 * ldc, c11a, c11b, al);
        if (MR > 12) Store(c + 12 * ldc, c12a, c12b, al);
        if (MR > 13) Store(c + 13 * ldc, c13a, c13b, al);
    }

}

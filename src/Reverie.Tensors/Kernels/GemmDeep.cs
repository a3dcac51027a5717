// GemmDeep: sgemm for deep products C = Aᵀ·B with K far larger than M and N (weight gradients dW = dYᵀ·X over
// a whole batch): A and B are both read in place, k-chunk by k-chunk, into 7x64 register tiles of C.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Reverie.Tensors.Kernels;

/// <summary>
/// C += alpha·op(A)·B with A transposed (stored K×M, row k holds op(A)(·, k)) and B not (K×N). For each chunk of
/// <see cref="KC"/> rows of A and B, every 7x64 tile of C is loaded, gets its k-ordered FMA chain over the chunk
/// (7 broadcasts from row k of A, 4 vectors from row k of B per step), and is stored back. Nothing is packed: the
/// chunk of one 64-column strip of B (16 KB) stays in L1 while the tiles down C use it, and the chunk of A in L2
/// while the strips use it, so A and B stream from memory once (the blocked kernel packed all of B first, then
/// read it back once per 14-row sliver group). Units split the 64-column strips between threads; each C element's
/// arithmetic is the same for any split.
/// </summary>
internal sealed unsafe class GemmDeepJob : GemmArgsJob
{
    public const int MR = 7, NR = 64;
    public const int KC = 64;   // 32..512 measured: 48-64 best (a 64x64 strip chunk of B is 16 KB of L1)
    private int _panels, _tiles, _panelsPerUnit;

    /// <summary>Sets up the units: runs of whole 64-column strips, one run per thread at most.</summary>
    public void Prepare(int threads)
    {
        _panels = (N + NR - 1) / NR;
        _tiles = (M + MR - 1) / MR;
        _panelsPerUnit = (_panels + threads - 1) / threads;
        Begin((_panels + _panelsPerUnit - 1) / _panelsPerUnit);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Work()
    {
        int u;
        while ((u = Claim()) >= 0)
        {
            int p0 = u * _panelsPerUnit, p1 = Math.Min(_panels, p0 + _panelsPerUnit);
            for (int k0 = 0; k0 < K; k0 += KC)
            {
                int kc = Math.Min(KC, K - k0);
                float* ak = A + (nint)k0 * Lda, bk = B + (nint)k0 * Ldb;
                for (int p = p0; p < p1; p++)
                {
                    int j0 = p * NR, n = Math.Min(NR, N - j0);
                    for (int t = 0; t < _tiles; t++)
                    {
                        int i = t * MR;
                        Tile(Math.Min(MR, M - i), n, kc, ak + i, Lda, bk + j0, Ldb, C + i * Ldc + j0, Ldc, Alpha);
                    }
                }
            }
        }
    }

    private static void Tile(int mr, int n, int kc, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, float alpha)
    {
        switch (mr)
        {
            case 1: Micro<Rows1>(n, kc, a, lda, b, ldb, c, ldc, alpha); break;
            case 2: Micro<Rows2>(n, kc, a, lda, b, ldb, c, ldc, alpha); break;
            case 3: Micro<Rows3>(n, kc, a, lda, b, ldb, c, ldc, alpha); break;
            case 4: Micro<Rows4>(n, kc, a, lda, b, ldb, c, ldc, alpha); break;
            case 5: Micro<Rows5>(n, kc, a, lda, b, ldb, c, ldc, alpha); break;
            case 6: Micro<Rows6>(n, kc, a, lda, b, ldb, c, ldc, alpha); break;
            default: Micro<Rows7>(n, kc, a, lda, b, ldb, c, ldc, alpha); break;
        }
    }

    // C[r, 0..n) += alpha · Σ_k a[k·lda + r] · b[k·ldb + 0..n) for r < TR; columns past n are neither read nor written.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro<TR>(int n, int kc, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, float alpha) where TR : struct, IRowCount
    {
        int R = TR.Value;
        var z = Vector512<float>.Zero;
        Vector512<float> m0 = Vector512<float>.AllBitsSet, m1 = m0, m2 = m0, m3 = m0;
        bool full = n == NR;
        if (!full) { m0 = RowSimd.Mask(Math.Clamp(n, 0, 16)); m1 = RowSimd.Mask(Math.Clamp(n - 16, 0, 16)); m2 = RowSimd.Mask(Math.Clamp(n - 32, 0, 16)); m3 = RowSimd.Mask(Math.Clamp(n - 48, 0, 16)); }
        Vector512<float> c00 = z, c01 = z, c02 = z, c03 = z, c10 = z, c11 = z, c12 = z, c13 = z, c20 = z, c21 = z, c22 = z, c23 = z;
        Vector512<float> c30 = z, c31 = z, c32 = z, c33 = z, c40 = z, c41 = z, c42 = z, c43 = z, c50 = z, c51 = z, c52 = z, c53 = z;
        Vector512<float> c60 = z, c61 = z, c62 = z, c63 = z;
        for (int k = 0; k < kc; k++, a += lda, b += ldb)
        {
            Vector512<float> b0, b1, b2, b3, x;
            if (full) { b0 = Vector512.Load(b); b1 = Vector512.Load(b + 16); b2 = Vector512.Load(b + 32); b3 = Vector512.Load(b + 48); }
            else { b0 = RowSimd.Load(b, m0, z); b1 = RowSimd.Load(b + 16, m1, z); b2 = RowSimd.Load(b + 32, m2, z); b3 = RowSimd.Load(b + 48, m3, z); }
            { x = Vector512.Create(a[0]); c00 = Avx512F.FusedMultiplyAdd(x, b0, c00); c01 = Avx512F.FusedMultiplyAdd(x, b1, c01); c02 = Avx512F.FusedMultiplyAdd(x, b2, c02); c03 = Avx512F.FusedMultiplyAdd(x, b3, c03); }
            if (R > 1) { x = Vector512.Create(a[1]); c10 = Avx512F.FusedMultiplyAdd(x, b0, c10); c11 = Avx512F.FusedMultiplyAdd(x, b1, c11); c12 = Avx512F.FusedMultiplyAdd(x, b2, c12); c13 = Avx512F.FusedMultiplyAdd(x, b3, c13); }
            if (R > 2) { x = Vector512.Create(a[2]); c20 = Avx512F.FusedMultiplyAdd(x, b0, c20); c21 = Avx512F.FusedMultiplyAdd(x, b1, c21); c22 = Avx512F.FusedMultiplyAdd(x, b2, c22); c23 = Avx512F.FusedMultiplyAdd(x, b3, c23); }
            if (R > 3) { x = Vector512.Create(a[3]); c30 = Avx512F.FusedMultiplyAdd(x, b0, c30); c31 = Avx512F.FusedMultiplyAdd(x, b1, c31); c32 = Avx512F.FusedMultiplyAdd(x, b2, c32); c33 = Avx512F.FusedMultiplyAdd(x, b3, c33); }
            if (R > 4) { x = Vector512.Create(a[4]); c40 = Avx512F.FusedMultiplyAdd(x, b0, c40); c41 = Avx512F.FusedMultiplyAdd(x, b1, c41); c42 = Avx512F.FusedMultiplyAdd(x, b2, c42); c43 = Avx512F.FusedMultiplyAdd(x, b3, c43); }
            if (R > 5) { x = Vector512.Create(a[5]); c50 = Avx512F.FusedMultiplyAdd(x, b0, c50); c51 = Avx512F.FusedMultiplyAdd(x, b1, c51); c52 = Avx512F.FusedMultiplyAdd(x, b2, c52); c53 = Avx512F.FusedMultiplyAdd(x, b3, c53); }
            if (R > 6) { x = Vector512.Create(a[6]); c60 = Avx512F.FusedMultiplyAdd(x, b0, c60); c61 = Avx512F.FusedMultiplyAdd(x, b1, c61); c62 = Avx512F.FusedMultiplyAdd(x, b2, c62); c63 = Avx512F.FusedMultiplyAdd(x, b3, c63); }
        }
        var al = Vector512.Create(alpha);
        Add(c, c00, c01, c02, c03, al, full, m0, m1, m2, m3);
        if (R > 1) Add(c + ldc, c10, c11, c12, c13, al, full, m0, m1, m2, m3);
        if (R > 2) Add(c + 2 * ldc, c20, c21, c22, c23, al, full, m0, m1, m2, m3);
        if (R > 3) Add(c + 3 * ldc, c30, c31, c32, c33, al, full, m0, m1, m2, m3);
        if (R > 4) Add(c + 4 * ldc, c40, c41, c42, c43, al, full, m0, m1, m2, m3);
        if (R > 5) Add(c + 5 * ldc, c50, c51, c52, c53, al, full, m0, m1, m2, m3);
        if (R > 6) Add(c + 6 * ldc, c60, c61, c62, c63, al, full, m0, m1, m2, m3);
    }

    // C += alpha·x on one row of a tile (multiply then add, as GemmMicro does), masked past n.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(float* c, Vector512<float> x0, Vector512<float> x1, Vector512<float> x2, Vector512<float> x3, Vector512<float> al,
        bool full, Vector512<float> m0, Vector512<float> m1, Vector512<float> m2, Vector512<float> m3)
    {
        if (full)
        {
            Vector512.Store(Vector512.Load(c) + x0 * al, c);
            Vector512.Store(Vector512.Load(c + 16) + x1 * al, c + 16);
            Vector512.Store(Vector512.Load(c + 32) + x2 * al, c + 32);
            Vector512.Store(Vector512.Load(c + 48) + x3 * al, c + 48);
            return;
        }
        var z = Vector512<float>.Zero;
        RowSimd.Store(c, m0, RowSimd.Load(c, m0, z) + x0 * al);
        RowSimd.Store(c + 16, m1, RowSimd.Load(c + 16, m1, z) + x1 * al);
        RowSimd.Store(c + 32, m2, RowSimd.Load(c + 32, m2, z) + x2 * al);
        RowSimd.Store(c + 48, m3, RowSimd.Load(c + 48, m3, z) + x3 * al);
    }
}

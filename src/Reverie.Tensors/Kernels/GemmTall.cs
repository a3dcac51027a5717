// GemmTall: sgemm for tall, narrow products (many rows, N ≤ 256: the layers of RL networks on big batches):
// op(B) is packed once into 64-column panels, A is read in place (no packing), 7x64 FMA micro-tiles.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Reverie.Tensors.Kernels;

/// <summary>
/// C += alpha·A·op(B) with A not transposed (M×K, rows lda apart), read where it lies: a micro-tile of 7 rows
/// by 64 columns keeps 28 Vector512 sums, and each k step broadcasts one float from each of the 7 rows of A
/// (7 loads) against 4 vectors of the packed B panel (k·64 + j, zero-padded past N). Packing only B, which is
/// small here (K·N), removes the A packing that dominates the blocked kernel when N and K are small.
/// Every C element gets one FMA chain over all of K, so results depend on the shape only. (Blocking K so that
/// a B block stays in L1 measured no better: the 64-column panel streams from L2 fast enough.)
/// Units are blocks of 7-row tiles; B's panels are packed on demand by the units (see Prepare).
/// </summary>
internal sealed unsafe class GemmTallJob : GemmArgsJob
{
    public const int MR = 7, NR = 64;
    /// <summary>Tiles of 7 rows per unit (a unit runs every panel over its rows, so A rows are reused from L2).</summary>
    private const int TilesPerUnit = 8;

    /// <summary>Packed op(B): panel p at Bp + p·K·64.</summary>
    public float* Bp;
    /// <summary>When set, C is written (alpha·A·op(B) [+ bias]) without being read, else added to.</summary>
    public bool Overwrite;
    /// <summary>A row of N floats added to every row of C (only with <see cref="Overwrite"/>), or null.</summary>
    public float* Bias;
    private int _panels, _tiles;

    /// <summary>Floats of the packed B buffer for a shape.</summary>
    public static long BFloats(int N, int K) => (long)(N + NR - 1) / NR * NR * K;

    /// <summary>Packs panel <paramref name="p"/> of op(B) (64 columns, zero-padded past N) to <paramref name="dst"/> (K·64 floats).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PackPanel(int p, float* dst)
    {
        int j0 = p * NR, n = Math.Min(NR, N - j0);
        if (TransB)
        {
            // op(B)(k, j) = B[j·ldb + k]: 16×16 register transposes; rows past N come out as zeros.
            for (int jj = 0; jj < NR; jj += 16)
                for (int k0 = 0; k0 < K; k0 += 16)
                    GemmTranspose.Block(B + (j0 + jj) * Ldb + k0, Ldb, Math.Clamp(n - jj, 0, 16), Math.Min(16, K - k0), dst + k0 * NR + jj, NR);
            return;
        }
        var m0 = RowSimd.Mask(Math.Clamp(n, 0, 16)); var m1 = RowSimd.Mask(Math.Clamp(n - 16, 0, 16));
        var m2 = RowSimd.Mask(Math.Clamp(n - 32, 0, 16)); var m3 = RowSimd.Mask(Math.Clamp(n - 48, 0, 16));
        float* src = B + j0;
        for (int k = 0; k < K; k++, src += Ldb, dst += NR)
        {
            var z = Vector512<float>.Zero;
            Vector512.Store(RowSimd.Load(src, m0, z), dst);
            Vector512.Store(RowSimd.Load(src + 16, m1, z), dst + 16);
            Vector512.Store(RowSimd.Load(src + 32, m2, z), dst + 32);
            Vector512.Store(RowSimd.Load(src + 48, m3, z), dst + 48);
        }
    }

    // Per panel: the ClaimPacking flags.
    private int[] _ready = [];
    private int _tilesPerUnit, _threads;

    /// <summary>
    /// Sets up the units and panel flags (after Set and Bp) for <paramref name="threads"/> threads. Panels are packed
    /// on demand by the first unit that needs them, and unit u starts at panel (u mod T)·panels/T for T threads, so
    /// threads starting together pack different panels instead of both packing the same ones. With more than one thread the
    /// units shrink to about four per thread (sq256 has 37 tiles: 5 units of 8 left a 3:2 split at 2 threads).
    /// </summary>
    public void Prepare(int threads)
    {
        _panels = (N + NR - 1) / NR;
        if (_ready.Length < _panels) _ready = new int[Math.Max(_panels, 2 * _ready.Length)];
        else Array.Clear(_ready, 0, _panels);
        _tiles = (M + MR - 1) / MR;
        _threads = Math.Max(1, threads);
        _tilesPerUnit = threads <= 1 ? TilesPerUnit : Math.Clamp(_tiles / (4 * threads), 1, TilesPerUnit);
        Begin((_tiles + _tilesPerUnit - 1) / _tilesPerUnit);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Work()
    {
        int u;
        while ((u = Claim()) >= 0)
        {
            int t0 = u * _tilesPerUnit, t1 = Math.Min(_tiles, t0 + _tilesPerUnit);
            int start = u % _threads * _panels / _threads;
            for (int q = 0; q < _panels; q++)
            {
                int p = (start + q) % _panels;
                ref int flag = ref _ready[p];
                var state = ClaimPacking(ref flag);
                // Busy: another thread is packing it, so this one packs the same floats into its own buffer instead of waiting.
                float* bp = state == Packing.Busy ? GemmBuffers.Current.T((long)K * NR) : Bp + (nint)p * K * NR;
                if (state != Packing.Ready) PackPanel(p, bp);
                if (state == Packing.Mine) MarkPacked(ref flag);
                int j0 = p * NR, n = Math.Min(NR, N - j0);
                for (int t = t0; t < t1; t++)
                {
                    int i = t * MR;
                    Tile(Math.Min(MR, M - i), n, K, A + i * Lda, Lda, bp, C + i * Ldc + j0, Ldc, Alpha, Overwrite, Bias == null ? null : Bias + j0);
                }
            }
        }
    }

    private static void Tile(int mr, int n, int K, float* a, nint lda, float* b, float* c, nint ldc, float alpha, bool overwrite, float* bias)
    {
        switch (mr)
        {
            case 1: Micro<Rows1>(n, K, a, lda, b, c, ldc, alpha, overwrite, bias); break;
            case 2: Micro<Rows2>(n, K, a, lda, b, c, ldc, alpha, overwrite, bias); break;
            case 3: Micro<Rows3>(n, K, a, lda, b, c, ldc, alpha, overwrite, bias); break;
            case 4: Micro<Rows4>(n, K, a, lda, b, c, ldc, alpha, overwrite, bias); break;
            case 5: Micro<Rows5>(n, K, a, lda, b, c, ldc, alpha, overwrite, bias); break;
            case 6: Micro<Rows6>(n, K, a, lda, b, c, ldc, alpha, overwrite, bias); break;
            default: Micro<Rows7>(n, K, a, lda, b, c, ldc, alpha, overwrite, bias); break;
        }
    }

    // C[r, 0..n) (+)= alpha · Σ_k a[r·lda + k] · b[k·64 + 0..64) (+ bias) for r < TR (rows past TR are dropped by the JIT).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro<TR>(int n, int K, float* a, nint lda, float* b, float* c, nint ldc, float alpha, bool overwrite, float* bias) where TR : struct, IRowCount
    {
        int R = TR.Value;
        float* a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda, a4 = a + 4 * lda, a5 = a + 5 * lda, a6 = a + 6 * lda;
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default, c30 = default, c31 = default, c32 = default, c33 = default;
        Vector512<float> c40 = default, c41 = default, c42 = default, c43 = default, c50 = default, c51 = default, c52 = default, c53 = default;
        Vector512<float> c60 = default, c61 = default, c62 = default, c63 = default;
        for (nint k = 0; k < K; k++, b += NR)
        {
            Vector512<float> b0 = Vector512.Load(b), b1 = Vector512.Load(b + 16), b2 = Vector512.Load(b + 32), b3 = Vector512.Load(b + 48), x;
            { x = Vector512.Create(a0[k]); c00 = Avx512F.FusedMultiplyAdd(x, b0, c00); c01 = Avx512F.FusedMultiplyAdd(x, b1, c01); c02 = Avx512F.FusedMultiplyAdd(x, b2, c02); c03 = Avx512F.FusedMultiplyAdd(x, b3, c03); }
            if (R > 1) { x = Vector512.Create(a1[k]); c10 = Avx512F.FusedMultiplyAdd(x, b0, c10); c11 = Avx512F.FusedMultiplyAdd(x, b1, c11); c12 = Avx512F.FusedMultiplyAdd(x, b2, c12); c13 = Avx512F.FusedMultiplyAdd(x, b3, c13); }
            if (R > 2) { x = Vector512.Create(a2[k]); c20 = Avx512F.FusedMultiplyAdd(x, b0, c20); c21 = Avx512F.FusedMultiplyAdd(x, b1, c21); c22 = Avx512F.FusedMultiplyAdd(x, b2, c22); c23 = Avx512F.FusedMultiplyAdd(x, b3, c23); }
            if (R > 3) { x = Vector512.Create(a3[k]); c30 = Avx512F.FusedMultiplyAdd(x, b0, c30); c31 = Avx512F.FusedMultiplyAdd(x, b1, c31); c32 = Avx512F.FusedMultiplyAdd(x, b2, c32); c33 = Avx512F.FusedMultiplyAdd(x, b3, c33); }
            if (R > 4) { x = Vector512.Create(a4[k]); c40 = Avx512F.FusedMultiplyAdd(x, b0, c40); c41 = Avx512F.FusedMultiplyAdd(x, b1, c41); c42 = Avx512F.FusedMultiplyAdd(x, b2, c42); c43 = Avx512F.FusedMultiplyAdd(x, b3, c43); }
            if (R > 5) { x = Vector512.Create(a5[k]); c50 = Avx512F.FusedMultiplyAdd(x, b0, c50); c51 = Avx512F.FusedMultiplyAdd(x, b1, c51); c52 = Avx512F.FusedMultiplyAdd(x, b2, c52); c53 = Avx512F.FusedMultiplyAdd(x, b3, c53); }
            if (R > 6) { x = Vector512.Create(a6[k]); c60 = Avx512F.FusedMultiplyAdd(x, b0, c60); c61 = Avx512F.FusedMultiplyAdd(x, b1, c61); c62 = Avx512F.FusedMultiplyAdd(x, b2, c62); c63 = Avx512F.FusedMultiplyAdd(x, b3, c63); }
        }
        var al = Vector512.Create(alpha);
        var z = Vector512<float>.Zero;
        if (n == NR && !overwrite)
        {
            Store(c, c00, c01, c02, c03, al);
            if (R > 1) Store(c + ldc, c10, c11, c12, c13, al);
            if (R > 2) Store(c + 2 * ldc, c20, c21, c22, c23, al);
            if (R > 3) Store(c + 3 * ldc, c30, c31, c32, c33, al);
            if (R > 4) Store(c + 4 * ldc, c40, c41, c42, c43, al);
            if (R > 5) Store(c + 5 * ldc, c50, c51, c52, c53, al);
            if (R > 6) Store(c + 6 * ldc, c60, c61, c62, c63, al);
            return;
        }
        if (n == NR && bias == null)
        {
            Put(c, c00, c01, c02, c03, al, z, z, z, z);
            if (R > 1) Put(c + ldc, c10, c11, c12, c13, al, z, z, z, z);
            if (R > 2) Put(c + 2 * ldc, c20, c21, c22, c23, al, z, z, z, z);
            if (R > 3) Put(c + 3 * ldc, c30, c31, c32, c33, al, z, z, z, z);
            if (R > 4) Put(c + 4 * ldc, c40, c41, c42, c43, al, z, z, z, z);
            if (R > 5) Put(c + 5 * ldc, c50, c51, c52, c53, al, z, z, z, z);
            if (R > 6) Put(c + 6 * ldc, c60, c61, c62, c63, al, z, z, z, z);
            return;
        }
        if (n == NR)
        {
            Vector512<float> d0 = Vector512.Load(bias), d1 = Vector512.Load(bias + 16), d2 = Vector512.Load(bias + 32), d3 = Vector512.Load(bias + 48);
            Put(c, c00, c01, c02, c03, al, d0, d1, d2, d3);
            if (R > 1) Put(c + ldc, c10, c11, c12, c13, al, d0, d1, d2, d3);
            if (R > 2) Put(c + 2 * ldc, c20, c21, c22, c23, al, d0, d1, d2, d3);
            if (R > 3) Put(c + 3 * ldc, c30, c31, c32, c33, al, d0, d1, d2, d3);
            if (R > 4) Put(c + 4 * ldc, c40, c41, c42, c43, al, d0, d1, d2, d3);
            if (R > 5) Put(c + 5 * ldc, c50, c51, c52, c53, al, d0, d1, d2, d3);
            if (R > 6) Put(c + 6 * ldc, c60, c61, c62, c63, al, d0, d1, d2, d3);
            return;
        }
        // A ragged last panel: the tile goes through a stack tile, then C = base + tile under column masks.
        float* t = stackalloc float[MR * NR];
        Put(t, c00, c01, c02, c03, al, z, z, z, z);
        if (R > 1) Put(t + NR, c10, c11, c12, c13, al, z, z, z, z);
        if (R > 2) Put(t + 2 * NR, c20, c21, c22, c23, al, z, z, z, z);
        if (R > 3) Put(t + 3 * NR, c30, c31, c32, c33, al, z, z, z, z);
        if (R > 4) Put(t + 4 * NR, c40, c41, c42, c43, al, z, z, z, z);
        if (R > 5) Put(t + 5 * NR, c50, c51, c52, c53, al, z, z, z, z);
        if (R > 6) Put(t + 6 * NR, c60, c61, c62, c63, al, z, z, z, z);
        for (int q = 0; q < 4; q++)
        {
            var m = RowSimd.Mask(Math.Clamp(n - 16 * q, 0, 16));
            var d = bias == null ? z : RowSimd.Load(bias + 16 * q, m, z);
            for (int r = 0; r < R; r++)
            {
                float* cr = c + r * ldc + 16 * q;
                RowSimd.Store(cr, m, (overwrite ? d : RowSimd.Load(cr, m, z)) + Vector512.Load(t + r * NR + 16 * q));
            }
        }
    }

    // C += alpha·x (multiply then add, as GemmMicro does).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector512<float> x0, Vector512<float> x1, Vector512<float> x2, Vector512<float> x3, Vector512<float> al)
    {
        Vector512.Store(Vector512.Load(c) + x0 * al, c);
        Vector512.Store(Vector512.Load(c + 16) + x1 * al, c + 16);
        Vector512.Store(Vector512.Load(c + 32) + x2 * al, c + 32);
        Vector512.Store(Vector512.Load(c + 48) + x3 * al, c + 48);
    }

    // C = d + alpha·x, C not read (d: the bias row or zero).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* c, Vector512<float> x0, Vector512<float> x1, Vector512<float> x2, Vector512<float> x3, Vector512<float> al,
        Vector512<float> d0, Vector512<float> d1, Vector512<float> d2, Vector512<float> d3)
    {
        Vector512.Store(d0 + x0 * al, c);
        Vector512.Store(d1 + x1 * al, c + 16);
        Vector512.Store(d2 + x2 * al, c + 32);
        Vector512.Store(d3 + x3 * al, c + 48);
    }
}

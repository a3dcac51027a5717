// GemmDot: sgemm as blocked dot products, for x·W^T with few rows (nn.Linear's forward) and narrow outputs.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Reverie.Tensors.Kernels;

/// <summary>
/// C += alpha·op(A)·op(B) when the rows of op(A) and the columns of op(B) are both contiguous in K
/// (A not transposed, B transposed; other layouts are copied into that form by the caller). A 4×6
/// block of C keeps 24 Vector512 partial sums over K, reduced at the end; the K tail (K mod 16)
/// is one masked step. Units are runs of 6-column blocks (or of 4-row blocks when N is narrow).
/// </summary>
internal sealed unsafe class GemmDotJob : GemmArgsJob
{
    public const int MRD = 4, NRD = 6;
    /// <summary>Rows of op(A) (K contiguous floats, lda apart) and of op(B)^T (ldb apart).</summary>
    public float* Ar, Br;
    public nint LdAr, LdBr;

    private bool _splitN;
    private int _perUnit;

    /// <summary>Sets up the units: runs of 6-column blocks (or of 4-row blocks when N is narrow).</summary>
    public void Prepare(int threads)
    {
        int mb = (M + MRD - 1) / MRD, nb = (N + NRD - 1) / NRD;
        _splitN = nb >= 2 * threads || nb >= mb;
        int items = _splitN ? nb : mb;
        _perUnit = UnitSize(items, threads, int.MaxValue);
        Begin((items + _perUnit - 1) / _perUnit);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Work()
    {
        int mb = (M + MRD - 1) / MRD, nb = (N + NRD - 1) / NRD;
        int u;
        while ((u = Claim()) >= 0)
        {
            int b0 = u * _perUnit;
            if (_splitN) RunBlocks(b0, Math.Min(nb, b0 + _perUnit), 0, mb);
            else RunBlocks(0, nb, b0, Math.Min(mb, b0 + _perUnit));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunBlocks(int j0, int j1, int i0, int i1)
    {
        for (int jb = j0; jb < j1; jb++)
        {
            int j = jb * NRD, nr = Math.Min(NRD, N - j);
            for (int ib = i0; ib < i1; ib++)
            {
                int i = ib * MRD, mr = Math.Min(MRD, M - i);
                // Rows past M repeat the last valid row; their sums are computed and dropped.
                float* a0 = Ar + i * LdAr;
                float* a1 = Ar + (i + Math.Min(1, mr - 1)) * LdAr;
                float* a2 = Ar + (i + Math.Min(2, mr - 1)) * LdAr;
                float* a3 = Ar + (i + Math.Min(3, mr - 1)) * LdAr;
                Block(nr, K, a0, a1, a2, a3, Br + j * LdBr, LdBr, C + i * Ldc + j, Ldc, mr, Alpha);
            }
        }
    }

    private static void Block(int nr, int K, float* a0, float* a1, float* a2, float* a3, float* b, nint ldb, float* c, nint ldc, int mr, float alpha)
    {
        switch (nr)
        {
            case 1: Dot<Rows1>(K, a0, a1, a2, a3, b, ldb, c, ldc, mr, alpha); break;
            case 2: Dot<Rows2>(K, a0, a1, a2, a3, b, ldb, c, ldc, mr, alpha); break;
            case 3: Dot<Rows3>(K, a0, a1, a2, a3, b, ldb, c, ldc, mr, alpha); break;
            case 4: Dot<Rows4>(K, a0, a1, a2, a3, b, ldb, c, ldc, mr, alpha); break;
            case 5: Dot<Rows5>(K, a0, a1, a2, a3, b, ldb, c, ldc, mr, alpha); break;
            case 6: Dot<Rows6>(K, a0, a1, a2, a3, b, ldb, c, ldc, mr, alpha); break;
        }
    }

    /// <summary>dst[j*K + k] = op(src)(k, j) for a K×n matrix stored with leading dimension ld (a plain transpose copy).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose(float* src, nint ld, int K, int n, float* dst)
    {
        for (int k = 0; k < K; k++)
        {
            float* s = src + k * ld;
            for (int j = 0; j < n; j++) dst[(nint)j * K + k] = s[j];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot<TN>(int K, float* a0, float* a1, float* a2, float* a3, float* b, nint ldb, float* c, nint ldc, int mr, float alpha) where TN : struct, IRowCount
    {
        int NRD = TN.Value;
        float* b0 = b, b1 = b + 1 * ldb, b2 = b + 2 * ldb, b3 = b + 3 * ldb, b4 = b + 4 * ldb, b5 = b + 5 * ldb;
        Vector512<float> s00 = default, s01 = default, s02 = default, s03 = default, s04 = default, s05 = default;
        Vector512<float> s10 = default, s11 = default, s12 = default, s13 = default, s14 = default, s15 = default;
        Vector512<float> s20 = default, s21 = default, s22 = default, s23 = default, s24 = default, s25 = default;
        Vector512<float> s30 = default, s31 = default, s32 = default, s33 = default, s34 = default, s35 = default;
        int k = 0;
        for (; k <= K - 16; k += 16)
        {
            Vector512<float> x0 = Vector512.Load(a0 + k), x1 = Vector512.Load(a1 + k), x2 = Vector512.Load(a2 + k), x3 = Vector512.Load(a3 + k), w;
            { w = Vector512.Load(b0 + k); s00 = Avx512F.FusedMultiplyAdd(x0, w, s00); s10 = Avx512F.FusedMultiplyAdd(x1, w, s10); s20 = Avx512F.FusedMultiplyAdd(x2, w, s20); s30 = Avx512F.FusedMultiplyAdd(x3, w, s30); }
            if (NRD > 1) { w = Vector512.Load(b1 + k); s01 = Avx512F.FusedMultiplyAdd(x0, w, s01); s11 = Avx512F.FusedMultiplyAdd(x1, w, s11); s21 = Avx512F.FusedMultiplyAdd(x2, w, s21); s31 = Avx512F.FusedMultiplyAdd(x3, w, s31); }
            if (NRD > 2) { w = Vector512.Load(b2 + k); s02 = Avx512F.FusedMultiplyAdd(x0, w, s02); s12 = Avx512F.FusedMultiplyAdd(x1, w, s12); s22 = Avx512F.FusedMultiplyAdd(x2, w, s22); s32 = Avx512F.FusedMultiplyAdd(x3, w, s32); }
            if (NRD > 3) { w = Vector512.Load(b3 + k); s03 = Avx512F.FusedMultiplyAdd(x0, w, s03); s13 = Avx512F.FusedMultiplyAdd(x1, w, s13); s23 = Avx512F.FusedMultiplyAdd(x2, w, s23); s33 = Avx512F.FusedMultiplyAdd(x3, w, s33); }
            if (NRD > 4) { w = Vector512.Load(b4 + k); s04 = Avx512F.FusedMultiplyAdd(x0, w, s04); s14 = Avx512F.FusedMultiplyAdd(x1, w, s14); s24 = Avx512F.FusedMultiplyAdd(x2, w, s24); s34 = Avx512F.FusedMultiplyAdd(x3, w, s34); }
            if (NRD > 5) { w = Vector512.Load(b5 + k); s05 = Avx512F.FusedMultiplyAdd(x0, w, s05); s15 = Avx512F.FusedMultiplyAdd(x1, w, s15); s25 = Avx512F.FusedMultiplyAdd(x2, w, s25); s35 = Avx512F.FusedMultiplyAdd(x3, w, s35); }
        }
        if (k < K)
        {
            // The K tail as one masked step (lanes past K load as 0), so short K never runs scalar.
            var m = RowSimd.Mask(K - k);
            Vector512<float> x0 = RowSimd.Load(a0 + k, m, Vector512<float>.Zero), x1 = RowSimd.Load(a1 + k, m, Vector512<float>.Zero), x2 = RowSimd.Load(a2 + k, m, Vector512<float>.Zero), x3 = RowSimd.Load(a3 + k, m, Vector512<float>.Zero), w;
            { w = RowSimd.Load(b0 + k, m, Vector512<float>.Zero); s00 = Avx512F.FusedMultiplyAdd(x0, w, s00); s10 = Avx512F.FusedMultiplyAdd(x1, w, s10); s20 = Avx512F.FusedMultiplyAdd(x2, w, s20); s30 = Avx512F.FusedMultiplyAdd(x3, w, s30); }
            if (NRD > 1) { w = RowSimd.Load(b1 + k, m, Vector512<float>.Zero); s01 = Avx512F.FusedMultiplyAdd(x0, w, s01); s11 = Avx512F.FusedMultiplyAdd(x1, w, s11); s21 = Avx512F.FusedMultiplyAdd(x2, w, s21); s31 = Avx512F.FusedMultiplyAdd(x3, w, s31); }
            if (NRD > 2) { w = RowSimd.Load(b2 + k, m, Vector512<float>.Zero); s02 = Avx512F.FusedMultiplyAdd(x0, w, s02); s12 = Avx512F.FusedMultiplyAdd(x1, w, s12); s22 = Avx512F.FusedMultiplyAdd(x2, w, s22); s32 = Avx512F.FusedMultiplyAdd(x3, w, s32); }
            if (NRD > 3) { w = RowSimd.Load(b3 + k, m, Vector512<float>.Zero); s03 = Avx512F.FusedMultiplyAdd(x0, w, s03); s13 = Avx512F.FusedMultiplyAdd(x1, w, s13); s23 = Avx512F.FusedMultiplyAdd(x2, w, s23); s33 = Avx512F.FusedMultiplyAdd(x3, w, s33); }
            if (NRD > 4) { w = RowSimd.Load(b4 + k, m, Vector512<float>.Zero); s04 = Avx512F.FusedMultiplyAdd(x0, w, s04); s14 = Avx512F.FusedMultiplyAdd(x1, w, s14); s24 = Avx512F.FusedMultiplyAdd(x2, w, s24); s34 = Avx512F.FusedMultiplyAdd(x3, w, s34); }
            if (NRD > 5) { w = RowSimd.Load(b5 + k, m, Vector512<float>.Zero); s05 = Avx512F.FusedMultiplyAdd(x0, w, s05); s15 = Avx512F.FusedMultiplyAdd(x1, w, s15); s25 = Avx512F.FusedMultiplyAdd(x2, w, s25); s35 = Avx512F.FusedMultiplyAdd(x3, w, s35); }
            k = K;
        }
        float** ar = stackalloc float*[4] { a0, a1, a2, a3 };
        float** br = stackalloc float*[6] { b0, b1, b2, b3, b4, b5 };
        float* r = stackalloc float[4 * 6];
        r[0] = RowSimd.Sum(s00);
        if (NRD > 1) r[1] = RowSimd.Sum(s01);
        if (NRD > 2) r[2] = RowSimd.Sum(s02);
        if (NRD > 3) r[3] = RowSimd.Sum(s03);
        if (NRD > 4) r[4] = RowSimd.Sum(s04);
        if (NRD > 5) r[5] = RowSimd.Sum(s05);
        r[6] = RowSimd.Sum(s10);
        if (NRD > 1) r[7] = RowSimd.Sum(s11);
        if (NRD > 2) r[8] = RowSimd.Sum(s12);
        if (NRD > 3) r[9] = RowSimd.Sum(s13);
        if (NRD > 4) r[10] = RowSimd.Sum(s14);
        if (NRD > 5) r[11] = RowSimd.Sum(s15);
        r[12] = RowSimd.Sum(s20);
        if (NRD > 1) r[13] = RowSimd.Sum(s21);
        if (NRD > 2) r[14] = RowSimd.Sum(s22);
        if (NRD > 3) r[15] = RowSimd.Sum(s23);
        if (NRD > 4) r[16] = RowSimd.Sum(s24);
        if (NRD > 5) r[17] = RowSimd.Sum(s25);
        r[18] = RowSimd.Sum(s30);
        if (NRD > 1) r[19] = RowSimd.Sum(s31);
        if (NRD > 2) r[20] = RowSimd.Sum(s32);
        if (NRD > 3) r[21] = RowSimd.Sum(s33);
        if (NRD > 4) r[22] = RowSimd.Sum(s34);
        if (NRD > 5) r[23] = RowSimd.Sum(s35);
        for (int i = 0; i < mr; i++)
            for (int j = 0; j < NRD; j++)
            {
                float t = r[i * 6 + j];
                for (int kk = k; kk < K; kk++) t += ar[i][kk] * br[j][kk];
                c[i * ldc + j] += alpha * t;
            }
    }
}

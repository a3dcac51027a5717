// GemmPack: copies blocks of A and B into the micro-kernel's sliver/panel layouts (all transpose cases).
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Reverie.Tensors.Kernels;

/// <summary>Packing of A slivers (k*mr + r) and B panels (k*32 + j, zero-padded) for <see cref="GemmMicro"/>.</summary>
internal static unsafe class GemmPack
{
    // Gathers need every index (row * ld) to fit an int; beyond that the scalar loops run.
    private const long GatherLimit = int.MaxValue / 2;

    /// <summary>
    /// One sliver of op(A): rows i0..i0+mr, columns p0..p0+kc, to dst[k*mr + r]. 
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ASliver(bool transA, float* A, nint lda, int i0, int mr, int p0, int kc, float* dst)
    {
        if (transA)
        {
            // op(A)(i, k) = A[k*lda + i]: mr contiguous floats per k.
            float* src = A + (nint)p0 * lda + i0;
            if (mr == GemmMicro.MR)
            {
                for (int k = 0; k < kc; k++, src += lda, dst += GemmMicro.MR)
                {
                    Vector256.Store(Vector256.Load(src), dst);
                    Vector256.Store(Vector256.Load(src + 6), dst + 6);
                }
            }
            else
            {
                for (int k = 0; k < kc; k++, src += lda, dst += mr)
                    for (int r = 0; r < mr; r++) dst[r] = src[r];
            }
            return;
        }
        // op(A)(i, k) = A[i*lda + k]: a transpose of mr rows.
        float* a0 = A + (nint)i0 * lda + p0;
        if (mr == GemmMicro.MR && Avx2.IsSupported && lda < GatherLimit / 16)
        {
            // Rows 0..7 and 6..13 (two overlapping 8-lane gathers per k).
            var idx = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * (int)lda;
            float* a6 = a0 + 6 * lda;
            for (int k = 0; k < kc; k++, dst += GemmMicro.MR)
            {
                Vector256.Store(Avx2.GatherVector256(a0 + k, idx, 4), dst);
                Vector256.Store(Avx2.GatherVector256(a6 + k, idx, 4), dst + 6);
            }
            return;
        }
        for (int r = 0; r < mr; r++)
        {
            float* src = a0 + r * lda;
            for (int k = 0; k < kc; k++) dst[k * mr + r] = src[k];
        }
    }

    /// <summary>One panel of op(B): rows p0..p0+kc, columns j0..j0+nr (nr ≤ 32), to dst[k*32 + j], zero past nr.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BPanel(bool transB, float* B, nint ldb, int p0, int kc, int j0, int nr, float* dst)
    {
        const int NR = GemmMicro.NR;
        if (!transB)
        {
            // op(B)(k, j) = B[k*ldb + j]: rows are contiguous.
            float* src = B + (nint)p0 * ldb + j0;
            if (nr == NR)
            {
                for (int k = 0; k < kc; k++, src += ldb, dst += NR)
                {
                    Vector512.Store(Vector512.Load(src), dst);
                    Vector512.Store(Vector512.Load(src + 16), dst + 16);
                }
                return;
            }
            for (int k = 0; k < kc; k++, src += ldb, dst += NR)
            {
                int j = 0;
                for (; j < nr; j++) dst[j] = src[j];
                for (; j < NR; j++) dst[j] = 0f;
            }
            return;
        }
        // op(B)(k, j) = B[j*ldb + k]: a transpose of nr rows of B.
        float* b0 = B + (nint)j0 * ldb + p0;
        if (nr == NR && Avx2.IsSupported && ldb < GatherLimit / NR)
        {
            var idx = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * (int)ldb;
            float* b8 = b0 + 8 * ldb, b16 = b0 + 16 * ldb, b24 = b0 + 24 * ldb;
            for (int k = 0; k < kc; k++, dst += NR)
            {
                Vector256.Store(Avx2.GatherVector256(b0 + k, idx, 4), dst);
                Vector256.Store(Avx2.GatherVector256(b8 + k, idx, 4), dst + 8);
                Vector256.Store(Avx2.GatherVector256(b16 + k, idx, 4), dst + 16);
                Vector256.Store(Avx2.GatherVector256(b24 + k, idx, 4), dst + 24);
            }
            return;
        }
        for (int k = 0; k < kc; k++)
            for (int j = nr; j < NR; j++) dst[k * NR + j] = 0f;
        for (int j = 0; j < nr; j++)
        {
            float* src = b0 + j * ldb;
            for (int k = 0; k < kc; k++) dst[k * NR + j] = src[k];
        }
    }
}

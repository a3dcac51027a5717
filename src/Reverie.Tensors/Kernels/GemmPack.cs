// GemmPack: copies blocks of A and B into the micro-kernel's sliver/panel layouts (all transpose cases).
// Transposing copies go through GemmTranspose's 16x16 register blocks.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Reverie.Tensors.Kernels;

/// <summary>Packing of A slivers (k*mr + r) and B panels (k*32 + j, zero-padded) for <see cref="GemmMicro"/>.</summary>
internal static unsafe class GemmPack
{
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
        // op(A)(i, k) = A[i*lda + k]: a transpose of mr rows, 16 columns at a time through registers.
        float* a0 = A + (nint)i0 * lda + p0;
        for (int k = 0; k < kc; k += 16)
            GemmTranspose.Block(a0 + k, lda, mr, Math.Min(16, kc - k), dst + (nint)k * mr, mr);
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
        // op(B)(k, j) = B[j*ldb + k]: a transpose of nr rows of B, in 16x16 blocks through registers
        // (rows past nr come out as the zero padding).
        float* b0 = B + (nint)j0 * ldb + p0;
        for (int k = 0; k < kc; k += 16)
        {
            int cols = Math.Min(16, kc - k);
            GemmTranspose.Block(b0 + k, ldb, Math.Min(nr, 16), cols, dst + (nint)k * NR, NR);
            GemmTranspose.Block(b0 + 16 * ldb + k, ldb, Math.Max(nr - 16, 0), cols, dst + (nint)k * NR + 16, NR);
        }
    }

    /// <summary>
    /// Consecutive panels of op(B) for columns j0..j0+n (rows p0..p0+kc): panel q (columns j0+32q..)
    /// at dst + q*kc*32, laid out as <see cref="BPanel"/>. Without transB, B's rows are read one
    /// after another across all panels (sequential, prefetcher-friendly, instead of walking down
    /// each 32-column strip with a stride of ldb floats).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BPanels(bool transB, float* B, nint ldb, int p0, int kc, int j0, int n, float* dst)
    {
        const int NR = GemmMicro.NR;
        int full = n / NR;
        if (transB || full == 0)
        {
            for (int q = 0; q * NR < n; q++)
                BPanel(transB, B, ldb, p0, kc, j0 + q * NR, Math.Min(NR, n - q * NR), dst + (nint)q * kc * NR);
            return;
        }
        nint panel = (nint)kc * NR;
        float* src = B + (nint)p0 * ldb + j0;
        for (int k = 0; k < kc; k++, src += ldb)
        {
            float* s = src, d = dst + (nint)k * NR;
            for (int q = 0; q < full; q++, s += NR, d += panel)
            {
                Vector512.Store(Vector512.Load(s), d);
                Vector512.Store(Vector512.Load(s + 16), d + 16);
            }
        }
        if (full * NR < n)
            BPanel(false, B, ldb, p0, kc, j0 + full * NR, n - full * NR, dst + full * panel);
    }
}

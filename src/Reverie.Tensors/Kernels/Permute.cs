// Permute: copies a row-major array into the axis order given by a permutation, with a tiled
// 2-D transpose for the innermost pair of axes and contiguous row copies where the last axis stays last.
namespace Reverie.Tensors.Kernels;

/// <summary>Axis permutation of contiguous row-major data.</summary>
internal static class PermuteKernel
{
    private const int Tile = 32;

    /// <summary>
    /// dst (=|+=) src permuted: dst has shape (s[perm[0]], ..., s[perm[r-1]]) and
    /// dst[i0, .., ir-1] = src[j] where j's axis perm[k] takes index ik. <paramref name="perm"/> must be
    /// a valid permutation of 0..s.Rank-1 (checked by the caller).
    /// </summary>
    public static void Run(ReadOnlySpan<float> src, Shape s, ReadOnlySpan<int> perm, Span<float> dst, bool accumulate)
    {
        if (s.Size == 0) return;
        // Collapse: drop size-1 axes, then merge output axes that are consecutive in the source.
        Span<int> keptIndex = stackalloc int[Shape.MaxRank];     // source axis -> index among kept axes, or -1
        int kept = 0;
        for (int a = 0; a < s.Rank; a++) keptIndex[a] = s[a] == 1 ? -1 : kept++;
        Span<int> gFirst = stackalloc int[Shape.MaxRank], gLast = stackalloc int[Shape.MaxRank], gSize = stackalloc int[Shape.MaxRank];
        int n = 0;
        for (int i = 0; i < perm.Length; i++)
        {
            int a = perm[i], k = keptIndex[a];
            if (k < 0) continue;
            if (n > 0 && k == gLast[n - 1] + 1) { gLast[n - 1] = k; gSize[n - 1] *= s[a]; continue; }
            gFirst[n] = k; gLast[n] = k; gSize[n] = s[a]; n++;
        }
        if (n <= 1) { Copy(src, dst, accumulate); return; }
        // Source stride of each output group = product of the sizes of groups that come later in the source.
        Span<int> stride = stackalloc int[Shape.MaxRank];
        for (int i = 0; i < n; i++)
        {
            int st = 1;
            for (int j = 0; j < n; j++) if (gFirst[j] > gFirst[i]) st *= gSize[j];
            stride[i] = st;
        }
        if (stride[n - 1] == 1) Rows(src, dst, gSize[..n], stride[..n], accumulate);
        else Tiles(src, dst, gSize[..n], stride[..n], accumulate);
    }

    private static void Copy(ReadOnlySpan<float> src, Span<float> dst, bool accumulate)
    {
        if (accumulate) System.Numerics.Tensors.TensorPrimitives.Add(dst, src, dst);
        else src.CopyTo(dst);
    }

    // The last output axis is contiguous in the source: copy whole rows.
    private static void Rows(ReadOnlySpan<float> src, Span<float> dst, ReadOnlySpan<int> dims, ReadOnlySpan<int> stride, bool accumulate)
    {
        int n = dims.Length, len = dims[n - 1];
        Span<int> idx = stackalloc int[Shape.MaxRank];
        idx.Clear();
        int rows = dst.Length / len, off = 0;
        for (int r = 0; r < rows; r++)
        {
            Copy(src.Slice(off, len), dst.Slice(r * len, len), accumulate);
            off = Advance(idx, dims[..(n - 1)], stride, off);
        }
    }

    // The innermost output pair (R, C) is copied in Tile×Tile blocks so that reads and writes both stay in cache.
    private static void Tiles(ReadOnlySpan<float> src, Span<float> dst, ReadOnlySpan<int> dims, ReadOnlySpan<int> stride, bool accumulate)
    {
        int n = dims.Length, R = dims[n - 2], C = dims[n - 1], sR = stride[n - 2], sC = stride[n - 1];
        Span<int> idx = stackalloc int[Shape.MaxRank];
        idx.Clear();
        int planes = dst.Length / (R * C), off = 0;
        for (int p = 0; p < planes; p++)
        {
            var d = dst.Slice(p * R * C, R * C);
            for (int i0 = 0; i0 < R; i0 += Tile)
            {
                int i1 = Math.Min(i0 + Tile, R);
                for (int j0 = 0; j0 < C; j0 += Tile)
                {
                    int j1 = Math.Min(j0 + Tile, C);
                    for (int i = i0; i < i1; i++)
                    {
                        var drow = d.Slice(i * C, C);
                        int si = off + i * sR;
                        if (accumulate) for (int j = j0; j < j1; j++) drow[j] += src[si + j * sC];
                        else for (int j = j0; j < j1; j++) drow[j] = src[si + j * sC];
                    }
                }
            }
            off = Advance(idx, dims[..(n - 2)], stride, off);
        }
    }

    // Odometer step over the outer output axes; returns the new source offset.
    private static int Advance(Span<int> idx, ReadOnlySpan<int> dims, ReadOnlySpan<int> stride, int off)
    {
        for (int k = dims.Length - 1; k >= 0; k--)
        {
            idx[k]++;
            off += stride[k];
            if (idx[k] < dims[k]) return off;
            off -= idx[k] * stride[k];
            idx[k] = 0;
        }
        return off;
    }

    /// <summary>Reference twin: one element at a time through full multi-indices.</summary>
    public static void Reference(ReadOnlySpan<float> src, Shape s, ReadOnlySpan<int> perm, Span<float> dst)
    {
        int r = s.Rank;
        Span<int> srcStride = stackalloc int[Shape.MaxRank], idx = stackalloc int[Shape.MaxRank];
        int acc = 1;
        for (int a = r - 1; a >= 0; a--) { srcStride[a] = acc; acc *= s[a]; }
        for (int flat = 0; flat < s.Size; flat++)
        {
            int f = flat, off = 0;
            for (int i = r - 1; i >= 0; i--) { int d = s[perm[i]]; idx[i] = f % d; f /= d; }
            for (int i = 0; i < r; i++) off += idx[i] * srcStride[perm[i]];
            dst[flat] = src[off];
        }
    }
}

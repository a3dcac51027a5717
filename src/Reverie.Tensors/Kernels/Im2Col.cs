// Im2col / col2im for 2-D convolution (NCHW), and the packing of image groups into GEMM-friendly
// (C, G·P) blocks. The conv ops (Kernels/Conv.cs) drive these with Gemm.
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Reverie.Tensors.Kernels;

/// <summary>
/// Geometry of a 2-D convolution over one image (C, H, W) with a kH×kW kernel, square stride and
/// zero padding, producing Ho×Wo positions. The column matrix has Rows = C·kH·kW rows, one per
/// (c, ki, kj), and P = Ho·Wo columns, one per output position (oh, ow).
/// </summary>
internal readonly struct ConvGeom(int c, int h, int w, int kh, int kw, int stride, int pad)
{
    public readonly int C = c, H = h, W = w, KH = kh, KW = kw, Stride = stride, Pad = pad;
    public readonly int Ho = (h + 2 * pad - kh) / stride + 1, Wo = (w + 2 * pad - kw) / stride + 1;
    public int Rows => C * KH * KW;
    public int P => Ho * Wo;
    public int ImageSize => C * H * W;
}

internal static class Im2Col
{
    // Each channel is zero-padded and every padded row split into its `stride` phases (phase φ, entry j
    // holds padded[j·s + φ]) once. Then the run of column row r = (c, ki, kj) at output row oh is
    // phase (kj mod s) of padded row oh·s + ki, from entry kj / s on: Wo contiguous floats, copied
    // without bounds logic. Splitting costs O(H·W) per channel; phase ranges are computed once per call.
    private static int PhaseLength(in ConvGeom g) => (g.W + 2 * g.Pad + g.Stride - 1) / g.Stride;

    // Phase f holds real pixels in entries [lo[f], hi[f]), read from input column first[f] with step s.
    private static void PhaseRanges(in ConvGeom g, int L, Span<int> lo, Span<int> hi, Span<int> first)
    {
        int s = g.Stride, p = g.Pad;
        for (int f = 0; f < s; f++)
        {
            int a = p - f, b = g.W - 1 + p - f;                 // need 0 <= j·s + f - p <= W-1
            lo[f] = a <= 0 ? 0 : (a + s - 1) / s;
            hi[f] = b < 0 ? 0 : Math.Min(L, b / s + 1);
            if (hi[f] < lo[f]) hi[f] = lo[f];
            first[f] = lo[f] * s + f - p;
        }
    }

    private static void SplitPhases(ReadOnlySpan<float> row, int s, int L, ReadOnlySpan<int> lo, ReadOnlySpan<int> hi, ReadOnlySpan<int> first, Span<float> phases)
    {
        if (s == 1) { row.Slice(first[0], hi[0] - lo[0]).CopyTo(phases[lo[0]..hi[0]]); return; }
        for (int f = 0; f < s; f++)
        {
            var ph = phases.Slice(f * L + lo[f], hi[f] - lo[f]);
            if (ph.IsEmpty) continue;
            var src = row.Slice(first[f], (ph.Length - 1) * s + 1);
            for (int j = 0; j < ph.Length; j++) ph[j] = src[j * s];
        }
    }

    // The adjoint of SplitPhases: row[iw] += phases at the padded position of iw.
    private static void MergePhases(ReadOnlySpan<float> phases, int s, int L, ReadOnlySpan<int> lo, ReadOnlySpan<int> hi, ReadOnlySpan<int> first, Span<float> row)
    {
        for (int f = 0; f < s; f++)
        {
            var ph = phases.Slice(f * L + lo[f], hi[f] - lo[f]);
            if (ph.IsEmpty) continue;
            if (s == 1) { AddRun(ph, row.Slice(first[0], ph.Length)); continue; }
            var d = row.Slice(first[f], (ph.Length - 1) * s + 1);
            for (int j = 0; j < ph.Length; j++) d[j * s] += ph[j];
        }
    }

    // Short runs (Wo is 4..32 in world-model CNNs) are copied with inline vector moves: a call to
    // Memmove or TensorPrimitives per run costs more than the run itself. Both spans are sliced to the
    // same length by the caller, so the unchecked accesses stay inside them.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRun(ReadOnlySpan<float> src, Span<float> dst)
    {
        int n = dst.Length, i = 0;
        if (src.Length != n) throw new ArgumentException("im2col: run lengths differ");
        ref float s = ref MemoryMarshal.GetReference(src);
        ref float d = ref MemoryMarshal.GetReference(dst);
        for (; i + 8 <= n; i += 8) Vector256.StoreUnsafe(Vector256.LoadUnsafe(ref s, (nuint)i), ref d, (nuint)i);
        if (i + 4 <= n) { Vector128.StoreUnsafe(Vector128.LoadUnsafe(ref s, (nuint)i), ref d, (nuint)i); i += 4; }
        for (; i < n; i++) Unsafe.Add(ref d, i) = Unsafe.Add(ref s, i);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddRun(ReadOnlySpan<float> src, Span<float> dst)
    {
        int n = dst.Length, i = 0;
        if (src.Length != n) throw new ArgumentException("col2im: run lengths differ");
        ref float s = ref MemoryMarshal.GetReference(src);
        ref float d = ref MemoryMarshal.GetReference(dst);
        for (; i + 8 <= n; i += 8)
            Vector256.StoreUnsafe(Vector256.LoadUnsafe(ref d, (nuint)i) + Vector256.LoadUnsafe(ref s, (nuint)i), ref d, (nuint)i);
        if (i + 4 <= n) { Vector128.StoreUnsafe(Vector128.LoadUnsafe(ref d, (nuint)i) + Vector128.LoadUnsafe(ref s, (nuint)i), ref d, (nuint)i); i += 4; }
        for (; i < n; i++) Unsafe.Add(ref d, i) += Unsafe.Add(ref s, i);
    }

    /// <summary>
    /// col[r, off + oh·Wo + ow] = img[c, oh·s - p + ki, ow·s - p + kj] (0 outside the image), for
    /// r = (c·kH + ki)·kW + kj. img is (C, H, W); col rows have leading dimension <paramref name="ld"/>.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> img, in ConvGeom g, Span<float> col, int ld, int off)
    {
        int s = g.Stride, Wo = g.Wo, Ho = g.Ho, KH = g.KH, KW = g.KW, H = g.H, W = g.W, p = g.Pad;
        int L = PhaseLength(g), rowLen = s * L, Hp = H + 2 * p;
        // One channel, padded and split: row ihp holds the s phases of padded row ihp. Rows and
        // entries in the padding are never written, so they stay zero.
        var phImg = BufferPool.Rent(Hp * rowLen);
        var ph = phImg.AsSpan(0, Hp * rowLen);
        ph.Clear();
        Span<int> lo = stackalloc int[s], hi = stackalloc int[s], first = stackalloc int[s];
        PhaseRanges(g, L, lo, hi, first);
        for (int c = 0; c < g.C; c++)
        {
            for (int ih = 0; ih < H; ih++) SplitPhases(img.Slice((c * H + ih) * W, W), s, L, lo, hi, first, ph.Slice((ih + p) * rowLen, rowLen));
            for (int ki = 0; ki < KH; ki++)
                for (int kj = 0; kj < KW; kj++)
                {
                    var dst = col.Slice(((c * KH + ki) * KW + kj) * ld + off, Ho * Wo);   // one col row, written in order
                    int src = ki * rowLen + (kj % s) * L + kj / s;                      // padded row oh·s + ki, phase kj mod s
                    for (int oh = 0; oh < Ho; oh++, src += s * rowLen)
                        CopyRun(ph.Slice(src, Wo), dst.Slice(oh * Wo, Wo));
                }
        }
        BufferPool.Return(phImg);
    }

    /// <summary>The adjoint of <see cref="Forward"/>: img[c, ih, iw] += col[r, off + p] over every (r, p) that reads it.</summary>
    public static void Backward(ReadOnlySpan<float> col, int ld, int off, in ConvGeom g, Span<float> img)
    {
        int s = g.Stride, Wo = g.Wo, Ho = g.Ho, KH = g.KH, KW = g.KW, H = g.H, W = g.W, p = g.Pad;
        int L = PhaseLength(g), rowLen = s * L, Hp = H + 2 * p;
        var phImg = BufferPool.Rent(Hp * rowLen);
        var ph = phImg.AsSpan(0, Hp * rowLen);
        Span<int> lo = stackalloc int[s], hi = stackalloc int[s], first = stackalloc int[s];
        PhaseRanges(g, L, lo, hi, first);
        for (int c = 0; c < g.C; c++)
        {
            ph.Clear();
            for (int ki = 0; ki < KH; ki++)
                for (int kj = 0; kj < KW; kj++)
                {
                    var src = col.Slice(((c * KH + ki) * KW + kj) * ld + off, Ho * Wo);
                    int dst = ki * rowLen + (kj % s) * L + kj / s;
                    for (int oh = 0; oh < Ho; oh++, dst += s * rowLen)
                        AddRun(src.Slice(oh * Wo, Wo), ph.Slice(dst, Wo));
                }
            // Whatever landed in the padding is dropped; real entries go back to their pixels.
            for (int ih = 0; ih < H; ih++) MergePhases(ph.Slice((ih + p) * rowLen, rowLen), s, L, lo, hi, first, img.Slice((c * H + ih) * W, W));
        }
        BufferPool.Return(phImg);
    }

    /// <summary>Reference twin of <see cref="Forward"/>: one element at a time with bounds tests.</summary>
    public static void ForwardReference(ReadOnlySpan<float> img, in ConvGeom g, Span<float> col, int ld, int off)
    {
        for (int c = 0; c < g.C; c++)
            for (int ki = 0; ki < g.KH; ki++)
                for (int kj = 0; kj < g.KW; kj++)
                    for (int oh = 0; oh < g.Ho; oh++)
                        for (int ow = 0; ow < g.Wo; ow++)
                        {
                            int ih = oh * g.Stride - g.Pad + ki, iw = ow * g.Stride - g.Pad + kj;
                            bool inside = ih >= 0 && ih < g.H && iw >= 0 && iw < g.W;
                            col[((c * g.KH + ki) * g.KW + kj) * ld + off + oh * g.Wo + ow] = inside ? img[(c * g.H + ih) * g.W + iw] : 0f;
                        }
    }

    /// <summary>Reference twin of <see cref="Backward"/>: one element at a time with bounds tests.</summary>
    public static void BackwardReference(ReadOnlySpan<float> col, int ld, int off, in ConvGeom g, Span<float> img)
    {
        for (int c = 0; c < g.C; c++)
            for (int ki = 0; ki < g.KH; ki++)
                for (int kj = 0; kj < g.KW; kj++)
                    for (int oh = 0; oh < g.Ho; oh++)
                        for (int ow = 0; ow < g.Wo; ow++)
                        {
                            int ih = oh * g.Stride - g.Pad + ki, iw = ow * g.Stride - g.Pad + kj;
                            if (ih >= 0 && ih < g.H && iw >= 0 && iw < g.W)
                                img[(c * g.H + ih) * g.W + iw] += col[((c * g.KH + ki) * g.KW + kj) * ld + off + oh * g.Wo + ow];
                        }
    }

    /// <summary>dst (C, G·P) = images n0..n0+G-1 of src (N, C, P), side by side.</summary>
    public static void Pack(ReadOnlySpan<float> src, int n0, int G, int C, int P, Span<float> dst)
    {
        int ld = G * P;
        for (int gi = 0; gi < G; gi++)
            for (int c = 0; c < C; c++)
                src.Slice(((n0 + gi) * C + c) * P, P).CopyTo(dst.Slice(c * ld + gi * P, P));
    }

    /// <summary>The inverse of <see cref="Pack"/>: dst (N, C, P) images n0.. (=|+=) src (C, G·P).</summary>
    public static void Unpack(ReadOnlySpan<float> src, int n0, int G, int C, int P, Span<float> dst, bool accumulate)
    {
        int ld = G * P;
        for (int gi = 0; gi < G; gi++)
            for (int c = 0; c < C; c++)
            {
                var s = src.Slice(c * ld + gi * P, P);
                var d = dst.Slice(((n0 + gi) * C + c) * P, P);
                if (accumulate) TensorPrimitives.Add(d, s, d);
                else s.CopyTo(d);
            }
    }
}

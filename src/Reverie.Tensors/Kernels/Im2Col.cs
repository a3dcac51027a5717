// Im2col / col2im for 2-D convolution (NCHW), and the packing of image groups into GEMM-friendly
// (C, G·P) blocks. The conv ops (Kernels/Conv.cs) drive these with Gemm.
using System.Numerics.Tensors;

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

    // Output columns ow whose input column ow·s - pad + kj lies inside 0..W-1: [lo, hi).
    public void ValidCols(int kj, out int lo, out int hi)
    {
        int a = Pad - kj;                                   // need ow·s >= a
        lo = a <= 0 ? 0 : (a + Stride - 1) / Stride;
        int b = W - 1 + Pad - kj;                           // need ow·s <= b
        hi = b < 0 ? 0 : Math.Min(Wo, b / Stride + 1);
        if (hi < lo) hi = lo;
    }
}

internal static class Im2Col
{
    /// <summary>
    /// col[r, off + oh·Wo + ow] = img[c, oh·s - p + ki, ow·s - p + kj] (0 outside the image), for
    /// r = (c·kH + ki)·kW + kj. img is (C, H, W); col rows have leading dimension <paramref name="ld"/>.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> img, in ConvGeom g, Span<float> col, int ld, int off)
    {
        int Wo = g.Wo, s = g.Stride;
        for (int c = 0; c < g.C; c++)
            for (int ki = 0; ki < g.KH; ki++)
                for (int kj = 0; kj < g.KW; kj++)
                {
                    int r = (c * g.KH + ki) * g.KW + kj;
                    var dst = col.Slice(r * ld + off, g.P);
                    g.ValidCols(kj, out int lo, out int hi);
                    int n = hi - lo;
                    for (int oh = 0; oh < g.Ho; oh++)
                    {
                        var drow = dst.Slice(oh * Wo, Wo);
                        int ih = oh * s - g.Pad + ki;
                        if ((uint)ih >= (uint)g.H || n == 0) { drow.Clear(); continue; }
                        drow[..lo].Clear();
                        drow[hi..].Clear();
                        var srow = img.Slice((c * g.H + ih) * g.W, g.W);
                        int iw = lo * s - g.Pad + kj;
                        if (s == 1) srow.Slice(iw, n).CopyTo(drow.Slice(lo, n));
                        else
                        {
                            var d = drow.Slice(lo, n);
                            var src = srow[iw..];
                            for (int k = 0; k < d.Length; k++) d[k] = src[k * s];
                        }
                    }
                }
    }

    /// <summary>The adjoint of <see cref="Forward"/>: img[c, ih, iw] += col[r, off + p] over every (r, p) that reads it.</summary>
    public static void Backward(ReadOnlySpan<float> col, int ld, int off, in ConvGeom g, Span<float> img)
    {
        int Wo = g.Wo, s = g.Stride;
        for (int c = 0; c < g.C; c++)
            for (int ki = 0; ki < g.KH; ki++)
                for (int kj = 0; kj < g.KW; kj++)
                {
                    int r = (c * g.KH + ki) * g.KW + kj;
                    var src = col.Slice(r * ld + off, g.P);
                    g.ValidCols(kj, out int lo, out int hi);
                    int n = hi - lo;
                    if (n == 0) continue;
                    for (int oh = 0; oh < g.Ho; oh++)
                    {
                        int ih = oh * s - g.Pad + ki;
                        if ((uint)ih >= (uint)g.H) continue;
                        var crow = src.Slice(oh * Wo + lo, n);
                        var irow = img.Slice((c * g.H + ih) * g.W, g.W);
                        int iw = lo * s - g.Pad + kj;
                        if (s == 1)
                        {
                            var d = irow.Slice(iw, n);
                            TensorPrimitives.Add(d, crow, d);
                        }
                        else
                        {
                            var d = irow[iw..];
                            for (int k = 0; k < crow.Length; k++) d[k * s] += crow[k];
                        }
                    }
                }
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

// Broadcast: NumPy broadcasting as a plan of contiguous inner rows over collapsed outer dimensions.
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Reverie.Tensors.Kernels;

[InlineArray(Shape.MaxRank)]
internal struct Dims6 { private int _e; }

/// <summary>
/// How two operands map onto a broadcast output: dimensions are right-aligned, size-1 dimensions
/// stretch (stride 0), and adjacent dimensions that stay contiguous for every operand are merged so
/// that the innermost loop runs over as long a row as possible.
/// </summary>
internal struct BroadcastPlan
{
    private Dims6 _dims, _sa, _sb;
    private int _outer;                // number of collapsed outer dimensions
    public int Inner;                  // length of the innermost row
    public int InnerStrideA, InnerStrideB; // 1 or 0 (broadcast)
    public int Rows;                   // number of rows

    /// <summary>The broadcast shape of <paramref name="a"/> and <paramref name="b"/>.</summary>
    /// <exception cref="ArgumentException">The shapes cannot broadcast; the message names the op and both shapes.</exception>
    public static Shape OutShape(Shape a, Shape b, string op)
    {
        int r = Math.Max(a.Rank, b.Rank);
        Span<int> d = stackalloc int[Shape.MaxRank];
        for (int i = 0; i < r; i++)
        {
            int da = i - (r - a.Rank) >= 0 ? a[i - (r - a.Rank)] : 1;
            int db = i - (r - b.Rank) >= 0 ? b[i - (r - b.Rank)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"{op}: shapes {a} and {b} cannot broadcast (axis {i - r}: {da} vs {db})");
            d[i] = da == 1 ? db : da;
        }
        return new Shape(d[..r]);
    }

    /// <summary>Plans the iteration of output shape <paramref name="o"/> with operands of shapes a and b (each broadcastable to o).</summary>
    public static BroadcastPlan Create(Shape o, Shape a, Shape b)
    {
        int r = o.Rank;
        Span<int> fa = stackalloc int[Shape.MaxRank], fb = stackalloc int[Shape.MaxRank];
        Span<int> dims = stackalloc int[Shape.MaxRank], sa = stackalloc int[Shape.MaxRank], sb = stackalloc int[Shape.MaxRank];
        Strides(o, a, fa);
        Strides(o, b, fb);
        // Collapse, innermost first: drop size-1 dims; merge dim i into the current block when both
        // operands continue contiguously (stride[i] == stride[block] * dims[block]).
        int n = 0;
        for (int i = r - 1; i >= 0; i--)
        {
            int d = o[i];
            if (d == 1) continue;
            if (n > 0 && fa[i] == sa[n - 1] * dims[n - 1] && fb[i] == sb[n - 1] * dims[n - 1])
            {
                dims[n - 1] *= d;
                continue;
            }
            dims[n] = d; sa[n] = fa[i]; sb[n] = fb[i];
            n++;
        }
        var p = new BroadcastPlan();
        if (n == 0) { p.Inner = 1; p.Rows = o.Size == 0 ? 0 : 1; p.InnerStrideA = 1; p.InnerStrideB = 1; return p; }
        // collapsed dims are stored innermost-first; keep that order
        p.Inner = dims[0]; p.InnerStrideA = sa[0]; p.InnerStrideB = sb[0];
        p._outer = n - 1;
        int rows = 1;
        for (int k = 1; k < n; k++) { p._dims[k - 1] = dims[k]; p._sa[k - 1] = sa[k]; p._sb[k - 1] = sb[k]; rows *= dims[k]; }
        p.Rows = o.Size == 0 ? 0 : rows;
        return p;
    }

    private static void Strides(Shape o, Shape x, Span<int> s)
    {
        int r = o.Rank, off = r - x.Rank, stride = 1;
        for (int i = r - 1; i >= 0; i--)
        {
            int xi = i - off;
            int d = xi >= 0 ? x[xi] : 1;
            s[i] = d == 1 ? 0 : stride;
            stride *= d;
        }
    }

    /// <summary>Offsets of row <paramref name="row"/> in a and b.</summary>
    public readonly void Offsets(int row, out int oa, out int ob)
    {
        oa = 0; ob = 0;
        for (int k = 0; k < _outer; k++)
        {
            int d = _dims[k];
            int idx = row % d;
            row /= d;
            oa += idx * _sa[k];
            ob += idx * _sb[k];
        }
    }
}

/// <summary>Broadcasting elementwise kernels built on <see cref="BroadcastPlan"/>.</summary>
internal static class BroadcastKernels
{
    /// <summary>dst (shape o, contiguous) = Op(a broadcast, b broadcast).</summary>
    public static void Map<TOp>(ReadOnlySpan<float> a, Shape sa, ReadOnlySpan<float> b, Shape sb, Span<float> dst, Shape o) where TOp : IBinaryOp
    {
        if (sa == o && sb == o) { Simd.Map<TOp>(a, b, dst); return; }
        var p = BroadcastPlan.Create(o, sa, sb);
        int n = p.Inner;
        for (int r = 0; r < p.Rows; r++)
        {
            p.Offsets(r, out int oa, out int ob);
            var d = dst.Slice(r * n, n);
            if (p.InnerStrideA == 1 && p.InnerStrideB == 1) Simd.Map<TOp>(a.Slice(oa, n), b.Slice(ob, n), d);
            else if (p.InnerStrideA == 0 && p.InnerStrideB == 1) Simd.MapScalarX<TOp>(a[oa], b.Slice(ob, n), d);
            else if (p.InnerStrideA == 1) Simd.MapScalarY<TOp>(a.Slice(oa, n), b[ob], d);
            else d.Fill(TOp.Invoke(a[oa], b[ob]));
        }
    }

    /// <summary>dst (shape t) += g (shape o) summed over the axes that t broadcasts.</summary>
    public static void SumTo(ReadOnlySpan<float> g, Shape o, Span<float> dst, Shape t)
    {
        if (t == o || t.Size == o.Size) { TensorPrimitives.Add(dst, g.Slice(0, dst.Length), dst); return; }
        var p = BroadcastPlan.Create(o, t, o);
        int n = p.Inner;
        for (int r = 0; r < p.Rows; r++)
        {
            p.Offsets(r, out int ot, out _);
            var row = g.Slice(r * n, n);
            if (p.InnerStrideA == 1)
            {
                var d = dst.Slice(ot, n);
                TensorPrimitives.Add(d, row, d);
            }
            else dst[ot] += TensorPrimitives.Sum(row);
        }
    }
}

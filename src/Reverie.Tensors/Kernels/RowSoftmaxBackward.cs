// RowSoftmaxBackward: the backward rules of RowSoftmax's kernels (Vector512 per row, masked tails), and the
// scalar reference twins of every RowSoftmax kernel that the tests compare against.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using V = System.Runtime.Intrinsics.Vector512<float>;

namespace Reverie.Tensors.Kernels;

public static unsafe partial class RowSoftmaxGrad
{
    /// <summary>
    /// Backward of <see cref="RowSoftmax.Forward"/> from its output y and the upstream gradient g (both (R, n)):
    /// softmax: dx = y ⊙ (g − Σ g·y); log-softmax: dx = g − exp(y)·Σ g. Added into gx when
    /// <paramref name="accumulate"/>, else written.
    /// </summary>
    public static void Softmax(ReadOnlySpan<float> g, ReadOnlySpan<float> y, Span<float> gx, int rows, int n, bool log, bool accumulate)
    {
        CheckSpans("softmax_backward", rows, n, g.Length, y.Length, gx.Length);
        if (rows == 0 || n == 0) return;
        if (!RowSimd.Enabled) { RowSoftmax.Reference.Backward(g, y, gx, rows, n, log, accumulate); return; }
        fixed (float* pg = g, py = y, pgx = gx)
            Run(pg, py, pgx, rows, n, log ? RowSoftmaxShort.Kind.Log : RowSoftmaxShort.Kind.Soft, 0f, false, accumulate);
    }

    // Splits the rows over the worker pool (RowJob); each block takes the path its row length takes.
    private static void Run(float* g, float* y, float* gx, int rows, int n, RowSoftmaxShort.Kind kind, float unimix, bool ofLogProbs, bool accumulate)
    {
        var job = RowJob.Current;
        job.Body = &BackwardRows;
        job.P0 = g; job.P1 = y; job.P2 = gx; job.N = n; job.I0 = (int)kind; job.F0 = unimix; job.B0 = ofLogProbs; job.B1 = accumulate;
        job.Run(rows, 3L * n);
    }

    private static void BackwardRows(RowJob j, int r0, int r1)
    {
        int n = j.N;
        var kind = (RowSoftmaxShort.Kind)j.I0;
        float unimix = j.F0;
        bool ofLogProbs = j.B0, accumulate = j.B1;
        nint o0 = (nint)r0 * n;
        float* g = j.P0 + o0, y = j.P1 + o0, gx = j.P2 + o0;
        if (RowSoftmaxShort.Handles(n))
        {
            RowSoftmaxShort.Backward(g, y, gx, (r1 - r0) * n, n, kind, unimix, ofLogProbs, accumulate);
            return;
        }
        var b = Vector512.Create(kind == RowSoftmaxShort.Kind.Unimix ? unimix / n : 0f);
        float scale = kind == RowSoftmaxShort.Kind.Unimix ? 1f / (1f - unimix) : 1f;
        for (int r = 0; r < r1 - r0; r++)
        {
            nint o = (nint)r * n;
            if (kind == RowSoftmaxShort.Kind.Log) LogRow(g + o, y + o, gx + o, n, accumulate);
            else SoftRow(g + o, y + o, gx + o, n, accumulate, b, ofLogProbs && kind == RowSoftmaxShort.Kind.Unimix, scale);
        }
    }

    /// <summary>
    /// Backward of <see cref="RowSoftmax.Unimix"/> through one of its outputs, from p (R, n) and the gradient
    /// of p (<paramref name="ofLogProbs"/> false) or of lp = ln p (true): with s = (p − u/n)/(1 − u) the
    /// softmax, dx = (p − u/n) ⊙ (t − Σ t·s) where t = g, or g / p for the log-probabilities.
    /// </summary>
    public static void Unimix(ReadOnlySpan<float> g, ReadOnlySpan<float> p, Span<float> gx, int rows, int n, float unimix, bool ofLogProbs, bool accumulate)
    {
        CheckSpans("unimix_backward", rows, n, g.Length, p.Length, gx.Length);
        if (rows == 0 || n == 0) return;
        if (!RowSimd.Enabled) { RowSoftmax.Reference.UnimixBackward(g, p, gx, rows, n, unimix, ofLogProbs, accumulate); return; }
        fixed (float* pg = g, pp = p, pgx = gx)
            Run(pg, pp, pgx, rows, n, RowSoftmaxShort.Kind.Unimix, unimix, ofLogProbs, accumulate);
    }

    private static void CheckSpans(string op, int rows, int n, int a, int b, int c)
    {
        if (rows < 0 || n < 0) throw new ArgumentException($"{op}: negative size rows={rows} n={n}");
        long need = (long)rows * n;
        if (a < need || b < need || c < need)
            throw new ArgumentException($"{op}: spans of length ({a}, {b}, {c}) are shorter than rows·n = {need}");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Gather(float* p, int i, int n, out V mask, V fill)
    {
        if (i + 16 <= n) { mask = default; return Vector512.Load(p + i); }
        mask = RowSimd.Mask(n - i);
        return RowSimd.Load(p + i, mask, fill);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* p, int i, int n, V mask, V x)
    {
        if (i + 16 <= n) Vector512.Store(x, p + i);
        else RowSimd.Store(p + i, mask, x);
    }

    // dx = (y − b) ⊙ (t − scale·Σ t·(y − b)), t = g or g / y. Softmax: b = 0, scale = 1.
    private static void SoftRow(float* g, float* y, float* gx, int n, bool accumulate, V b, bool divideByP, float scale = 1f)
    {
        V dot = V.Zero;
        for (int i = 0; i < n; i += 16)
        {
            var yv = Gather(y, i, n, out _, V.One);
            var t = Gather(g, i, n, out _, V.Zero);
            if (divideByP) t /= yv;
            dot = Avx512F.FusedMultiplyAdd(t, yv - b, dot);
        }
        var d = Vector512.Create(RowSimd.Sum(dot) * scale);
        for (int i = 0; i < n; i += 16)
        {
            var yv = Gather(y, i, n, out var mask, V.One);
            var t = Gather(g, i, n, out _, V.Zero);
            if (divideByP) t /= yv;
            var v = (yv - b) * (t - d);
            if (accumulate) v += Gather(gx, i, n, out _, V.Zero);
            Put(gx, i, n, mask, v);
        }
    }

    // dx = g − exp(y)·Σ g.
    private static void LogRow(float* g, float* y, float* gx, int n, bool accumulate)
    {
        var sum = Vector512.Create(RowSimd.RowSum(g, n));
        for (int i = 0; i < n; i += 16)
        {
            var gv = Gather(g, i, n, out var mask, V.Zero);
            var v = gv - Ew.VExp(Gather(y, i, n, out _, V.Zero)) * sum;
            if (accumulate) v += Gather(gx, i, n, out _, V.Zero);
            Put(gx, i, n, mask, v);
        }
    }
}

public static unsafe partial class RowSoftmax
{
    /// <summary>Plain scalar twins of the row kernels (double sums); the tests compare the fast paths against them.</summary>
    public static class Reference
    {
        public static void Forward(ReadOnlySpan<float> x, Span<float> y, int rows, int n, bool log)
        {
            for (int r = 0; r < rows; r++)
            {
                var xr = x.Slice(r * n, n); var yr = y.Slice(r * n, n);
                double m = double.NegativeInfinity;
                foreach (float v in xr) m = Math.Max(m, v);
                double s = 0;
                foreach (float v in xr) s += Math.Exp(v - m);
                for (int k = 0; k < n; k++) yr[k] = (float)(log ? xr[k] - m - Math.Log(s) : Math.Exp(xr[k] - m) / s);
            }
        }

        public static void Unimix(ReadOnlySpan<float> x, Span<float> p, Span<float> lp, int rows, int n, float unimix)
        {
            Forward(x, p, rows, n, log: false);
            for (int i = 0; i < rows * n; i++)
            {
                p[i] = (1f - unimix) * p[i] + unimix / n;
                lp[i] = MathF.Log(p[i]);
            }
        }

        public static void LogSumExp(ReadOnlySpan<float> x, Span<float> y, int rows, int n)
        {
            for (int r = 0; r < rows; r++)
            {
                var xr = x.Slice(r * n, n);
                double m = double.NegativeInfinity;
                foreach (float v in xr) m = Math.Max(m, v);
                if (double.IsNegativeInfinity(m) || double.IsNaN(m)) { y[r] = (float)m; continue; }
                double s = 0;
                foreach (float v in xr) s += Math.Exp(v - m);
                y[r] = (float)(m + Math.Log(s));
            }
        }

        public static void Backward(ReadOnlySpan<float> g, ReadOnlySpan<float> y, Span<float> gx, int rows, int n, bool log, bool accumulate)
        {
            for (int r = 0; r < rows; r++)
            {
                int o = r * n;
                double d = 0;
                for (int k = 0; k < n; k++) d += log ? g[o + k] : (double)g[o + k] * y[o + k];
                for (int k = 0; k < n; k++)
                {
                    double v = log ? g[o + k] - Math.Exp(y[o + k]) * d : y[o + k] * (g[o + k] - d);
                    gx[o + k] = (float)((accumulate ? gx[o + k] : 0.0) + v);
                }
            }
        }

        public static void UnimixBackward(ReadOnlySpan<float> g, ReadOnlySpan<float> p, Span<float> gx, int rows, int n, float unimix, bool ofLogProbs, bool accumulate)
        {
            double b = (double)unimix / n, a = 1.0 - unimix;
            for (int r = 0; r < rows; r++)
            {
                int o = r * n;
                double d = 0;
                for (int k = 0; k < n; k++) d += (ofLogProbs ? g[o + k] / (double)p[o + k] : g[o + k]) * (p[o + k] - b) / a;
                for (int k = 0; k < n; k++)
                {
                    double t = ofLogProbs ? g[o + k] / (double)p[o + k] : g[o + k];
                    gx[o + k] = (float)((accumulate ? gx[o + k] : 0.0) + (p[o + k] - b) * (t - d));
                }
            }
        }
    }
}

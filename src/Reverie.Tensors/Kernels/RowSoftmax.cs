// RowSoftmax: softmax, log-softmax, log-sum-exp and the unimix categorical over contiguous rows (R, n), with
// Vector512 loops per row (masked tails) for n ≥ 16 and, for shorter rows, blocks of many rows whose exps are
// taken over the block's contiguous floats; plus backward rules and plain scalar reference twins.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using V = System.Runtime.Intrinsics.Vector512<float>;

namespace Reverie.Tensors.Kernels;

/// <summary>Row-wise softmax kernels over x (R, n) row-major; every span holds at least R·n floats.</summary>
public static unsafe partial class RowSoftmax
{
    private const int BlockFloats = 1024; // short rows: exps are taken over blocks of this many floats

    private static void Check(string op, int rows, int n, int a, int b, int c = int.MaxValue)
    {
        if (rows < 0 || n < 0) throw new ArgumentException($"{op}: negative size rows={rows} n={n}");
        long need = (long)rows * n;
        if (a < need || b < need || c < need)
            throw new ArgumentException($"{op}: spans of length ({a}, {b}{(c == int.MaxValue ? "" : $", {c}")}) are shorter than rows·n = {need}");
    }

    /// <summary>y = softmax(x) per row, or log-softmax when <paramref name="log"/>. A row of all −∞ or with a NaN gives NaN.</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, int rows, int n, bool log)
    {
        Check(log ? "log_softmax" : "softmax", rows, n, x.Length, y.Length);
        if (rows == 0 || n == 0) return;
        if (!RowSimd.Enabled) { Reference.Forward(x, y, rows, n, log); return; }
        fixed (float* px = x, py = y)
            Run(px, py, null, rows, n, log ? Kind.Log : Kind.Soft, 0f);
    }

    // Splits the rows over the worker pool (RowJob); every block runs the path its row length takes.
    private static void Run(float* x, float* y, float* lp, int rows, int n, Kind kind, float unimix)
    {
        var job = RowJob.Current;
        job.Body = &ForwardRows;
        job.P0 = x; job.P1 = y; job.P2 = lp; job.N = n; job.I0 = (int)kind; job.F0 = unimix;
        job.Run(rows, (kind == Kind.Unimix ? 3L : 2L) * n);
    }

    private static void ForwardRows(RowJob j, int r0, int r1)
    {
        int n = j.N, rows = r1 - r0;
        var kind = (Kind)j.I0;
        float unimix = j.F0;
        nint o = (nint)r0 * n;
        float* x = j.P0 + o, y = j.P1 + o, lp = j.P2 == null ? null : j.P2 + o;
        if (RowSoftmaxShort.Handles(n))
        {
            var k = kind switch { Kind.Log => RowSoftmaxShort.Kind.Log, Kind.Soft => RowSoftmaxShort.Kind.Soft, _ => RowSoftmaxShort.Kind.Unimix };
            RowSoftmaxShort.Forward(x, y, lp, rows * n, n, k, unimix);
            return;
        }
        if (n < 16) { ShortForward(x, y, rows, n, kind, unimix, lp); return; }
        float a = 1f - unimix, b = unimix / n;
        for (int r = 0; r < rows; r++)
        {
            nint ro = (nint)r * n;
            RowForward(x + ro, y + ro, n, log: kind == Kind.Log);
            if (kind == Kind.Unimix) MixTail(y + ro, lp + ro, n, a, b);
        }
    }

    /// <summary>
    /// DreamerV3's unimix categorical per row: p = (1 − u)·softmax(x) + u/n and lp = ln p, in one pass.
    /// </summary>
    public static void Unimix(ReadOnlySpan<float> x, Span<float> p, Span<float> lp, int rows, int n, float unimix)
    {
        Check("unimix", rows, n, x.Length, p.Length, lp.Length);
        if (rows == 0 || n == 0) return;
        if (!RowSimd.Enabled) { Reference.Unimix(x, p, lp, rows, n, unimix); return; }
        fixed (float* px = x, pp = p, plp = lp)
            Run(px, pp, plp, rows, n, Kind.Unimix, unimix);
    }

    /// <summary>y[r] = log Σ_k exp(x[r, k]), computed stably.</summary>
    public static void LogSumExp(ReadOnlySpan<float> x, Span<float> y, int rows, int n)
    {
        Check("logsumexp", rows, n, x.Length, int.MaxValue);
        if (y.Length < rows) throw new ArgumentException($"logsumexp: destination of length {y.Length} is shorter than rows = {rows}");
        if (rows == 0) return;
        if (n == 0) { y[..rows].Fill(float.NegativeInfinity); return; }
        if (!RowSimd.Enabled) { Reference.LogSumExp(x, y, rows, n); return; }
        fixed (float* px = x)
            for (int r = 0; r < rows; r++) y[r] = RowLse(px + (nint)r * n, n);
    }

    // ------------------------------------------------------------ rows of 16 or more

    /// <summary>log Σ exp(x[0..n)) of one row, n ≥ 1 (AVX-512F only).</summary>
    internal static float RowLogSumExp(float* x, int n) => RowLse(x, n);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float RowLse(float* x, int n)
    {
        float m = RowSimd.RowMax(x, n);
        if (float.IsNegativeInfinity(m) || float.IsNaN(m)) return m;
        return m + MathF.Log(SumExp(x, null, n, Vector512.Create(m)));
    }

    // Σ exp(x − m) over the row; stores the exps into y when y is not null.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float SumExp(float* x, float* y, int n, V vm)
    {
        V s = V.Zero;
        int i = 0;
        for (; i + 16 <= n; i += 16)
        {
            var e = Ew.VExp(Vector512.Load(x + i) - vm);
            if (y != null) Vector512.Store(e, y + i);
            s += e;
        }
        if (i < n)
        {
            var mask = RowSimd.Mask(n - i);
            var e = Ew.VExp(RowSimd.Load(x + i, mask, vm) - vm) & mask;
            if (y != null) RowSimd.Store(y + i, mask, e);
            s += e;
        }
        return RowSimd.Sum(s);
    }

    private static void RowForward(float* x, float* y, int n, bool log)
    {
        float m = RowSimd.RowMax(x, n);
        var vm = Vector512.Create(m);
        float s = SumExp(x, log ? null : y, n, vm);
        int i = 0;
        if (log)
        {
            var c = Vector512.Create(m + MathF.Log(s));
            for (; i + 16 <= n; i += 16) Vector512.Store(Vector512.Load(x + i) - c, y + i);
            if (i < n) { var mask = RowSimd.Mask(n - i); RowSimd.Store(y + i, mask, RowSimd.Load(x + i, mask, V.Zero) - c); }
            return;
        }
        var inv = Vector512.Create(1f / s);
        for (; i + 16 <= n; i += 16) Vector512.Store(Vector512.Load(y + i) * inv, y + i);
        if (i < n) { var mask = RowSimd.Mask(n - i); RowSimd.Store(y + i, mask, RowSimd.Load(y + i, mask, V.Zero) * inv); }
    }

    // p = a·p + b and lp = ln p over len contiguous floats.
    private static void MixTail(float* p, float* lp, int len, float a, float b)
    {
        var va = Vector512.Create(a); var vb = Vector512.Create(b);
        int i = 0;
        for (; i + 16 <= len; i += 16)
        {
            var q = Avx512F.FusedMultiplyAdd(Vector512.Load(p + i), va, vb);
            Vector512.Store(q, p + i);
            Vector512.Store(Ew.VLog(q), lp + i);
        }
        if (i < len)
        {
            var mask = RowSimd.Mask(len - i);
            var q = Avx512F.FusedMultiplyAdd(RowSimd.Load(p + i, mask, V.One), va, vb);
            RowSimd.Store(p + i, mask, q);
            RowSimd.Store(lp + i, mask, Ew.VLog(q));
        }
    }

    // ------------------------------------------------------------ rows shorter than 16

    private enum Kind { Soft, Log, Unimix }

    // Blocks of whole rows: scalar max and shift, one Vector512 exp pass over the block, scalar sums and scaling.
    private static void ShortForward(float* x, float* y, int rows, int n, Kind kind, float unimix, float* lp)
    {
        int blockRows = Math.Max(1, BlockFloats / n);
        float* t = stackalloc float[BlockFloats + 16];
        float* m = stackalloc float[BlockFloats];
        for (int r0 = 0; r0 < rows; r0 += blockRows)
        {
            int br = Math.Min(blockRows, rows - r0), len = br * n;
            float* xb = x + (nint)r0 * n, yb = y + (nint)r0 * n;
            for (int r = 0; r < br; r++)
            {
                float* xr = xb + r * n;
                float mx = xr[0];
                for (int k = 1; k < n; k++) mx = MathF.Max(mx, xr[k]);
                m[r] = mx;
                for (int k = 0; k < n; k++) t[r * n + k] = xr[k] - mx;
            }
            for (int i = 0; i < len; i += 16)                           // vector exp on every element, the tail masked,
            {                                                           // so results do not depend on block boundaries
                var mask = i + 16 <= len ? V.AllBitsSet : RowSimd.Mask(len - i);
                RowSimd.Store(t + i, mask, Ew.VExp(RowSimd.Load(t + i, mask, V.Zero)));
            }
            for (int r = 0; r < br; r++)
            {
                float* tr = t + r * n, yr = yb + r * n;
                float s = 0f;
                for (int k = 0; k < n; k++) s += tr[k];
                if (kind == Kind.Log)
                {
                    float c = m[r] + MathF.Log(s);
                    float* xr = xb + r * n;
                    for (int k = 0; k < n; k++) yr[k] = xr[k] - c;
                }
                else
                {
                    float inv = 1f / s;
                    for (int k = 0; k < n; k++) yr[k] = tr[k] * inv;
                }
            }
            if (kind == Kind.Unimix) MixTail(yb, lp + (nint)r0 * n, len, 1f - unimix, unimix / n);
        }
    }
}

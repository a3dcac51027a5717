// RowNorm: LayerNorm and RmsNorm over contiguous rows (R, n) with Vector512 loops per row (masked tails),
// forward and backward, and their scalar reference twins.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using V = System.Runtime.Intrinsics.Vector512<float>;

namespace Reverie.Tensors.Kernels;

/// <summary>The activation a fused norm applies to its output (none, SiLU y·σ(y), Mish y·tanh(softplus(y))).</summary>
public enum NormActivation { None, Silu, Mish }

/// <summary>A fused norm's activation as a type, so each kernel instantiation is compiled for one (no per-vector branch).</summary>
internal interface INormAct
{
    static abstract bool Active { get; }
    /// <summary>act(y).</summary>
    static abstract Vector512<float> Apply(Vector512<float> y);
    /// <summary>act'(y).</summary>
    static abstract Vector512<float> Slope(Vector512<float> y);
}

internal struct NoAct : INormAct
{
    public static bool Active => false;
    public static Vector512<float> Apply(Vector512<float> y) => y;
    public static Vector512<float> Slope(Vector512<float> y) => Vector512<float>.One;
}

internal struct SiluAct : INormAct
{
    public static bool Active => true;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Apply(Vector512<float> y) => y * Ew.Sigmoid(y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Slope(Vector512<float> y) { var sg = Ew.Sigmoid(y); return sg * (Vector512<float>.One + y * (Vector512<float>.One - sg)); }
}

internal struct MishAct : INormAct
{
    public static bool Active => true;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Apply(Vector512<float> y) => y * Ew.TanhSoftplus(y);
    // mish'(y) = t + y·σ(y)·(1 − t²) with t = tanh(softplus(y)).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Slope(Vector512<float> y) { var t = Ew.TanhSoftplus(y); return t + y * Ew.Sigmoid(y) * (Vector512<float>.One - t * t); }
}

/// <summary>
/// Normalization of each row of x (R, n): centered (LayerNorm) y = (x − mean)·rstd·γ + β with
/// rstd = 1/√(var + eps) (biased variance); not centered (RmsNorm) y = x·rstd·γ with rstd = 1/√(mean(x²) + eps).
/// γ and β are optional (length n). stats, when given, receives (mean, rstd) per row (mean 0 when not centered).
/// With an activation (SiLU or Mish), the result goes through it in the same pass, and the backward through its derivative.
/// </summary>
public static unsafe class RowNorm
{
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> y,
        Span<float> stats, int rows, int n, float eps, bool centered, NormActivation act = NormActivation.None)
    {
        Check(rows, n, x.Length, y.Length, gamma, beta, stats);
        if (rows == 0 || n == 0) return;
        if (!RowSimd.Enabled) { Reference.Forward(x, gamma, beta, y, stats, rows, n, eps, centered, act); return; }
        fixed (float* px = x, py = y, pg = gamma, pb = beta, ps = stats)
        {
            var job = RowJob.Current;
            job.Body = act switch { NormActivation.Silu => &ForwardRows<SiluAct>, NormActivation.Mish => &ForwardRows<MishAct>, _ => &ForwardRows<NoAct> };
            job.P0 = px; job.P1 = py; job.P2 = pg; job.P3 = pb; job.P4 = ps; job.N = n; job.F0 = eps; job.B0 = centered;
            job.Run(rows, 2L * n);
        }
    }

    private static void ForwardRows<TAct>(RowJob j, int r0, int r1) where TAct : struct, INormAct
    {
        int n = j.N;
        float eps = j.F0;
        bool centered = j.B0;
        float* px = j.P0, py = j.P1, pg = j.P2, pb = j.P3, ps = j.P4;
        bool hasG = pg != null, hasB = pb != null, keep = ps != null;
        for (int r = r0; r < r1; r++)
        {
            float* xr = px + (nint)r * n, yr = py + (nint)r * n;
            float mean = 0f, ss;
            if (centered)
            {
                mean = RowSimd.RowSum(xr, n) / n;
                ss = SumSquares(xr, n, Vector512.Create(mean));
            }
            else ss = SumSquares(xr, n, V.Zero);
            float rstd = 1f / MathF.Sqrt(ss / n + eps);
            var vm = Vector512.Create(mean); var vr = Vector512.Create(rstd);
            for (int i = 0; i < n; i += 16)
            {
                bool full = i + 16 <= n;
                var mask = full ? V.AllBitsSet : RowSimd.Mask(n - i);
                var v = (RowSimd.Load(xr + i, mask, V.Zero) - vm) * vr;
                if (hasG) v *= RowSimd.Load(pg + i, mask, V.Zero);
                if (hasB) v += RowSimd.Load(pb + i, mask, V.Zero);
                if (full) Vector512.Store(v, yr + i); else RowSimd.Store(yr + i, mask, v);
            }
            if (TAct.Active)
            {
                // The activation in a second, branch-free pass over the row (in L1): measured faster than in the loop above.
                int i = 0;
                for (; i + 16 <= n; i += 16) Vector512.Store(TAct.Apply(Vector512.Load(yr + i)), yr + i);
                if (i < n) { var m = RowSimd.Mask(n - i); RowSimd.Store(yr + i, m, TAct.Apply(RowSimd.Load(yr + i, m, V.Zero))); }
            }
            if (keep) { ps[2 * r] = mean; ps[2 * r + 1] = rstd; }
        }
    }

    /// <summary>
    /// Backward with xhat = (x − mean)·rstd and dxhat = g·γ: dβ += Σ_rows g; dγ += Σ_rows g·xhat;
    /// dx = rstd·(dxhat − [centered] mean(dxhat) − xhat·mean(dxhat·xhat)), added into dx when
    /// <paramref name="accumulateDx"/>. Empty dx, dgamma or dbeta spans are skipped.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> stats, ReadOnlySpan<float> g,
        Span<float> dx, Span<float> dgamma, Span<float> dbeta, int rows, int n, bool centered, bool accumulateDx,
        ReadOnlySpan<float> beta = default, NormActivation act = NormActivation.None)
    {
        Check(rows, n, x.Length, g.Length, gamma, beta, stats);
        if (!dx.IsEmpty && dx.Length < (long)rows * n) throw new ArgumentException($"norm_backward: dx of length {dx.Length} is shorter than rows·n = {(long)rows * n}");
        if ((!dgamma.IsEmpty && dgamma.Length < n) || (!dbeta.IsEmpty && dbeta.Length < n))
            throw new ArgumentException($"norm_backward: dgamma ({dgamma.Length}) or dbeta ({dbeta.Length}) is shorter than n = {n}");
        if (rows == 0 || n == 0) return;
        if (!RowSimd.Enabled) { Reference.Backward(x, gamma, stats, g, dx, dgamma, dbeta, rows, n, centered, accumulateDx, beta, act); return; }
        switch (act)
        {
            case NormActivation.Silu: BackwardRows<SiluAct>(x, gamma, stats, g, dx, dgamma, dbeta, rows, n, centered, accumulateDx, beta); break;
            case NormActivation.Mish: BackwardRows<MishAct>(x, gamma, stats, g, dx, dgamma, dbeta, rows, n, centered, accumulateDx, beta); break;
            default: BackwardRows<NoAct>(x, gamma, stats, g, dx, dgamma, dbeta, rows, n, centered, accumulateDx, beta); break;
        }
    }

    private static void BackwardRows<TAct>(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> stats, ReadOnlySpan<float> g,
        Span<float> dx, Span<float> dgamma, Span<float> dbeta, int rows, int n, bool centered, bool accumulateDx, ReadOnlySpan<float> beta)
        where TAct : struct, INormAct
    {
        bool hasAct = TAct.Active;   // an activation: its input gradient is kept per row
        bool hasG = !gamma.IsEmpty, hasB = !beta.IsEmpty, needX = !dx.IsEmpty, needG = !dgamma.IsEmpty, needB = !dbeta.IsEmpty;
        // With an activation, the gradient reaching the norm's output (g · act'(norm)) is kept per row in a scratch row.
        float[]? scratch = hasAct ? BufferPool.Rent(n + 16) : null;
        fixed (float* px = x, pgam = gamma, pbet = beta, pst = stats, pg = g, pdx = dx, pdg = dgamma, pdb = dbeta, psc = scratch)
            for (int r = 0; r < rows; r++)
            {
                float* xr = px + (nint)r * n, gr = pg + (nint)r * n;
                var vm = Vector512.Create(pst[2 * r]); var vr = Vector512.Create(pst[2 * r + 1]);
                if (hasAct)
                {
                    // g · act'(norm output) into the scratch row first, in its own branch-free pass (faster than inside
                    // the loop below, as in the forward); the rest of the backward then reads it as the gradient.
                    int i = 0;
                    for (; i + 16 <= n; i += 16)
                    {
                        var nv = (Vector512.Load(xr + i) - vm) * vr;
                        if (hasG) nv *= Vector512.Load(pgam + i);
                        if (hasB) nv += Vector512.Load(pbet + i);
                        Vector512.Store(Vector512.Load(gr + i) * TAct.Slope(nv), psc + i);
                    }
                    if (i < n)
                    {
                        var m = RowSimd.Mask(n - i);
                        var nv = (RowSimd.Load(xr + i, m, V.Zero) - vm) * vr;
                        if (hasG) nv *= RowSimd.Load(pgam + i, m, V.Zero);
                        if (hasB) nv += RowSimd.Load(pbet + i, m, V.Zero);
                        RowSimd.Store(psc + i, m, RowSimd.Load(gr + i, m, V.Zero) * TAct.Slope(nv));
                    }
                    gr = psc;
                }
                V sumD = V.Zero, sumDX = V.Zero;
                for (int i = 0; i < n; i += 16)
                {
                    bool full = i + 16 <= n;
                    var mask = full ? V.AllBitsSet : RowSimd.Mask(n - i);
                    var gv = RowSimd.Load(gr + i, mask, V.Zero);
                    var xh = (RowSimd.Load(xr + i, mask, V.Zero) - vm) * vr;
                    if (needB) Put(pdb + i, full, mask, RowSimd.Load(pdb + i, mask, V.Zero) + gv);
                    if (needG) Put(pdg + i, full, mask, Avx512F.FusedMultiplyAdd(gv, xh, RowSimd.Load(pdg + i, mask, V.Zero)));
                    if (!needX) continue;
                    var d = hasG ? gv * RowSimd.Load(pgam + i, mask, V.Zero) : gv;
                    sumD += d;
                    sumDX = Avx512F.FusedMultiplyAdd(d, xh, sumDX);
                }
                if (!needX) continue;
                var a = Vector512.Create(centered ? RowSimd.Sum(sumD) / n : 0f);
                var b = Vector512.Create(RowSimd.Sum(sumDX) / n);
                float* dr = pdx + (nint)r * n, g2 = gr;
                for (int i = 0; i < n; i += 16)
                {
                    bool full = i + 16 <= n;
                    var mask = full ? V.AllBitsSet : RowSimd.Mask(n - i);
                    var gv = RowSimd.Load(g2 + i, mask, V.Zero);
                    var xh = (RowSimd.Load(xr + i, mask, V.Zero) - vm) * vr;
                    var d = hasG ? gv * RowSimd.Load(pgam + i, mask, V.Zero) : gv;
                    var v = vr * (d - a - xh * b);
                    if (accumulateDx) v += RowSimd.Load(dr + i, mask, V.Zero);
                    Put(dr + i, full, mask, v);
                }
            }
        if (scratch is not null) BufferPool.Return(scratch);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* p, bool full, V mask, V v)
    {
        if (full) Vector512.Store(v, p); else RowSimd.Store(p, mask, v);
    }

    // Σ (x − c)² over the row.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float SumSquares(float* x, int n, V c)
    {
        V s = V.Zero;
        int i = 0;
        for (; i + 16 <= n; i += 16) { var d = Vector512.Load(x + i) - c; s = Avx512F.FusedMultiplyAdd(d, d, s); }
        if (i < n) { var d = (RowSimd.Load(x + i, RowSimd.Mask(n - i), c) - c); s = Avx512F.FusedMultiplyAdd(d, d, s); }
        return RowSimd.Sum(s);
    }

    private static void Check(int rows, int n, int xLen, int yLen, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> stats)
    {
        if (rows < 0 || n < 0) throw new ArgumentException($"norm: negative size rows={rows} n={n}");
        long need = (long)rows * n;
        if (xLen < need || yLen < need) throw new ArgumentException($"norm: spans of length ({xLen}, {yLen}) are shorter than rows·n = {need}");
        if ((!gamma.IsEmpty && gamma.Length < n) || (!beta.IsEmpty && beta.Length < n))
            throw new ArgumentException($"norm: gamma ({gamma.Length}) or beta ({beta.Length}) is shorter than n = {n}");
        if (!stats.IsEmpty && stats.Length < 2L * rows) throw new ArgumentException($"norm: stats of length {stats.Length} is shorter than 2·rows = {2L * rows}");
    }

    /// <summary>Plain scalar twins (double sums); the tests compare the Vector512 paths against them.</summary>
    public static class Reference
    {
        private static double Softplus(double v) => v > 20 ? v : Math.Log(1 + Math.Exp(v));

        public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> y,
            Span<float> stats, int rows, int n, float eps, bool centered, NormActivation act = NormActivation.None)
        {
            for (int r = 0; r < rows; r++)
            {
                var xr = x.Slice(r * n, n);
                double mean = 0, ss = 0;
                if (centered) { foreach (float v in xr) mean += v; mean /= n; }
                foreach (float v in xr) ss += (v - mean) * (v - mean);
                double rstd = 1.0 / Math.Sqrt(ss / n + eps);
                for (int k = 0; k < n; k++)
                {
                    double v = (xr[k] - mean) * rstd;
                    if (!gamma.IsEmpty) v *= gamma[k];
                    if (!beta.IsEmpty) v += beta[k];
                    if (act == NormActivation.Silu) v /= 1 + Math.Exp(-v);
                    else if (act == NormActivation.Mish) v *= Math.Tanh(Softplus(v));
                    y[r * n + k] = (float)v;
                }
                if (!stats.IsEmpty) { stats[2 * r] = (float)mean; stats[2 * r + 1] = (float)rstd; }
            }
        }

        public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> stats, ReadOnlySpan<float> g,
            Span<float> dx, Span<float> dgamma, Span<float> dbeta, int rows, int n, bool centered, bool accumulateDx,
            ReadOnlySpan<float> beta = default, NormActivation act = NormActivation.None)
        {
            var xh = new double[n]; var d = new double[n];
            for (int r = 0; r < rows; r++)
            {
                double mean = stats[2 * r], rstd = stats[2 * r + 1], sumD = 0, sumDX = 0;
                for (int k = 0; k < n; k++)
                {
                    double gv = g[r * n + k];
                    xh[k] = (x[r * n + k] - mean) * rstd;
                    if (act != NormActivation.None)
                    {
                        double nv = xh[k] * (gamma.IsEmpty ? 1.0 : gamma[k]) + (beta.IsEmpty ? 0.0 : beta[k]);
                        double sg = 1 / (1 + Math.Exp(-nv)), t = Math.Tanh(Softplus(nv));
                        gv *= act == NormActivation.Silu ? sg * (1 + nv * (1 - sg)) : t + nv * sg * (1 - t * t);
                    }
                    if (!dbeta.IsEmpty) dbeta[k] += (float)gv;
                    if (!dgamma.IsEmpty) dgamma[k] += (float)(gv * xh[k]);
                    d[k] = gamma.IsEmpty ? gv : gv * gamma[k];
                    sumD += d[k]; sumDX += d[k] * xh[k];
                }
                if (dx.IsEmpty) continue;
                double a = centered ? sumD / n : 0, b = sumDX / n;
                for (int k = 0; k < n; k++)
                    dx[r * n + k] = (float)((accumulateDx ? dx[r * n + k] : 0.0) + rstd * (d[k] - a - xh[k] * b));
            }
        }
    }
}

// SquaredError: per-row Σ (p − t)² and its gradients in one pass each, rows split over threads (the image
// reconstruction loss of a world model: 12,288 floats per 64x64 RGB row, a thousand rows per batch).
using System.Runtime.Intrinsics;
using V = System.Runtime.Intrinsics.Vector512<float>;

namespace Reverie.Tensors.Kernels;

internal static unsafe class SquaredErrorKernel
{
    /// <summary>loss[r] = Σ_i (p[r, i] − t[r, i])² over rows of n floats.</summary>
    public static void Forward(ReadOnlySpan<float> p, ReadOnlySpan<float> t, Span<float> loss, int rows, int n)
    {
        fixed (float* pp = p, pt = t, pl = loss)
        {
            var job = RowJob.Current;
            job.P0 = pp; job.P1 = pt; job.P2 = pl; job.N = n;
            if (n == 1) { job.Body = &ForwardFlat; job.Run(rows, 2); }   // elementwise: no per-row reduction
            else { job.Body = &ForwardRows; job.Run(rows, 2L * n); }
        }
    }

    private static void ForwardRows(RowJob j, int r0, int r1)
    {
        int n = j.N;
        for (int r = r0; r < r1; r++)
        {
            float* p = j.P0 + (nint)r * n, t = j.P1 + (nint)r * n;
            int i = 0;
            float s = 0f;
            if (RowSimd.Enabled)
            {
                V a0 = V.Zero, a1 = V.Zero;
                for (; i + 32 <= n; i += 32)
                {
                    var d0 = Vector512.Load(p + i) - Vector512.Load(t + i); var d1 = Vector512.Load(p + i + 16) - Vector512.Load(t + i + 16);
                    a0 += d0 * d0; a1 += d1 * d1;
                }
                for (; i + 16 <= n; i += 16) { var d = Vector512.Load(p + i) - Vector512.Load(t + i); a0 += d * d; }
                if (i < n)
                {
                    var m = RowSimd.Mask(n - i);
                    var d = RowSimd.Load(p + i, m, V.Zero) - RowSimd.Load(t + i, m, V.Zero);
                    a1 += d * d;
                    i = n;
                }
                s = RowSimd.Sum(a0 + a1);
            }
            for (; i < n; i++) { float d = p[i] - t[i]; s += d * d; }
            j.P2[r] = s;
        }
    }

    // loss[i] = (p[i] − t[i])² for i in [i0, i1) (rows of one element).
    private static void ForwardFlat(RowJob j, int i0, int i1)
    {
        float* p = j.P0, t = j.P1, l = j.P2;
        int i = i0;
        if (RowSimd.Enabled)
            for (; i < i1; i += 16)
            {
                var m = RowSimd.Mask(Math.Min(16, i1 - i));
                var d = RowSimd.Load(p + i, m, V.Zero) - RowSimd.Load(t + i, m, V.Zero);
                RowSimd.Store(l + i, m, d * d);
            }
        for (; i < i1; i++) { float d = p[i] - t[i]; l[i] = d * d; }
    }

    /// <summary>
    /// dp[r, i] (=|+=) 2·(p − t)·g[r] and dt[r, i] (=|+=) −2·(p − t)·g[r], each when its span is not empty (add when
    /// its accumulate flag is set, else overwrite). 2·(p − t)·g is what the chain sub → square → sum computes (the chain
    /// turns a −0 g into +0 on its way, so zero gradients may differ in sign).
    /// </summary>
    public static void Backward(ReadOnlySpan<float> p, ReadOnlySpan<float> t, ReadOnlySpan<float> g, Span<float> dp, bool dpAdd,
        Span<float> dt, bool dtAdd, int rows, int n)
    {
        fixed (float* pp = p, pt = t, pg = g, pdp = dp, pdt = dt)
        {
            var job = RowJob.Current;
            job.P0 = pp; job.P1 = pt; job.P2 = pg; job.P3 = pdp; job.P4 = pdt; job.N = n;
            job.B0 = dpAdd; job.B1 = dtAdd;
            if (n == 1) { job.Body = &BackwardFlat; job.Run(rows, 3); }
            else { job.Body = &BackwardRows; job.Run(rows, 3L * n); }
        }
    }

    // Rows of one element [i0, i1): g differs per element.
    private static void BackwardFlat(RowJob j, int i0, int i1)
    {
        float* p = j.P0, t = j.P1, g = j.P2, dp = j.P3, dt = j.P4;
        bool dpAdd = j.B0, dtAdd = j.B1;
        int i = i0;
        if (RowSimd.Enabled)
        {
            var two = Vector512.Create(2f);
            for (; i < i1; i += 16)
            {
                var m = RowSimd.Mask(Math.Min(16, i1 - i));
                var e = two * (RowSimd.Load(p + i, m, V.Zero) - RowSimd.Load(t + i, m, V.Zero)) * RowSimd.Load(g + i, m, V.Zero);
                if (dp != null) RowSimd.Store(dp + i, m, dpAdd ? RowSimd.Load(dp + i, m, V.Zero) + e : e);
                if (dt != null) RowSimd.Store(dt + i, m, dtAdd ? RowSimd.Load(dt + i, m, V.Zero) - e : -e);
            }
        }
        for (; i < i1; i++)
        {
            float e = 2f * (p[i] - t[i]) * g[i];
            if (dp != null) dp[i] = dpAdd ? dp[i] + e : e;
            if (dt != null) dt[i] = dtAdd ? dt[i] - e : -e;
        }
    }

    private static void BackwardRows(RowJob j, int r0, int r1)
    {
        int n = j.N;
        bool dpAdd = j.B0, dtAdd = j.B1;
        for (int r = r0; r < r1; r++)
        {
            nint o = (nint)r * n;
            float* p = j.P0 + o, t = j.P1 + o, dp = j.P3 == null ? null : j.P3 + o, dt = j.P4 == null ? null : j.P4 + o;
            float gr = j.P2[r];
            int i = 0;
            if (RowSimd.Enabled)
            {
                var two = Vector512.Create(2f); var gv = Vector512.Create(gr);
                for (; i < n; i += 16)
                {
                    var m = RowSimd.Mask(Math.Min(16, n - i));
                    var e = two * (RowSimd.Load(p + i, m, V.Zero) - RowSimd.Load(t + i, m, V.Zero)) * gv;
                    if (dp != null) RowSimd.Store(dp + i, m, dpAdd ? RowSimd.Load(dp + i, m, V.Zero) + e : e);
                    if (dt != null) RowSimd.Store(dt + i, m, dtAdd ? RowSimd.Load(dt + i, m, V.Zero) - e : -e);
                }
            }
            for (; i < n; i++)
            {
                float e = 2f * (p[i] - t[i]) * gr;
                if (dp != null) dp[i] = dpAdd ? dp[i] + e : e;
                if (dt != null) dt[i] = dtAdd ? dt[i] - e : -e;
            }
        }
    }
}

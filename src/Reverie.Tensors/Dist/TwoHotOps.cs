// TwoHotOps: the fused two-hot kernels behind TwoHot.Decode and TwoHot.SoftCe — one pass per row of logits
// (R, K) instead of a softmax tensor, a dense (R, K) target and elementwise products; backward rules written
// directly (decode: s ⊙ (b − ŷ); loss: (Σw)·s − w at the two bins).
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Reverie.Tensors.Kernels;

namespace Reverie.Tensors.Dist;

internal static unsafe class TwoHotOps
{
    /// <summary>
    /// DreamerV3's two-hot rule for one target x (already symlog'd if the bins are): below = #{b ≤ x} − 1 and
    /// above = K − #{b &gt; x}, clipped to [0, K−1]; one bin with weight 1 when they coincide, else weights
    /// |b_above − x| / span for below and |b_below − x| / span for above (computed in double).
    /// </summary>
    public static void Encode(float x, ReadOnlySpan<float> b, out int below, out int above, out float wBelow, out float wAbove)
    {
        int K = b.Length, lo = 0, hi = K;                          // count of b ≤ x by binary search (b increasing, x not NaN)
        while (lo < hi) { int mid = (lo + hi) >>> 1; if (b[mid] <= x) lo = mid + 1; else hi = mid; }
        below = Math.Clamp(lo - 1, 0, K - 1);
        above = Math.Clamp(lo, 0, K - 1);                          // K − #{b > x} = #{b ≤ x}
        if (below == above) { wBelow = 1f; wAbove = 0f; return; }
        double dBelow = Math.Abs((double)b[below] - x), dAbove = Math.Abs((double)b[above] - x), total = dBelow + dAbove;
        wBelow = (float)(dAbove / total);
        wAbove = (float)(dBelow / total);
    }

    /// <summary>
    /// Decode: y[r] = Σ_k softmax(x_r)_k · b_k, summed in mirrored pairs about the middle bin (uniform
    /// probabilities on symmetric bins give exactly 0). With <paramref name="probs"/> non-empty the softmax
    /// rows are kept there (for the backward pass).
    /// </summary>
    public static void Decode(ReadOnlySpan<float> x, ReadOnlySpan<float> bins, Span<float> y, Span<float> probs, int rows)
    {
        if (!RowSimd.Enabled) { Reference.Decode(x, bins, y, probs, rows); return; }
        fixed (float* px = x, pb = bins, py = y, pp = probs)
        {
            var job = RowJob.Current;
            job.Body = &DecodeRows;
            job.P0 = px; job.P1 = pb; job.P2 = py; job.P3 = pp; job.N = bins.Length;
            job.Run(rows, bins.Length);
        }
    }

    private static void DecodeRows(RowJob j, int r0, int r1)
    {
        int K = j.N;
        var pairs = new PairBins(K);
        float* pp = j.P3;
        var scratch = pp == null ? BufferPool.Rent(K + 16) : null;
        fixed (float* ps = scratch)
            for (int r = r0; r < r1; r++)
            {
                float* xr = j.P0 + (nint)r * K, er = pp != null ? pp + (nint)r * K : ps;
                float sum = ExpRow(xr, er, K);                      // e = exp(x − max), Σ e
                j.P2[r] = (float)(pairs.Dot(er, j.P1) / sum);
                if (pp != null) Scale(er, K, 1f / sum);            // keep softmax = e / Σ e
            }
        if (scratch is not null) BufferPool.Return(scratch);
    }

    /// <summary>Decode's backward: dx[r, k] += g[r] · s[r, k] · (b_k − y[r]).</summary>
    public static void DecodeBackward(ReadOnlySpan<float> g, ReadOnlySpan<float> probs, ReadOnlySpan<float> y, ReadOnlySpan<float> bins, Span<float> dx, int rows, bool accumulate)
    {
        if (!RowSimd.Enabled) { Reference.DecodeBackward(g, probs, y, bins, dx, rows, accumulate); return; }
        fixed (float* pg = g, pp = probs, py = y, pb = bins, pdx = dx)
        {
            var job = RowJob.Current;
            job.Body = &DecodeBackwardRows;
            job.P0 = pg; job.P1 = pp; job.P2 = py; job.P3 = pb; job.P4 = pdx; job.N = bins.Length; job.B0 = accumulate;
            job.Run(rows, 3L * bins.Length);
        }
    }

    private static void DecodeBackwardRows(RowJob j, int r0, int r1)
    {
        int K = j.N;
        bool accumulate = j.B0;
        for (int r = r0; r < r1; r++)
        {
            float* s = j.P1 + (nint)r * K, d = j.P4 + (nint)r * K;
            var gv = Vector512.Create(j.P0[r]); var yv = Vector512.Create(j.P2[r]);
            for (int i = 0; i < K; i += 16)
            {
                var mask = i + 16 <= K ? Vector512<float>.AllBitsSet : RowSimd.Mask(K - i);
                var v = gv * RowSimd.Load(s + i, mask, Vector512<float>.Zero) * (RowSimd.Load(j.P3 + i, mask, Vector512<float>.Zero) - yv);
                if (accumulate) v += RowSimd.Load(d + i, mask, Vector512<float>.Zero);
                RowSimd.Store(d + i, mask, v);
            }
        }
    }

    /// <summary>
    /// Two-hot cross-entropy per row: loss[r] = −(w_lo·(x_lo − lse) + w_hi·(x_hi − lse)) with lse = log Σ exp(x_r)
    /// and the encoding of target[r] (symlog'd first when <paramref name="symlog"/>). saved (R, 5) receives
    /// (lse, lo, hi, w_lo, w_hi) per row for the backward pass.
    /// </summary>
    /// <exception cref="ArgumentException">A target is NaN.</exception>
    public static void SoftCe(ReadOnlySpan<float> x, ReadOnlySpan<float> target, ReadOnlySpan<float> bins, bool symlog, Span<float> loss, Span<float> saved, int rows, string op)
    {
        for (int r = 0; r < rows; r++)
            if (float.IsNaN(target[r])) throw new ArgumentException($"{op}: target at flat index {r} is NaN");
        if (!RowSimd.Enabled) { Reference.SoftCe(x, target, bins, symlog, loss, saved, rows); return; }
        fixed (float* px = x, pt = target, pb = bins, pl = loss, ps = saved)
        {
            var job = RowJob.Current;
            job.Body = &SoftCeRows;
            job.P0 = px; job.P1 = pt; job.P2 = pb; job.P3 = pl; job.P4 = ps; job.N = bins.Length; job.B0 = symlog;
            job.Run(rows, bins.Length);
        }
    }

    private static void SoftCeRows(RowJob j, int r0, int r1)
    {
        int K = j.N;
        var bins = new ReadOnlySpan<float>(j.P2, K);
        for (int r = r0; r < r1; r++)
        {
            float* xr = j.P0 + (nint)r * K;
            float t = j.B0 ? Squash.SymLog(j.P1[r]) : j.P1[r];
            Encode(t, bins, out int lo, out int hi, out float wlo, out float whi);
            float lse = RowSoftmax.RowLogSumExp(xr, K);
            j.P3[r] = -((wlo == 0f ? 0f : wlo * (xr[lo] - lse)) + (whi == 0f ? 0f : whi * (xr[hi] - lse)));   // 0·(−∞) never meets
            float* sv = j.P4 + 5 * (nint)r;
            sv[0] = lse; sv[1] = lo; sv[2] = hi; sv[3] = wlo; sv[4] = whi;
        }
    }

    /// <summary>SoftCe's backward: dx[r, k] += g[r]·((w_lo + w_hi)·exp(x[r, k] − lse) − w_lo·[k = lo] − w_hi·[k = hi]).</summary>
    public static void SoftCeBackward(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> saved, Span<float> dx, int rows, int K, bool accumulate)
    {
        if (!RowSimd.Enabled) { Reference.SoftCeBackward(g, x, saved, dx, rows, K, accumulate); return; }
        fixed (float* pg = g, px = x, ps = saved, pdx = dx)
        {
            var job = RowJob.Current;
            job.Body = &SoftCeBackwardRows;
            job.P0 = pg; job.P1 = px; job.P2 = ps; job.P3 = pdx; job.N = K; job.B0 = accumulate;
            job.Run(rows, 2L * K);
        }
    }

    private static void SoftCeBackwardRows(RowJob j, int r0, int r1)
    {
        int K = j.N;
        bool accumulate = j.B0;
        for (int r = r0; r < r1; r++)
        {
            float* sv = j.P2 + 5 * (nint)r;
            int lo = (int)sv[1], hi = (int)sv[2];
            float gr = j.P0[r];
            float* xr = j.P1 + (nint)r * K, d = j.P3 + (nint)r * K;
            var c = Vector512.Create(gr * (sv[3] + sv[4])); var lse = Vector512.Create(sv[0]);
            for (int i = 0; i < K; i += 16)
            {
                var mask = i + 16 <= K ? Vector512<float>.AllBitsSet : RowSimd.Mask(K - i);
                var v = c * Ew.VExp(RowSimd.Load(xr + i, mask, lse) - lse);
                if (accumulate) v += RowSimd.Load(d + i, mask, Vector512<float>.Zero);
                RowSimd.Store(d + i, mask, v);
            }
            d[lo] -= gr * sv[3];
            d[hi] -= gr * sv[4];
        }
    }

    // e = exp(x − max) over the row; returns Σ e.
    private static float ExpRow(float* x, float* e, int K)
    {
        float m = RowSimd.RowMax(x, K);
        var vm = Vector512.Create(m);
        var s = Vector512<float>.Zero;
        for (int i = 0; i < K; i += 16)
        {
            var mask = i + 16 <= K ? Vector512<float>.AllBitsSet : RowSimd.Mask(K - i);
            var v = Ew.VExp(RowSimd.Load(x + i, mask, vm) - vm) & mask;
            RowSimd.Store(e + i, mask, v);
            s += v;
        }
        return RowSimd.Sum(s);
    }

    private static void Scale(float* p, int K, float a)
    {
        var va = Vector512.Create(a);
        for (int i = 0; i < K; i += 16)
        {
            var mask = i + 16 <= K ? Vector512<float>.AllBitsSet : RowSimd.Mask(K - i);
            RowSimd.Store(p + i, mask, RowSimd.Load(p + i, mask, Vector512<float>.Zero) * va);
        }
    }

    /// <summary>
    /// The bins arranged as mirrored pairs (pair i: below = half − 1 − i, above = the mirror bin) so that
    /// Σ p·b can be taken eight pairs at a time in double: each pair's two exact double products are added
    /// first (zero for equal p on symmetric bins), then the pair sums in any order.
    /// </summary>
    private readonly struct PairBins
    {
        private readonly int _k, _half, _hiStart, _pairs;

        public PairBins(int K)
        {
            _k = K;
            _half = K / 2;
            _hiStart = K % 2 == 1 ? _half + 1 : _half;
            _pairs = K / 2;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double Dot(float* p, float* b)
        {
            int K = _k;
            double s = K % 2 == 1 ? (double)p[_half] * b[_half] : 0.0;
            int i = 0;
            if (Avx512F.IsSupported)
            {
                var acc = Vector512<double>.Zero;
                var rev = Vector512.Create(7L, 6, 5, 4, 3, 2, 1, 0);
                for (; i + 8 <= _pairs; i += 8)
                {
                    int lo0 = _half - 8 - i;                        // pairs i..i+7 below: indices lo0+7 down to lo0
                    var pl = Avx512F.PermuteVar8x64(Avx512F.ConvertToVector512Double(Vector256.Load(p + lo0)), rev);
                    var bl = Avx512F.PermuteVar8x64(Avx512F.ConvertToVector512Double(Vector256.Load(b + lo0)), rev);
                    var ph = Avx512F.ConvertToVector512Double(Vector256.Load(p + _hiStart + i));
                    var bh = Avx512F.ConvertToVector512Double(Vector256.Load(b + _hiStart + i));
                    acc += pl * bl + ph * bh;
                }
                var a4 = acc.GetLower() + acc.GetUpper();
                var a2 = a4.GetLower() + a4.GetUpper();
                s += a2.GetElement(0) + a2.GetElement(1);
            }
            for (; i < _pairs; i++)
            {
                int lo = _half - 1 - i, hi = _hiStart + i;
                s += (double)p[lo] * b[lo] + (double)p[hi] * b[hi];
            }
            return s;
        }
    }

    /// <summary>Plain scalar twins in double (sums in mirrored pairs from the middle, as the original decode).</summary>
    internal static class Reference
    {
        public static void Decode(ReadOnlySpan<float> x, ReadOnlySpan<float> bins, Span<float> y, Span<float> probs, int rows)
        {
            int K = bins.Length;
            var p = new double[K];
            for (int r = 0; r < rows; r++)
            {
                Softmax(x.Slice(r * K, K), p);
                if (!probs.IsEmpty) for (int k = 0; k < K; k++) probs[r * K + k] = (float)p[k];
                int half = K / 2;
                double s = K % 2 == 1 ? p[half] * bins[half] : 0.0;
                for (int lo = half - 1, hi = K - half; lo >= 0; lo--, hi++) s += p[lo] * bins[lo] + p[hi] * bins[hi];
                y[r] = (float)s;
            }
        }

        public static void DecodeBackward(ReadOnlySpan<float> g, ReadOnlySpan<float> probs, ReadOnlySpan<float> y, ReadOnlySpan<float> bins, Span<float> dx, int rows, bool accumulate)
        {
            int K = bins.Length;
            for (int r = 0; r < rows; r++)
                for (int k = 0; k < K; k++)
                    dx[r * K + k] = (float)((accumulate ? dx[r * K + k] : 0.0) + (double)g[r] * probs[r * K + k] * (bins[k] - (double)y[r]));
        }

        public static void SoftCe(ReadOnlySpan<float> x, ReadOnlySpan<float> target, ReadOnlySpan<float> bins, bool symlog, Span<float> loss, Span<float> saved, int rows)
        {
            int K = bins.Length;
            var p = new double[K];
            for (int r = 0; r < rows; r++)
            {
                var xr = x.Slice(r * K, K);
                double m = double.NegativeInfinity, s = 0;
                foreach (float v in xr) m = Math.Max(m, v);
                foreach (float v in xr) s += Math.Exp(v - m);
                double lse = m + Math.Log(s);
                Encode(symlog ? Squash.SymLog(target[r]) : target[r], bins, out int lo, out int hi, out float wlo, out float whi);
                loss[r] = (float)-((wlo == 0f ? 0.0 : wlo * (xr[lo] - lse)) + (whi == 0f ? 0.0 : whi * (xr[hi] - lse)));
                var sv = saved.Slice(5 * r, 5);
                sv[0] = (float)lse; sv[1] = lo; sv[2] = hi; sv[3] = wlo; sv[4] = whi;
            }
        }

        public static void SoftCeBackward(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> saved, Span<float> dx, int rows, int K, bool accumulate)
        {
            for (int r = 0; r < rows; r++)
            {
                var sv = saved.Slice(5 * r, 5);
                int lo = (int)sv[1], hi = (int)sv[2];
                for (int k = 0; k < K; k++)
                {
                    double v = (double)g[r] * ((sv[3] + (double)sv[4]) * Math.Exp(x[r * K + k] - (double)sv[0])
                        - (k == lo ? sv[3] : 0.0) - (k == hi ? sv[4] : 0.0));
                    dx[r * K + k] = (float)((accumulate ? dx[r * K + k] : 0.0) + v);
                }
            }
        }

        private static void Softmax(ReadOnlySpan<float> x, double[] p)
        {
            double m = double.NegativeInfinity, s = 0;
            foreach (float v in x) m = Math.Max(m, v);
            for (int k = 0; k < x.Length; k++) s += p[k] = Math.Exp(x[k] - m);
            for (int k = 0; k < x.Length; k++) p[k] /= s;
        }
    }
}

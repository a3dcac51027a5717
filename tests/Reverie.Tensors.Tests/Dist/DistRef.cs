// Double-precision reference formulas for the distribution tests (written independently of the engine).
namespace Reverie.Tensors.Tests.Dist;

internal static class DistRef
{
    public const double HalfLog2Pi = 0.91893853320467274178;

    public static double Softplus(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));
    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
    public static double Symlog(double x) => Math.Sign(x) * Math.Log(1 + Math.Abs(x));
    public static double Symexp(double x) => Math.Sign(x) * (Math.Exp(Math.Abs(x)) - 1);

    /// <summary>log N(x; m, s).</summary>
    public static double NormalLogPdf(double x, double m, double s) => -0.5 * Math.Pow((x - m) / s, 2) - Math.Log(s) - HalfLog2Pi;

    /// <summary>Log-softmax of row r of a flat (R, K) array.</summary>
    public static double[] LogSoftmaxRow(double[] x, int r, int K)
    {
        double m = double.NegativeInfinity;
        for (int k = 0; k < K; k++) m = Math.Max(m, x[r * K + k]);
        double s = 0;
        for (int k = 0; k < K; k++) s += Math.Exp(x[r * K + k] - m);
        var y = new double[K];
        for (int k = 0; k < K; k++) y[k] = x[r * K + k] - m - Math.Log(s);
        return y;
    }

    /// <summary>(1 − u)·softmax + u/K of row r.</summary>
    public static double[] MixedProbsRow(double[] x, int r, int K, double unimix)
    {
        var l = LogSoftmaxRow(x, r, K);
        return l.Select(v => (1 - unimix) * Math.Exp(v) + unimix / K).ToArray();
    }

    /// <summary>Sums groups of <paramref name="group"/> consecutive values.</summary>
    public static double[] SumGroups(double[] v, int group)
    {
        var r = new double[v.Length / group];
        for (int i = 0; i < v.Length; i++) r[i / group] += v[i];
        return r;
    }

    /// <summary>DreamerV3's two-hot rule in double, on already squashed targets.</summary>
    public static double[] TwoHotRow(double x, double[] bins)
    {
        int K = bins.Length;
        int below = bins.Count(b => b <= x) - 1, above = K - bins.Count(b => b > x);
        below = Math.Clamp(below, 0, K - 1); above = Math.Clamp(above, 0, K - 1);
        var w = new double[K];
        if (below == above) { w[below] = 1; return w; }
        double db = Math.Abs(bins[below] - x), da = Math.Abs(bins[above] - x);
        w[below] += da / (db + da);
        w[above] += db / (db + da);
        return w;
    }

    /// <summary>TD-MPC2's two_hot (common/math.py) in double: clamp(symlog(x)), floor, offset, scatter at idx and (idx+1) % K.</summary>
    public static double[] TdMpc2TwoHot(double x, int numBins, double vmin, double vmax)
    {
        double binSize = (vmax - vmin) / (numBins - 1);
        double s = Math.Clamp(Symlog(x), vmin, vmax);
        double idx = Math.Floor((s - vmin) / binSize);
        double offset = (s - vmin) / binSize - idx;
        var w = new double[numBins];
        int i = (int)idx;
        w[i] = 1 - offset;                      // scatter (overwrites), as torch.scatter
        w[(i + 1) % numBins] = offset;
        return w;
    }
}

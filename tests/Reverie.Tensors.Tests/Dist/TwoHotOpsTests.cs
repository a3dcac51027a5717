// The fused two-hot kernels (decode, cross-entropy, their backward rules, the encoding rule) against their
// scalar twins and against the dense formulas, at every bin count 2..70 and DreamerV3's 255.
using Reverie.Tensors;
using Reverie.Tensors.Dist;

namespace Reverie.Tensors.Tests.Dist;

public class TwoHotOpsTests
{
    private static float[] Data(int len, ulong seed, float scale = 2f)
    {
        var r = new Rng(seed);
        var a = new float[len];
        for (int i = 0; i < len; i++) a[i] = r.Normal() * scale;
        return a;
    }

    private static void Close(float[] expected, float[] actual, string what, double tol)
    {
        for (int i = 0; i < expected.Length; i++)
            CheckOp.AssertClose(expected[i], actual[i], tol, tol, $"{what}[{i}]");
    }

    private static IEnumerable<Bins> AllBins()
    {
        for (int K = 2; K <= 70; K++) yield return Bins.SymlogLinear(K, -3f, 3f);
        yield return Bins.SymexpTwoHot(255);
        yield return new Bins(Enumerable.Range(0, 40).Select(i => i * 0.25f + 0.1f).ToArray(), false);   // asymmetric
    }

    [Fact]
    public void Kernels_match_their_reference_twins()
    {
        const int R = 5;
        foreach (var bins in AllBins())
        {
            int K = bins.Count;
            var x = Data(R * K, (ulong)K);
            var b = bins.Values;
            float top = b[K - 1];
            var t = new float[] { 0f, 0.7f * top, -1.3f * top, b[K / 2], 0.01f };
            if (bins.SymlogTargets) for (int i = 0; i < R; i++) t[i] = Squash.SymExp(t[i]);
            var g = Data(R, (ulong)K + 1, 1f);
            string what = $"K={K}";

            var yf = new float[R]; var ys = new float[R]; var pf = new float[R * K]; var ps = new float[R * K];
            TwoHotOps.Decode(x, b, yf, pf, R);
            TwoHotOps.Reference.Decode(x, b, ys, ps, R);
            Close(ys, yf, what + " decode", 2e-6 * Math.Max(1, Math.Abs(top)));
            Close(ps, pf, what + " probs", 1e-6);
            var noKeep = new float[R];
            TwoHotOps.Decode(x, b, noKeep, default, R);
            Assert.Equal(yf, noKeep);
            foreach (bool acc in new[] { false, true })
            {
                var df = Data(R * K, 9, 1f); var ds = (float[])df.Clone();
                TwoHotOps.DecodeBackward(g, pf, yf, b, df, R, acc);
                TwoHotOps.Reference.DecodeBackward(g, pf, yf, b, ds, R, acc);
                Close(ds, df, what + $" decode_backward acc={acc}", 2e-6 * Math.Max(1, Math.Abs(top)));
            }

            var lf = new float[R]; var ls = new float[R]; var sf = new float[5 * R]; var ss = new float[5 * R];
            TwoHotOps.SoftCe(x, t, b, bins.SymlogTargets, lf, sf, R, "test");
            TwoHotOps.Reference.SoftCe(x, t, b, bins.SymlogTargets, ls, ss, R);
            Close(ls, lf, what + " loss", 1e-5);
            foreach (bool acc in new[] { false, true })
            {
                var df = Data(R * K, 10, 1f); var ds = (float[])df.Clone();
                TwoHotOps.SoftCeBackward(g, x, sf, df, R, K, acc);
                TwoHotOps.Reference.SoftCeBackward(g, x, ss, ds, R, K, acc);
                Close(ds, df, what + $" loss_backward acc={acc}", 1e-5);
            }
        }
    }

    [Fact]
    public void Uniform_probabilities_on_symmetric_bins_decode_to_exactly_zero()
    {
        foreach (var bins in new[] { Bins.SymexpTwoHot(255), Bins.SymlogLinear(101, -10f, 10f), Bins.SymlogLinear(20, -5f, 5f) })
        {
            var y = new float[3];
            TwoHotOps.Decode(new float[3 * bins.Count], bins.Values, y, default, 3);
            Assert.All(y, v => Assert.Equal(0f, v));
            var x = Tensor.Full(new Shape(2, bins.Count), -1.5f);
            Assert.All(TwoHot.Decode(x, bins).ToArray(), v => Assert.Equal(0f, v));
        }
    }

    [Fact]
    public void Encoding_follows_the_counting_rule()
    {
        // The rule as DreamerV3 writes it, with linear counts: below = #{b ≤ x} − 1, above = K − #{b > x}.
        foreach (var bins in AllBins())
        {
            var b = bins.Values.ToArray();
            int K = b.Length;
            var xs = b.Concat(b.Zip(b.Skip(1), (u, v) => 0.5f * (u + v))).Concat([b[0] - 1f, b[K - 1] + 1f, float.PositiveInfinity, float.NegativeInfinity]);
            foreach (float x in xs)
            {
                int le = b.Count(v => v <= x), gt = b.Count(v => v > x);
                int below = Math.Clamp(le - 1, 0, K - 1), above = Math.Clamp(K - gt, 0, K - 1);
                TwoHotOps.Encode(x, b, out int lo, out int hi, out float wlo, out float whi);
                Assert.Equal(below, lo);
                Assert.Equal(above, hi);
                if (below == above) { Assert.Equal(1f, wlo); continue; }
                double dB = Math.Abs((double)b[below] - x), dA = Math.Abs((double)b[above] - x);
                Assert.Equal((float)(dA / (dA + dB)), wlo);
                Assert.Equal((float)(dB / (dA + dB)), whi);
            }
        }
    }
}

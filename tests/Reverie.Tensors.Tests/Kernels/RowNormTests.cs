// The row LayerNorm / RmsNorm kernels against their scalar reference twins at every row length 0..70,
// with and without gamma and beta, overwriting and accumulating dx.
using Reverie.Tensors;
using Reverie.Tensors.Kernels;
using static Reverie.Tensors.Tests.Kernels.NormKernelData;

namespace Reverie.Tensors.Tests.Kernels;

public class RowNormTests
{
    [Fact]
    public void Forward_and_backward_match_the_reference_at_every_length()
    {
        for (int n = 0; n <= 70; n++)
            foreach (int rows in new[] { 1, 3 })
                foreach (bool centered in new[] { false, true })
                    foreach (bool affine in new[] { false, true })
                    foreach (var act in Enum.GetValues<NormActivation>())
                    {
                        int len = rows * n;
                        string what = $"{(centered ? "layer" : "rms")}_norm n={n} rows={rows} affine={affine} act={act}";
                        var x = Data(len, (ulong)(n * 10 + rows), 2f, 0.5f);
                        var gam = affine ? Data(n, (ulong)n + 500, 0.5f, 1f) : [];
                        var bet = affine && centered ? Data(n, (ulong)n + 600) : [];
                        var yf = new float[len]; var ys = new float[len];
                        var sf = new float[2 * rows]; var ss = new float[2 * rows];
                        RowNorm.Forward(x, gam, bet, yf, sf, rows, n, 1e-4f, centered, act);
                        RowNorm.Reference.Forward(x, gam, bet, ys, ss, rows, n, 1e-4f, centered, act);
                        Close(ys, yf, what + " y", 1e-5f);
                        if (n > 0) Close(ss, sf, what + " stats", 1e-5f);

                        var g = Data(len, (ulong)n + 700, 1f);
                        foreach (bool acc in new[] { false, true })
                        {
                            var dxf = Data(len, 3, 1f); var dxs = (float[])dxf.Clone();
                            var dgf = Data(n, 4, 1f); var dgs = (float[])dgf.Clone();
                            var dbf = Data(n, 5, 1f); var dbs = (float[])dbf.Clone();
                            RowNorm.Backward(x, gam, ss, g, dxf, affine ? dgf : default, affine && centered ? dbf : default, rows, n, centered, acc, bet, act);
                            RowNorm.Reference.Backward(x, gam, ss, g, dxs, affine ? dgs : default, affine && centered ? dbs : default, rows, n, centered, acc, bet, act);
                            Close(dxs, dxf, what + $" dx acc={acc}", 2e-5f);
                            Close(dgs, dgf, what + " dgamma", 2e-5f);
                            Close(dbs, dbf, what + " dbeta", 2e-5f);
                        }
                    }
    }

    [Fact]
    public void Short_spans_are_rejected_with_the_sizes()
    {
        var e = Assert.Throws<ArgumentException>(() => RowNorm.Forward(new float[6], new float[2], default, new float[6], default, 2, 3, 1e-5f, false));
        Assert.Contains("gamma (2)", e.Message);
        e = Assert.Throws<ArgumentException>(() => RowNorm.Backward(new float[6], default, new float[4], new float[6], new float[5], default, default, 2, 3, false, false));
        Assert.Contains("dx of length 5", e.Message);
    }
}

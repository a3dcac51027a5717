// Checks of the fused LayerNorm and RmsNorm ops: forward against a double reference, gradients
// (x, gamma, beta) against central differences, awkward shapes, constant rows, every row length.
using Reverie.Tensors;

namespace Reverie.Tensors.Tests.Ops;

public class NormTests
{
    /// <summary>Double reference of both norms; inputs are x, then gamma and beta when present.</summary>
    private static Reference NormRef(Shape s, bool centered, bool hasGamma, bool hasBeta, double eps) => inp =>
    {
        int n = s[-1], rows = n == 0 ? 0 : s.Size / n;
        var x = inp[0];
        double[]? gamma = hasGamma ? inp[1] : null, beta = hasBeta ? inp[hasGamma ? 2 : 1] : null;
        var y = new double[s.Size];
        for (int r = 0; r < rows; r++)
        {
            double mean = 0, sq = 0;
            if (centered) { for (int k = 0; k < n; k++) mean += x[r * n + k]; mean /= n; }
            for (int k = 0; k < n; k++) { double d = x[r * n + k] - mean; sq += d * d; }
            double rstd = 1 / Math.Sqrt(sq / n + eps);
            for (int k = 0; k < n; k++)
                y[r * n + k] = (x[r * n + k] - mean) * rstd * (gamma?[k] ?? 1) + (beta?[k] ?? 0);
        }
        return y;
    };

    private static Tensor RunNorm(Tensor[] x, bool centered, bool hasGamma, bool hasBeta, float eps)
    {
        Tensor? gamma = hasGamma ? x[1] : null, beta = hasBeta ? x[hasGamma ? 2 : 1] : null;
        return centered ? Tensor.LayerNorm(x[0], gamma, beta, eps) : Tensor.RmsNorm(x[0], gamma, eps);
    }

    private static Shape[] Shapes(Shape s, bool hasGamma, bool hasBeta)
    {
        var list = new List<Shape> { s };
        if (hasGamma) list.Add(new Shape(s[-1]));
        if (hasBeta) list.Add(new Shape(s[-1]));
        return list.ToArray();
    }

    public static IEnumerable<object[]> Cases()
    {
        int[][] shapes = [[3, 7], [2, 3, 17], [5, 1], [19], [1, 33]];
        foreach (var d in shapes)
            foreach (var affine in new[] { (true, true), (true, false), (false, true), (false, false) })
                yield return [d, affine.Item1, affine.Item2];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void LayerNorm_matches_reference_and_finite_differences(int[] dims, bool hasGamma, bool hasBeta)
    {
        var s = new Shape(dims);
        CheckOp.Run("layer_norm", x => RunNorm(x, true, hasGamma, hasBeta, 1e-5f),
            NormRef(s, true, hasGamma, hasBeta, 1e-5), Shapes(s, hasGamma, hasBeta));
    }

    public static IEnumerable<object[]> RmsCases() => Cases().Where(c => !(bool)c[2]).Select(c => new[] { c[0], c[1] });

    [Theory]
    [MemberData(nameof(RmsCases))]
    public void RmsNorm_matches_reference_and_finite_differences(int[] dims, bool hasGamma)
    {
        var s = new Shape(dims);
        CheckOp.Run("rms_norm", x => RunNorm(x, false, hasGamma, false, 1e-5f),
            NormRef(s, false, hasGamma, false, 1e-5), Shapes(s, hasGamma, false));
    }

    [Theory]
    [InlineData(false, true, true)]
    [InlineData(true, false, false)]
    [InlineData(false, false, true)]
    public void Only_inputs_that_need_gradients_get_them(bool dx, bool dgamma, bool dbeta)
    {
        var s = new Shape(4, 9);
        CheckOp.Run("layer_norm partial", x => RunNorm(x, true, true, true, 1e-5f),
            NormRef(s, true, true, true, 1e-5), Shapes(s, true, true), differentiable: [dx, dgamma, dbeta]);
        CheckOp.Run("rms_norm partial", x => RunNorm(x, false, true, false, 1e-5f),
            NormRef(s, false, true, false, 1e-5), Shapes(s, true, false), differentiable: [dx, dgamma]);
    }

    [Theory]
    [InlineData(new[] { 3, 5 }, true)]
    [InlineData(new[] { 2, 2, 19 }, false)]
    [InlineData(new[] { 4, 17 }, true)]
    [InlineData(new[] { 1, 1 }, false)]
    public void Norm_silu_fused_op_matches_silu_of_the_norm(int[] dims, bool centered)
    {
        var s = new Shape(dims);
        var norm = NormRef(s, centered, true, centered, 1e-4);
        CheckOp.Run(centered ? "layer_norm_silu" : "rms_norm_silu",
            x => Tensor.NormSilu(x[0], x[1], centered ? x[2] : null, 1e-4f, centered),
            inp => norm(inp).Select(v => v / (1 + Math.Exp(-v))).ToArray(), Shapes(s, true, centered));
        var e = Assert.Throws<ArgumentException>(() => Tensor.NormSilu(Tensor.Zeros(new Shape(2, 3)), Tensor.Zeros(new Shape(4)), null, 1e-4f, false));
        Assert.Contains("rms_norm_silu", e.Message);
    }

    [Theory]
    [InlineData(new[] { 3, 5 }, true)]
    [InlineData(new[] { 2, 2, 19 }, false)]
    [InlineData(new[] { 4, 17 }, true)]
    [InlineData(new[] { 1, 1 }, true)]
    public void Norm_mish_fused_op_matches_mish_of_the_norm(int[] dims, bool centered)
    {
        var s = new Shape(dims);
        var norm = NormRef(s, centered, true, centered, 1e-4);
        static double Mish(double v) => v * Math.Tanh(v > 20 ? v : Math.Log(1 + Math.Exp(v)));
        CheckOp.Run(centered ? "layer_norm_mish" : "rms_norm_mish",
            x => Tensor.NormMish(x[0], x[1], centered ? x[2] : null, 1e-4f, centered),
            inp => norm(inp).Select(Mish).ToArray(), Shapes(s, true, centered));
        var e = Assert.Throws<ArgumentException>(() => Tensor.NormMish(Tensor.Zeros(new Shape(2, 3)), Tensor.Zeros(new Shape(4)), null, 1e-4f));
        Assert.Contains("layer_norm_mish", e.Message);
    }

    [Fact]
    public void Every_row_length_0_to_70_matches_reference()
    {
        // Covers every SIMD tail of the TensorPrimitives-based kernels (Vector512 = 16 floats).
        for (int n = 1; n <= 70; n++)
        {
            var s = new Shape(2, n);
            CheckOp.Run($"layer_norm n={n}", x => RunNorm(x, true, true, true, 1e-3f),
                NormRef(s, true, true, true, 1e-3), Shapes(s, true, true), seed: (ulong)n);
            CheckOp.Run($"rms_norm n={n}", x => RunNorm(x, false, true, false, 1e-3f),
                NormRef(s, false, true, false, 1e-3), Shapes(s, true, false), seed: (ulong)n);
        }
        // Length 0: an empty last axis gives an empty output and no gradient work.
        var e = Tensor.Zeros(new Shape(3, 0));
        e.RequiresGrad = true;
        var y = Tensor.LayerNorm(e, null, null, 1e-5f);
        Assert.Equal(new Shape(3, 0), y.Shape);
        y.Sum().Backward();
        Assert.Equal(0, Tensor.RmsNorm(e, null, 1e-5f).Size);
    }

    [Fact]
    public void Constant_row_normalizes_to_beta_and_has_finite_gradients()
    {
        // First row of x (3, 7) is constant: its variance is 0 and only eps keeps 1/σ finite.
        var s = new Shape(3, 7);
        Func<Rng, float> ConstFirstRow()
        {
            int i = 0;
            return r => i++ < 7 ? 0.75f : r.Normal();
        }
        CheckOp.Run("layer_norm const", x => RunNorm(x, true, true, true, 1e-2f),
            NormRef(s, true, true, true, 1e-2), Shapes(s, true, true), sample: ConstFirstRow());
        CheckOp.Run("rms_norm const", x => RunNorm(x, false, true, false, 1e-2f),
            NormRef(s, false, true, false, 1e-2), Shapes(s, true, false), sample: ConstFirstRow());

        // With a small eps the constant row maps exactly onto beta (x − mean is 0 up to rounding).
        var x = Tensor.Full(new Shape(2, 5), 3.25f);
        var beta = Tensor.FromArray(1f, 2f, 3f, 4f, 5f);
        var y = Tensor.LayerNorm(x, Tensor.Ones(new Shape(5)), beta, 1e-5f);
        for (int i = 0; i < 10; i++) Assert.Equal(beta.Span[i % 5], y.Span[i], 4);
    }

    [Fact]
    public void Output_rows_have_zero_mean_and_unit_variance()
    {
        var x = Tensor.Randn(new Shape(4, 300), new Rng(3)) * 5f + 2f;
        var y = Tensor.LayerNorm(x, null, null, 0f).ToArray();
        for (int r = 0; r < 4; r++)
        {
            var row = y.Skip(r * 300).Take(300).ToArray();
            double m = row.Average(v => (double)v), v2 = row.Average(v => (double)v * v);
            Assert.InRange(m, -1e-5, 1e-5);
            Assert.InRange(v2 - m * m, 1 - 1e-4, 1 + 1e-4);
        }
        var z = Tensor.RmsNorm(x, null, 0f).ToArray();
        for (int r = 0; r < 4; r++)
            Assert.InRange(z.Skip(r * 300).Take(300).Average(v => (double)v * v), 1 - 1e-4, 1 + 1e-4);
    }

    [Fact]
    public void No_node_is_recorded_without_grad_or_under_NoGrad()
    {
        var x = Tensor.Randn(new Shape(2, 3), new Rng(1));
        Assert.Null(Tensor.LayerNorm(x, null, null, 1e-5f).Node);
        x.RequiresGrad = true;
        using (Tensor.NoGrad()) Assert.Null(Tensor.RmsNorm(x, null, 1e-5f).Node);
        Assert.Equal("rms_norm", Tensor.RmsNorm(x, null, 1e-5f).Node!.Op);
    }

    [Fact]
    public void Errors_name_the_op_and_the_shapes()
    {
        var x = Tensor.Zeros(new Shape(3, 7));
        var e = Assert.Throws<ArgumentException>(() => Tensor.LayerNorm(x, Tensor.Ones(new Shape(5)), null, 1e-5f));
        Assert.Contains("layer_norm", e.Message);
        Assert.Contains("(5,)", e.Message);
        Assert.Contains("(3, 7)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.LayerNorm(x, null, Tensor.Ones(new Shape(7, 1)), 1e-5f));
        Assert.Contains("beta (7, 1)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.RmsNorm(x, Tensor.Ones(new Shape(6)), 1e-5f));
        Assert.Contains("rms_norm", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.RmsNorm(x, null, -1f));
        Assert.Contains("eps", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.LayerNorm(Tensor.Scalar(1f), null, null, 1e-5f));
        Assert.Contains("scalar", e.Message);
    }

    /// <summary>Double reference of the channel norms: x (N, C, S...) normalized over axis 1, then gamma, beta, silu.</summary>
    private static Reference ChannelRef(Shape s, bool centered, bool hasGamma, bool hasBeta, double eps, bool silu) => inp =>
    {
        int N = s[0], C = s[1], S = s.Size / Math.Max(1, N * C);
        var x = inp[0];
        double[]? gamma = hasGamma ? inp[1] : null, beta = hasBeta ? inp[hasGamma ? 2 : 1] : null;
        var y = new double[s.Size];
        for (int n = 0; n < N; n++)
            for (int p = 0; p < S; p++)
            {
                double mean = 0, sq = 0;
                if (centered) { for (int c = 0; c < C; c++) mean += x[(n * C + c) * S + p]; mean /= C; }
                for (int c = 0; c < C; c++) { double d = x[(n * C + c) * S + p] - mean; sq += d * d; }
                double rstd = 1 / Math.Sqrt(sq / C + eps);
                for (int c = 0; c < C; c++)
                {
                    double v = (x[(n * C + c) * S + p] - mean) * rstd * (gamma?[c] ?? 1) + (beta?[c] ?? 0);
                    y[(n * C + c) * S + p] = silu ? v / (1 + Math.Exp(-v)) : v;
                }
            }
        return y;
    };

    public static IEnumerable<object[]> ChannelCases()
    {
        int[][] shapes = [[2, 3, 4, 5], [1, 17, 3], [3, 1, 2, 2], [2, 5], [1, 4, 19]];
        foreach (var d in shapes)
            foreach (var (centered, gamma, beta) in new[] { (true, true, true), (true, false, true), (true, false, false), (false, true, false), (false, false, false) })
                foreach (bool silu in new[] { false, true })
                    yield return [d, centered, gamma, beta, silu];
    }

    [Theory]
    [MemberData(nameof(ChannelCases))]
    public void ChannelNorm_matches_reference_and_finite_differences(int[] dims, bool centered, bool hasGamma, bool hasBeta, bool silu)
    {
        var s = new Shape(dims);
        var shapes = new List<Shape> { s };
        if (hasGamma) shapes.Add(new Shape(s[1]));
        if (hasBeta) shapes.Add(new Shape(s[1]));
        Tensor Run(Tensor[] x)
        {
            Tensor? gamma = hasGamma ? x[1] : null, beta = hasBeta ? x[hasGamma ? 2 : 1] : null;
            return silu ? Tensor.ChannelNormSilu(x[0], gamma, beta, 1e-4f, centered) : Tensor.ChannelNorm(x[0], gamma, beta, 1e-4f, centered);
        }
        CheckOp.Run("channel_norm", Run, ChannelRef(s, centered, hasGamma, hasBeta, 1e-4, silu), shapes.ToArray());
    }

    [Fact]
    public void ChannelNorm_equals_LayerNorm_on_the_channels_last_permutation_and_checks_its_arguments()
    {
        var x = Tensor.Randn(new Shape(2, 6, 3, 5), new Rng(4));
        var gamma = Tensor.Randn(new Shape(6), new Rng(5)); var beta = Tensor.Randn(new Shape(6), new Rng(6));
        var viaPermute = Tensor.LayerNorm(x.Permute(0, 2, 3, 1), gamma, beta, 1e-4f).Permute(0, 3, 1, 2).ToArray();
        var direct = Tensor.ChannelNorm(x, gamma, beta, 1e-4f).ToArray();
        for (int i = 0; i < direct.Length; i++) Assert.Equal(viaPermute[i], direct[i], 5);

        var e = Assert.Throws<ArgumentException>(() => Tensor.ChannelNorm(Tensor.Zeros(new Shape(4)), null, null, 1e-4f));
        Assert.Contains("channel_layer_norm", e.Message);
        Assert.Contains("(4,)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.ChannelNorm(x, Tensor.Ones(new Shape(5)), null, 1e-4f));
        Assert.Contains("gamma (5,)", e.Message);
        Assert.Contains("(2, 6, 3, 5)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.ChannelNorm(x, null, beta, 1e-4f, centered: false));
        Assert.Contains("channel_rms_norm", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.ChannelNorm(x, null, null, float.NaN));
        Assert.Contains("eps", e.Message);
    }
}

// Checks of Conv2d and ConvTranspose2d: double-precision nested-loop references with central
// differences on awkward shapes, the im2col kernel against its twin, the adjoint identity on a
// world-model shape, PyTorch fixtures (Fixtures/make_conv_fixture.py) and shape errors.
using System.Text.Json;
using Reverie.Tensors;
using Reverie.Tensors.Kernels;

namespace Reverie.Tensors.Tests.Ops;

public class ConvTests
{
    // out[n, o, oh, ow] = b[o] + Σ x[n, c, oh·s - p + ki, ow·s - p + kj] · w[o, c, ki, kj]
    private static double[] ConvRef(double[] x, Shape xs, double[] w, Shape ws, double[]? b, int s, int p)
    {
        int N = xs[0], C = xs[1], H = xs[2], W = xs[3], O = ws[0], kH = ws[2], kW = ws[3];
        int Ho = (H + 2 * p - kH) / s + 1, Wo = (W + 2 * p - kW) / s + 1;
        var y = new double[N * O * Ho * Wo];
        for (int n = 0; n < N; n++)
            for (int o = 0; o < O; o++)
                for (int oh = 0; oh < Ho; oh++)
                    for (int ow = 0; ow < Wo; ow++)
                    {
                        double acc = b is null ? 0 : b[o];
                        for (int c = 0; c < C; c++)
                            for (int ki = 0; ki < kH; ki++)
                                for (int kj = 0; kj < kW; kj++)
                                {
                                    int ih = oh * s - p + ki, iw = ow * s - p + kj;
                                    if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                                    acc += x[((n * C + c) * H + ih) * W + iw] * w[((o * C + c) * kH + ki) * kW + kj];
                                }
                        y[((n * O + o) * Ho + oh) * Wo + ow] = acc;
                    }
        return y;
    }

    // The PyTorch definition: every input pixel scatters x · w[ci, co] into y at (h·s - p + ki, w·s - p + kj).
    private static double[] ConvTRef(double[] x, Shape xs, double[] w, Shape ws, double[]? b, int s, int p, int op)
    {
        int N = xs[0], Ci = xs[1], H = xs[2], W = xs[3], Co = ws[1], kH = ws[2], kW = ws[3];
        int Ho = (H - 1) * s - 2 * p + kH + op, Wo = (W - 1) * s - 2 * p + kW + op;
        var y = new double[N * Co * Ho * Wo];
        for (int n = 0; n < N; n++)
            for (int co = 0; co < Co; co++)
                for (int i = 0; i < Ho * Wo; i++) y[(n * Co + co) * Ho * Wo + i] = b is null ? 0 : b[co];
        for (int n = 0; n < N; n++)
            for (int ci = 0; ci < Ci; ci++)
                for (int h = 0; h < H; h++)
                    for (int ww = 0; ww < W; ww++)
                        for (int co = 0; co < Co; co++)
                            for (int ki = 0; ki < kH; ki++)
                                for (int kj = 0; kj < kW; kj++)
                                {
                                    int oy = h * s - p + ki, ox = ww * s - p + kj;
                                    if (oy < 0 || oy >= Ho || ox < 0 || ox >= Wo) continue;
                                    y[((n * Co + co) * Ho + oy) * Wo + ox] += x[((n * Ci + ci) * H + h) * W + ww] * w[((ci * Co + co) * kH + ki) * kW + kj];
                                }
        return y;
    }

    // (x shape, weight shape, stride, padding, bias)
    public static IEnumerable<object[]> ConvCases() =>
    [
        [new[] { 1, 1, 5, 5 }, new[] { 2, 1, 3, 3 }, 1, 0, true],       // C = 1, N = 1
        [new[] { 3, 2, 7, 6 }, new[] { 4, 2, 3, 2 }, 2, 1, true],       // non-square kernel, stride 2, padding 1
        [new[] { 2, 3, 9, 7 }, new[] { 3, 3, 4, 4 }, 2, 1, false],      // the encoder's k4 s2 p1 on odd sizes
        [new[] { 2, 3, 8, 6 }, new[] { 4, 3, 4, 4 }, 2, 1, true],       // k4 s2 p1 on even sizes: the direct kernels (ConvDirect)
        [new[] { 1, 2, 4, 36 }, new[] { 9, 2, 4, 4 }, 2, 1, false],     // ... with 18 output columns (a vector tail) and 9 output channels
        [new[] { 1, 2, 1, 4 }, new[] { 1, 2, 2, 3 }, 1, 1, true],       // kernel taller than the unpadded input
        [new[] { 3, 1, 6, 5 }, new[] { 2, 1, 1, 1 }, 3, 0, true],       // 1x1 kernel, stride larger than kernel
        [new[] { 2, 2, 5, 5 }, new[] { 3, 2, 3, 3 }, 1, 2, true],       // padding larger than half the kernel
    ];

    [Theory]
    [MemberData(nameof(ConvCases))]
    public void Conv2d_matches_reference(int[] xd, int[] wd, int stride, int padding, bool bias)
    {
        Shape xs = new(xd), ws = new(wd);
        Shape[] shapes = bias ? [xs, ws, new Shape(wd[0])] : [xs, ws];
        CheckOp.Run($"conv2d s{stride} p{padding}",
            x => Tensor.Conv2d(x[0], x[1], bias ? x[2] : null, stride, padding),
            x => ConvRef(x[0], xs, x[1], ws, bias ? x[2] : null, stride, padding), shapes);
    }

    // (x shape, weight shape, stride, padding, output padding, bias)
    public static IEnumerable<object[]> ConvTCases() =>
    [
        [new[] { 1, 1, 3, 3 }, new[] { 1, 2, 3, 3 }, 1, 0, 0, true],
        [new[] { 3, 2, 4, 3 }, new[] { 2, 3, 4, 4 }, 2, 1, 0, true],    // the decoder's k4 s2 p1
        [new[] { 2, 3, 3, 5 }, new[] { 3, 1, 3, 2 }, 2, 1, 1, true],    // non-square kernel, output padding
        [new[] { 1, 2, 3, 2 }, new[] { 2, 2, 2, 3 }, 3, 2, 2, false],   // stride above the kernel height
        [new[] { 2, 1, 1, 1 }, new[] { 1, 3, 2, 2 }, 1, 0, 0, true],    // a single input pixel
    ];

    [Theory]
    [MemberData(nameof(ConvTCases))]
    public void ConvTranspose2d_matches_reference(int[] xd, int[] wd, int stride, int padding, int outputPadding, bool bias)
    {
        Shape xs = new(xd), ws = new(wd);
        Shape[] shapes = bias ? [xs, ws, new Shape(wd[1])] : [xs, ws];
        CheckOp.Run($"conv_transpose2d s{stride} p{padding} op{outputPadding}",
            x => Tensor.ConvTranspose2d(x[0], x[1], bias ? x[2] : null, stride, padding, outputPadding),
            x => ConvTRef(x[0], xs, x[1], ws, bias ? x[2] : null, stride, padding, outputPadding), shapes);
    }

    [Fact]
    public void Grouped_gemms_with_a_ragged_last_group_match_reference()
    {
        ConvKernels.MaxGroupOverride = 2;   // thread-static: 5 images run as groups of 2, 2, 1
        try
        {
            Shape xs = new(5, 2, 5, 4), ws = new(3, 2, 3, 3), bs = new(3);
            CheckOp.Run("conv2d grouped", x => Tensor.Conv2d(x[0], x[1], x[2], 2, 1),
                x => ConvRef(x[0], xs, x[1], ws, x[2], 2, 1), [xs, ws, bs]);
            Shape ts = new(5, 3, 3, 2), tw = new(3, 2, 4, 3), tb = new(2);
            CheckOp.Run("conv_transpose2d grouped", x => Tensor.ConvTranspose2d(x[0], x[1], x[2], 2, 1, 1),
                x => ConvTRef(x[0], ts, x[1], tw, x[2], 2, 1, 1), [ts, tw, tb]);
        }
        finally { ConvKernels.MaxGroupOverride = 0; }
    }

    /// <summary>
    /// dw0 plus the weight gradient of conv2d (C → O channels, x (n, C, h, w), gy (n, O, h/2, w/2)) or of conv_transpose2d
    /// from (O, h/2, w/2) to (C, h, w) with weights (O, C, 4, 4) (small = gy as its input, big = x as its output gradient),
    /// through the backward kernels: direct, or the im2col path (NoDirect).
    /// </summary>
    internal static float[] WeightGradThroughOps(bool direct, bool transpose, float[] x, float[] wt, float[] gy, float[] dw0, int n, int o, ConvGeom g)
    {
        var dw = (float[])dw0.Clone();
        try
        {
            ConvKernels.NoDirect = !direct;
            if (!transpose) ConvKernels.Conv2dBackward(x, wt, gy, false, default, true, dw, false, default, n, o, g);
            else ConvKernels.ConvTranspose2dBackward(gy, wt, x, false, default, true, dw, false, default, n, o, g);
        }
        finally { ConvKernels.NoDirect = false; }
        return dw;
    }

    [Fact]
    public void Im2col_and_col2im_match_their_reference_twins()
    {
        var rng = new Rng(5);
        foreach (var (c, h, w, kh, kw, s, p) in new[] { (1, 1, 1, 1, 1, 1, 0), (2, 5, 7, 3, 2, 1, 1), (3, 9, 8, 4, 4, 2, 1),
                     (1, 4, 4, 5, 5, 1, 2), (2, 7, 3, 2, 3, 3, 2), (1, 6, 11, 3, 3, 2, 0), (2, 6, 5, 1, 1, 3, 0), (1, 3, 1100, 3, 4, 2, 3) }
                     .Concat(Enumerable.Range(1, 70).SelectMany(w => new[] { (1, 3, w, 4, 4, 2, 1), (1, 3, w, 3, 3, 2, 0), (1, 3, w, 2, 5, 2, 2) })
                         .Where(t => t.Item3 + 2 * t.Item7 >= t.Item5)))   // stride 2 at every width 1..70 (vector tails of the phase split)
        {
            var g = new ConvGeom(c, h, w, kh, kw, s, p);
            string what = $"({c},{h},{w}) k{kh}x{kw} s{s} p{p}";
            var img = new float[g.ImageSize];
            rng.FillNormal(img);
            int ld = g.P + 3, off = 2;
            var fast = Enumerable.Repeat(float.NaN, g.Rows * ld).ToArray();
            var reference = Enumerable.Repeat(float.NaN, g.Rows * ld).ToArray();
            Im2Col.Forward(img, g, fast, ld, off);
            Im2Col.ForwardReference(img, g, reference, ld, off);
            for (int i = 0; i < fast.Length; i++)
                Assert.True(fast[i].Equals(reference[i]), $"im2col {what}: [{i}] {fast[i]} vs {reference[i]}");

            var col = new float[g.Rows * ld];
            rng.FillNormal(col);
            var back = (float[])img.Clone();
            var backRef = (float[])img.Clone();
            Im2Col.Backward(col, ld, off, g, back);
            Im2Col.BackwardReference(col, ld, off, g, backRef);
            for (int i = 0; i < back.Length; i++)
                CheckOp.AssertClose(backRef[i], back[i], 1e-5, 1e-5, $"col2im {what} [{i}]");
        }
    }

    [Fact]
    public void Input_gradient_of_an_intermediate_is_written_fresh_then_added()
    {
        // The backward writes an intermediate's fresh (uninitialized, pooled) gradient buffer instead of zero-filling it and
        // adding, and adds once the buffer exists. h = 2·x feeds two convolutions, so one backward writes h's gradient and
        // the other adds to it; x's gradient must then be exactly twice a leaf's (whose buffer starts at zero). The pool
        // is first filled with NaN buffers of h's size, so a kernel that added into a fresh buffer would give NaN. Direct
        // (k4 s2 p1 on even sizes) and im2col kernels, conv2d and conv_transpose2d.
        // The im2col path also with groups of at most 2 of 5 images (a ragged last group of 1).
        var rng = new Rng(23);
        foreach (var (direct, groups) in new[] { (true, 0), (false, 0), (false, 2) })
            foreach (bool transpose in new[] { false, true })
            {
                int n = groups > 0 ? 5 : 2;
                Shape xs = transpose ? new Shape(n, 5, 4, 8) : new Shape(n, 3, 8, 16), ws = new(5, 3, 4, 4);
                var x0 = Tensor.Randn(xs, rng).ToArray();
                var w1 = Tensor.Randn(ws, rng); var w2 = Tensor.Randn(ws, rng);
                Tensor Conv(Tensor h, Tensor w) => transpose ? Tensor.ConvTranspose2d(h, w, null, 2, 1) : Tensor.Conv2d(h, w, null, 2, 1);
                Shape ys = Conv(Tensor.FromArray(x0, xs), w1).Shape;
                var r1 = Tensor.Randn(ys, rng); var r2 = Tensor.Randn(ys, rng);
                float[] GradOf(bool leaf)
                {
                    using (Tensor.Scope())
                        for (int k = 0; k < 4; k++) Tensor.Zeros(xs).Span.Fill(float.NaN);
                    using var scope = Tensor.Scope();
                    var x = Tensor.FromArray(x0, xs); x.RequiresGrad = true;
                    var h = leaf ? x : x * 2f;
                    (Tensor.Mul(Conv(h, w1), r1).Sum() + Tensor.Mul(Conv(h, w2), r2).Sum()).Backward();
                    return x.Grad!.ToArray();
                }
                float[] viaLeaf, viaIntermediate;
                try
                {
                    ConvKernels.NoDirect = !direct;
                    ConvKernels.MaxGroupOverride = groups;
                    viaLeaf = GradOf(true);
                    viaIntermediate = GradOf(false);
                }
                finally { ConvKernels.NoDirect = false; ConvKernels.MaxGroupOverride = 0; }
                for (int i = 0; i < viaLeaf.Length; i++)
                    Assert.True(viaIntermediate[i] == 2f * viaLeaf[i], $"direct={direct} groups={groups} transpose={transpose} [{i}]: {viaIntermediate[i]} vs 2 × {viaLeaf[i]}");
            }
    }

    [Fact]
    public void ConvTranspose2d_is_the_adjoint_of_Conv2d_on_a_world_model_shape()
    {
        // Encoder layer on 64x64 RGB images: <conv(x), y> = <x, convT(y)> with the same weight.
        var rng = new Rng(11);
        var x = Tensor.Randn(new Shape(3, 3, 64, 64), rng);
        var w = Tensor.Randn(new Shape(16, 3, 4, 4), rng);
        var y = Tensor.Randn(new Shape(3, 16, 32, 32), rng);
        var cx = Tensor.Conv2d(x, w, null, 2, 1);
        Assert.Equal(new Shape(3, 16, 32, 32), cx.Shape);
        var ty = Tensor.ConvTranspose2d(y, w, null, 2, 1);
        Assert.Equal(new Shape(3, 3, 64, 64), ty.Shape);
        double lhs = 0, rhs = 0;
        for (int i = 0; i < cx.Size; i++) lhs += (double)cx.Span[i] * y.Span[i];
        for (int i = 0; i < ty.Size; i++) rhs += (double)x.Span[i] * ty.Span[i];
        Assert.True(Math.Abs(lhs - rhs) <= 1e-4 * Math.Abs(lhs) + 1e-2, $"<conv x, y> = {lhs} but <x, convT y> = {rhs}");
        // and the forward against the double reference at every output
        var expected = ConvRef(Array.ConvertAll(x.ToArray(), v => (double)v), x.Shape, Array.ConvertAll(w.ToArray(), v => (double)v), w.Shape, null, 2, 1);
        for (int i = 0; i < expected.Length; i++) CheckOp.AssertClose(expected[i], cx.Span[i], 1e-4, 1e-4, $"conv2d 64x64 [{i}]");
    }

    [Fact]
    public void Conv_ops_match_pytorch_fixture()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "conv", "conv_cases.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        int count = 0;
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            string name = c.GetProperty("name").GetString()!;
            Tensor Load(string key, string shapeKey)
            {
                var t = Tensor.FromArray(Floats(c, key), new Shape(Ints(c, shapeKey)));
                t.RequiresGrad = true;
                return t;
            }
            var x = Load("x", "x_shape");
            var w = Load("weight", "w_shape");
            var b = Tensor.FromArray(Floats(c, "bias"));
            b.RequiresGrad = true;
            int s = c.GetProperty("stride").GetInt32(), p = c.GetProperty("padding").GetInt32(), op = c.GetProperty("output_padding").GetInt32();
            var y = c.GetProperty("transposed").GetBoolean() ? Tensor.ConvTranspose2d(x, w, b, s, p, op) : Tensor.Conv2d(x, w, b, s, p);
            Assert.Equal(new Shape(Ints(c, "out_shape")), y.Shape);
            Tensor.Mul(y, Tensor.FromArray(Floats(c, "seed"), y.Shape)).Sum().Backward();
            Compare(name + " out", Floats(c, "out"), y);
            Compare(name + " grad_x", Floats(c, "grad_x"), x.Grad!);
            Compare(name + " grad_weight", Floats(c, "grad_weight"), w.Grad!);
            Compare(name + " grad_bias", Floats(c, "grad_bias"), b.Grad!);
            count++;
        }
        Assert.Equal(4, count);
    }

    private static float[] Floats(JsonElement c, string key) => c.GetProperty(key).EnumerateArray().Select(v => v.GetSingle()).ToArray();
    private static int[] Ints(JsonElement c, string key) => c.GetProperty(key).EnumerateArray().Select(v => v.GetInt32()).ToArray();

    private static void Compare(string what, float[] expected, Tensor actual)
    {
        Assert.Equal(expected.Length, actual.Size);
        var a = actual.Span;
        for (int i = 0; i < expected.Length; i++) CheckOp.AssertClose(expected[i], a[i], 1e-4, 1e-4, $"{what}[{i}]");
    }

    [Fact]
    public void Conv_shape_errors_name_the_op_and_shapes()
    {
        var x = Tensor.Zeros(new Shape(2, 3, 8, 8));
        var e = Assert.Throws<ArgumentException>(() => Tensor.Conv2d(x, Tensor.Zeros(new Shape(4, 5, 3, 3))));
        Assert.Equal("conv2d: input (2, 3, 8, 8) has 3 channels but weight (4, 5, 3, 3) expects 5", e.Message);
        Assert.Contains("(N, C, H, W)", Assert.Throws<ArgumentException>(() => Tensor.Conv2d(Tensor.Zeros(new Shape(3, 8, 8)), Tensor.Zeros(new Shape(4, 3, 3, 3)))).Message);
        var w = Tensor.Zeros(new Shape(4, 3, 3, 3));
        Assert.Contains("bias (3,)", Assert.Throws<ArgumentException>(() => Tensor.Conv2d(x, w, Tensor.Zeros(new Shape(3)))).Message);
        Assert.Contains("stride", Assert.Throws<ArgumentException>(() => Tensor.Conv2d(x, w, null, 0)).Message);
        Assert.Contains("padding", Assert.Throws<ArgumentException>(() => Tensor.Conv2d(x, w, null, 1, -1)).Message);
        Assert.Contains("larger than the padded input", Assert.Throws<ArgumentException>(() => Tensor.Conv2d(x, Tensor.Zeros(new Shape(4, 3, 11, 3)), null, 1, 1)).Message);

        var wt = Tensor.Zeros(new Shape(3, 2, 4, 4));
        var t = Assert.Throws<ArgumentException>(() => Tensor.ConvTranspose2d(Tensor.Zeros(new Shape(2, 5, 4, 4)), wt));
        Assert.Contains("conv_transpose2d: input (2, 5, 4, 4) has 5 channels but weight (3, 2, 4, 4) expects 3", t.Message);
        Assert.Contains("outputPadding", Assert.Throws<ArgumentException>(() => Tensor.ConvTranspose2d(x, wt, null, 2, 1, 2)).Message);
        Assert.Contains("bias (3,)", Assert.Throws<ArgumentException>(() => Tensor.ConvTranspose2d(x, wt, Tensor.Zeros(new Shape(3)))).Message);
        Assert.Contains("not positive", Assert.Throws<ArgumentException>(() => Tensor.ConvTranspose2d(Tensor.Zeros(new Shape(1, 3, 1, 1)), Tensor.Zeros(new Shape(3, 2, 2, 2)), null, 1, 1)).Message);
    }

    [Fact]
    public void Empty_batch_gives_an_empty_output()
    {
        var y = Tensor.Conv2d(Tensor.Zeros(new Shape(0, 3, 8, 8)), Tensor.Zeros(new Shape(4, 3, 4, 4)), null, 2, 1);
        Assert.Equal(new Shape(0, 4, 4, 4), y.Shape);
        var t = Tensor.ConvTranspose2d(Tensor.Zeros(new Shape(0, 4, 4, 4)), Tensor.Zeros(new Shape(4, 3, 4, 4)), null, 2, 1);
        Assert.Equal(new Shape(0, 3, 8, 8), t.Shape);
    }

    [Fact]
    public void Direct_4x4_stride2_kernels_match_the_im2col_path()
    {
        // Widths with 1, 16 and more output columns (vector tails), channel counts across the blocks of 8, with and without
        // bias, overwriting (the forwards) and accumulating (the input gradients), for conv2d and conv_transpose2d.
        if (!RowSimd.Enabled) return;   // the direct kernels need AVX-512 (elsewhere the im2col path runs, tested above)
        var rng = new Rng(17);
        // Outputs 4 and 8 columns wide go 4 or 2 rows per vector (RowsBlock), with a partial last block of rows when Ho is
        // not a multiple of that (Wo = 4: Ho = 1..6; Wo = 8: Ho = 1, 3, 5, 8); the 16-column kernel (NarrowRows off) must
        // give the same bits, as both sum the same terms in the same order.
        var shapes = new[]
        {
            (2, 3, 8, 64, 8), (1, 1, 2, 2, 1), (3, 5, 6, 34, 9), (1, 12, 4, 36, 17), (2, 2, 10, 30, 3), (1, 4, 2, 66, 16),
            (2, 3, 6, 8, 9), (1, 5, 8, 8, 17), (3, 2, 2, 8, 1), (1, 2, 4, 8, 3), (1, 3, 10, 8, 9), (2, 2, 12, 8, 17),
            (2, 4, 6, 16, 8), (1, 3, 16, 16, 3), (2, 2, 10, 16, 12), (1, 2, 2, 16, 9),
        };
        foreach (var (n, c, h, w, o) in shapes)
        {
            var g = new ConvGeom(c, h, w, 4, 4, 2, 1);
            Assert.True(ConvDirect.Takes(g));
            var x = new float[n * g.ImageSize]; rng.FillNormal(x);
            var wt = new float[o * g.Rows]; rng.FillNormal(wt);
            var b = new float[o]; rng.FillNormal(b);
            foreach (bool bias in new[] { false, true })
                foreach (bool acc in new[] { false, true })
                {
                    var y0 = new float[n * o * g.P]; rng.FillNormal(y0);
                    float[] Direct(bool narrow)
                    {
                        var y = (float[])y0.Clone();
                        try
                        {
                            ConvDirect.NarrowRows = narrow;
                            ConvDirect.Forward(x, wt, bias ? b : default, y, n, o, g, acc);
                        }
                        finally { ConvDirect.NarrowRows = true; }
                        return y;
                    }
                    var direct = Direct(true);
                    Assert.Equal(Direct(false), direct);
                    var expected = new float[y0.Length];
                    try
                    {
                        ConvKernels.NoDirect = true;
                        ConvKernels.Conv2dForward(x, wt, bias ? b : default, expected, n, o, g);
                    }
                    finally { ConvKernels.NoDirect = false; }
                    if (acc) for (int i = 0; i < expected.Length; i++) expected[i] += y0[i];
                    for (int i = 0; i < expected.Length; i++)
                        CheckOp.AssertClose(expected[i], direct[i], 1e-4, 1e-4, $"direct conv ({n},{c},{h},{w})->{o} bias={bias} acc={acc} [{i}]");
                }
        }
        // Inputs 4 and 8 columns wide go 4 or 2 rows per vector (TransposeRowsBlock), with partial blocks of rows (Wi = 4:
        // Hi = 1..8 but 7; Wi = 8: Hi = 1, 3, 5, 8); the 16-column kernel must give the same bits.
        var tshapes = new[]
        {
            (2, 8, 4, 32, 3), (1, 1, 1, 1, 1), (3, 5, 3, 17, 9), (1, 12, 2, 18, 17), (2, 3, 5, 15, 2), (1, 16, 4, 33, 12),
            (2, 3, 3, 4, 9), (1, 5, 4, 4, 17), (3, 2, 1, 4, 1), (1, 2, 2, 4, 8), (1, 3, 5, 4, 9), (1, 2, 6, 4, 2), (2, 2, 8, 4, 17),
            (2, 4, 3, 8, 8), (1, 3, 8, 8, 3), (2, 2, 5, 8, 12), (2, 3, 1, 8, 9),
        };
        foreach (var (n, cin, hi, wi, cout) in tshapes)
        {
            var g = new ConvGeom(cout, 2 * hi, 2 * wi, 4, 4, 2, 1);   // the conv2d from the output (cout, 2hi, 2wi) back to x
            var x = new float[n * cin * hi * wi]; rng.FillNormal(x);
            var wt = new float[cin * g.Rows]; rng.FillNormal(wt);
            var b = new float[cout]; rng.FillNormal(b);
            foreach (bool bias in new[] { false, true })
                foreach (bool acc in new[] { false, true })
                {
                    var y0 = new float[n * g.ImageSize]; rng.FillNormal(y0);
                    float[] Direct(bool narrow)
                    {
                        var y = (float[])y0.Clone();
                        try
                        {
                            ConvDirect.NarrowRows = narrow;
                            ConvDirect.TransposeForward(x, wt, bias ? b : default, y, n, cin, g, acc);
                        }
                        finally { ConvDirect.NarrowRows = true; }
                        return y;
                    }
                    var direct = Direct(true);
                    Assert.Equal(Direct(false), direct);
                    var expected = new float[y0.Length];
                    try
                    {
                        ConvKernels.NoDirect = true;
                        ConvKernels.ConvTranspose2dForward(x, wt, bias ? b : default, expected, n, cin, g);
                    }
                    finally { ConvKernels.NoDirect = false; }
                    if (acc) for (int i = 0; i < expected.Length; i++) expected[i] += y0[i];
                    for (int i = 0; i < expected.Length; i++)
                        CheckOp.AssertClose(expected[i], direct[i], 1e-4, 1e-4, $"direct conv_transpose ({n},{cin},{hi},{wi})->{cout} bias={bias} acc={acc} [{i}]");
                }
        }
        // Weight gradients of both, against the im2col path (through the backward kernels, accumulating into dW). Outputs 4
        // and 8 wide go 4 or 2 rows per vector (WeightRowsBlock), with partial last blocks (Wo = 4: Ho = 1, 3, 6, 7; Wo = 8:
        // Ho = 1, 3, 5), blocks whose rows all read outside the input (Ho = 1 at ki = 0 and 3), and batches of 40 and 35
        // images (3 blocks of images).
        foreach (var (n, c, h, w, o) in new[]
        {
            (2, 3, 8, 64, 8), (1, 1, 2, 2, 1), (17, 5, 6, 34, 9), (3, 12, 4, 36, 6), (2, 2, 10, 30, 3), (300, 2, 2, 4, 3),
            (5, 3, 12, 8, 6), (6, 2, 8, 8, 3), (3, 4, 2, 8, 9), (2, 3, 14, 8, 5), (3, 2, 6, 8, 4), (40, 3, 8, 8, 5),
            (4, 2, 10, 16, 5), (2, 3, 16, 16, 4), (3, 2, 2, 16, 7), (35, 2, 6, 16, 3),
        })
        {
            var g = new ConvGeom(c, h, w, 4, 4, 2, 1);
            var x = new float[n * g.ImageSize]; rng.FillNormal(x);
            var gy = new float[n * o * g.P]; rng.FillNormal(gy);
            var wt = new float[o * g.Rows]; rng.FillNormal(wt);
            var dw0 = new float[o * g.Rows]; rng.FillNormal(dw0);
            float[] Run(bool direct, bool transpose) => WeightGradThroughOps(direct, transpose, x, wt, gy, dw0, n, o, g);
            foreach (bool transpose in new[] { false, true })
            {
                var expected = Run(false, transpose); var direct = Run(true, transpose);
                for (int i = 0; i < expected.Length; i++)
                    CheckOp.AssertClose(expected[i], direct[i], 2e-4, 2e-4, $"direct weight grad ({n},{c},{h},{w})->{o} transpose={transpose} [{i}]");
            }
            // The images between two reductions (one sweep): one image, three (sweeps that end inside an image block), and
            // the default, on conv2d's weight gradient against the im2col path, with and without rows side by side.
            var reference = Run(false, false);
            long perImage = 4L * o * g.P + 4L * g.ImageSize;
            foreach (long sweepBytes in new[] { 1, 3 * perImage, ConvDirect.SweepBytes })
                foreach (bool narrow in new[] { true, false })
                {
                    var dw = (float[])dw0.Clone();
                    ConvDirect.WeightGrad(gy, x, dw, n, o, c, g, sweepBytes, narrow);
                    for (int i = 0; i < reference.Length; i++)
                        CheckOp.AssertClose(reference[i], dw[i], 2e-4, 2e-4, $"direct weight grad ({n},{c},{h},{w})->{o}, sweeps of {sweepBytes} bytes, narrow={narrow} [{i}]");
                }
        }
        // The weight gradient sums fixed blocks of images in order: 1 and 2 threads give the same bits, with sweeps that
        // cover a whole block (the default here) and sweeps of 3 images that end inside the blocks of 13 and 14, on 16-wide
        // outputs and on 4-wide ones (rows side by side; 12 -> 16 channels, so that the work is large enough for 2 threads).
        foreach (var (width, c, o) in new[] { (32, 3, 8), (8, 12, 16) })
        {
            var g = new ConvGeom(c, 16, width, 4, 4, 2, 1);
            const int n = 40;
            var x = new float[n * g.ImageSize]; rng.FillNormal(x);
            var gy = new float[n * o * g.P]; rng.FillNormal(gy);
            float[] Grad(int threads, long sweepBytes)
            {
                var dw = new float[o * g.Rows];
                int saved = Gemm.MaxThreads;
                Gemm.MaxThreads = threads;
                try { ConvDirect.WeightGrad(gy, x, dw, n, o, c, g, sweepBytes); }
                finally { Gemm.MaxThreads = saved; }
                return dw;
            }
            foreach (long sweepBytes in new[] { ConvDirect.SweepBytes, 3 * (4L * o * g.P + 4L * g.ImageSize) })
                Assert.Equal(Grad(1, sweepBytes), Grad(2, sweepBytes));
        }
        // The bias gradient (channels split over threads, on 40 images of 16 channels of 16x16: enough work for 2): the
        // serial sum's bits, plane by plane in image order.
        {
            var g = new ConvGeom(3, 32, 32, 4, 4, 2, 1);
            const int n = 40, o = 16;
            var x = new float[n * g.ImageSize]; rng.FillNormal(x);
            var gy = new float[n * o * g.P]; rng.FillNormal(gy);
            var db0 = new float[o]; rng.FillNormal(db0);
            var expected = (float[])db0.Clone();
            for (int i = 0; i < n; i++)
                for (int ch = 0; ch < o; ch++) expected[ch] += System.Numerics.Tensors.TensorPrimitives.Sum(gy.AsSpan((i * o + ch) * g.P, g.P));
            foreach (int threads in new[] { 1, 2 })
            {
                var db = (float[])db0.Clone();
                int saved = Gemm.MaxThreads;
                Gemm.MaxThreads = threads;
                try { ConvKernels.Conv2dBackward(x, default, gy, false, default, false, default, true, db, n, o, g); }
                finally { Gemm.MaxThreads = saved; }
                Assert.Equal(expected, db);
            }
        }
        // An infinite input in the last column reaches dW only through the taps of real outputs: with W = 34 (17 output
        // columns, one lane of the second vector), tap kj = 0 never reads column 33, so its gradient stays finite.
        {
            var g = new ConvGeom(1, 4, 34, 4, 4, 2, 1);
            var x = new float[g.ImageSize]; rng.FillNormal(x);
            for (int r = 0; r < 4; r++) x[r * 34 + 33] = float.PositiveInfinity;
            var gy = new float[g.P]; rng.FillNormal(gy);
            var dw = new float[16];
            ConvDirect.WeightGrad(gy, x, dw, 1, 1, 1, g);
            for (int ki = 0; ki < 4; ki++) Assert.True(float.IsFinite(dw[ki * 4]), $"dW[ki={ki}, kj=0] = {dw[ki * 4]}");
        }
        // The same on 4- and 8-wide outputs (rows side by side), with the last column W - 1 infinite: it is a real tap of
        // kj = 2 only (output Wo - 1). Tap kj = 3 of that output would read column W, which the index table clamps to W - 1,
        // so only its column mask keeps dW[·, 3] finite; kj = 0 and 1 never read it.
        foreach (int width in new[] { 8, 16 })
        {
            var g = new ConvGeom(1, 8, width, 4, 4, 2, 1);
            var x = new float[g.ImageSize]; rng.FillNormal(x);
            for (int r = 0; r < 8; r++) x[r * width + width - 1] = float.PositiveInfinity;
            var gy = new float[g.P]; rng.FillNormal(gy);
            var dw = new float[16];
            ConvDirect.WeightGrad(gy, x, dw, 1, 1, 1, g);
            for (int ki = 0; ki < 4; ki++)
                for (int kj = 0; kj < 4; kj++)
                    Assert.True(float.IsFinite(dw[ki * 4 + kj]) == (kj != 2), $"W = {width}: dW[ki={ki}, kj={kj}] = {dw[ki * 4 + kj]}");
        }
        Assert.False(ConvDirect.Takes(new ConvGeom(3, 7, 8, 4, 4, 2, 1)));   // odd height: the im2col path
        Assert.False(ConvDirect.Takes(new ConvGeom(3, 8, 8, 3, 3, 2, 1)));
    }
}

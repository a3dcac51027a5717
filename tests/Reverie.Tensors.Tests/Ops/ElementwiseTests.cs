// Gradient and forward checks of the elementwise unary and broadcasting binary ops.
using Reverie.Tensors;

namespace Reverie.Tensors.Tests.Ops;

public class ElementwiseTests
{
    private static readonly Shape[] Awkward = [new(7), new(3, 17), new(2, 3, 5)];

    public static IEnumerable<object[]> Shapes() => Awkward.Select(s => new object[] { s.ToArray() });

    private static double Sig(double x) => 1 / (1 + Math.Exp(-x));
    private static double Softplus(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));
    private static double Erf(double x)
    {
        // high-precision erf by series/continued fraction is overkill: use the relation to the normal CDF via Math
        // (System.Math has no erf), so integrate with Simpson's rule — accurate to 1e-12 for |x| < 6.
        int n = 2000; double a = 0, b = x, hh = (b - a) / n, s = 0;
        for (int i = 0; i <= n; i++)
        {
            double t = a + i * hh, f = Math.Exp(-t * t);
            s += (i == 0 || i == n) ? f : (i % 2 == 1 ? 4 * f : 2 * f);
        }
        return 2 / Math.Sqrt(Math.PI) * s * hh / 3;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Unary_ops_match_reference_and_finite_differences(int[] dims)
    {
        var s = new Shape(dims);
        var cases = new (string, Func<Tensor, Tensor>, Func<double, double>)[]
        {
            ("neg", x => x.Neg(), x => -x),
            ("abs", x => x.Abs(), Math.Abs),
            ("square", x => x.Square(), x => x * x),
            ("exp", x => x.Exp(), Math.Exp),
            ("relu", x => x.Relu(), x => Math.Max(x, 0)),
            ("elu", x => x.Elu(), x => x > 0 ? x : Math.Exp(x) - 1),
            ("sigmoid", x => x.Sigmoid(), Sig),
            ("tanh", x => x.Tanh(), Math.Tanh),
            ("silu", x => x.Silu(), x => x * Sig(x)),
            ("softplus", x => x.Softplus(), Softplus),
            ("mish", x => x.Mish(), x => x * Math.Tanh(Softplus(x))),
            ("gelu", x => x.Gelu(), x => 0.5 * x * (1 + Erf(x / Math.Sqrt(2)))),
            ("mul_scalar", x => x * 2.5f, x => 2.5 * x),
            ("add_scalar", x => x + 1.5f, x => x + 1.5),
            ("clamp", x => x.Clamp(-0.5f, 0.7f), x => Math.Clamp(x, -0.5, 0.7)),
        };
        foreach (var (name, f, r) in cases)
            CheckOp.Run(name, xs => f(xs[0]), CheckOp.Map(r), [s], sample: SafeSample);
    }

    // Keeps samples away from the kinks of relu/abs/clamp/elu so central differences are valid.
    private static float SafeSample(Rng r)
    {
        float v;
        do v = r.Normal() * 1.5f; while (Math.Abs(v) < 0.02f || Math.Abs(v + 0.5f) < 0.02f || Math.Abs(v - 0.7f) < 0.02f);
        return v;
    }

    [Fact]
    public void Log_sqrt_and_pow_on_positive_inputs()
    {
        var s = new Shape(5, 7);
        Func<Rng, float> pos = r => 0.2f + 2f * r.NextFloat();
        CheckOp.Run("log", x => x[0].Log(), CheckOp.Map(Math.Log), [s], sample: pos);
        CheckOp.Run("sqrt", x => x[0].Sqrt(), CheckOp.Map(Math.Sqrt), [s], sample: pos);
        CheckOp.Run("pow_scalar", x => x[0].Pow(1.7f), CheckOp.Map(v => Math.Pow(v, 1.7)), [s], sample: pos);
        CheckOp.Run("pow", x => Tensor.Pow(x[0], x[1]), x => x[0].Zip(x[1], Math.Pow).ToArray(), [s, s], sample: pos);
    }

    public static IEnumerable<object[]> BroadcastPairs() =>
    [
        [new[] { 3, 4 }, new[] { 3, 4 }],
        [new[] { 3, 4 }, new[] { 4 }],
        [new[] { 2, 3, 5 }, new[] { 3, 1 }],
        [new[] { 1, 5 }, new[] { 4, 1 }],
        [new[] { 2, 1, 3 }, new[] { 1, 4, 1 }],
        [new[] { 17 }, new int[0]],
        [new[] { 2, 3, 4, 5 }, new[] { 2, 1, 4, 1 }],
    ];

    [Theory]
    [MemberData(nameof(BroadcastPairs))]
    public void Binary_ops_broadcast_with_correct_gradients(int[] da, int[] db)
    {
        Shape sa = new(da), sb = new(db);
        var so = global::Reverie.Tensors.Kernels.BroadcastPlan.OutShape(sa, sb, "test");
        Reference Bin(Func<double, double, double> f) => x =>
        {
            var r = new double[so.Size];
            for (int i = 0; i < r.Length; i++)
            {
                var idx = CheckOp.Unravel(i, so);
                r[i] = f(CheckOp.At(x[0], sa, idx), CheckOp.At(x[1], sb, idx));
            }
            return r;
        };
        Func<Rng, float> awayFromZero = r => (r.NextFloat() < 0.5f ? -1 : 1) * (0.5f + r.NextFloat());
        CheckOp.Run("add", x => x[0] + x[1], Bin((a, b) => a + b), [sa, sb]);
        CheckOp.Run("sub", x => x[0] - x[1], Bin((a, b) => a - b), [sa, sb]);
        CheckOp.Run("mul", x => x[0] * x[1], Bin((a, b) => a * b), [sa, sb]);
        CheckOp.Run("div", x => x[0] / x[1], Bin((a, b) => a / b), [sa, sb], sample: awayFromZero);
        CheckOp.Run("maximum", x => Tensor.Maximum(x[0], x[1]), Bin(Math.Max), [sa, sb], seed: 3);
        CheckOp.Run("minimum", x => Tensor.Minimum(x[0], x[1]), Bin(Math.Min), [sa, sb], seed: 4);
    }

    [Fact]
    public void Where_selects_and_routes_gradients()
    {
        var s = new Shape(4, 6);
        CheckOp.Run("where", x => Tensor.Where(Tensor.FromArray(x[0].ToArray().Select(v => v > 0 ? 1f : 0f).ToArray(), s), x[1], x[2]),
            x => x[0].Select((c, i) => c > 0 ? x[1][i] : x[2][i]).ToArray(),
            [s, s, s], differentiable: [false, true, true], sample: r => r.Normal());
    }

    [Fact]
    public void Binary_op_with_unbroadcastable_shapes_names_op_and_shapes()
    {
        var a = Tensor.Zeros(new Shape(3, 4));
        var b = Tensor.Zeros(new Shape(5));
        var e = Assert.Throws<ArgumentException>(() => a + b);
        Assert.Contains("add", e.Message);
        Assert.Contains("(3, 4)", e.Message);
        Assert.Contains("(5,)", e.Message);
    }

    [Fact]
    public void Log_of_negative_throws_with_debug_checks()
    {
        bool before = Tensor.DebugChecks;
        using (Tensor.DebugChecksOnThisThread())
        {
            var x = Tensor.FromArray(1f, -2f, 3f);
            var e = Assert.Throws<NumericException>(() => x.Log());
            Assert.Contains("log", e.Message);
            Assert.Contains("-2", e.Message);
        }
        Assert.Equal(before, Tensor.DebugChecks); // the thread switch is undone
    }

    [Fact]
    public void Straight_through_gives_hard_forward_and_soft_gradient()
    {
        var soft = Tensor.FromArray(0.2f, 0.7f, 0.1f); soft.RequiresGrad = true;
        var hard = Tensor.FromArray(0f, 1f, 0f);
        var y = Tensor.StraightThrough(hard, soft);
        Assert.Equal([0f, 1f, 0f], y.ToArray());
        (y * Tensor.FromArray(1f, 2f, 3f)).Sum().Backward();
        Assert.Equal([1f, 2f, 3f], soft.Grad!.ToArray());
    }

    [Fact]
    public void Detach_stops_gradient()
    {
        var x = Tensor.FromArray(1f, 2f); x.RequiresGrad = true;
        var y = (x * x.Detach()).Sum();
        y.Backward();
        Assert.Equal([1f, 2f], x.Grad!.ToArray()); // d/dx (x * c) = c
    }
}

public class ReshapeTests
{
    [Fact]
    public void Reshape_family_passes_values_and_gradients_through()
    {
        var s = new Shape(2, 3, 4);
        Reference id = x => x[0].ToArray();
        CheckOp.Run("reshape", x => x[0].Reshape(4, -1), id, [s]);
        CheckOp.Run("flatten", x => x[0].Flatten(1), id, [s]);
        CheckOp.Run("unsqueeze", x => x[0].Unsqueeze(1), id, [s]);
        CheckOp.Run("squeeze", x => x[0].Unsqueeze(0).Squeeze(0), id, [s]);
        // a reshaped tensor used twice still sums its gradients
        CheckOp.Run("reshape_twice", x => x[0].Reshape(24) * x[0].Reshape(24), x => x[0].Select(v => v * v).ToArray(), [s]);
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(s).Squeeze(0));
    }
}

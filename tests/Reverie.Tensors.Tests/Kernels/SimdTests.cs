// Every SIMD elementwise kernel against its scalar reference twin, at every length 0..70 (all tails).
using Reverie.Tensors;
using Reverie.Tensors.Kernels;

namespace Reverie.Tensors.Tests.Kernels;

public class SimdTests
{
    private static float[] Data(int n, ulong seed, float scale = 3f)
    {
        var r = new Rng(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.Normal() * scale;
        return a;
    }

    private static void Close(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            float e = expected[i], a = actual[i];
            if (float.IsNaN(e)) { Assert.True(float.IsNaN(a), $"{what}[{i}] expected NaN, got {a}"); continue; }
            Assert.True(Math.Abs(e - a) <= 2e-6f + 2e-6f * Math.Abs(e), $"{what}[{i}] of {expected.Length}: expected {e}, got {a}");
        }
    }

    private static void Unary<TOp>() where TOp : IUnaryOp
    {
        for (int n = 0; n <= 70; n++)
        {
            var x = Data(n, (ulong)n + 1);
            var fast = new float[n]; var slow = new float[n];
            Simd.Map<TOp>(x, fast);
            Simd.Reference.Map<TOp>(x, slow);
            Close(slow, fast, typeof(TOp).Name);
        }
    }

    private static void Grad<TOp>(bool positive = false) where TOp : ITernaryOp
    {
        for (int n = 0; n <= 70; n++)
        {
            var x = Data(n, (ulong)n + 100);
            if (positive) for (int i = 0; i < n; i++) x[i] = Math.Abs(x[i]) + 0.1f;
            var y = Data(n, (ulong)n + 200, 0.9f);
            if (positive) for (int i = 0; i < n; i++) y[i] = Math.Abs(y[i]) + 0.1f;
            var g = Data(n, (ulong)n + 300);
            var fast = Data(n, 7); var slow = (float[])fast.Clone();
            Simd.Accumulate<TOp>(x, y, g, fast);
            Simd.Reference.Accumulate<TOp>(x, y, g, slow);
            Close(slow, fast, typeof(TOp).Name);
        }
    }

    [Fact] public void Neg() => Unary<Ew.Neg>();
    [Fact] public void Abs() => Unary<Ew.Abs>();
    [Fact] public void Square() => Unary<Ew.Square>();
    [Fact] public void Exp() => Unary<Ew.Exp>();
    [Fact] public void Relu() => Unary<Ew.Relu>();
    [Fact] public void Elu() => Unary<Ew.Elu>();
    [Fact] public void Sigmoid() => Unary<Ew.Sigm>();
    [Fact] public void Tanh() => Unary<Ew.Tanh>();
    [Fact] public void Silu() => Unary<Ew.Silu>();
    [Fact] public void Softplus() => Unary<Ew.SoftplusOp>();
    [Fact] public void Mish() => Unary<Ew.Mish>();
    [Fact] public void Gelu() => Unary<Ew.Gelu>();

    [Fact]
    public void Sqrt_and_log_on_positive_inputs()
    {
        for (int n = 0; n <= 70; n++)
        {
            var x = Data(n, (ulong)n + 9).Select(v => Math.Abs(v) + 0.01f).ToArray();
            foreach (var pair in new[] { 0, 1 })
            {
                var fast = new float[n]; var slow = new float[n];
                if (pair == 0) { Simd.Map<Ew.Sqrt>(x, fast); Simd.Reference.Map<Ew.Sqrt>(x, slow); }
                else { Simd.Map<Ew.Log>(x, fast); Simd.Reference.Map<Ew.Log>(x, slow); }
                Close(slow, fast, pair == 0 ? "sqrt" : "log");
            }
        }
    }

    [Fact]
    public void Binary_kernels_and_scalar_variants()
    {
        for (int n = 0; n <= 70; n++)
        {
            var a = Data(n, (ulong)n + 11); var b = Data(n, (ulong)n + 12).Select(v => v + (v >= 0 ? 0.5f : -0.5f)).ToArray();
            void Check<TOp>() where TOp : IBinaryOp
            {
                var fast = new float[n]; var slow = new float[n];
                Simd.Map<TOp>(a, b, fast); Simd.Reference.Map<TOp>(a, b, slow);
                Close(slow, fast, typeof(TOp).Name);
                var s1 = new float[n]; Simd.MapScalarX<TOp>(1.7f, b, s1);
                var s2 = new float[n]; Simd.MapScalarY<TOp>(a, -0.6f, s2);
                for (int i = 0; i < n; i++)
                {
                    Assert.Equal(TOp.Invoke(1.7f, b[i]), s1[i], 6);
                    Assert.Equal(TOp.Invoke(a[i], -0.6f), s2[i], 6);
                }
            }
            Check<Ew.Add>(); Check<Ew.Sub>(); Check<Ew.Mul>(); Check<Ew.Div>(); Check<Ew.Max>(); Check<Ew.Min>();
        }
    }

    [Fact] public void NegGrad() => Grad<Ew.NegGrad>();
    [Fact] public void AbsGrad() => Grad<Ew.AbsGrad>();
    [Fact] public void SquareGrad() => Grad<Ew.SquareGrad>();
    [Fact] public void SqrtGrad() => Grad<Ew.SqrtGrad>(positive: true);
    [Fact] public void ExpGrad() => Grad<Ew.ExpGrad>();
    [Fact] public void LogGrad() => Grad<Ew.LogGrad>(positive: true);
    [Fact] public void ReluGrad() => Grad<Ew.ReluGrad>();
    [Fact] public void EluGrad() => Grad<Ew.EluGrad>();
    [Fact] public void SigmoidGrad() => Grad<Ew.SigmGrad>();
    [Fact] public void TanhGrad() => Grad<Ew.TanhGrad>();
    [Fact] public void SiluGrad() => Grad<Ew.SiluGrad>();
    [Fact] public void SoftplusGrad() => Grad<Ew.SoftplusGrad>();
    [Fact] public void MishGrad() => Grad<Ew.MishGrad>();
    [Fact] public void GeluGrad() => Grad<Ew.GeluGrad>();

    [Fact]
    public void Extreme_inputs_stay_finite()
    {
        var x = new[] { -1000f, -90f, -20f, -1e-30f, 0f, 1e-30f, 20f, 90f, 1000f, -0f, 5e-8f, -5e-8f, 30f, -30f, 15f, -15f, 44f };
        foreach (var (name, f) in new (string, Action<float[], float[]>)[]
        {
            ("sigmoid", (a, d) => Simd.Map<Ew.Sigm>(a, d)), ("tanh", (a, d) => Simd.Map<Ew.Tanh>(a, d)),
            ("softplus", (a, d) => Simd.Map<Ew.SoftplusOp>(a, d)), ("silu", (a, d) => Simd.Map<Ew.Silu>(a, d)),
            ("mish", (a, d) => Simd.Map<Ew.Mish>(a, d)), ("gelu", (a, d) => Simd.Map<Ew.Gelu>(a, d)),
        })
        {
            var d = new float[x.Length];
            f(x, d);
            for (int i = 0; i < x.Length; i++) Assert.True(float.IsFinite(d[i]), $"{name}({x[i]}) = {d[i]}");
        }
        var t = new float[x.Length];
        Simd.Map<Ew.Tanh>(x, t);
        for (int i = 0; i < x.Length; i++) Assert.Equal(MathF.Tanh(x[i]), t[i], 6);
    }

    [Fact]
    public void Length_mismatch_is_a_clear_error()
    {
        var e = Assert.Throws<ArgumentException>(() => Simd.Map<Ew.Relu>(new float[5], new float[3]));
        Assert.Contains("Relu", e.Message);
    }
}

// Operator structs for elementwise forward and backward rules (scalar + Vector512 twins).
// Backward structs take (x = input, y = output, g = upstream gradient) and return dL/dx.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using V = System.Runtime.Intrinsics.Vector512<float>;

namespace Reverie.Tensors.Kernels;

#pragma warning disable CS1591
public static class Ew
{
    // ------------------------------------------------------------ math helpers
    /// <summary>
    /// e^x for 16 lanes (Cephes expf: x = n ln2 + r, |r| ≤ ln2/2, degree-6 polynomial, scale by 2^n;
    /// relative error about 2e-7). Our own so that its speed does not depend on whether the runtime
    /// treats Vector512 as accelerated. Overflow gives +∞, underflow 0, NaN stays NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V VExp(V x)
    {
        if (Avx512F.IsSupported)
        {
            // The same polynomial in FMA form, and 2^n applied by vscalefps (which overflows to +∞ itself):
            // about half the instructions of the portable form below.
            var xc = Vector512.MinNative(Vector512.MaxNative(x, Vector512.Create(-87.33654f)), Vector512.Create(89f));
            var k = Avx512F.RoundScale(xc * Vector512.Create(1.44269504088896341f), 0);
            var r = Avx512F.FusedMultiplyAdd(k, Vector512.Create(-0.693359375f), xc);
            r = Avx512F.FusedMultiplyAdd(k, Vector512.Create(2.12194440e-4f), r);
            var q = Avx512F.FusedMultiplyAdd(Vector512.Create(1.9875691500E-4f), r, Vector512.Create(1.3981999507E-3f));
            q = Avx512F.FusedMultiplyAdd(q, r, Vector512.Create(8.3334519073E-3f));
            q = Avx512F.FusedMultiplyAdd(q, r, Vector512.Create(4.1665795894E-2f));
            q = Avx512F.FusedMultiplyAdd(q, r, Vector512.Create(1.6666665459E-1f));
            q = Avx512F.FusedMultiplyAdd(q, r, Vector512.Create(5.0000001201E-1f));
            q = Avx512F.FusedMultiplyAdd(q, r * r, r) + V.One;
            var e = Avx512F.Scale(q, k);
            e = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(-87.33654f)), V.Zero, e);
            return Vector512.ConditionalSelect(Vector512.Equals(x, x), e, x);
        }
        var xc0 = Vector512.Min(Vector512.Max(x, Vector512.Create(-87.33654f)), Vector512.Create(88.37626f)); // keeps 2^n finite
        var n = Round(xc0 * Vector512.Create(1.44269504088896341f));
        var r0 = xc0 - n * Vector512.Create(0.693359375f) + n * Vector512.Create(2.12194440e-4f);
        var p = Vector512.Create(1.9875691500E-4f);
        p = p * r0 + Vector512.Create(1.3981999507E-3f);
        p = p * r0 + Vector512.Create(8.3334519073E-3f);
        p = p * r0 + Vector512.Create(4.1665795894E-2f);
        p = p * r0 + Vector512.Create(1.6666665459E-1f);
        p = p * r0 + Vector512.Create(5.0000001201E-1f);
        p = p * r0 * r0 + r0 + V.One;
        var y = p * Pow2(n);
        y = Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(88.72283f)), Vector512.Create(float.PositiveInfinity), y);
        y = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(-87.33654f)), V.Zero, y);
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), y, x);
    }

    /// <summary>
    /// 1/d for d in [1, 2] (or any finite d ≥ tiny): a 14-bit vrcp14ps estimate refined by one Newton step,
    /// within about 1 ulp of the division and several times cheaper than vdivps on 16 lanes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Reciprocal(V d)
    {
        if (!Avx512F.IsSupported) return V.One / d;
        var r = Avx512F.Reciprocal14(d);
        return Avx512F.FusedMultiplyAdd(Avx512F.FusedMultiplyAddNegated(d, r, V.One), r, r);   // r + r(1 − d r)
    }

    // Round-to-nearest and 2^n through AVX-512F directly: the portable Vector512 forms of these are not
    // intrinsified where the runtime treats Vector512 as unaccelerated (measured 5x slower exp).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Round(V x) => System.Runtime.Intrinsics.X86.Avx512F.IsSupported
        ? System.Runtime.Intrinsics.X86.Avx512F.RoundScale(x, 0)
        : Vector512.Round(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]

    private static V Pow2(V n)
    {
        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
        {
            var i = System.Runtime.Intrinsics.X86.Avx512F.ConvertToVector512Int32(n);
            return System.Runtime.Intrinsics.X86.Avx512F.ShiftLeftLogical(i + Vector512.Create(127), 23).AsSingle();
        }
        return Vector512.ShiftLeft(Vector512.ConvertToInt32(n) + Vector512.Create(127), 23).AsSingle();
    }

    /// <summary>
    /// Natural log for 16 lanes (Cephes logf: x = m 2^e with m in [√½, √2), polynomial in m-1;
    /// relative error about 2e-7). x = 0 gives -∞, x &lt; 0 or NaN gives NaN, +∞ stays +∞.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V VLog(V x)
    {
        var bits = x.AsInt32();
        var e = (System.Runtime.Intrinsics.X86.Avx512F.IsSupported
            ? System.Runtime.Intrinsics.X86.Avx512F.ShiftRightArithmetic(bits, 23)
            : Vector512.ShiftRightArithmetic(bits, 23)) - Vector512.Create(127);
        var m = ((bits & Vector512.Create(0x007FFFFF)) | Vector512.Create(0x3F800000)).AsSingle(); // [1, 2)
        var big = Vector512.GreaterThan(m, Vector512.Create(1.41421356f));
        m = Vector512.ConditionalSelect(big, m * Vector512.Create(0.5f), m);
        var ef = (System.Runtime.Intrinsics.X86.Avx512F.IsSupported
            ? System.Runtime.Intrinsics.X86.Avx512F.ConvertToVector512Single(e)
            : Vector512.ConvertToSingle(e)) + Vector512.ConditionalSelect(big, V.One, V.Zero);
        var f = m - V.One;
        var z = f * f;
        V y;
        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
        {
            var q = Avx512F.FusedMultiplyAdd(Vector512.Create(7.0376836292E-2f), f, Vector512.Create(-1.1514610310E-1f));
            q = Avx512F.FusedMultiplyAdd(q, f, Vector512.Create(1.1676998740E-1f));
            q = Avx512F.FusedMultiplyAdd(q, f, Vector512.Create(-1.2420140846E-1f));
            q = Avx512F.FusedMultiplyAdd(q, f, Vector512.Create(1.4249322787E-1f));
            q = Avx512F.FusedMultiplyAdd(q, f, Vector512.Create(-1.6668057665E-1f));
            q = Avx512F.FusedMultiplyAdd(q, f, Vector512.Create(2.0000714765E-1f));
            q = Avx512F.FusedMultiplyAdd(q, f, Vector512.Create(-2.4999993993E-1f));
            q = Avx512F.FusedMultiplyAdd(q, f, Vector512.Create(3.3333331174E-1f));
            y = Avx512F.FusedMultiplyAdd(q * f, z, Avx512F.FusedMultiplyAdd(Vector512.Create(-0.5f), z, f));
            y = Avx512F.FusedMultiplyAdd(ef, Vector512.Create(0.693147180559945f), y);
        }
        else
        {
            var p = Vector512.Create(7.0376836292E-2f);
            p = p * f - Vector512.Create(1.1514610310E-1f);
            p = p * f + Vector512.Create(1.1676998740E-1f);
            p = p * f - Vector512.Create(1.2420140846E-1f);
            p = p * f + Vector512.Create(1.4249322787E-1f);
            p = p * f - Vector512.Create(1.6668057665E-1f);
            p = p * f + Vector512.Create(2.0000714765E-1f);
            p = p * f - Vector512.Create(2.4999993993E-1f);
            p = p * f + Vector512.Create(3.3333331174E-1f);
            y = p * f * z - Vector512.Create(0.5f) * z + f;
            y += ef * Vector512.Create(0.693147180559945f);
        }
        // specials: subnormals are rare in RL and treated as their exponent-field value (close to -87..-103)
        y = Vector512.ConditionalSelect(Vector512.Equals(x, V.Zero), Vector512.Create(float.NegativeInfinity), y);
        y = Vector512.ConditionalSelect(Vector512.Equals(x, Vector512.Create(float.PositiveInfinity)), x, y);
        return Vector512.ConditionalSelect(Vector512.LessThan(x, V.Zero) | ~Vector512.Equals(x, x), Vector512.Create(float.NaN), y);
    }

    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    /// <summary>σ(x) from e = exp(−|x|) ∈ (0, 1]: 1/(1 + e) for x ≥ 0, e/(1 + e) below (no overflow, cheap reciprocal).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Sigmoid(V x)
    {
        var e = VExp(-Vector512.Abs(x));
        var s = Reciprocal(V.One + e);
        return Vector512.ConditionalSelect(Vector512.LessThan(x, V.Zero), e * s, s);
    }

    /// <summary>erf via Abramowitz-Stegun 7.1.26 (|error| &lt; 1.5e-7).</summary>
    public static float Erf(float x)
    {
        float ax = MathF.Abs(x);
        float t = 1f / (1f + 0.3275911f * ax);
        float p = ((((1.061405429f * t - 1.453152027f) * t + 1.421413741f) * t - 0.284496736f) * t + 0.254829592f) * t;
        float r = 1f - p * MathF.Exp(-ax * ax);
        return MathF.CopySign(r, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]

    public static V Erf(V x)
    {
        var ax = Vector512.Abs(x);
        var t = V.One / (V.One + Vector512.Create(0.3275911f) * ax);
        var p = Vector512.Create(1.061405429f) * t - Vector512.Create(1.453152027f);
        p = p * t + Vector512.Create(1.421413741f);
        p = p * t - Vector512.Create(0.284496736f);
        p = p * t + Vector512.Create(0.254829592f);
        p *= t;
        var r = V.One - p * VExp(-ax * ax);
        return Vector512.CopySign(r, x);
    }

    public static float Softplus(float x) => MathF.Max(x, 0f) + MathF.Log(1f + MathF.Exp(-MathF.Abs(x)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Softplus(V x) => Vector512.Max(x, V.Zero) + VLog(V.One + VExp(-Vector512.Abs(x)));

    /// <summary>tanh(softplus(x)) = n(n+2) / (n(n+2)+2) with n = e^x (mish's gate).</summary>
    public static float TanhSoftplus(float x)
    {
        if (x > 20f) return 1f;
        float n = MathF.Exp(x), t = n * (n + 2f);
        return t / (t + 2f);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]

    public static V TanhSoftplus(V x)
    {
        var n = VExp(Vector512.Min(x, Vector512.Create(20f)));
        var t = n * (n + Vector512.Create(2f));
        return t / (t + Vector512.Create(2f));
    }

    private const float InvSqrt2 = 0.70710678118654752f;
    private const float InvSqrt2Pi = 0.39894228040143268f;

    // ------------------------------------------------------------ forward
    public struct Neg : IUnaryOp { public static float Invoke(float x) => -x; public static V Invoke(V x) => -x; }
    public struct Abs : IUnaryOp { public static float Invoke(float x) => MathF.Abs(x); public static V Invoke(V x) => Vector512.Abs(x); }
    public struct Square : IUnaryOp { public static float Invoke(float x) => x * x; public static V Invoke(V x) => x * x; }
    public struct Sqrt : IUnaryOp { public static float Invoke(float x) => MathF.Sqrt(x); public static V Invoke(V x) => Vector512.Sqrt(x); }
    public struct Exp : IUnaryOp { public static float Invoke(float x) => MathF.Exp(x); public static V Invoke(V x) => VExp(x); }
    public struct Log : IUnaryOp { public static float Invoke(float x) => MathF.Log(x); public static V Invoke(V x) => VLog(x); }
    public struct Relu : IUnaryOp { public static float Invoke(float x) => x > 0f ? x : 0f; public static V Invoke(V x) => Vector512.Max(x, V.Zero); }
    public struct Elu : IUnaryOp
    {
        public static float Invoke(float x) => x > 0f ? x : MathF.Exp(x) - 1f;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V Invoke(V x) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, V.Zero), x, VExp(Vector512.Min(x, V.Zero)) - V.One);
    }
    public struct Sigm : IUnaryOp { public static float Invoke(float x) => Sigmoid(x); public static V Invoke(V x) => Sigmoid(x); }
    public struct Tanh : IUnaryOp
    {
        public static float Invoke(float x) => MathF.Tanh(x);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V Invoke(V x)
        {
            // tanh(x) = sign(x) (1 - e) / (1 + e), e = exp(-2|x|): no overflow, good relative accuracy.
            var e = VExp(Vector512.Create(-2f) * Vector512.Abs(x));
            return Vector512.CopySign((V.One - e) * Reciprocal(V.One + e), x);
        }
    }
    public struct Silu : IUnaryOp { public static float Invoke(float x) => x * Sigmoid(x); public static V Invoke(V x) => x * Sigmoid(x); }
    public struct SoftplusOp : IUnaryOp { public static float Invoke(float x) => Softplus(x); public static V Invoke(V x) => Softplus(x); }
    public struct Mish : IUnaryOp { public static float Invoke(float x) => x * TanhSoftplus(x); public static V Invoke(V x) => x * TanhSoftplus(x); }
    public struct Gelu : IUnaryOp
    {
        public static float Invoke(float x) => 0.5f * x * (1f + Erf(x * InvSqrt2));
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V Invoke(V x) => Vector512.Create(0.5f) * x * (V.One + Erf(x * Vector512.Create(InvSqrt2)));
    }

    // ------------------------------------------------------------ backward: (x, y, g) -> dL/dx
    public struct NegGrad : ITernaryOp { public static float Invoke(float x, float y, float g) => -g; public static V Invoke(V x, V y, V g) => -g; }
    public struct AbsGrad : ITernaryOp
    {
        public static float Invoke(float x, float y, float g) => x > 0f ? g : x < 0f ? -g : 0f;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V Invoke(V x, V y, V g) =>
            Vector512.ConditionalSelect(Vector512.GreaterThan(x, V.Zero), g, Vector512.ConditionalSelect(Vector512.LessThan(x, V.Zero), -g, V.Zero));
    }
    public struct SquareGrad : ITernaryOp { public static float Invoke(float x, float y, float g) => 2f * x * g; public static V Invoke(V x, V y, V g) => Vector512.Create(2f) * x * g; }
    public struct SqrtGrad : ITernaryOp { public static float Invoke(float x, float y, float g) => 0.5f * g / y; public static V Invoke(V x, V y, V g) => Vector512.Create(0.5f) * g / y; }
    public struct ExpGrad : ITernaryOp { public static float Invoke(float x, float y, float g) => g * y; public static V Invoke(V x, V y, V g) => g * y; }
    public struct LogGrad : ITernaryOp { public static float Invoke(float x, float y, float g) => g / x; public static V Invoke(V x, V y, V g) => g / x; }
    public struct ReluGrad : ITernaryOp
    {
        public static float Invoke(float x, float y, float g) => x > 0f ? g : 0f;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V Invoke(V x, V y, V g) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, V.Zero), g, V.Zero);
    }
    public struct EluGrad : ITernaryOp
    {
        public static float Invoke(float x, float y, float g) => x > 0f ? g : g * (y + 1f);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V Invoke(V x, V y, V g) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, V.Zero), g, g * (y + V.One));
    }
    public struct SigmGrad : ITernaryOp { public static float Invoke(float x, float y, float g) => g * y * (1f - y); public static V Invoke(V x, V y, V g) => g * y * (V.One - y); }
    public struct TanhGrad : ITernaryOp { public static float Invoke(float x, float y, float g) => g * (1f - y * y); public static V Invoke(V x, V y, V g) => g * (V.One - y * y); }
    public struct SiluGrad : ITernaryOp
    {
        public static float Invoke(float x, float y, float g) { float s = Sigmoid(x); return g * s * (1f + x * (1f - s)); }
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V Invoke(V x, V y, V g) { var s = Sigmoid(x); return g * s * (V.One + x * (V.One - s)); }
    }
    public struct SoftplusGrad : ITernaryOp { public static float Invoke(float x, float y, float g) => g * Sigmoid(x); public static V Invoke(V x, V y, V g) => g * Sigmoid(x); }
    public struct MishGrad : ITernaryOp
    {
        public static float Invoke(float x, float y, float g)
        {
            float t = TanhSoftplus(x);
            return g * (t + x * Sigmoid(x) * (1f - t * t));
        }
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V Invoke(V x, V y, V g)
        {
            var t = TanhSoftplus(x);
            return g * (t + x * Sigmoid(x) * (V.One - t * t));
        }
    }
    public struct GeluGrad : ITernaryOp
    {
        public static float Invoke(float x, float y, float g) =>
            g * (0.5f * (1f + Erf(x * InvSqrt2)) + x * InvSqrt2Pi * MathF.Exp(-0.5f * x * x));
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V Invoke(V x, V y, V g) =>
            g * (Vector512.Create(0.5f) * (V.One + Erf(x * Vector512.Create(InvSqrt2)))
                 + x * Vector512.Create(InvSqrt2Pi) * VExp(Vector512.Create(-0.5f) * x * x));
    }

    // ------------------------------------------------------------ binary forward
    public struct Add : IBinaryOp { public static float Invoke(float a, float b) => a + b; public static V Invoke(V a, V b) => a + b; }
    public struct Sub : IBinaryOp { public static float Invoke(float a, float b) => a - b; public static V Invoke(V a, V b) => a - b; }
    public struct Mul : IBinaryOp { public static float Invoke(float a, float b) => a * b; public static V Invoke(V a, V b) => a * b; }
    public struct Div : IBinaryOp { public static float Invoke(float a, float b) => a / b; public static V Invoke(V a, V b) => a / b; }
    public struct Max : IBinaryOp { public static float Invoke(float a, float b) => MathF.Max(a, b); public static V Invoke(V a, V b) => Vector512.Max(a, b); }
    public struct Min : IBinaryOp { public static float Invoke(float a, float b) => MathF.Min(a, b); public static V Invoke(V a, V b) => Vector512.Min(a, b); }
    public struct Pow : IBinaryOp
    {
        public static float Invoke(float a, float b) => MathF.Pow(a, b);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V Invoke(V a, V b)
        {
            // Vectorized only where a > 0 (exp(b log a)); other lanes fall back to scalar Pow.
            if (Vector512.GreaterThanAll(a, V.Zero)) return VExp(b * VLog(a));
            Span<float> r = stackalloc float[16];
            for (int i = 0; i < 16; i++) r[i] = MathF.Pow(a.GetElement(i), b.GetElement(i));
            return Vector512.Create((ReadOnlySpan<float>)r);
        }
    }
}
#pragma warning restore CS1591

// Elementwise unary ops and activations: forward through Simd.Map, backward through Simd.Accumulate.
using System.Numerics.Tensors;
using Reverie.Tensors.Kernels;

namespace Reverie.Tensors;

public sealed partial class Tensor
{
    private static Tensor Unary<TF, TB>(Tensor x, string op) where TF : IUnaryOp where TB : ITernaryOp
    {
        var y = Empty(x.Shape);
        Simd.Map<TF>(x.Span, y.Span);
        if (DebugChecks) CheckFinite(y, op, x);
        if (NeedsGrad(x))
            Record(y, op, [x], g =>
            {
                var gx = x.GradDest(out float beta);
                if (beta == 0f) Simd.Map<TB>(x.Span, y.Span, g.Span, gx);
                else Simd.Accumulate<TB>(x.Span, y.Span, g.Span, gx);
            });
        return y;
    }

    /// <summary>-x.</summary>
    public Tensor Neg() => Unary<Ew.Neg, Ew.NegGrad>(this, "neg");
    /// <summary>|x| (gradient 0 at 0).</summary>
    public Tensor Abs() => Unary<Ew.Abs, Ew.AbsGrad>(this, "abs");
    /// <summary>x².</summary>
    public Tensor Square() => Unary<Ew.Square, Ew.SquareGrad>(this, "square");
    /// <summary>√x.</summary>
    public Tensor Sqrt() { CheckDomain(this, "sqrt", allowZero: true); return Unary<Ew.Sqrt, Ew.SqrtGrad>(this, "sqrt"); }
    /// <summary>eˣ.</summary>
    public Tensor Exp() => Unary<Ew.Exp, Ew.ExpGrad>(this, "exp");
    /// <summary>Natural log. With <see cref="DebugChecks"/> on, a non-positive input throws.</summary>
    public Tensor Log() { CheckDomain(this, "log", allowZero: false); return Unary<Ew.Log, Ew.LogGrad>(this, "log"); }
    /// <summary>max(x, 0).</summary>
    public Tensor Relu() => Unary<Ew.Relu, Ew.ReluGrad>(this, "relu");
    /// <summary>ELU with α = 1.</summary>
    public Tensor Elu() => Unary<Ew.Elu, Ew.EluGrad>(this, "elu");
    /// <summary>Logistic sigmoid.</summary>
    public Tensor Sigmoid() => Unary<Ew.Sigm, Ew.SigmGrad>(this, "sigmoid");
    /// <summary>Hyperbolic tangent.</summary>
    public Tensor Tanh() => Unary<Ew.Tanh, Ew.TanhGrad>(this, "tanh");
    /// <summary>x·σ(x) (a.k.a. swish).</summary>
    public Tensor Silu() => Unary<Ew.Silu, Ew.SiluGrad>(this, "silu");
    /// <summary>log(1 + eˣ), computed stably.</summary>
    public Tensor Softplus() => Unary<Ew.SoftplusOp, Ew.SoftplusGrad>(this, "softplus");
    /// <summary>x·tanh(softplus(x)).</summary>
    public Tensor Mish() => Unary<Ew.Mish, Ew.MishGrad>(this, "mish");
    /// <summary>GELU, exact (erf) form as PyTorch's default.</summary>
    public Tensor Gelu() => Unary<Ew.Gelu, Ew.GeluGrad>(this, "gelu");

    /// <summary>Applies an activation by name: none, relu, elu, silu, mish, gelu, tanh, sigmoid, softplus.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public Tensor Activation(string name) => name switch
    {
        "none" or "" or "identity" => this,
        "relu" => Relu(),
        "elu" => Elu(),
        "silu" or "swish" => Silu(),
        "mish" => Mish(),
        "gelu" => Gelu(),
        "tanh" => Tanh(),
        "sigmoid" => Sigmoid(),
        "softplus" => Softplus(),
        _ => throw new ArgumentException($"unknown activation '{name}'; expected one of none, relu, elu, silu, mish, gelu, tanh, sigmoid, softplus"),
    };

    /// <summary>x · s for a constant s.</summary>
    public Tensor Mul(float s)
    {
        var y = Empty(Shape);
        TensorPrimitives.Multiply(Span, s, y.Span);
        var x = this;
        if (NeedsGrad(x))
            Record(y, "mul_scalar", [x], g =>
            {
                var gx = x.GradSpan();
                TensorPrimitives.MultiplyAdd(g.Span, s, gx, gx);
            });
        return y;
    }

    /// <summary>x + s for a constant s.</summary>
    public Tensor Add(float s)
    {
        var y = Empty(Shape);
        TensorPrimitives.Add(Span, s, y.Span);
        var x = this;
        if (NeedsGrad(x)) Record(y, "add_scalar", [x], g => x.AccumulateGrad(g.Span));
        return y;
    }

    /// <summary>xᵖ for a constant exponent p.</summary>
    public Tensor Pow(float p)
    {
        if (p == 2f) return Square();
        if (p == 1f) return Mul(1f);
        var x = this;
        if (p != MathF.Round(p) || p < 0) CheckDomain(x, "pow", allowZero: p > 0);
        var y = Empty(Shape);
        var xs = x.Span; var ys = y.Span;
        for (int i = 0; i < xs.Length; i++) ys[i] = MathF.Pow(xs[i], p);
        if (DebugChecks) CheckFinite(y, "pow", x);
        if (NeedsGrad(x))
            Record(y, "pow_scalar", [x], g =>
            {
                var gx = x.GradSpan(); var gs = g.Span; var xv = x.Span;
                for (int i = 0; i < gx.Length; i++) gx[i] += gs[i] * p * MathF.Pow(xv[i], p - 1f);
            });
        return y;
    }

    /// <summary>Clamps to [min, max]; the gradient passes where the input was inside the range (inclusive).</summary>
    public Tensor Clamp(float min = float.NegativeInfinity, float max = float.PositiveInfinity)
    {
        if (min > max) throw new ArgumentException($"clamp: min {min} is greater than max {max}");
        var x = this;
        var y = Empty(Shape);
        TensorPrimitives.Clamp(x.Span, min, max, y.Span);
        if (NeedsGrad(x))
            Record(y, "clamp", [x], g =>
            {
                var gx = x.GradSpan(); var gs = g.Span; var xv = x.Span;
                for (int i = 0; i < gx.Length; i++) if (xv[i] >= min && xv[i] <= max) gx[i] += gs[i];
            });
        return y;
    }

    /// <summary>
    /// The identity in the forward pass with no gradient (stop-gradient, <c>sg(x)</c> in papers).
    /// Same as <see cref="Detach"/>.
    /// </summary>
    public Tensor StopGradient() => Detach();

    /// <summary>
    /// Straight-through estimator: forward value of <paramref name="hard"/>, gradient of <paramref name="soft"/>
    /// (computes soft + sg(hard - soft)).
    /// </summary>
    public static Tensor StraightThrough(Tensor hard, Tensor soft)
    {
        if (hard.Shape != soft.Shape)
            throw new ArgumentException($"straight_through: hard {hard.Shape} and soft {soft.Shape} must have the same shape");
        var y = Empty(soft.Shape);
        hard.Span.CopyTo(y.Span);
        if (NeedsGrad(soft)) Record(y, "straight_through", [soft], g => soft.AccumulateGrad(g.Span));
        return y;
    }
}

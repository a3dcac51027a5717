// Symlog and symexp: the squashing pair of DreamerV3 and TD-MPC2, as fused differentiable ops and as scalars.
namespace Reverie.Tensors.Dist;

/// <summary>
/// symlog(x) = sign(x)·ln(1 + |x|) and its inverse symexp(x) = sign(x)·(e^|x| − 1), as in DreamerV3.
/// Both are computed through log1p/expm1 in double precision, so they are accurate near 0 and
/// symexp(symlog(x)) round-trips to within float rounding.
/// </summary>
public static class Squash
{
    /// <summary>symlog(x) = sign(x)·ln(1 + |x|) elementwise; gradient 1 / (1 + |x|).</summary>
    public static Tensor SymLog(this Tensor x)
    {
        var y = Tensor.Empty(x.Shape);
        var xs = x.Span; var ys = y.Span;
        for (int i = 0; i < xs.Length; i++) ys[i] = SymLog(xs[i]);
        if (Tensor.DebugChecks) Tensor.CheckFinite(y, "symlog", x);
        if (Tensor.NeedsGrad(x))
            Tensor.Record(y, "symlog", [x], g =>
            {
                if (!x.RequiresGrad) return;
                var gx = x.GradSpan(); var gs = g.Span; var xv = x.Span;
                for (int i = 0; i < gx.Length; i++) gx[i] += gs[i] / (1f + MathF.Abs(xv[i]));
            });
        return y;
    }

    /// <summary>symexp(x) = sign(x)·(e^|x| − 1) elementwise; gradient e^|x|. Overflows to ±∞ past |x| ≈ 88.7.</summary>
    public static Tensor SymExp(this Tensor x)
    {
        var y = Tensor.Empty(x.Shape);
        var xs = x.Span; var ys = y.Span;
        for (int i = 0; i < xs.Length; i++) ys[i] = SymExp(xs[i]);
        if (Tensor.DebugChecks) Tensor.CheckFinite(y, "symexp", x);
        if (Tensor.NeedsGrad(x))
            Tensor.Record(y, "symexp", [x], g =>
            {
                if (!x.RequiresGrad) return;
                var gx = x.GradSpan(); var gs = g.Span; var xv = x.Span;
                for (int i = 0; i < gx.Length; i++) gx[i] += gs[i] * MathF.Exp(MathF.Abs(xv[i]));
            });
        return y;
    }

    /// <summary>symlog of one value.</summary>
    public static float SymLog(float x) => x == 0 ? x : (float)(x > 0 ? Log1P(x) : -Log1P(-(double)x));

    /// <summary>symexp of one value.</summary>
    public static float SymExp(float x) => x == 0 ? x : (float)(x > 0 ? ExpM1(x) : -ExpM1(-(double)x));

    // log(1 + x) and e^x − 1 without cancellation near 0 (Goldberg's / Kahan's tricks).
    private static double Log1P(double x)
    {
        double u = 1.0 + x;
        return u == 1.0 ? x : Math.Log(u) * x / (u - 1.0);
    }

    private static double ExpM1(double x)
    {
        double u = Math.Exp(x);
        if (u == 1.0) return x;
        double um1 = u - 1.0;
        if (um1 == -1.0) return -1.0;
        if (double.IsPositiveInfinity(u)) return u;
        return um1 * x / Math.Log(u);
    }
}

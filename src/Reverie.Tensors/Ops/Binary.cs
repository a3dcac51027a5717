// Broadcasting binary ops (add, sub, mul, div, pow, minimum, maximum), where, and operators.
using Reverie.Tensors.Kernels;

namespace Reverie.Tensors;

public sealed partial class Tensor
{
    private static Tensor BinaryForward<TOp>(Tensor a, Tensor b, string op) where TOp : IBinaryOp
    {
        var o = BroadcastPlan.OutShape(a.Shape, b.Shape, op);
        var y = Empty(o);
        BroadcastKernels.Map<TOp>(a.Span, a.Shape, b.Span, b.Shape, y.Span, o);
        if (DebugChecks) CheckFinite(y, op, a, b);
        return y;
    }

    /// <summary>Adds <paramref name="g"/> (the output's shape) into x's gradient, summing broadcast axes.</summary>
    private static void SendGrad(Tensor x, Tensor g)
    {
        if (!x.RequiresGrad) return;
        if (x.Shape == g.Shape) x.AccumulateGrad(g.Span);
        else BroadcastKernels.SumTo(g.Span, g.Shape, x.GradSpan(), x.Shape);
    }

    /// <summary>a + b with broadcasting.</summary>
    public static Tensor Add(Tensor a, Tensor b)
    {
        var y = BinaryForward<Ew.Add>(a, b, "add");
        if (NeedsGrad(a, b)) Record(y, "add", [a, b], g => { SendGrad(a, g); SendGrad(b, g); });
        return y;
    }

    /// <summary>a - b with broadcasting.</summary>
    public static Tensor Sub(Tensor a, Tensor b)
    {
        var y = BinaryForward<Ew.Sub>(a, b, "sub");
        if (NeedsGrad(a, b)) Record(y, "sub", [a, b], g => { SendGrad(a, g); if (b.RequiresGrad) SendGrad(b, g.Neg()); });
        return y;
    }

    /// <summary>a * b (elementwise) with broadcasting.</summary>
    public static Tensor Mul(Tensor a, Tensor b)
    {
        var y = BinaryForward<Ew.Mul>(a, b, "mul");
        if (NeedsGrad(a, b))
            Record(y, "mul", [a, b], g =>
            {
                if (a.RequiresGrad) SendGrad(a, BinaryForward<Ew.Mul>(g, b, "mul"));
                if (b.RequiresGrad) SendGrad(b, BinaryForward<Ew.Mul>(g, a, "mul"));
            });
        return y;
    }

    /// <summary>a / b with broadcasting.</summary>
    public static Tensor Div(Tensor a, Tensor b)
    {
        var y = BinaryForward<Ew.Div>(a, b, "div");
        if (NeedsGrad(a, b))
            Record(y, "div", [a, b], g =>
            {
                if (a.RequiresGrad) SendGrad(a, BinaryForward<Ew.Div>(g, b, "div"));
                // d(a/b)/db = -y / b
                if (b.RequiresGrad) SendGrad(b, BinaryForward<Ew.Div>(BinaryForward<Ew.Mul>(g, y, "div"), b, "div").Neg());
            });
        return y;
    }

    /// <summary>aᵇ elementwise with broadcasting (the gradient for b needs a &gt; 0).</summary>
    public static Tensor Pow(Tensor a, Tensor b)
    {
        var y = BinaryForward<Ew.Pow>(a, b, "pow");
        if (NeedsGrad(a, b))
            Record(y, "pow", [a, b], g =>
            {
                // da = g * b * a^(b-1) ; db = g * y * log(a)
                if (a.RequiresGrad)
                {
                    var bm1 = b.Add(-1f);
                    SendGrad(a, Mul(Mul(g, b), BinaryForward<Ew.Pow>(a, bm1, "pow")));
                }
                if (b.RequiresGrad) SendGrad(b, Mul(Mul(g, y), a.Log()));
            });
        return y;
    }

    /// <summary>max(a, b) elementwise; the gradient goes to a where a ≥ b, else to b.</summary>
    public static Tensor Maximum(Tensor a, Tensor b) => MinMax<Ew.Max>(a, b, "maximum");

    /// <summary>min(a, b) elementwise; the gradient goes to a where a ≤ b, else to b.</summary>
    public static Tensor Minimum(Tensor a, Tensor b) => MinMax<Ew.Min>(a, b, "minimum");

    private static Tensor MinMax<TOp>(Tensor a, Tensor b, string op) where TOp : IBinaryOp
    {
        var y = BinaryForward<TOp>(a, b, op);
        if (NeedsGrad(a, b))
            Record(y, op, [a, b], g =>
            {
                // mask = 1 where a wins (a broadcast to y's shape equals y)
                var ab = BinaryForward<Ew.Add>(a, Zeros(y.Shape), op);
                var mask = Empty(y.Shape);
                var ms = mask.Span; var av = ab.Span; var yv = y.Span;
                for (int i = 0; i < ms.Length; i++) ms[i] = av[i] == yv[i] ? 1f : 0f;
                if (a.RequiresGrad) SendGrad(a, Mul(g, mask));
                if (b.RequiresGrad) SendGrad(b, Mul(g, mask.Neg().Add(1f)));
            });
        return y;
    }

    /// <summary>
    /// where(cond, a, b): a where cond is non-zero, else b. All three broadcast together; cond carries
    /// no gradient.
    /// </summary>
    public static Tensor Where(Tensor cond, Tensor a, Tensor b)
    {
        // y = b + cond01 * (a - b), with cond01 ∈ {0, 1}; computed exactly by selection below.
        var o = BroadcastPlan.OutShape(BroadcastPlan.OutShape(cond.Shape, a.Shape, "where"), b.Shape, "where");
        Tensor c01, ab, bb;
        using (NoGrad())
        {
            c01 = Empty(cond.Shape);
            var cs = cond.Span; var c1 = c01.Span;
            for (int i = 0; i < cs.Length; i++) c1[i] = cs[i] != 0f ? 1f : 0f;
            c01 = BinaryForward<Ew.Add>(c01, Zeros(o), "where");
            ab = BinaryForward<Ew.Add>(a, Zeros(o), "where");
            bb = BinaryForward<Ew.Add>(b, Zeros(o), "where");
        }
        var y = Empty(o);
        var ys = y.Span; var m = c01.Span; var av = ab.Span; var bv = bb.Span;
        for (int i = 0; i < ys.Length; i++) ys[i] = m[i] != 0f ? av[i] : bv[i];
        if (NeedsGrad(a, b))
            Record(y, "where", [a, b], g =>
            {
                if (a.RequiresGrad) SendGrad(a, Mul(g, c01));
                if (b.RequiresGrad) SendGrad(b, Mul(g, c01.Neg().Add(1f)));
            });
        return y;
    }

    public static Tensor operator +(Tensor a, Tensor b) => Add(a, b);
    public static Tensor operator -(Tensor a, Tensor b) => Sub(a, b);
    public static Tensor operator *(Tensor a, Tensor b) => Mul(a, b);
    public static Tensor operator /(Tensor a, Tensor b) => Div(a, b);
    public static Tensor operator -(Tensor a) => a.Neg();
    public static Tensor operator +(Tensor a, float s) => a.Add(s);
    public static Tensor operator +(float s, Tensor a) => a.Add(s);
    public static Tensor operator -(Tensor a, float s) => a.Add(-s);
    public static Tensor operator -(float s, Tensor a) => a.Neg().Add(s);
    public static Tensor operator *(Tensor a, float s) => a.Mul(s);
    public static Tensor operator *(float s, Tensor a) => a.Mul(s);
    public static Tensor operator /(Tensor a, float s) => a.Mul(1f / s);
    public static Tensor operator /(float s, Tensor a) => Div(Full(a.Shape, s), a);
}

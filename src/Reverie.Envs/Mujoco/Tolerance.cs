// Tolerance: dm_control's shaped reward primitive — 1 inside the bounds, falling off outside by a chosen sigmoid.
namespace Reverie.Envs.Mujoco;

/// <summary>Shapes of the fall-off outside the bounds (dm_control's <c>sigmoid</c> names).</summary>
public enum Sigmoid
{
    /// <summary>exp(−½(d·k)²), k = √(−2 ln v).</summary>
    Gaussian,
    /// <summary>1/cosh(d·k), k = arccosh(1/v).</summary>
    Hyperbolic,
    /// <summary>1/((d·k)² + 1), k = √(1/v − 1).</summary>
    LongTail,
    /// <summary>1/(|d|·k + 1), k = 1/v − 1.</summary>
    Reciprocal,
    /// <summary>(1 + cos(π·d·k))/2 while |d·k| &lt; 1, else 0; k = arccos(2v − 1)/π.</summary>
    Cosine,
    /// <summary>1 − d·k while |d·k| &lt; 1, else 0; k = 1 − v.</summary>
    Linear,
    /// <summary>1 − (d·k)² while |d·k| &lt; 1, else 0; k = √(1 − v).</summary>
    Quadratic,
    /// <summary>1 − tanh²(d·k), k = arctanh(√(1 − v)).</summary>
    TanhSquared,
}

/// <summary>The reward shaping of the DeepMind Control Suite (<c>rewards.tolerance</c>).</summary>
public static class Tolerance
{
    /// <summary>
    /// 1 when <paramref name="lower"/> ≤ x ≤ <paramref name="upper"/>. Outside, with
    /// <paramref name="margin"/> 0: 0; with a positive margin: s(d), where d is the distance to the
    /// nearer bound divided by the margin and s is the <paramref name="sigmoid"/> scaled so that
    /// s(0) = 1 and s(1) = <paramref name="valueAtMargin"/>. Bounds may be infinite.
    /// </summary>
    /// <exception cref="ArgumentException">lower &gt; upper, a negative or NaN margin, or a value at the margin outside (0, 1) — [0, 1) for cosine, linear and quadratic.</exception>
    public static double Value(double x, double lower = 0, double upper = 0, double margin = 0,
        Sigmoid sigmoid = Sigmoid.Gaussian, double valueAtMargin = 0.1)
    {
        if (!(lower <= upper)) throw new ArgumentException($"Tolerance: lower bound {lower} is greater than upper bound {upper}");
        if (!(margin >= 0)) throw new ArgumentException($"Tolerance: margin must be >= 0, got {margin}");
        CheckValueAtMargin(sigmoid, valueAtMargin);
        if (x >= lower && x <= upper) return 1;
        if (margin == 0) return 0;
        double d = (x < lower ? lower - x : x - upper) / margin;
        return Shape(d, valueAtMargin, sigmoid);
    }

    /// <summary>The sigmoid itself: s(0) = 1, s(1) = <paramref name="valueAtMargin"/> (d ≥ 0 in use; symmetric in d).</summary>
    /// <exception cref="ArgumentException">The value at the margin is out of range for the shape.</exception>
    public static double Shape(double d, double valueAtMargin, Sigmoid sigmoid)
    {
        CheckValueAtMargin(sigmoid, valueAtMargin);
        double v = valueAtMargin;
        switch (sigmoid)
        {
            case Sigmoid.Gaussian:
                { double s = d * Math.Sqrt(-2 * Math.Log(v)); return Math.Exp(-0.5 * s * s); }
            case Sigmoid.Hyperbolic:
                return 1 / Math.Cosh(d * Math.Acosh(1 / v));
            case Sigmoid.LongTail:
                { double s = d * Math.Sqrt(1 / v - 1); return 1 / (s * s + 1); }
            case Sigmoid.Reciprocal:
                return 1 / (Math.Abs(d) * (1 / v - 1) + 1);
            case Sigmoid.Cosine:
                { double s = d * Math.Acos(2 * v - 1) / Math.PI; return Math.Abs(s) < 1 ? (1 + Math.Cos(Math.PI * s)) / 2 : 0; }
            case Sigmoid.Linear:
                { double s = d * (1 - v); return Math.Abs(s) < 1 ? 1 - s : 0; }
            case Sigmoid.Quadratic:
                { double s = d * Math.Sqrt(1 - v); return Math.Abs(s) < 1 ? 1 - s * s : 0; }
            case Sigmoid.TanhSquared:
                { double t = Math.Tanh(d * Math.Atanh(Math.Sqrt(1 - v))); return 1 - t * t; }
            default:
                throw new ArgumentException($"Tolerance: unknown sigmoid {sigmoid}");
        }
    }

    private static void CheckValueAtMargin(Sigmoid sigmoid, double v)
    {
        bool zeroOk = sigmoid is Sigmoid.Cosine or Sigmoid.Linear or Sigmoid.Quadratic;
        if (zeroOk ? !(v >= 0 && v < 1) : !(v > 0 && v < 1))
            throw new ArgumentException($"Tolerance: valueAtMargin must be in {(zeroOk ? "[0, 1)" : "(0, 1)")} for the {sigmoid} sigmoid, got {v}");
    }
}

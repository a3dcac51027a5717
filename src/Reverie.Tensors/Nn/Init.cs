// Init: parameter initializers (PyTorch's and DreamerV3's), each drawing from an explicit Rng.
namespace Reverie.Tensors.Nn;

/// <summary>Which fan scales a fan-based initializer: fan-in, fan-out or their average.</summary>
public enum FanMode
{
    /// <summary>The number of inputs of one output unit.</summary>
    In,
    /// <summary>The number of outputs one input unit feeds.</summary>
    Out,
    /// <summary>(fan-in + fan-out) / 2.</summary>
    Avg,
}

/// <summary>
/// Initializers that fill a tensor in place (outside autograd). Every random one takes an explicit
/// <see cref="Rng"/> and draws its values in row-major order, so a seeded model is bit-for-bit
/// repeatable. Fans follow PyTorch for a weight stored (out, in, *kernel): fan-in = in·∏kernel,
/// fan-out = out·∏kernel (see <see cref="Fans"/>).
/// </summary>
public static class Init
{
    /// <summary>
    /// Standard deviation of a standard normal truncated to [−2, 2]; dividing by it gives a
    /// truncated normal of unit variance (DreamerV3 multiplies by 1.1368 ≈ 1 / 0.87962566).
    /// </summary>
    public const float TruncNormalStd = 0.87962566f;

    /// <summary>The scheme names <see cref="Apply"/> accepts.</summary>
    public static IReadOnlyList<string> Schemes { get; } =
        ["torch", "xavier_uniform", "xavier_normal", "trunc_normal", "trunc_normal_in", "trunc_normal_out", "trunc_normal_avg", "zeros"];

    /// <summary>(fan-in, fan-out) of a weight stored (out, in, *kernel), as PyTorch computes them.</summary>
    /// <exception cref="ArgumentException">The shape has fewer than 2 dimensions.</exception>
    public static (int FanIn, int FanOut) Fans(Shape shape)
    {
        if (shape.Rank < 2)
            throw new ArgumentException($"init: fans need a weight of rank >= 2 (out, in, ...), got {shape}; pass the fans explicitly");
        int receptive = shape.Prod(2, shape.Rank);
        return (shape[1] * receptive, shape[0] * receptive);
    }

    private static float Fan(int fanIn, int fanOut, FanMode mode) => mode switch
    {
        FanMode.In => fanIn,
        FanMode.Out => fanOut,
        _ => (fanIn + fanOut) / 2f,
    };

    /// <summary>Fills with zeros.</summary>
    public static void Zeros(Tensor t) => t.Span.Clear();

    /// <summary>Fills with <paramref name="value"/>.</summary>
    public static void Constant(Tensor t, float value) => t.Span.Fill(value);

    /// <summary>Uniform samples in [low, high).</summary>
    /// <exception cref="ArgumentException">low &gt; high or a bound is not finite.</exception>
    public static void Uniform(Tensor t, Rng rng, float low, float high)
    {
        if (!float.IsFinite(low) || !float.IsFinite(high) || low > high)
            throw new ArgumentException($"init.uniform: need finite low <= high, got [{low}, {high}) for {t.Shape}");
        rng.FillUniform(t.Span, low, high);
    }

    /// <summary>Normal samples with the given mean and standard deviation.</summary>
    /// <exception cref="ArgumentException">std is negative or not finite.</exception>
    public static void Normal(Tensor t, Rng rng, float mean = 0f, float std = 1f)
    {
        if (!(std >= 0f) || !float.IsFinite(std)) throw new ArgumentException($"init.normal: std must be finite and >= 0, got {std}");
        var s = t.Span;
        for (int i = 0; i < s.Length; i++) s[i] = mean + std * rng.Normal();
    }

    /// <summary>
    /// Normal samples N(mean, std²) restricted to [low, high] by resampling every value that falls
    /// outside (the bounds are absolute values, default mean ∓ 2·std, as PyTorch's <c>trunc_normal_</c>
    /// with a = −2std, b = 2std). The result's standard deviation is smaller than std (0.8796·std
    /// for the default bounds).
    /// </summary>
    /// <exception cref="ArgumentException">std is negative or not finite, or low ≥ high.</exception>
    /// <exception cref="InvalidOperationException">The bounds are so far from the mean that 10,000 draws in a row fell outside.</exception>
    public static void TruncatedNormal(Tensor t, Rng rng, float std = 1f, float mean = 0f, float? low = null, float? high = null)
    {
        if (!(std >= 0f) || !float.IsFinite(std)) throw new ArgumentException($"init.trunc_normal: std must be finite and >= 0, got {std}");
        float lo = low ?? mean - 2f * std, hi = high ?? mean + 2f * std;
        if (!(lo < hi) && !(std == 0f && lo == hi))
            throw new ArgumentException($"init.trunc_normal: need low < high, got [{lo}, {hi}]");
        var s = t.Span;
        for (int i = 0; i < s.Length; i++)
        {
            float v;
            int tries = 0;
            do
            {
                if (++tries > 10_000)
                    throw new InvalidOperationException($"init.trunc_normal: bounds [{lo}, {hi}] are too far from N({mean}, {std}²) to sample by resampling");
                v = mean + std * rng.Normal();
            }
            while (v < lo || v > hi);
            s[i] = v;
        }
    }

    /// <summary>Glorot/Xavier uniform: U(−b, b) with b = gain·√(6 / (fan-in + fan-out)).</summary>
    public static void XavierUniform(Tensor t, Rng rng, float gain = 1f, (int FanIn, int FanOut)? fans = null)
    {
        var (fi, fo) = fans ?? Fans(t.Shape);
        float b = gain * MathF.Sqrt(6f / Math.Max(fi + fo, 1));
        rng.FillUniform(t.Span, -b, b);
    }

    /// <summary>Glorot/Xavier normal: N(0, σ²) with σ = gain·√(2 / (fan-in + fan-out)).</summary>
    public static void XavierNormal(Tensor t, Rng rng, float gain = 1f, (int FanIn, int FanOut)? fans = null)
    {
        var (fi, fo) = fans ?? Fans(t.Shape);
        Normal(t, rng, 0f, gain * MathF.Sqrt(2f / Math.Max(fi + fo, 1)));
    }

    /// <summary>
    /// PyTorch's default for <c>nn.Linear</c> (and the conv layers) weight and bias:
    /// U(−1/√fan-in, 1/√fan-in), i.e. <c>kaiming_uniform_(a=√5)</c>. For a bias, pass the weight's
    /// fan-in; by default it is computed from this tensor's shape.
    /// </summary>
    public static void KaimingUniform(Tensor t, Rng rng, int? fanIn = null)
    {
        int fi = fanIn ?? Fans(t.Shape).FanIn;
        float b = fi > 0 ? 1f / MathF.Sqrt(fi) : 0f;
        rng.FillUniform(t.Span, -b, b);
    }

    /// <summary>
    /// DreamerV3's <c>trunc_normal</c> initializer: a standard normal truncated to [−2, 2], divided
    /// by its own standard deviation (<see cref="TruncNormalStd"/>) and scaled by
    /// scale·√(1 / fan), so the values have standard deviation scale/√fan and lie within
    /// ±2·scale/(0.8796·√fan).
    /// </summary>
    public static void TruncNormalFan(Tensor t, Rng rng, FanMode mode, float scale = 1f, (int FanIn, int FanOut)? fans = null)
    {
        var (fi, fo) = fans ?? Fans(t.Shape);
        float fan = Math.Max(Fan(fi, fo, mode), 1f);
        TruncatedNormal(t, rng, 1f, 0f, -2f, 2f);
        var s = t.Span;
        float k = scale * MathF.Sqrt(1f / fan) / TruncNormalStd;
        for (int i = 0; i < s.Length; i++) s[i] *= k;
    }

    /// <summary>DreamerV3's <c>trunc_normal_avg</c>: <see cref="TruncNormalFan"/> with the average of fan-in and fan-out.</summary>
    public static void TruncNormalFanAvg(Tensor t, Rng rng, float scale = 1f, (int FanIn, int FanOut)? fans = null) =>
        TruncNormalFan(t, rng, FanMode.Avg, scale, fans);

    /// <summary>
    /// Initializes a layer's weight and bias by scheme name (the names config files use):
    /// <c>torch</c> — weight and bias U(±1/√fan-in) as PyTorch's nn.Linear;
    /// <c>xavier_uniform</c>, <c>xavier_normal</c> — weight as named, bias zeros;
    /// <c>trunc_normal</c> (= <c>trunc_normal_in</c>), <c>trunc_normal_out</c>, <c>trunc_normal_avg</c> —
    /// DreamerV3's truncated normal with that fan, bias zeros; <c>zeros</c> — both zeros.
    /// The weight (not the bias) is then multiplied by <paramref name="scale"/> (DreamerV3's outscale).
    /// The weight is drawn before the bias.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown scheme name.</exception>
    public static void Apply(string scheme, Tensor weight, Tensor? bias, int fanIn, int fanOut, Rng rng, float scale = 1f)
    {
        var fans = (fanIn, fanOut);
        switch (scheme)
        {
            case "torch": KaimingUniform(weight, rng, fanIn); break;
            case "xavier_uniform": XavierUniform(weight, rng, 1f, fans); break;
            case "xavier_normal": XavierNormal(weight, rng, 1f, fans); break;
            case "trunc_normal" or "trunc_normal_in": TruncNormalFan(weight, rng, FanMode.In, 1f, fans); break;
            case "trunc_normal_out": TruncNormalFan(weight, rng, FanMode.Out, 1f, fans); break;
            case "trunc_normal_avg": TruncNormalFan(weight, rng, FanMode.Avg, 1f, fans); break;
            case "zeros": Zeros(weight); break;
            default: throw new ArgumentException($"init: unknown scheme '{scheme}'; expected one of {string.Join(", ", Schemes)}");
        }
        if (scale != 1f)
        {
            var s = weight.Span;
            for (int i = 0; i < s.Length; i++) s[i] *= scale;
        }
        if (bias is null) return;
        if (scheme == "torch") KaimingUniform(bias, rng, fanIn);
        else Zeros(bias);
    }

    /// <summary>Throws unless <paramref name="scheme"/> is one of <see cref="Schemes"/>.</summary>
    internal static void CheckScheme(string scheme, string owner)
    {
        if (!Schemes.Contains(scheme))
            throw new ArgumentException($"{owner}: unknown init scheme '{scheme}'; expected one of {string.Join(", ", Schemes)}");
    }
}

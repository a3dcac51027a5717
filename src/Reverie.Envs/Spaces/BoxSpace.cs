// BoxSpace: a shaped array with per-element bounds, float32 (states, actions) or uint8 (images).
namespace Reverie.Envs;

/// <summary>Element type of an observation entry.</summary>
public enum DType
{
    /// <summary>32-bit float; the entry is a <c>float[]</c>.</summary>
    Float32,
    /// <summary>Unsigned byte; the entry is a <c>byte[]</c> (images, height x width x channels).</summary>
    UInt8,
}

/// <summary>
/// A shaped array with inclusive per-element bounds, as Gymnasium's <c>Box</c>. Elements are stored
/// row-major; images are (height, width, channels) of <see cref="DType.UInt8"/>. Bounds may be
/// infinite. Immutable.
/// </summary>
public sealed class BoxSpace : Space
{
    private readonly float[] _low, _high;
    private readonly int[] _shape;

    /// <summary>A box whose every element lies in [<paramref name="low"/>, <paramref name="high"/>].</summary>
    /// <exception cref="ArgumentException">The shape is empty or has a non-positive dimension, or low &gt; high.</exception>
    public BoxSpace(float low, float high, params int[] shape)
        : this(Fill(low, shape), Fill(high, shape), shape, DType.Float32) { }

    /// <summary>A vector box with per-element bounds; the shape is (low.Length,).</summary>
    /// <exception cref="ArgumentException">The bounds differ in length, are empty, are NaN or low &gt; high.</exception>
    public BoxSpace(float[] low, float[] high) : this(low, high, [low.Length], DType.Float32) { }

    /// <summary>A box with explicit per-element bounds, shape and element type.</summary>
    /// <exception cref="ArgumentException">The shape does not match the bounds, or a bound is NaN or low &gt; high.</exception>
    public BoxSpace(float[] low, float[] high, int[] shape, DType dtype)
    {
        if (shape.Length == 0 || shape.Any(d => d < 1))
            throw new ArgumentException($"Box shape must have positive dimensions, got ({string.Join(", ", shape)})");
        int size = 1;
        foreach (int d in shape) size = checked(size * d);
        if (low.Length != size || high.Length != size)
            throw new ArgumentException($"Box of shape ({string.Join(", ", shape)}) needs {size} bounds, got low {low.Length} and high {high.Length}");
        for (int i = 0; i < size; i++)
            if (float.IsNaN(low[i]) || float.IsNaN(high[i]) || low[i] > high[i])
                throw new ArgumentException($"Box bound {i} is invalid: low {low[i]}, high {high[i]}");
        _low = (float[])low.Clone(); _high = (float[])high.Clone(); _shape = (int[])shape.Clone();
        DType = dtype;
    }

    /// <summary>An RGB (or other) image: uint8 (height, width, channels) in [0, 255].</summary>
    public static BoxSpace Image(int height, int width, int channels = 3)
    {
        int[] shape = [height, width, channels];
        return new BoxSpace(Fill(0, shape), Fill(255, shape), shape, DType.UInt8);
    }

    /// <summary>The dimensions, row-major.</summary>
    public IReadOnlyList<int> Shape => _shape;

    /// <summary>Element type of an observation entry with this space.</summary>
    public DType DType { get; }

    /// <summary>Lower bounds, one per element.</summary>
    public ReadOnlySpan<float> Low => _low;

    /// <summary>Upper bounds, one per element.</summary>
    public ReadOnlySpan<float> High => _high;

    /// <inheritdoc/>
    public override int Size => _low.Length;

    /// <summary>True when every bound is exactly [-1, 1] (the action convention of Reverie's registry).</summary>
    public bool IsUnit => Array.TrueForAll(_low, v => v == -1f) && Array.TrueForAll(_high, v => v == 1f);

    /// <summary>
    /// Uniform within finite bounds; a standard normal where both bounds are infinite; an exponential
    /// offset from the finite bound where only one is (Gymnasium's rule). Integers for uint8 boxes.
    /// </summary>
    public override void Sample(EnvRng rng, Span<float> dest)
    {
        CheckLength(dest.Length, "Box.Sample");
        for (int i = 0; i < dest.Length; i++)
        {
            float lo = _low[i], hi = _high[i];
            bool fl = float.IsFinite(lo), fh = float.IsFinite(hi);
            double v = fl && fh ? rng.Uniform(lo, hi)
                : fl ? lo - Math.Log(1 - rng.NextDouble())
                : fh ? hi + Math.Log(1 - rng.NextDouble())
                : Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            dest[i] = DType == DType.UInt8 ? MathF.Floor((float)v) : Math.Clamp((float)v, lo, hi);
        }
    }

    /// <inheritdoc/>
    public override bool Contains(ReadOnlySpan<float> value)
    {
        if (value.Length != Size) return false;
        for (int i = 0; i < value.Length; i++)
            if (!(value[i] >= _low[i] && value[i] <= _high[i])) return false;
        return true;
    }

    /// <inheritdoc/>
    public override bool SameAs(Space other) => other is BoxSpace b && SameAs(b);

    /// <summary>Same shape, type and bounds.</summary>
    public bool SameAs(BoxSpace other) => DType == other.DType && _shape.AsSpan().SequenceEqual(other._shape)
        && _low.AsSpan().SequenceEqual(other._low) && _high.AsSpan().SequenceEqual(other._high);

    /// <summary>"Box(-1, 1, (1,))", "Box(uint8, 0, 255, (64, 64, 3))" or per-element bounds "Box([-4.8, -inf], [4.8, inf], (2,))".</summary>
    public override string ToString()
    {
        string shape = _shape.Length == 1 ? $"({_shape[0]},)" : $"({string.Join(", ", _shape)})";
        string type = DType == DType.UInt8 ? "uint8, " : "";
        bool uniform = Array.TrueForAll(_low, v => v == _low[0]) && Array.TrueForAll(_high, v => v == _high[0]);
        if (uniform) return $"Box({type}{Num(_low[0])}, {Num(_high[0])}, {shape})";
        return $"Box({type}[{string.Join(", ", _low.Select(Num))}], [{string.Join(", ", _high.Select(Num))}], {shape})";
    }

    private static float[] Fill(float v, int[] shape)
    {
        int size = 1;
        foreach (int d in shape) size = checked(size * Math.Max(d, 0));
        var a = new float[size];
        Array.Fill(a, v);
        return a;
    }
}

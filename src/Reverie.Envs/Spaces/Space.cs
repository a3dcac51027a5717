// Space: the base of action and observation-entry spaces (Box, Discrete); actions are float vectors.
namespace Reverie.Envs;

/// <summary>
/// A set of valid values, as in Gymnasium. Every action travels as a float vector of
/// <see cref="Size"/> elements: a <see cref="BoxSpace"/> action is the vector itself, a
/// <see cref="DiscreteSpace"/> action is one float holding the index. Observation spaces are
/// <see cref="DictSpace"/>s of named <see cref="BoxSpace"/>s.
/// </summary>
public abstract class Space
{
    /// <summary>Number of floats in one action of this space.</summary>
    public abstract int Size { get; }

    /// <summary>Writes a uniformly random element of the space into <paramref name="dest"/> (length <see cref="Size"/>).</summary>
    /// <exception cref="ArgumentException"><paramref name="dest"/> does not have <see cref="Size"/> elements.</exception>
    public abstract void Sample(EnvRng rng, Span<float> dest);

    /// <summary>True when <paramref name="value"/> has the right length and lies in the space.</summary>
    public abstract bool Contains(ReadOnlySpan<float> value);

    /// <summary>True when <paramref name="other"/> is the same kind of space with the same shape and bounds.</summary>
    public abstract bool SameAs(Space other);

    private protected void CheckLength(int length, string what)
    {
        if (length != Size) throw new ArgumentException($"{what}: expected {Size} elements for {this} but got {length}");
    }

    /// <summary>Formats a float for space descriptions: 0.4189 stays short, infinities read "inf".</summary>
    internal static string Num(float v) => float.IsPositiveInfinity(v) ? "inf" : float.IsNegativeInfinity(v) ? "-inf"
        : v.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);
}

// DiscreteSpace: n choices {0, ..., n-1}; an action is one float holding the index.
namespace Reverie.Envs;

/// <summary>
/// The integers {0, ..., <see cref="N"/> - 1}, as Gymnasium's <c>Discrete(n)</c>. An action of this
/// space is a one-element float vector whose value is the index (0f, 1f, ...); use
/// <see cref="EnvExtensions.Step(IEnv, int)"/> to pass an int directly.
/// </summary>
public sealed class DiscreteSpace : Space
{
    /// <summary>Creates the space of <paramref name="n"/> choices.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is less than 1.</exception>
    public DiscreteSpace(int n)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), $"Discrete space needs n >= 1, got {n}");
        N = n;
    }

    /// <summary>Number of choices.</summary>
    public int N { get; }

    /// <inheritdoc/>
    public override int Size => 1;

    /// <inheritdoc/>
    public override void Sample(EnvRng rng, Span<float> dest)
    {
        CheckLength(dest.Length, "Discrete.Sample");
        dest[0] = rng.NextInt(N);
    }

    /// <inheritdoc/>
    public override bool Contains(ReadOnlySpan<float> value) =>
        value.Length == 1 && value[0] >= 0 && value[0] < N && value[0] == MathF.Floor(value[0]);

    /// <inheritdoc/>
    public override bool SameAs(Space other) => other is DiscreteSpace d && d.N == N;

    /// <summary>"Discrete(3)".</summary>
    public override string ToString() => $"Discrete({N})";
}

// EnvRng: the small seedable generator every environment owns (xoshiro256** seeded by SplitMix64).
namespace Reverie.Envs;

/// <summary>
/// A seedable xoshiro256** generator, seeded through SplitMix64. Each environment owns one, so
/// episodes are reproducible from <see cref="IEnv.Reset"/>'s seed alone. Reverie.Envs keeps its own
/// generator (instead of Reverie.Tensors' <c>Rng</c>) so that it depends on nothing.
/// </summary>
public sealed class EnvRng
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates a generator from a 64-bit seed.</summary>
    public EnvRng(ulong seed) => Seed(seed);

    /// <summary>Restarts the generator from a 64-bit seed; the same seed gives the same stream.</summary>
    public void Seed(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
    }

    /// <summary>One SplitMix64 step: advances <paramref name="x"/> and returns a well-mixed 64-bit value.</summary>
    public static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextULong()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform double in [0, 1).</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform double in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public double Uniform(double low, double high) => low + (high - low) * NextDouble();

    /// <summary>Uniform integer in [0, <paramref name="n"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is not positive.</exception>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), $"EnvRng.NextInt needs n > 0, got {n}");
        return (int)((NextULong() >> 33) * (ulong)n >> 31);
    }

    /// <summary>The complete state (4 words), for checkpoints.</summary>
    public ulong[] GetState() => [_s0, _s1, _s2, _s3];

    /// <summary>Restores a state from <see cref="GetState"/>.</summary>
    /// <exception cref="ArgumentException">The state does not have 4 words or is all zero.</exception>
    public void SetState(ReadOnlySpan<ulong> state)
    {
        if (state.Length != 4) throw new ArgumentException($"EnvRng state must have 4 words, got {state.Length}");
        if ((state[0] | state[1] | state[2] | state[3]) == 0) throw new ArgumentException("EnvRng state is all zero (invalid for xoshiro256**)");
        _s0 = state[0]; _s1 = state[1]; _s2 = state[2]; _s3 = state[3];
    }
}

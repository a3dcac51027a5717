// Rng: explicit, seedable, serializable random numbers (xoshiro256**).
namespace Reverie.Tensors;

/// <summary>
/// A seedable xoshiro256** generator. Every random draw in Reverie goes through an explicit Rng
/// (no hidden static state), and its full state can be saved and restored for checkpoints.
/// </summary>
public sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;
    private float _spare;
    private bool _hasSpare;

    /// <summary>Creates a generator from a 64-bit seed (expanded with SplitMix64).</summary>
    public Rng(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
    }

    private static ulong SplitMix(ref ulong x)
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

    /// <summary>Uniform float in [0, 1).</summary>
    public float NextFloat() => (NextULong() >> 40) * (1.0f / (1 << 24));

    /// <summary>Uniform double in [0, 1).</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), $"NextInt needs n > 0, got {n}");
        return (int)((NextULong() >> 33) * (ulong)n >> 31);
    }

    /// <summary>A standard normal sample (Box-Muller, pairs cached).</summary>
    public float Normal()
    {
        if (_hasSpare) { _hasSpare = false; return _spare; }
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        _spare = (float)(r * Math.Sin(2 * Math.PI * u2));
        _hasSpare = true;
        return (float)(r * Math.Cos(2 * Math.PI * u2));
    }

    /// <summary>Fills with standard normal samples.</summary>
    public void FillNormal(Span<float> dest)
    {
        for (int i = 0; i < dest.Length; i++) dest[i] = Normal();
    }

    /// <summary>Fills with uniform samples in [low, high).</summary>
    public void FillUniform(Span<float> dest, float low = 0f, float high = 1f)
    {
        float w = high - low;
        for (int i = 0; i < dest.Length; i++) dest[i] = low + w * NextFloat();
    }

    /// <summary>A new independent generator derived from this one (advances this one).</summary>
    public Rng Fork() => new(NextULong());

    /// <summary>The complete state, for checkpoints.</summary>
    public ulong[] GetState() => [_s0, _s1, _s2, _s3, _hasSpare ? 1UL : 0UL, BitConverter.SingleToUInt32Bits(_spare)];

    /// <summary>Restores a state from <see cref="GetState"/>.</summary>
    /// <exception cref="ArgumentException">The state does not have 6 words or is all zero.</exception>
    public void SetState(ReadOnlySpan<ulong> state)
    {
        if (state.Length != 6) throw new ArgumentException($"Rng state must have 6 words, got {state.Length}");
        if ((state[0] | state[1] | state[2] | state[3]) == 0) throw new ArgumentException("Rng state is all zero (invalid for xoshiro256**)");
        _s0 = state[0]; _s1 = state[1]; _s2 = state[2]; _s3 = state[3];
        _hasSpare = state[4] != 0;
        _spare = BitConverter.UInt32BitsToSingle((uint)state[5]);
    }
}

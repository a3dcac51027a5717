// ReturnNormalizer: DreamerV3's percentile return normalization (embodied/jax/utils.py Normalize, impl 'perc').
namespace Reverie.Agents.Shared;

/// <summary>
/// Tracks exponential moving averages of a low and a high percentile of the returns and scales
/// advantages by their spread, as DreamerV3's <c>retnorm: {impl: perc, rate: 0.01, limit: 1.0,
/// perclo: 5, perchi: 95, debias: False}</c>:
/// <code>
/// lo ← (1 − rate)·lo + rate·P_perclo(R)      hi ← (1 − rate)·hi + rate·P_perchi(R)      (both start at 0)
/// offset = lo,   scale = max(limit, hi − lo)
/// </code>
/// Percentiles interpolate linearly between order statistics (NumPy's default, as <c>jnp.percentile</c>).
/// DreamerV3 divides advantages by <c>scale</c> (the offset cancels in ret − value).
/// </summary>
public sealed class ReturnNormalizer
{
    /// <summary>EMA rate.</summary>
    public float Rate { get; }
    /// <summary>Lower bound of the scale.</summary>
    public float Limit { get; }
    /// <summary>Lower percentile in [0, 100].</summary>
    public float Perclo { get; }
    /// <summary>Upper percentile in [0, 100].</summary>
    public float Perchi { get; }
    /// <summary>EMA of the lower percentile (checkpointed state).</summary>
    public float Lo { get; set; }
    /// <summary>EMA of the upper percentile (checkpointed state).</summary>
    public float Hi { get; set; }

    /// <exception cref="ArgumentException">rate outside (0, 1], a negative limit, or not 0 ≤ perclo &lt; perchi ≤ 100.</exception>
    public ReturnNormalizer(float rate = 0.01f, float limit = 1f, float perclo = 5f, float perchi = 95f)
    {
        if (!(rate is > 0f and <= 1f)) throw new ArgumentException($"ReturnNormalizer: rate must be in (0, 1], got {rate}");
        if (!(limit >= 0f)) throw new ArgumentException($"ReturnNormalizer: limit must be >= 0, got {limit}");
        if (!(perclo >= 0f && perclo < perchi && perchi <= 100f))
            throw new ArgumentException($"ReturnNormalizer: need 0 <= perclo < perchi <= 100, got {perclo} and {perchi}");
        Rate = rate; Limit = limit; Perclo = perclo; Perchi = perchi;
    }

    /// <summary>Mixes the percentiles of <paramref name="returns"/> into the averages.</summary>
    /// <exception cref="ArgumentException">No returns.</exception>
    public void Update(ReadOnlySpan<float> returns)
    {
        if (returns.IsEmpty) throw new ArgumentException("ReturnNormalizer.Update: no returns");
        var sorted = returns.ToArray();
        Array.Sort(sorted);
        Lo = (1f - Rate) * Lo + Rate * (float)Percentile(sorted, Perclo);
        Hi = (1f - Rate) * Hi + Rate * (float)Percentile(sorted, Perchi);
    }

    /// <summary>(offset, scale) = (lo, max(limit, hi − lo)).</summary>
    public (float Offset, float Scale) Stats() => (Lo, MathF.Max(Limit, Hi - Lo));

    /// <summary>Updates with <paramref name="returns"/>, then returns <see cref="Stats"/>, as DreamerV3's <c>retnorm(ret, update=True)</c>.</summary>
    public (float Offset, float Scale) Call(ReadOnlySpan<float> returns)
    {
        Update(returns);
        return Stats();
    }

    /// <summary>The q-th percentile (0..100) of ascending values, linear between order statistics (NumPy's default).</summary>
    /// <exception cref="ArgumentException">No values or q outside [0, 100].</exception>
    public static double Percentile(ReadOnlySpan<float> sortedAscending, double q)
    {
        int n = sortedAscending.Length;
        if (n == 0) throw new ArgumentException("percentile: no values");
        if (!(q is >= 0 and <= 100)) throw new ArgumentException($"percentile: q must be in [0, 100], got {q}");
        double pos = q / 100.0 * (n - 1);
        int i = (int)Math.Floor(pos);
        if (i >= n - 1) return sortedAscending[n - 1];
        double f = pos - i;
        return sortedAscending[i] + f * ((double)sortedAscending[i + 1] - sortedAscending[i]);
    }
}

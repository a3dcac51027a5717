// Bin grids for two-hot discrete regression: DreamerV3's symexp-spaced bins and symlog-space linear grids.
namespace Reverie.Tensors.Dist;

/// <summary>
/// The support of a <see cref="TwoHotDist"/>: K strictly increasing bin values, and whether targets are
/// mapped through symlog before the two-hot encoding (and predictions through symexp after the
/// weighted average). Two families exist in the literature:
/// <list type="bullet">
/// <item><see cref="SymexpTwoHot"/>: DreamerV3's current code (<c>heads.py symexp_twohot</c>): bins
/// symexp(linspace(low, high, K)) in target units, targets encoded as they are, prediction Σ p·b.</item>
/// <item><see cref="SymlogLinear"/>: a linear grid in symlog space, targets symlog'd, prediction
/// symexp(Σ p·b): the DreamerV3 paper and first code release (255, −20, 20) and TD-MPC2 (101, −10, 10).</item>
/// </list>
/// </summary>
public sealed class Bins
{
    private readonly float[] _values;

    /// <summary>The bin values, strictly increasing.</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <summary>Number of bins K.</summary>
    public int Count => _values.Length;

    /// <summary>Whether targets are symlog'd before encoding and decoded values symexp'd.</summary>
    public bool SymlogTargets { get; }

    internal float[] Array => _values;

    /// <summary>A grid from explicit values.</summary>
    /// <param name="values">At least 2 finite, strictly increasing values (copied).</param>
    /// <param name="symlogTargets">Whether <paramref name="values"/> live in symlog space (see <see cref="SymlogTargets"/>).</param>
    /// <exception cref="ArgumentException">Fewer than 2 values, a non-finite value, or not strictly increasing.</exception>
    public Bins(ReadOnlySpan<float> values, bool symlogTargets)
    {
        if (values.Length < 2) throw new ArgumentException($"bins: need at least 2 bins, got {values.Length}");
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i])) throw new ArgumentException($"bins: value {values[i]} at index {i} is not finite");
            if (i > 0 && !(values[i] > values[i - 1]))
                throw new ArgumentException($"bins: values must be strictly increasing, but bin {i} ({values[i]}) follows {values[i - 1]}");
        }
        _values = values.ToArray();
        SymlogTargets = symlogTargets;
    }

    /// <summary>
    /// DreamerV3's <c>symexp_twohot</c> bins: symexp of <paramref name="count"/> points evenly spaced in
    /// [low, high], in target units (targets are not squashed). With low = −high the grid is built
    /// mirrored about 0 (for odd counts, exactly DreamerV3's construction, whose middle bin is 0).
    /// </summary>
    /// <exception cref="ArgumentException">count &lt; 2 or low ≥ high.</exception>
    public static Bins SymexpTwoHot(int count = 255, float low = -20f, float high = 20f)
    {
        var v = Linspace(count, low, high, "bins.symexp_twohot");
        for (int i = 0; i < v.Length; i++) v[i] = Squash.SymExp(v[i]);
        return new Bins(v, symlogTargets: false);
    }

    /// <summary>
    /// <paramref name="count"/> points evenly spaced in [low, high] in symlog space; targets are symlog'd
    /// before encoding and predictions are symexp(Σ p·b). DreamerV3 paper: (255, −20, 20); TD-MPC2: (101, −10, 10).
    /// </summary>
    /// <exception cref="ArgumentException">count &lt; 2 or low ≥ high.</exception>
    public static Bins SymlogLinear(int count, float low, float high) =>
        new(Linspace(count, low, high, "bins.symlog_linear"), symlogTargets: true);

    /// <summary>TD-MPC2's grid: <c>num_bins</c> = 101, <c>vmin</c> = −10, <c>vmax</c> = 10 in symlog space.</summary>
    public static Bins TdMpc2(int numBins = 101, float vmin = -10f, float vmax = 10f) => SymlogLinear(numBins, vmin, vmax);

    // Evenly spaced points, computed in double; mirrored exactly about 0 when low = −high.
    private static float[] Linspace(int count, float low, float high, string op)
    {
        if (count < 2) throw new ArgumentException($"{op}: need at least 2 bins, got {count}");
        if (!(low < high)) throw new ArgumentException($"{op}: need low < high, got low {low} and high {high}");
        var v = new float[count];
        for (int i = 0; i < count; i++) v[i] = (float)(low + ((double)high - low) * i / (count - 1));
        if (low == -high)
        {
            for (int i = 0; i < count / 2; i++) v[count - 1 - i] = -v[i];
            if (count % 2 == 1) v[count / 2] = 0f;
        }
        return v;
    }
}

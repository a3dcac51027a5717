// DreamerV3's bounded_normal actor head: mean squashed by tanh, std squashed into [minstd, maxstd].
namespace Reverie.Tensors.Dist;

/// <summary>
/// A <see cref="Normal"/> whose parameters come from raw head outputs as in DreamerV3's
/// <c>bounded_normal</c>: mean = tanh(rawMean), std = (maxStd − minStd)·σ(rawStd + 2) + minStd.
/// Samples are not clipped (DreamerV3 clips actions to [−1, 1] outside the distribution).
/// </summary>
public sealed class BoundedNormal : Normal
{
    /// <summary>The smallest standard deviation.</summary>
    public float MinStd { get; }

    /// <summary>The largest standard deviation.</summary>
    public float MaxStd { get; }

    /// <summary>Creates the distribution from raw head outputs of the same shape.</summary>
    /// <param name="rawMean">Pre-tanh means.</param>
    /// <param name="rawStd">Pre-sigmoid standard deviations, rawMean's shape.</param>
    /// <param name="minStd">Lower bound of std (DreamerV3: 0.1).</param>
    /// <param name="maxStd">Upper bound of std (DreamerV3: 1.0).</param>
    /// <param name="eventRank">Trailing axes that form one event (default 1: a vector action).</param>
    /// <exception cref="ArgumentException">Shapes differ, or not 0 &lt; minStd ≤ maxStd.</exception>
    public BoundedNormal(Tensor rawMean, Tensor rawStd, float minStd = 0.1f, float maxStd = 1f, int eventRank = 1)
        : base(rawMean.Tanh(), BoundedStd(rawMean, rawStd, minStd, maxStd), eventRank)
    {
        MinStd = minStd;
        MaxStd = maxStd;
    }

    private static Tensor BoundedStd(Tensor rawMean, Tensor rawStd, float lo, float hi)
    {
        if (!(lo > 0 && lo <= hi))
            throw new ArgumentException($"bounded_normal: need 0 < minStd <= maxStd, got minStd {lo} and maxStd {hi}");
        DistOps.CheckSame("bounded_normal", "rawStd", rawMean.Shape, rawStd);
        return rawStd.Add(2f).Sigmoid().Mul(hi - lo).Add(lo);
    }

    /// <summary>The entropy of one event at std = minStd (DreamerV3's <c>minent</c>), for normalizing entropies.</summary>
    public float MinEntropy => EventShape.Size * (0.5f + 0.918938533f + MathF.Log(MinStd));

    /// <summary>The entropy of one event at std = maxStd (DreamerV3's <c>maxent</c>).</summary>
    public float MaxEntropy => EventShape.Size * (0.5f + 0.918938533f + MathF.Log(MaxStd));
}

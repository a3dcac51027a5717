// The two-hot output of reward and value heads: prediction = decoded mean, loss = two-hot cross-entropy.
namespace Reverie.Tensors.Dist;

/// <summary>
/// A discrete-regression output over <see cref="Bins"/>, as DreamerV3's <c>TwoHot</c> and TD-MPC2's
/// reward/value heads: logits (..., K) predict one scalar per element of (...);
/// <see cref="Mean"/> = <see cref="TwoHot.Decode"/>, Loss(target) = two-hot cross-entropy
/// (<see cref="TwoHot.SoftCe"/>) against targets of shape (...). <see cref="EventRank"/> axes of (...)
/// are summed (default 0). Not a sampling distribution: Sample, RSample, LogProb and Entropy throw.
/// </summary>
public sealed class TwoHotDist : IDistribution
{
    /// <summary>The logits, (..., K).</summary>
    public Tensor Logits { get; }

    /// <summary>The bins.</summary>
    public Bins Bins { get; }

    /// <summary>How many axes before the bin axis form one event.</summary>
    public int EventRank { get; }

    /// <inheritdoc/>
    public Shape BatchShape { get; }

    /// <inheritdoc/>
    public Shape EventShape { get; }

    /// <summary>Creates the output.</summary>
    /// <exception cref="ArgumentException">The last axis of logits is not the bin count, or eventRank is out of range.</exception>
    public TwoHotDist(Tensor logits, Bins bins, int eventRank = 0)
    {
        TwoHot.CheckLogits("two_hot", logits, bins);
        DistOps.CheckEventRank("two_hot", eventRank, logits.Rank - 1, logits.Shape);
        Logits = logits;
        Bins = bins;
        EventRank = eventRank;
        BatchShape = Normal.SplitShape(logits.Shape.Without(-1), eventRank, out var ev);
        EventShape = ev;
    }

    /// <summary>softmax(logits) over the bins.</summary>
    public Tensor Probs => Logits.Softmax(-1);

    /// <inheritdoc/>
    public bool HasRSample => false;

    /// <exception cref="NotSupportedException">Always.</exception>
    public Tensor Sample(Rng rng) => throw NotSupported("Sample");

    /// <exception cref="NotSupportedException">Always.</exception>
    public Tensor RSample(Rng rng) => throw NotSupported("RSample");

    /// <exception cref="NotSupportedException">Always.</exception>
    public Tensor LogProb(Tensor value) => throw NotSupported("LogProb");

    /// <exception cref="NotSupportedException">Always.</exception>
    public Tensor Entropy() => throw NotSupported("Entropy");

    private static NotSupportedException NotSupported(string what) =>
        new($"two_hot: {what} is undefined for a two-hot regression output; use Mean/Mode() and Loss(target)");

    /// <summary>The decoded prediction, shape (...).</summary>
    public Tensor Mode() => Mean;

    /// <summary>The decoded prediction <see cref="TwoHot.Decode"/>, shape (...); differentiable.</summary>
    public Tensor Mean => TwoHot.Decode(Logits, Bins);

    /// <summary>Σ_event −Σ_k twohot(target)_k · log_softmax(logits)_k; no gradient reaches the target.</summary>
    /// <exception cref="ArgumentException">target's shape is not the logits' shape without the bin axis, or a target is NaN.</exception>
    public Tensor Loss(Tensor target) => DistOps.SumEvent(TwoHot.SoftCe(Logits, target, Bins), EventRank);
}

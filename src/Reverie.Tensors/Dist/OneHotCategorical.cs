// One-hot categorical with unimix and straight-through samples (DreamerV3's OneHot output, RSSM latents).
namespace Reverie.Tensors.Dist;

/// <summary>
/// Categoricals over the last axis of <c>logits</c> (..., K) whose values are one-hot vectors, as
/// DreamerV3's <c>OneHot</c>: probs = (1 − unimix)·softmax(logits) + unimix / K. The class axis is
/// always part of the event; <see cref="EventRank"/> more axes before it are summed too (default 0;
/// 1 for DreamerV3's latent of shape (..., stoch, classes)).
/// Samples and the mode are one-hot in the forward pass with the gradient of the probabilities
/// (straight-through: onehot + probs − sg(probs)).
/// </summary>
public sealed class OneHotCategorical : IDistribution
{
    /// <summary>The raw logits, (..., K).</summary>
    public Tensor Logits { get; }

    /// <summary>The class probabilities after unimix, (..., K).</summary>
    public Tensor Probs { get; }

    /// <summary>ln <see cref="Probs"/> (log-softmax of the logits when unimix is 0), (..., K).</summary>
    public Tensor LogProbs { get; }

    /// <summary>The uniform share mixed into the probabilities.</summary>
    public float Unimix { get; }

    /// <summary>How many axes before the class axis also belong to one event.</summary>
    public int EventRank { get; }

    /// <summary>Number of classes K.</summary>
    public int Classes => Logits.Shape[-1];

    /// <inheritdoc/>
    public Shape BatchShape { get; }

    /// <inheritdoc/>
    public Shape EventShape { get; }

    /// <summary>Creates the distribution.</summary>
    /// <param name="logits">(..., K), K ≥ 1.</param>
    /// <param name="unimix">Uniform share in [0, 1) (DreamerV3: 0.01).</param>
    /// <param name="eventRank">Axes before the class axis that also form the event.</param>
    /// <exception cref="ArgumentException">Logits of rank 0 or K = 0, unimix outside [0, 1), eventRank out of range.</exception>
    public OneHotCategorical(Tensor logits, float unimix = 0f, int eventRank = 0)
    {
        const string op = "one_hot_categorical";
        (Probs, LogProbs) = DistOps.Mix(logits, unimix, op);
        DistOps.CheckEventRank(op, eventRank, logits.Rank - 1, logits.Shape);
        Logits = logits;
        Unimix = unimix;
        EventRank = eventRank;
        BatchShape = Normal.SplitShape(logits.Shape, eventRank + 1, out var ev);
        EventShape = ev;
    }

    /// <summary>Straight-through samples can carry gradients, so this is true (see <see cref="RSample"/>).</summary>
    public bool HasRSample => true;

    /// <summary>One class index per row of (..., K), drawn with <paramref name="rng"/> (no gradient).</summary>
    public int[] SampleIndices(Rng rng) =>
        DistOps.SampleRows(Probs.Span, Probs.Size / Classes, Classes, rng);

    /// <summary>A one-hot sample, (..., K), with the straight-through gradient of <see cref="Probs"/> (as DreamerV3).</summary>
    public Tensor Sample(Rng rng) => DistOps.SampleOneHot(Probs, rng);

    /// <summary>The same as <see cref="Sample"/>: the straight-through estimator, not an exact reparameterization.</summary>
    public Tensor RSample(Rng rng) => Sample(rng);

    private Tensor StraightOneHot(int[] idx)
    {
        var hard = DistOps.OneHotOf(idx, Logits.Shape.Without(-1), Classes, "one_hot_categorical");
        return Tensor.StraightThrough(hard, Probs);
    }

    /// <summary>Σ_event Σ_k value_k · ln p_k for one-hot (or soft) values of shape (..., K).</summary>
    /// <exception cref="ArgumentException"><paramref name="value"/> does not have the logits' shape.</exception>
    public Tensor LogProb(Tensor value)
    {
        DistOps.CheckSame("one_hot_categorical.log_prob", "value", Logits.Shape, value);
        return DistOps.SumEvent((value * LogProbs).Sum(-1), EventRank);
    }

    /// <summary>Σ_event −Σ_k p_k ln p_k.</summary>
    public Tensor Entropy() => DistOps.SumEvent((Probs * LogProbs).Sum(-1).Neg(), EventRank);

    /// <summary>One-hot of the most likely class with the straight-through gradient of the probabilities (DreamerV3's pred).</summary>
    public Tensor Mode() => StraightOneHot(Probs.Argmax(-1));

    /// <summary>The probabilities (the mean of a one-hot vector).</summary>
    public Tensor Mean => Probs;

    /// <summary>−LogProb(sg(target)).</summary>
    public Tensor Loss(Tensor target) => LogProb(target.Detach()).Neg();

    /// <summary>KL(this ‖ other), summed over the classes and the event axes; see <see cref="Kl.Categorical(OneHotCategorical, OneHotCategorical)"/>.</summary>
    public Tensor Kl(OneHotCategorical other) => Dist.Kl.Categorical(this, other);
}

// Categorical over class indices (discrete policies): values are indices, as int[] or integer-valued tensors.
namespace Reverie.Tensors.Dist;

/// <summary>
/// Categoricals over the last axis of <c>logits</c> (..., K) whose values are class indices: a
/// value tensor has the logits' shape without the class axis and holds integers in [0, K); the
/// int[] overloads take one index per row. Optional unimix as <see cref="OneHotCategorical"/>.
/// <see cref="EventRank"/> axes before the class axis form one event (default 0: one index per element).
/// </summary>
public sealed class Categorical : IDistribution
{
    /// <summary>The raw logits, (..., K).</summary>
    public Tensor Logits { get; }

    /// <summary>The class probabilities after unimix, (..., K).</summary>
    public Tensor Probs { get; }

    /// <summary>ln <see cref="Probs"/>, (..., K).</summary>
    public Tensor LogProbs { get; }

    /// <summary>How many axes before the class axis form one event.</summary>
    public int EventRank { get; }

    /// <summary>Number of classes K.</summary>
    public int Classes => Logits.Shape[-1];

    /// <inheritdoc/>
    public Shape BatchShape { get; }

    /// <inheritdoc/>
    public Shape EventShape { get; }

    /// <summary>Creates the distribution.</summary>
    /// <param name="logits">(..., K), K ≥ 1.</param>
    /// <param name="unimix">Uniform share in [0, 1).</param>
    /// <param name="eventRank">Axes before the class axis that form one event.</param>
    /// <exception cref="ArgumentException">Logits of rank 0 or K = 0, unimix outside [0, 1), eventRank out of range.</exception>
    public Categorical(Tensor logits, float unimix = 0f, int eventRank = 0)
    {
        const string op = "categorical";
        (Probs, LogProbs) = DistOps.Mix(logits, unimix, op);
        DistOps.CheckEventRank(op, eventRank, logits.Rank - 1, logits.Shape);
        Logits = logits;
        EventRank = eventRank;
        BatchShape = Normal.SplitShape(logits.Shape.Without(-1), eventRank, out var ev);
        EventShape = ev;
    }

    /// <inheritdoc/>
    public bool HasRSample => false;

    /// <summary>One class index per row of (..., K), drawn with <paramref name="rng"/>.</summary>
    public int[] SampleIndices(Rng rng) => DistOps.SampleRows(Probs.Span, Probs.Size / Classes, Classes, rng);

    /// <summary>Sampled indices as a float tensor of shape (...) (no gradient).</summary>
    public Tensor Sample(Rng rng) => DistOps.IndicesAsTensor(SampleIndices(rng), Logits.Shape.Without(-1));

    /// <exception cref="NotSupportedException">Always: discrete samples have no reparameterization.</exception>
    public Tensor RSample(Rng rng) =>
        throw new NotSupportedException("categorical: discrete samples cannot be reparameterized; use OneHotCategorical for straight-through samples, or a score-function loss with LogProb");

    /// <summary>Σ_event ln p[index] for one index per row (length = rows of (...)); differentiable in the logits.</summary>
    /// <exception cref="ArgumentException">Wrong count, or an index outside [0, K).</exception>
    public Tensor LogProb(ReadOnlySpan<int> index) =>
        DistOps.SumEvent(DistOps.PickLast(LogProbs, index, "categorical.log_prob"), EventRank);

    /// <summary>Σ_event ln p[value] for integer-valued values of shape (...).</summary>
    /// <exception cref="ArgumentException">Wrong shape, a fraction, or a value outside [0, K).</exception>
    public Tensor LogProb(Tensor value)
    {
        DistOps.CheckSame("categorical.log_prob", "value", Logits.Shape.Without(-1), value);
        return LogProb(DistOps.ToIndices(value, Classes, "categorical.log_prob"));
    }

    /// <summary>Σ_event −Σ_k p_k ln p_k.</summary>
    public Tensor Entropy() => DistOps.SumEvent((Probs * LogProbs).Sum(-1).Neg(), EventRank);

    /// <summary>The most likely class per row (first on ties).</summary>
    public int[] ModeIndices() => Probs.Argmax(-1);

    /// <summary>The most likely class per row as a float tensor of shape (...) (no gradient).</summary>
    public Tensor Mode() => DistOps.IndicesAsTensor(ModeIndices(), Logits.Shape.Without(-1));

    /// <summary>The expected index Σ_k k·p_k, shape (...); differentiable in the logits.</summary>
    public Tensor Mean
    {
        get
        {
            var k = Tensor.Empty(new Shape(Classes));
            var ks = k.Span;
            for (int i = 0; i < ks.Length; i++) ks[i] = i;
            return (Probs * k).Sum(-1);
        }
    }

    /// <summary>−LogProb(target) for integer-valued targets of shape (...).</summary>
    public Tensor Loss(Tensor target) => LogProb(target.Detach()).Neg();

    /// <summary>−LogProb(index).</summary>
    public Tensor Loss(ReadOnlySpan<int> index) => LogProb(index).Neg();
}

// Bernoulli from logits (DreamerV3's continue head): log-prob and entropy in stable softplus forms.
namespace Reverie.Tensors.Dist;

/// <summary>
/// Independent Bernoulli variables with p = σ(logits); values are 0 or 1 (soft targets in [0, 1]
/// also work in <see cref="LogProb"/>: it is then the negative binary cross-entropy).
/// The last <see cref="EventRank"/> axes form one event (default 0: one flag per element).
/// </summary>
public sealed class Bernoulli : IDistribution
{
    /// <summary>The logits.</summary>
    public Tensor Logits { get; }

    /// <summary>How many trailing axes form one event.</summary>
    public int EventRank { get; }

    /// <inheritdoc/>
    public Shape BatchShape { get; }

    /// <inheritdoc/>
    public Shape EventShape { get; }

    /// <summary>Creates Bernoulli(σ(logits)).</summary>
    /// <exception cref="ArgumentException">eventRank is out of range.</exception>
    public Bernoulli(Tensor logits, int eventRank = 0)
    {
        DistOps.CheckEventRank("bernoulli", eventRank, logits.Rank, logits.Shape);
        Logits = logits;
        EventRank = eventRank;
        BatchShape = Normal.SplitShape(logits.Shape, eventRank, out var ev);
        EventShape = ev;
    }

    /// <summary>σ(logits).</summary>
    public Tensor Probs => Logits.Sigmoid();

    /// <inheritdoc/>
    public bool HasRSample => false;

    /// <summary>1 where a uniform draw falls below σ(logit), else 0 (no gradient).</summary>
    public Tensor Sample(Rng rng)
    {
        var y = Tensor.Empty(Logits.Shape);
        var ls = Logits.Span; var ys = y.Span;
        for (int i = 0; i < ys.Length; i++)
            ys[i] = rng.NextDouble() < 1.0 / (1.0 + Math.Exp(-ls[i])) ? 1f : 0f;
        return y;
    }

    /// <exception cref="NotSupportedException">Always: binary samples have no reparameterization.</exception>
    public Tensor RSample(Rng rng) =>
        throw new NotSupportedException("bernoulli: binary samples cannot be reparameterized; use LogProb in a score-function loss");

    /// <summary>Σ_event −[x·softplus(−l) + (1 − x)·softplus(l)] (= x ln p + (1 − x) ln(1 − p), stably).</summary>
    /// <exception cref="ArgumentException"><paramref name="value"/> does not have the logits' shape.</exception>
    public Tensor LogProb(Tensor value)
    {
        DistOps.CheckSame("bernoulli.log_prob", "value", Logits.Shape, value);
        var nll = value * Logits.Neg().Softplus() + (1f - value) * Logits.Softplus();
        return DistOps.SumEvent(nll.Neg(), EventRank);
    }

    /// <summary>Σ_event [p·softplus(−l) + (1 − p)·softplus(l)] with p = σ(l).</summary>
    public Tensor Entropy()
    {
        var p = Logits.Sigmoid();
        return DistOps.SumEvent(p * Logits.Neg().Softplus() + (1f - p) * Logits.Softplus(), EventRank);
    }

    /// <summary>1 where logit &gt; 0, else 0 (no gradient; DreamerV3's pred).</summary>
    public Tensor Mode()
    {
        var y = Tensor.Empty(Logits.Shape);
        var ls = Logits.Span; var ys = y.Span;
        for (int i = 0; i < ys.Length; i++) ys[i] = ls[i] > 0 ? 1f : 0f;
        return y;
    }

    /// <summary>σ(logits).</summary>
    public Tensor Mean => Probs;

    /// <summary>−LogProb(sg(target)): binary cross-entropy with logits.</summary>
    public Tensor Loss(Tensor target) => LogProb(target.Detach()).Neg();
}

// Point-prediction outputs trained by squared error: Mse and SymlogMse (DreamerV3's MSE and symlog_mse).
namespace Reverie.Tensors.Dist;

/// <summary>
/// A point prediction trained by squared error, as DreamerV3's <c>MSE</c> output:
/// Loss(target) = Σ_event (pred − sg(target))². The last <see cref="EventRank"/> axes form one event
/// (default 0; 1 for a vector observation, 3 for an image (H, W, C)). It is not a distribution:
/// Sample, RSample, LogProb and Entropy throw <see cref="NotSupportedException"/>.
/// </summary>
public class Mse : IDistribution
{
    /// <summary>The raw prediction (for <see cref="SymlogMse"/>, in symlog space).</summary>
    public Tensor Pred { get; }

    /// <summary>How many trailing axes form one event.</summary>
    public int EventRank { get; }

    /// <inheritdoc/>
    public Shape BatchShape { get; }

    /// <inheritdoc/>
    public Shape EventShape { get; }

    /// <summary>Creates the output.</summary>
    /// <exception cref="ArgumentException">eventRank is out of range.</exception>
    public Mse(Tensor pred, int eventRank = 0)
    {
        DistOps.CheckEventRank(Name, eventRank, pred.Rank, pred.Shape);
        Pred = pred;
        EventRank = eventRank;
        BatchShape = Normal.SplitShape(pred.Shape, eventRank, out var ev);
        EventShape = ev;
    }

    private protected virtual string Name => "mse";

    /// <summary>The target transform applied before the squared error (identity here).</summary>
    private protected virtual Tensor SquashTarget(Tensor target) => target;

    /// <inheritdoc/>
    public bool HasRSample => false;

    /// <exception cref="NotSupportedException">Always: a point prediction has no samples.</exception>
    public Tensor Sample(Rng rng) => throw NotADistribution("Sample");

    /// <exception cref="NotSupportedException">Always.</exception>
    public Tensor RSample(Rng rng) => throw NotADistribution("RSample");

    /// <exception cref="NotSupportedException">Always.</exception>
    public Tensor LogProb(Tensor value) => throw NotADistribution("LogProb");

    /// <exception cref="NotSupportedException">Always.</exception>
    public Tensor Entropy() => throw NotADistribution("Entropy");

    private NotSupportedException NotADistribution(string what) =>
        new($"{Name}: {what} is undefined for a point prediction; use Mode()/Mean and Loss(target)");

    /// <summary>The prediction in target units.</summary>
    public virtual Tensor Mode() => Pred;

    /// <summary>The prediction in target units (same as <see cref="Mode"/>).</summary>
    public Tensor Mean => Mode();

    /// <summary>Σ_event (pred − sg(squash(target)))².</summary>
    /// <exception cref="ArgumentException"><paramref name="target"/> does not have the prediction's shape.</exception>
    public Tensor Loss(Tensor target)
    {
        DistOps.CheckSame(Name + ".loss", "target", Pred.Shape, target);
        Tensor t;
        using (Tensor.NoGrad()) t = SquashTarget(target.Detach());
        return Tensor.SquaredError(Pred, t, EventRank);
    }
}

/// <summary>
/// DreamerV3's <c>symlog_mse</c>: the prediction lives in symlog space and
/// Loss(target) = Σ_event (pred − sg(symlog(target)))²; <see cref="Mode"/> and Mean return symexp(pred),
/// the prediction in target units.
/// </summary>
public sealed class SymlogMse : Mse
{
    /// <summary>Creates the output from a prediction in symlog space.</summary>
    public SymlogMse(Tensor pred, int eventRank = 0) : base(pred, eventRank) { }

    private protected override string Name => "symlog_mse";

    private protected override Tensor SquashTarget(Tensor target) => target.SymLog();

    /// <summary>symexp(pred).</summary>
    public override Tensor Mode() => Pred.SymExp();
}

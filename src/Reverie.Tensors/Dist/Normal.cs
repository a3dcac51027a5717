// Diagonal Normal: reparameterized sample, log-prob, entropy; the base of BoundedNormal.
namespace Reverie.Tensors.Dist;

/// <summary>
/// Independent normals N(mean, std²) per element; the last <see cref="EventRank"/> axes form one
/// event (default 1: the last axis is a vector action) and are summed in log-probs and entropies.
/// </summary>
public class Normal : IDistribution
{
    private const float HalfLog2Pi = 0.918938533204672742f;   // ½ ln 2π

    /// <summary>The means, shape BatchShape + EventShape.</summary>
    public Tensor Loc { get; }

    /// <summary>The standard deviations; the same shape as <see cref="Loc"/> or broadcastable to it.</summary>
    public Tensor Std { get; }

    /// <summary>How many trailing axes form one event.</summary>
    public int EventRank { get; }

    /// <inheritdoc/>
    public Shape BatchShape { get; }

    /// <inheritdoc/>
    public Shape EventShape { get; }

    /// <summary>Creates N(mean, std²).</summary>
    /// <param name="mean">Means, any shape of rank ≥ <paramref name="eventRank"/>.</param>
    /// <param name="std">Positive standard deviations, of mean's shape or broadcastable to it (e.g. a scalar).</param>
    /// <param name="eventRank">Trailing axes of mean that form one event (0..rank).</param>
    /// <exception cref="ArgumentException">std does not broadcast to mean's shape, or eventRank is out of range.</exception>
    public Normal(Tensor mean, Tensor std, int eventRank = 1)
    {
        const string op = "normal";
        DistOps.CheckEventRank(op, eventRank, mean.Rank, mean.Shape);
        if (!DistOps.BroadcastsTo(std.Shape, mean.Shape))
            throw new ArgumentException($"{op}: std {std.Shape} does not broadcast to mean {mean.Shape}");
        Loc = mean;
        Std = std;
        EventRank = eventRank;
        BatchShape = SplitShape(mean.Shape, eventRank, out var ev);
        EventShape = ev;
    }

    /// <summary>Creates N(mean, std²) with one constant std for every element.</summary>
    public Normal(Tensor mean, float std, int eventRank = 1) : this(mean, Tensor.Scalar(std), eventRank) { }

    internal static Shape SplitShape(Shape s, int eventRank, out Shape eventShape)
    {
        var d = s.ToArray();
        eventShape = new Shape(d.AsSpan(d.Length - eventRank));
        return new Shape(d.AsSpan(0, d.Length - eventRank));
    }

    /// <inheritdoc/>
    public bool HasRSample => true;

    /// <summary>mean + std·ε with ε ~ N(0, 1) from <paramref name="rng"/>; no gradient.</summary>
    public Tensor Sample(Rng rng)
    {
        using var _ = Tensor.NoGrad();
        return RSample(rng);
    }

    /// <summary>mean + std·ε with ε ~ N(0, 1) from <paramref name="rng"/>; differentiable in mean and std.</summary>
    public Tensor RSample(Rng rng) => Loc + Std * Tensor.Randn(Loc.Shape, rng);

    /// <summary>Σ_event [−½((x − mean)/std)² − ln std − ½ ln 2π].</summary>
    /// <exception cref="ArgumentException"><paramref name="value"/> does not have mean's shape.</exception>
    public Tensor LogProb(Tensor value)
    {
        DistOps.CheckSame("normal.log_prob", "value", Loc.Shape, value);
        var z = (value - Loc) / Std;
        var lp = z.Square().Mul(-0.5f) - Std.Log();
        return DistOps.SumEvent(lp.Add(-HalfLog2Pi), EventRank);
    }

    /// <summary>Σ_event [½ + ½ ln 2π + ln std].</summary>
    public Tensor Entropy()
    {
        var h = Std.Log().Add(0.5f + HalfLog2Pi);
        if (h.Shape != Loc.Shape) h = h + Tensor.Zeros(Loc.Shape);
        return DistOps.SumEvent(h, EventRank);
    }

    /// <summary>The mean.</summary>
    public Tensor Mode() => Loc;

    /// <summary>The mean.</summary>
    public Tensor Mean => Loc;

    /// <summary>−LogProb(sg(target)).</summary>
    public Tensor Loss(Tensor target) => LogProb(target.Detach()).Neg();

    /// <summary>KL(this ‖ other) summed over the event axes; see <see cref="Dist.Kl.Normal"/>.</summary>
    public Tensor Kl(Normal other) => Dist.Kl.Normal(this, other);
}

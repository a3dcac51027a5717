// The one interface every head output implements: sample, log-prob, entropy, mode, mean and loss.
namespace Reverie.Tensors.Dist;

/// <summary>
/// A batch of distributions (or point predictions) returned by a network head, as DreamerV3's
/// outputs: a loss reads <c>Reward(feat).Loss(batch.Reward)</c>.
/// <para>
/// Shapes: a value (a sample, a target) has shape <see cref="BatchShape"/> + <see cref="EventShape"/>;
/// <see cref="LogProb"/>, <see cref="Entropy"/> and <see cref="Loss"/> return <see cref="BatchShape"/>,
/// having summed over the event axes. The event is the last <c>eventRank</c> axes of the
/// parameters (plus the class axis for categoricals); each type documents its default.
/// </para>
/// <para>
/// Gradients: every tensor returned is built from differentiable ops on the parameters, unless
/// stated otherwise. <see cref="Sample"/> carries no gradient (except the straight-through sample
/// of <see cref="OneHotCategorical"/>); <see cref="RSample"/> is the reparameterized sample where
/// <see cref="HasRSample"/> is true. Members a distribution cannot support throw
/// <see cref="NotSupportedException"/> saying what to use instead.
/// </para>
/// The tensors live in the <see cref="Tensor.Scope"/> that was current when the parameters were made.
/// </summary>
public interface IDistribution
{
    /// <summary>The shape of <see cref="LogProb"/>, <see cref="Entropy"/> and <see cref="Loss"/>.</summary>
    Shape BatchShape { get; }

    /// <summary>The shape of one event (one sample for one batch element).</summary>
    Shape EventShape { get; }

    /// <summary>Whether <see cref="RSample"/> is available.</summary>
    bool HasRSample { get; }

    /// <summary>A sample of shape BatchShape + EventShape drawn with <paramref name="rng"/>.</summary>
    Tensor Sample(Rng rng);

    /// <summary>A sample through which gradients reach the parameters.</summary>
    /// <exception cref="NotSupportedException">The distribution has no reparameterized sample.</exception>
    Tensor RSample(Rng rng);

    /// <summary>log p(value), summed over the event axes; value has shape BatchShape + EventShape.</summary>
    Tensor LogProb(Tensor value);

    /// <summary>The entropy, summed over the event axes.</summary>
    Tensor Entropy();

    /// <summary>The most likely value (or the point prediction), shape BatchShape + EventShape.</summary>
    Tensor Mode();

    /// <summary>The expected value, shape BatchShape + EventShape.</summary>
    Tensor Mean { get; }

    /// <summary>
    /// The training loss against <paramref name="target"/> (no gradient flows into the target), summed over
    /// the event axes: −LogProb(target) for proper distributions, the squared error for
    /// <see cref="Mse"/>, the two-hot cross-entropy for <see cref="TwoHotDist"/>.
    /// </summary>
    Tensor Loss(Tensor target);
}

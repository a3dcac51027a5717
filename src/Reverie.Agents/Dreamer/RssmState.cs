// RssmState and the outputs of Rssm.Observe / Rssm.Imagine.
using Reverie.Tensors;

namespace Reverie.Agents.Dreamer;

/// <summary>The RSSM carry: deterministic state (B, deter) and one-hot stochastic state (B, stoch, classes).</summary>
/// <param name="Deter">h, (B, deter).</param>
/// <param name="Stoch">z, (B, stoch, classes), one-hot per latent.</param>
public readonly record struct RssmState(Tensor Deter, Tensor Stoch)
{
    /// <summary>Both tensors with their gradients cut.</summary>
    public RssmState Detach() => new(Deter.Detach(), Stoch.Detach());
}

/// <summary>What <see cref="Rssm.Observe"/> returns; every tensor is (B, T, ...).</summary>
/// <param name="Deter">h_t, (B, T, deter).</param>
/// <param name="Stoch">z_t sampled from the posterior (straight-through one-hot), (B, T, stoch, classes).</param>
/// <param name="PostLogits">Posterior logits q(z_t | h_t, e_t), (B, T, stoch, classes).</param>
/// <param name="PriorLogits">Prior logits p(z_t | h_t), (B, T, stoch, classes).</param>
/// <param name="Last">The carry after the last step, to continue from.</param>
public sealed record RssmObservation(Tensor Deter, Tensor Stoch, Tensor PostLogits, Tensor PriorLogits, RssmState Last);

/// <summary>What <see cref="Rssm.Imagine"/> returns: the H states reached after each action (the start state excluded, as DreamerV3).</summary>
/// <param name="Deter">(B, H, deter).</param>
/// <param name="Stoch">Sampled from the prior, (B, H, stoch, classes).</param>
/// <param name="PriorLogits">(B, H, stoch, classes).</param>
/// <param name="Action">The action taken from the previous state, (B, H, A).</param>
/// <param name="Last">The final carry.</param>
public sealed record RssmImagination(Tensor Deter, Tensor Stoch, Tensor PriorLogits, Tensor Action, RssmState Last);

// PpoNetworks: PPO's separate actor and critic MLPs (CleanRL's Agent) with orthogonal init.
using Reverie.Agents.Shared;
using Reverie.Tensors;
using Reverie.Tensors.Dist;
using Reverie.Tensors.Nn;

namespace Reverie.Agents.ModelFree;

/// <summary>
/// CleanRL's PPO agent: a critic MLP (…→ 1) and an actor MLP (…→ logits or Gaussian means), separate,
/// with tanh hidden layers and orthogonal weights (gain √2 for hidden layers, 1 for the value head,
/// 0.01 for the policy head) and zero biases. Continuous actions use a state-independent log-std
/// parameter <c>actor_logstd</c> (1, A).
/// </summary>
public sealed class PpoNetworks : Module
{
    /// <summary>The value network, obs → (B, 1).</summary>
    public Mlp Critic { get; }
    /// <summary>The policy network, obs → logits (B, K) or means (B, A).</summary>
    public Mlp Actor { get; }
    /// <summary>The log-std (1, A) of the Gaussian policy; null for discrete actions.</summary>
    public Tensor? ActorLogStd { get; }
    /// <summary>Number of discrete actions, or 0 for continuous ones.</summary>
    public int Classes { get; }

    /// <param name="obsDim">Observation features.</param>
    /// <param name="actionDim">Classes K (discrete) or action dimensions A (continuous).</param>
    /// <param name="discrete">Whether actions are class indices.</param>
    /// <param name="hidden">Hidden widths of both networks.</param>
    /// <param name="act">Hidden activation.</param>
    /// <param name="initLogStd">Initial log-std (continuous).</param>
    /// <param name="rng">Draws the initial weights.</param>
    public PpoNetworks(int obsDim, int actionDim, bool discrete, int[] hidden, string act, float initLogStd, Rng rng)
    {
        Critic = RegisterModule("critic", new Mlp(obsDim, hidden, 1, rng, act: act));
        Actor = RegisterModule("actor", new Mlp(obsDim, hidden, actionDim, rng, act: act));
        InitOrthogonal(Critic, rng, outGain: 1f);
        InitOrthogonal(Actor, rng, outGain: 0.01f);
        Classes = discrete ? actionDim : 0;
        if (!discrete)
        {
            ActorLogStd = RegisterParameter("actor_logstd", Tensor.Parameter(new Shape(1, actionDim)));
            ActorLogStd.Span.Fill(initLogStd);
        }
    }

    private static void InitOrthogonal(Mlp mlp, Rng rng, float outGain)
    {
        foreach (var (name, m) in mlp.NamedModules())
            if (m is Linear l) Orthogonal.InitLayer(l, rng, name.EndsWith("out", StringComparison.Ordinal) ? outGain : MathF.Sqrt(2f));
    }

    /// <summary>V(obs): (B, D) → (B,).</summary>
    public Tensor Value(Tensor obs) => Critic.Forward(obs).Reshape(obs.Shape[0]);

    /// <summary>The policy at obs (B, D): a <see cref="Categorical"/> over K classes or a diagonal <see cref="Normal"/> (B, A).</summary>
    public IDistribution Policy(Tensor obs)
    {
        var head = Actor.Forward(obs);                               // (B, K) or (B, A)
        if (ActorLogStd is null) return new Categorical(head);
        return new Normal(head, ActorLogStd.Exp());                  // std (1, A) broadcasts over B
    }
}

// ActorCritic: Dreamer's actor (bounded normal, tanh normal or unimix categorical) and critic (two-hot or MSE) heads.
using Reverie.Tensors;
using Reverie.Tensors.Dist;
using Reverie.Tensors.Nn;

namespace Reverie.Agents.Dreamer;

/// <summary>
/// The behaviour networks, on world-model features (..., F). Children: <c>actor</c> and <c>critic</c> (both
/// <c>layers</c> × <c>units</c> MLPs). The slow critic is kept by the learner (it is not trained by gradients).
/// <list type="bullet">
/// <item>Continuous actions, <c>bounded_normal</c> (DreamerV3): mean = tanh(m), std = (max − min)·σ(s + 2) + min.</item>
/// <item>Continuous actions, <c>tanh_normal</c> (v1, v2): tanh(N(5·tanh(m / 5), softplus(s + ln(e⁵ − 1)) + minstd)).</item>
/// <item>Discrete actions: one-hot categorical with <c>actor.unimix</c> mixed in, straight-through samples.</item>
/// <item>Critic: 255-bin symexp two-hot (zero-initialized output, DreamerV3) or MSE (normal init, v1/v2).</item>
/// </list>
/// </summary>
public sealed class ActorCritic : Module
{
    private static readonly float RawInitStd = MathF.Log(MathF.Exp(5f) - 1f);
    private readonly DreamerConfig _c;
    private readonly Bins? _bins;

    /// <summary>The actor MLP (outputs 2·A raw values, or A logits when discrete).</summary>
    public Mlp Actor { get; }
    /// <summary>The critic MLP.</summary>
    public Mlp Critic { get; }
    /// <summary>Whether the actions are discrete.</summary>
    public bool Discrete { get; }
    /// <summary>A: action dimensions, or classes when discrete.</summary>
    public int ActionSize { get; }

    /// <summary>Builds the actor and critic for features of size <paramref name="features"/>.</summary>
    public ActorCritic(DreamerConfig c, int features, int actionSize, bool discrete, Rng rng)
    {
        _c = c;
        Discrete = discrete;
        ActionSize = actionSize;
        Actor = RegisterModule("actor", DreamerLayers.Mlp(features, c.Layers, c.Units, discrete ? actionSize : 2 * actionSize, c, rng, c.Actor.Outscale));
        Critic = RegisterModule("critic", NewCritic(c, features, rng));
        if (c.ValueHead == "symexp_twohot") _bins = Bins.SymexpTwoHot(c.Bins);
    }

    /// <summary>A critic network of this architecture (also the slow critic's).</summary>
    public static Mlp NewCritic(DreamerConfig c, int features, Rng rng) =>
        c.ValueHead == "symexp_twohot"
            ? DreamerLayers.Mlp(features, c.Layers, c.Units, c.Bins, c, rng, outscale: 0f)
            : DreamerLayers.Mlp(features, c.Layers, c.Units, 1, c, rng);

    /// <summary>π(· | feat): an event of A action dimensions (or one categorical) per row of (..., F).</summary>
    public IDistribution Policy(Tensor feat)
    {
        var o = Actor.Forward(feat);                                                // (..., 2A) or (..., A)
        if (Discrete) return new OneHotCategorical(o, _c.Actor.Unimix);
        int A = ActionSize;
        var m = o.Narrow(-1, 0, A);
        var s = o.Narrow(-1, A, A);
        if (_c.Actor.Dist == "bounded_normal") return new BoundedNormal(m, s, _c.Actor.Minstd, _c.Actor.Maxstd);
        var mean = (m * 0.2f).Tanh() * 5f;
        var std = (s + RawInitStd).Softplus() + _c.Actor.Minstd;
        return new TanhNormal(mean, std);
    }

    /// <summary>The value distribution of a critic network at features (..., F): Mean is the value (...).</summary>
    public IDistribution Value(Mlp critic, Tensor feat) => ValueOf(critic.Forward(feat));

    /// <summary>The value distribution of critic outputs (..., bins) or (..., 1).</summary>
    public IDistribution ValueOf(Tensor criticOut) =>
        _bins is null ? new Mse(criticOut.Squeeze(-1)) : new TwoHotDist(criticOut, _bins);

    /// <summary>The policy's entropy per row (...): closed form, or −log π of a fresh sample for tanh_normal.</summary>
    public static Tensor Entropy(IDistribution pi, Rng rng)
    {
        if (pi is TanhNormal t) return t.RSampleWithLogProb(rng).LogProb.Neg();
        return pi.Entropy();
    }
}

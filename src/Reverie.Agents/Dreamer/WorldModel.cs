// WorldModel: Dreamer's world model (encoder, RSSM, decoder, reward and continue heads) and its losses.
using Reverie.Tensors;
using Reverie.Tensors.Dist;
using Reverie.Tensors.Nn;

namespace Reverie.Agents.Dreamer;

/// <summary>
/// A replayed batch in Dreamer's units, B sequences of T steps. Step t holds observation o_t, the reward r_t received
/// on arriving at o_t, its flags, and the action a_t chosen at o_t (the replay's convention).
/// </summary>
/// <param name="Obs">The observations, N = B·T rows in (b, t) order.</param>
/// <param name="Action">a_t, (B, T, A); one-hot for discrete actions.</param>
/// <param name="Reward">r_t, (B, T).</param>
/// <param name="IsFirst">1 where o_t starts an episode, (B, T).</param>
/// <param name="IsLast">1 where o_t ends an episode (terminal or truncated), (B, T).</param>
/// <param name="IsTerminal">1 where o_t is terminal, (B, T).</param>
public sealed record DreamerBatch(ObsTensors Obs, Tensor Action, Tensor Reward, Tensor IsFirst, Tensor IsLast, Tensor IsTerminal)
{
    /// <summary>B.</summary>
    public int B => Reward.Shape[0];
    /// <summary>T.</summary>
    public int T => Reward.Shape[1];

    /// <summary>The action before each step, a_{t−1}, (B, T, A): zero at t = 0 (the RSSM also zeroes it where is_first).</summary>
    public Tensor PrevAction()
    {
        int A = Action.Shape[2];
        var zero = Tensor.Zeros(new Shape(B, 1, A));
        return T == 1 ? zero : Tensor.Concat([zero, Action.Narrow(1, 0, T - 1)], 1);
    }
}

/// <summary>What <see cref="WorldModel.Loss"/> returns.</summary>
/// <param name="Losses">Per-step losses by name (<c>rec</c>, <c>rew</c>, <c>con</c>, <c>dyn</c>, <c>rep</c>), each (B, T).</param>
/// <param name="Post">The posterior states and the prior/posterior statistics.</param>
/// <param name="Feat">concat(h, z) of the posterior states, (B, T, F); carries gradients into the model.</param>
public sealed record WorldModelOutput(Dictionary<string, Tensor> Losses, RssmObservation Post, Tensor Feat);

/// <summary>
/// Dreamer's world model. Children: <c>enc</c> (<see cref="DreamerEncoder"/>), <c>dyn</c> (<see cref="Rssm"/>),
/// <c>dec</c> (<see cref="DreamerDecoder"/>), <c>rew</c> (reward head: 255-bin symexp two-hot with a zero-initialized
/// output layer, or MSE with a normally initialized one) and <c>con</c> (continue head, Bernoulli; absent with <c>cont_head: false</c>).
/// <code>
/// rec = Σ (dec(feat) − symlog(o))²      rew = −ln p(r_t | feat_t)       con = −ln p(c_t | feat_t), c_t = (1 − terminal_t)·γ
/// dyn = max(free, KL(sg(q) ‖ p))        rep = max(free, KL(q ‖ sg(p)))
/// </code>
/// The continue target is discounted (DreamerV3's <c>contdisc</c>), so the head's probability is the per-step
/// discount used in imagination.
/// </summary>
public sealed class WorldModel : Module
{
    private readonly DreamerConfig _c;
    private readonly Bins? _bins;

    /// <summary>The encoder.</summary>
    public DreamerEncoder Encoder { get; }
    /// <summary>The RSSM.</summary>
    public Rssm Dynamics { get; }
    /// <summary>The decoder.</summary>
    public DreamerDecoder Decoder { get; }
    /// <summary>The reward head.</summary>
    public Mlp RewardHead { get; }
    /// <summary>The continue head, or null without one.</summary>
    public Mlp? ContHead { get; }
    /// <summary>A, the action size the dynamics take (classes for discrete actions).</summary>
    public int ActionSize => Dynamics.ActionSize;

    /// <summary>Builds the world model for an observation layout and an action size.</summary>
    public WorldModel(DreamerConfig c, ObsLayout layout, int actionSize, Rng rng)
    {
        _c = c;
        Encoder = RegisterModule("enc", new DreamerEncoder(layout, c, rng));
        Dynamics = RegisterModule("dyn", new Rssm(c.Rssm, Encoder.EmbedSize, actionSize, rng));
        int F = Dynamics.FeatureSize;
        Decoder = RegisterModule("dec", new DreamerDecoder(layout, F, c, rng));
        bool twohot = c.RewardHead == "symexp_twohot";
        if (twohot) _bins = Bins.SymexpTwoHot(c.Bins);
        RewardHead = RegisterModule("rew", DreamerLayers.Mlp(F, c.HeadLayers, c.Units, twohot ? c.Bins : 1, c, rng, outscale: twohot ? 0f : 1f));
        if (c.ContHead) ContHead = RegisterModule("con", DreamerLayers.Mlp(F, c.HeadLayers, c.Units, 1, c, rng));
    }

    /// <summary>The reward distribution at features (..., F): its Mean is the expected reward (...).</summary>
    public IDistribution Reward(Tensor feat)
    {
        var o = RewardHead.Forward(feat);
        return _bins is null ? new Mse(o.Squeeze(-1)) : new TwoHotDist(o, _bins);
    }

    /// <summary>The continue probability (the discount of the next step) at features (..., F) → (...): σ(head), or γ without a head.</summary>
    public Tensor ContProb(Tensor feat) =>
        ContHead is null ? Tensor.Full(feat.Shape.Without(-1), _c.Discount) : ContHead.Forward(feat).Squeeze(-1).Sigmoid();

    /// <summary>The features concat(h, z) of a carry.</summary>
    public Tensor Features(RssmState s) => Dynamics.Features(s);

    /// <summary>
    /// The world-model losses of a batch (see the class summary), each (B, T), with the posterior states: the
    /// RSSM starts from zeros at t = 0 and resets where is_first.
    /// </summary>
    /// <exception cref="ArgumentException">The batch does not fit the model (named shapes).</exception>
    public WorldModelOutput Loss(DreamerBatch batch, Rng rng)
    {
        int B = batch.B, T = batch.T;
        var embed = Encoder.Forward(batch.Obs);                                     // (B·T, E)
        embed = embed.Reshape(B, T, embed.Shape[1]);                                // (B, T, E)
        var post = Dynamics.Observe(embed, batch.PrevAction(), batch.IsFirst, Dynamics.Initial(B), rng);
        var feat = Dynamics.Features(post.Deter, post.Stoch);                       // (B, T, F)
        var losses = new Dictionary<string, Tensor>
        {
            ["dyn"] = Dynamics.DynLossOf(post.PostLogits, post.PriorLogits),         // (B, T)
            ["rep"] = Dynamics.RepLossOf(post.PostLogits, post.PriorLogits),         // (B, T)
            ["rec"] = Decoder.Loss(feat.Reshape(B * T, feat.Shape[2]), batch.Obs).Reshape(B, T),
            ["rew"] = Reward(feat).Loss(batch.Reward),                              // (B, T)
        };
        if (ContHead is not null)
        {
            var target = (1f - batch.IsTerminal) * _c.Discount;                      // (B, T)
            losses["con"] = new Bernoulli(ContHead.Forward(feat).Squeeze(-1)).Loss(target);
        }
        return new WorldModelOutput(losses, post, feat);
    }
}

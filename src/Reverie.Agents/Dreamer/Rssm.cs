// Rssm: DreamerV3's recurrent state-space model (danijar/dreamerv3 rssm.py) on the Reverie engine.
using Reverie.Tensors;
using Reverie.Tensors.Dist;
using Reverie.Tensors.Nn;

namespace Reverie.Agents.Dreamer;

/// <summary>
/// DreamerV3's RSSM. With D = deter, S = stoch, K = classes, E = embedding size, A = action size:
/// <code>
/// h_t = core(h_{t−1}, z_{t−1}, a_{t−1} / max(1, |a_{t−1}|))     BlockGruCell        (B, D)
/// prior:     p(z_t | h_t)      = OneHot(unimix(img(h_t)))         img: imglayers MLP → (S, K)
/// posterior: q(z_t | h_t, e_t) = OneHot(unimix(obs([h_t, e_t])))  obs: obslayers MLP → (S, K)
/// features   = concat(h_t, flat(z_t))                                                (B, D + S·K)
/// </code>
/// Latents are sampled one-hot with straight-through gradients (<see cref="OneHotCategorical"/>). With
/// <c>latent: gaussian</c> (Dreamer v1) the heads output (mean, raw std) per latent instead, the "logits" are
/// (..., S, 2) statistics, z is (B, S, 1) drawn with the reparameterization trick, std = softplus(raw) + min_std.
/// Where is_first is set, the carry (h, z) and the action are zeroed before the step, as DreamerV3's
/// <c>_observe</c> (its initial state is zeros). Children: <c>core</c>, <c>img</c>, <c>obs</c>.
/// </summary>
public sealed class Rssm : Module
{
    private readonly BlockGruCell _core;
    private readonly Mlp _img;
    private readonly Mlp _obs;

    /// <summary>The settings this model was built with.</summary>
    public RssmConfig Config { get; }
    /// <summary>E, the embedding size the posterior expects.</summary>
    public int EmbedSize { get; }
    /// <summary>A, the action size.</summary>
    public int ActionSize { get; }
    /// <summary>D + S·K, the size of the features concat(deter, flat stoch).</summary>
    public int FeatureSize => Config.Deter + Config.Stoch * Config.Classes;
    /// <summary>Whether the latents are Gaussian (v1) rather than categorical.</summary>
    public bool Gaussian => Config.Latent == "gaussian";
    // Last axis of the prior/posterior statistics: K logits, or (mean, raw std).
    private int StatsLast => Gaussian ? 2 : Config.Classes;

    /// <exception cref="ArgumentException">A bad config value (named) or a non-positive size.</exception>
    public Rssm(RssmConfig config, int embedSize, int actionSize, Rng rng)
    {
        var problems = config.Validate().ToList();
        if (problems.Count > 0)
            throw new ArgumentException("Rssm: " + string.Join("; ", problems.Select(p => $"rssm.{p.Key} {p.Problem}")));
        if (embedSize < 1) throw new ArgumentException($"Rssm: embedSize must be at least 1, got {embedSize}");
        if (actionSize < 1) throw new ArgumentException($"Rssm: actionSize must be at least 1, got {actionSize}");
        Config = config; EmbedSize = embedSize; ActionSize = actionSize;
        int D = config.Deter, SK = config.Stoch * config.Classes, stats = config.Stoch * StatsLast;
        _core = RegisterModule("core", new BlockGruCell(D, config.Hidden, config.Blocks, [SK, actionSize], rng,
            config.Dynlayers, config.Norm, config.Act, init: config.Winit));
        _img = RegisterModule("img", new Mlp(D, config.Imglayers, config.Hidden, stats, rng, config.Norm, config.Act,
            init: config.Winit, normEps: 1e-4f));
        _obs = RegisterModule("obs", new Mlp(D + embedSize, config.Obslayers, config.Hidden, stats, rng, config.Norm, config.Act,
            init: config.Winit, normEps: 1e-4f));
        if (config.Outscale != 1f)
            foreach (var head in new[] { _img, _obs })
                foreach (var (name, p) in head.NamedParameters())
                    if (name == "out.weight") { var s = p.Span; for (int i = 0; i < s.Length; i++) s[i] *= config.Outscale; }
    }

    /// <summary>The zero carry for <paramref name="batch"/> rows (DreamerV3's <c>initial</c>).</summary>
    public RssmState Initial(int batch) =>
        new(Tensor.Zeros(new Shape(batch, Config.Deter)), Tensor.Zeros(new Shape(batch, Config.Stoch, Config.Classes)));

    /// <summary>concat(deter, flat stoch): (..., D) and (..., S, K) → (..., D + S·K).</summary>
    public Tensor Features(Tensor deter, Tensor stoch) =>
        Tensor.Concat([deter, stoch.Flatten(stoch.Rank - 2)], -1);

    /// <summary><see cref="Features(Tensor, Tensor)"/> of a carry, (B, D + S·K).</summary>
    public Tensor Features(RssmState s) => Features(s.Deter, s.Stoch);

    /// <summary>Prior logits from deter: (..., D) → (..., S, K).</summary>
    public Tensor Prior(Tensor deter) => ToLatent(_img.Forward(deter));

    /// <summary>The categorical latent distribution of logits (..., S, K): unimix, one event over the S latents.</summary>
    public OneHotCategorical Dist(Tensor logits) => new(logits, Config.Unimix, eventRank: 1);

    /// <summary>
    /// The latent distribution of statistics from <see cref="Prior"/> or a posterior: categorical (..., S, K) as
    /// <see cref="Dist"/>, or for Gaussian latents (..., S, 2) → Normal over (..., S, 1), one event over the S latents.
    /// </summary>
    public IDistribution LatentDist(Tensor stats)
    {
        if (!Gaussian) return Dist(stats);
        var mean = stats.Narrow(-1, 0, 1);                                          // (..., S, 1)
        var std = stats.Narrow(-1, 1, 1).Softplus() + Config.MinStd;               // (..., S, 1)
        return new Normal(mean, std, eventRank: 2);
    }

    /// <summary>A latent sample with gradients: straight-through one-hot, or reparameterized Gaussian.</summary>
    public Tensor SampleLatent(Tensor stats, Rng rng) => Gaussian ? LatentDist(stats).RSample(rng) : Dist(stats).Sample(rng);

    /// <summary>The latent's mode (one-hot argmax or mean), for deterministic open-loop reports.</summary>
    public Tensor LatentMode(Tensor stats) => LatentDist(stats).Mode();

    /// <summary>
    /// The dynamics loss of this model's latents, max(free, KL(sg(post) ‖ prior)) per step (..., S, ·) → (...).
    /// </summary>
    public Tensor DynLossOf(Tensor post, Tensor prior) => Gaussian
        ? Kl.FreeBits(Kl.Normal((Normal)LatentDist(post.Detach()), (Normal)LatentDist(prior)), Config.FreeNats)
        : DynLoss(post, prior, Config.Unimix, Config.FreeNats);

    /// <summary>The representation loss, max(free, KL(post ‖ sg(prior))) per step (..., S, ·) → (...).</summary>
    public Tensor RepLossOf(Tensor post, Tensor prior) => Gaussian
        ? Kl.FreeBits(Kl.Normal((Normal)LatentDist(post), (Normal)LatentDist(prior.Detach())), Config.FreeNats)
        : RepLoss(post, prior, Config.Unimix, Config.FreeNats);

    /// <summary>h' = core(h, z, a / sg(max(1, |a|))) for a carry (B, ...) and an action (B, A).</summary>
    public Tensor Step(RssmState prev, Tensor action)
    {
        var scale = action.Detach().Abs().Clamp(min: 1f);
        return _core.Forward(prev.Deter, prev.Stoch.Flatten(1), action / scale);     // (B, D)
    }

    /// <summary>
    /// One posterior step (DreamerV3's <c>_observe</c>): zero the carry and action where
    /// <paramref name="isFirst"/> is 1, advance the core, then sample z from q(z | h, e).
    /// </summary>
    /// <param name="prev">The carry, (B, D) and (B, S, K).</param>
    /// <param name="action">The action taken before this observation, (B, A).</param>
    /// <param name="embed">The observation's embedding, (B, E).</param>
    /// <param name="isFirst">1 where this observation starts an episode, else 0, (B,).</param>
    /// <param name="rng">Draws the sample.</param>
    /// <returns>The new carry and the posterior logits (B, S, K).</returns>
    /// <exception cref="ArgumentException">The shapes do not fit.</exception>
    public (RssmState State, Tensor PostLogits) ObserveStep(RssmState prev, Tensor action, Tensor embed, Tensor isFirst, Rng rng)
    {
        int B = prev.Deter.Shape[0];
        CheckShape("action", action, new Shape(B, ActionSize));
        CheckShape("embed", embed, new Shape(B, EmbedSize));
        CheckShape("is_first", isFirst, new Shape(B));
        CheckState(prev, B);
        var keep = (1f - isFirst).Reshape(B, 1);                                   // (B, 1)
        var masked = new RssmState(prev.Deter * keep, prev.Stoch * keep.Reshape(B, 1, 1));
        var deter = Step(masked, action * keep);                                    // (B, D)
        var logits = ToLatent(_obs.Forward(Tensor.Concat([deter, embed], -1)));    // (B, S, K)
        var stoch = SampleLatent(logits, rng);                                      // (B, S, K), straight-through
        return (new RssmState(deter, stoch), logits);
    }

    /// <summary>
    /// Runs the posterior over a sequence (DreamerV3's <c>observe</c>) and computes the prior logits
    /// from each step's deter (as its <c>loss</c>).
    /// </summary>
    /// <param name="embed">(B, T, E).</param>
    /// <param name="action">action[:, t] is the action taken before observation t, (B, T, A); it is ignored where is_first.</param>
    /// <param name="isFirst">(B, T), 1 where an episode starts.</param>
    /// <param name="state">The carry before the first step (e.g. <see cref="Initial"/>).</param>
    /// <param name="rng">Draws the samples, step by step.</param>
    /// <exception cref="ArgumentException">The shapes do not fit.</exception>
    public RssmObservation Observe(Tensor embed, Tensor action, Tensor isFirst, RssmState state, Rng rng)
    {
        if (embed.Rank != 3 || embed.Shape[-1] != EmbedSize)
            throw new ArgumentException($"Rssm.Observe: expected embed (B, T, {EmbedSize}) but got {embed.Shape}");
        int B = embed.Shape[0], T = embed.Shape[1];
        CheckShape("action", action, new Shape(B, T, ActionSize));
        CheckShape("is_first", isFirst, new Shape(B, T));
        CheckState(state, B);
        var deters = new Tensor[T]; var stochs = new Tensor[T]; var posts = new Tensor[T];
        for (int t = 0; t < T; t++)
        {
            var (next, logits) = ObserveStep(state, At(action, t), At(embed, t), At(isFirst, t), rng);
            deters[t] = next.Deter; stochs[t] = next.Stoch; posts[t] = logits;
            state = next;
        }
        var deter = Tensor.Stack(deters, 1);                                        // (B, T, D)
        return new RssmObservation(deter, Tensor.Stack(stochs, 1), Tensor.Stack(posts, 1), Prior(deter), state);
    }

    /// <summary>
    /// Rolls the prior forward <paramref name="horizon"/> steps from <paramref name="start"/>
    /// (DreamerV3's <c>imagine</c>): a = policy(sg(state)), h' = core(h, z, a), z' ~ p(z' | h').
    /// </summary>
    /// <param name="policy">Maps a detached carry (B, ...) to an action (B, A).</param>
    /// <param name="start">The start carry, (B, D) and (B, S, K).</param>
    /// <param name="horizon">H ≥ 1.</param>
    /// <param name="rng">Draws the latent samples.</param>
    /// <param name="detachPolicyInput">Pass the policy a detached state (DreamerV3); false lets gradients of the
    /// actions reach earlier states (dynamics backpropagation, v1).</param>
    /// <param name="mode">Use each prior's mode instead of a sample (open-loop reports).</param>
    /// <exception cref="ArgumentException">H &lt; 1, or a shape does not fit.</exception>
    public RssmImagination Imagine(Func<RssmState, Tensor> policy, RssmState start, int horizon, Rng rng,
        bool detachPolicyInput = true, bool mode = false)
    {
        if (horizon < 1) throw new ArgumentException($"Rssm.Imagine: horizon must be at least 1, got {horizon}");
        int B = start.Deter.Shape[0];
        CheckState(start, B);
        var deters = new Tensor[horizon]; var stochs = new Tensor[horizon]; var priors = new Tensor[horizon]; var acts = new Tensor[horizon];
        var state = start;
        for (int t = 0; t < horizon; t++)
        {
            var action = policy(detachPolicyInput ? state.Detach() : state);
            CheckShape("policy action", action, new Shape(B, ActionSize));
            var deter = Step(state, action);                                        // (B, D)
            var logits = Prior(deter);                                              // (B, S, K)
            state = new RssmState(deter, mode ? LatentMode(logits) : SampleLatent(logits, rng));
            deters[t] = deter; stochs[t] = state.Stoch; priors[t] = logits; acts[t] = action;
        }
        return new RssmImagination(Tensor.Stack(deters, 1), Tensor.Stack(stochs, 1), Tensor.Stack(priors, 1), Tensor.Stack(acts, 1), state);
    }

    /// <summary>
    /// DreamerV3's dynamics loss: max(free, KL(sg(post) ‖ prior)) per step, logits (..., S, K) → (...).
    /// Trains the prior toward the posterior.
    /// </summary>
    public static Tensor DynLoss(Tensor postLogits, Tensor priorLogits, float unimix, float freeNats) =>
        Kl.FreeBits(Kl.Categorical(postLogits.Detach(), priorLogits, unimix, eventRank: 1), freeNats);

    /// <summary>
    /// DreamerV3's representation loss: max(free, KL(post ‖ sg(prior))) per step, logits (..., S, K) → (...).
    /// Regularizes the posterior toward the prior.
    /// </summary>
    public static Tensor RepLoss(Tensor postLogits, Tensor priorLogits, float unimix, float freeNats) =>
        Kl.FreeBits(Kl.Categorical(postLogits, priorLogits.Detach(), unimix, eventRank: 1), freeNats);

    private Tensor ToLatent(Tensor flat) => flat.Reshape(flat.Shape.With(-1, Config.Stoch).Insert(flat.Rank, StatsLast));

    // x[:, t] of (B, T, ...) → (B, ...).
    private static Tensor At(Tensor x, int t) => x.Narrow(1, t, 1).Squeeze(1);

    private static void CheckShape(string name, Tensor x, Shape expected)
    {
        if (x.Shape != expected) throw new ArgumentException($"Rssm: expected {expected} but got {x.Shape} for '{name}'");
    }

    private void CheckState(RssmState s, int B)
    {
        CheckShape("state.deter", s.Deter, new Shape(B, Config.Deter));
        CheckShape("state.stoch", s.Stoch, new Shape(B, Config.Stoch, Config.Classes));
    }
}

// DreamerConfig: DreamerV3's hyperparameters (danijar/dreamerv3 configs.yaml), named as there, with the switches of the v1/v2 presets.
using Reverie.Rl.Config;

namespace Reverie.Agents.Dreamer;

/// <summary>
/// DreamerV3's agent hyperparameters. Defaults are danijar/dreamerv3 <c>configs.yaml</c> (its
/// default model is <c>size200m</c>); <see cref="DreamerSizes"/> holds the size presets and
/// <see cref="Debug"/> the tiny <c>debug</c> preset. Property names map to DreamerV3's snake_case
/// keys (<c>ImagLength</c> → <c>imag_length</c>, <c>Rssm.FreeNats</c> → <c>rssm.free_nats</c>).
/// DreamerV3's per-module <c>units/layers/act/norm</c> (set together by its size regexes) are one
/// <see cref="Units"/>/<see cref="Layers"/>/<see cref="Act"/>/<see cref="Norm"/> here.
/// </summary>
public sealed record DreamerConfig : IConfigValidation
{
    /// <summary>The recurrent state-space model (DreamerV3 <c>dyn.rssm</c>).</summary>
    public RssmConfig Rssm { get; init; } = new();
    /// <summary>Hidden units of the MLP encoder/decoder and heads (<c>.*\.units</c>).</summary>
    public int Units { get; init; } = 1024;
    /// <summary>Hidden layers of the actor and critic MLPs (<c>policy.layers</c>, <c>value.layers</c>; DreamerV3 3; the debug preset sets every <c>layers</c> to 1).</summary>
    public int Layers { get; init; } = 3;
    /// <summary>CNN base depth (<c>enc.simple.depth</c>); channels are depth × mults.</summary>
    public int Depth { get; init; } = 64;
    /// <summary>Activation of every hidden layer.</summary>
    public string Act { get; init; } = "silu";
    /// <summary>Norm of every hidden layer (<c>rms</c>, <c>layer</c> or <c>none</c>).</summary>
    public string Norm { get; init; } = "rms";
    /// <summary>Bins of the reward and value two-hot heads (<c>rewhead.bins</c>, <c>value.bins</c>).</summary>
    public int Bins { get; init; } = 255;
    /// <summary>Hidden layers of the MLP encoder (<c>enc.simple.layers</c>).</summary>
    public int EncLayers { get; init; } = 3;
    /// <summary>Hidden layers of the MLP decoder (<c>dec.simple.layers</c>).</summary>
    public int DecLayers { get; init; } = 3;
    /// <summary>Hidden layers of the reward and continue heads (<c>rewhead.layers</c>, <c>conhead.layers</c>).</summary>
    public int HeadLayers { get; init; } = 1;
    /// <summary>Channel multipliers of the CNN stages (<c>enc.simple.mults</c>); each stage halves the image.</summary>
    public int[] Mults { get; init; } = [2, 3, 4, 4];
    /// <summary>Symlog vector inputs and reconstruction targets (DreamerV3; v1 and v2 use raw values).</summary>
    public bool Symlog { get; init; } = true;
    /// <summary>Reward head output: <c>symexp_twohot</c> (DreamerV3) or <c>mse</c> (v1, v2).</summary>
    public string RewardHead { get; init; } = "symexp_twohot";
    /// <summary>Critic output: <c>symexp_twohot</c> (DreamerV3) or <c>mse</c> (v1, v2).</summary>
    public string ValueHead { get; init; } = "symexp_twohot";
    /// <summary>Learn a continue (discount) head; without one (v1) every imagined step continues with the discount.</summary>
    public bool ContHead { get; init; } = true;
    /// <summary>The actor (<c>policy</c>).</summary>
    public ActorConfig Actor { get; init; } = new();
    /// <summary>Imagined steps per start state (<c>imag_length</c>).</summary>
    public int ImagLength { get; init; } = 15;
    /// <summary>Effective horizon: the discount is 1 − 1/horizon (<c>horizon</c>; 333 → ≈ 0.997).</summary>
    public float Horizon { get; init; } = 333f;
    /// <summary>Actor-critic loss settings (<c>imag_loss</c>).</summary>
    public ImagLossConfig ImagLoss { get; init; } = new();
    /// <summary>Per-loss weights (<c>loss_scales</c>); names equal the loss names.</summary>
    public LossScalesConfig LossScales { get; init; } = new();
    /// <summary>The slow (EMA) critic (<c>slowvalue</c>).</summary>
    public SlowValueConfig Slowvalue { get; init; } = new();
    /// <summary>Return normalization (<c>retnorm</c>).</summary>
    public RetNormConfig Retnorm { get; init; } = new();
    /// <summary>The optimizer shared by all parts (<c>opt</c>).</summary>
    public OptConfig Opt { get; init; } = new();

    /// <summary>Discount γ = 1 − 1/<see cref="Horizon"/>.</summary>
    public float Discount => 1f - 1f / Horizon;

    /// <summary>
    /// DreamerV3's <c>debug</c> agent overrides (configs/dreamer.yaml's <c>debug</c> preset): bins 5, every
    /// <c>layers</c> 1 (actor/critic, encoder, decoder), units 8, stoch 2, classes 4, deter 8, hidden 3, blocks 4,
    /// depth 2. Everything runs in milliseconds.
    /// </summary>
    public static DreamerConfig Debug { get; } = new()
    {
        Rssm = new RssmConfig { Deter = 8, Hidden = 3, Stoch = 2, Classes = 4, Blocks = 4 },
        Units = 8, Layers = 1, EncLayers = 1, DecLayers = 1, Depth = 2, Bins = 5,
    };

    /// <summary>This config with a size preset applied (see <see cref="DreamerSizes"/>).</summary>
    /// <exception cref="ArgumentException">Unknown size name.</exception>
    public DreamerConfig WithSize(string size)
    {
        var s = DreamerSizes.Get(size);
        return this with { Rssm = Rssm with { Deter = s.Deter, Hidden = s.Hidden, Classes = s.Classes }, Depth = s.Depth, Units = s.Units };
    }

    /// <summary>The problems found, each as (key, what is wrong); empty when the values are fine.</summary>
    public IEnumerable<(string Key, string Problem)> Validate()
    {
        foreach (var p in Rssm.Validate()) yield return ("rssm." + p.Key, p.Problem);
        if (Units < 1) yield return ("units", $"must be at least 1, got {Units}");
        if (Layers < 0) yield return ("layers", $"must be at least 0, got {Layers}");
        if (Depth < 1) yield return ("depth", $"must be at least 1, got {Depth}");
        if (Bins < 2) yield return ("bins", $"must be at least 2, got {Bins}");
        if (ImagLength < 1) yield return ("imag_length", $"must be at least 1, got {ImagLength}");
        if (!(Horizon >= 1f)) yield return ("horizon", $"must be at least 1, got {Horizon}");
        if (!(ImagLoss.Lam is >= 0f and <= 1f)) yield return ("imag_loss.lam", $"must be in [0, 1], got {ImagLoss.Lam}");
        if (!(ImagLoss.Actent >= 0f)) yield return ("imag_loss.actent", $"must be >= 0, got {ImagLoss.Actent}");
        if (!(Slowvalue.Rate is > 0f and <= 1f)) yield return ("slowvalue.rate", $"must be in (0, 1], got {Slowvalue.Rate}");
        if (Slowvalue.Every < 1) yield return ("slowvalue.every", $"must be at least 1, got {Slowvalue.Every}");
        if (!(Retnorm.Rate is > 0f and <= 1f)) yield return ("retnorm.rate", $"must be in (0, 1], got {Retnorm.Rate}");
        if (!(Retnorm.Perclo >= 0f && Retnorm.Perclo < Retnorm.Perchi && Retnorm.Perchi <= 100f))
            yield return ("retnorm.perclo", $"need 0 <= perclo < perchi <= 100, got {Retnorm.Perclo} and {Retnorm.Perchi}");
        if (EncLayers < 0) yield return ("enc_layers", $"must be >= 0, got {EncLayers}");
        if (DecLayers < 0) yield return ("dec_layers", $"must be >= 0, got {DecLayers}");
        if (HeadLayers < 0) yield return ("head_layers", $"must be >= 0, got {HeadLayers}");
        if (Mults.Length < 1 || Mults.Any(m => m < 1)) yield return ("mults", $"must list at least one positive multiplier, got [{string.Join(", ", Mults)}]");
        foreach (var (key, v) in new[] { ("reward_head", RewardHead), ("value_head", ValueHead) })
            if (v is not ("symexp_twohot" or "mse")) yield return (key, $"must be symexp_twohot or mse, got '{v}'");
        if (Act is not ("silu" or "elu" or "relu" or "mish" or "gelu" or "tanh")) yield return ("act", $"must be silu, elu, relu, mish, gelu or tanh, got '{Act}'");
        if (Norm is not ("rms" or "layer" or "none")) yield return ("norm", $"must be rms, layer or none, got '{Norm}'");
        foreach (var p in Actor.Validate()) yield return ("actor." + p.Key, p.Problem);
        if (Retnorm.Impl is not ("perc" or "none")) yield return ("retnorm.impl", $"must be perc or none, got '{Retnorm.Impl}'");
        if (Opt.Kind is not ("dreamer" or "adam")) yield return ("opt.kind", $"must be dreamer or adam, got '{Opt.Kind}'");
        if (!(Opt.Lr > 0)) yield return ("opt.lr", $"must be > 0, got {Opt.Lr}");
        if (!(Opt.ActorLr > 0)) yield return ("opt.actor_lr", $"must be > 0, got {Opt.ActorLr}");
        if (!(Opt.CriticLr > 0)) yield return ("opt.critic_lr", $"must be > 0, got {Opt.CriticLr}");
        if (!(Opt.Clip >= 0)) yield return ("opt.clip", $"must be >= 0, got {Opt.Clip}");
        if (Opt.Warmup < 0) yield return ("opt.warmup", $"must be >= 0, got {Opt.Warmup}");
    }
}

/// <summary>DreamerV3's RSSM settings (<c>dyn.rssm</c>).</summary>
public sealed record RssmConfig
{
    /// <summary>Size of the deterministic (GRU) state.</summary>
    public int Deter { get; init; } = 8192;
    /// <summary>Units of the input projections and of the prior/posterior hidden layers.</summary>
    public int Hidden { get; init; } = 1024;
    /// <summary>Number of categorical latents.</summary>
    public int Stoch { get; init; } = 32;
    /// <summary>Classes of each categorical latent.</summary>
    public int Classes { get; init; } = 64;
    /// <summary>Blocks of the block-diagonal GRU (deter must be a multiple).</summary>
    public int Blocks { get; init; } = 8;
    /// <summary>Hidden layers of the prior head (<c>imglayers</c>).</summary>
    public int Imglayers { get; init; } = 2;
    /// <summary>Hidden layers of the posterior head (<c>obslayers</c>).</summary>
    public int Obslayers { get; init; } = 1;
    /// <summary>Block-diagonal hidden layers inside the GRU core (<c>dynlayers</c>).</summary>
    public int Dynlayers { get; init; } = 1;
    /// <summary>Uniform share mixed into every latent categorical.</summary>
    public float Unimix { get; init; } = 0.01f;
    /// <summary>Free bits of the dyn and rep KL losses, in nats.</summary>
    public float FreeNats { get; init; } = 1f;
    /// <summary>Activation (configs.yaml: silu).</summary>
    public string Act { get; init; } = "silu";
    /// <summary>Norm (configs.yaml: rms).</summary>
    public string Norm { get; init; } = "rms";
    /// <summary>Weight init (configs.yaml: trunc_normal_in).</summary>
    public string Winit { get; init; } = "trunc_normal_in";
    /// <summary>Scale of the logit layers' initial weights.</summary>
    public float Outscale { get; init; } = 1f;
    /// <summary>Latent kind: <c>categorical</c> (v2, v3: stoch × classes one-hots) or <c>gaussian</c> (v1: stoch diagonal Gaussians; classes must be 1).</summary>
    public string Latent { get; init; } = "categorical";
    /// <summary>Smallest standard deviation of Gaussian latents (v1: 0.1).</summary>
    public float MinStd { get; init; } = 0.1f;

    /// <summary>The problems found, keys relative to <c>rssm</c>.</summary>
    public IEnumerable<(string Key, string Problem)> Validate()
    {
        if (Deter < 1) yield return ("deter", $"must be at least 1, got {Deter}");
        if (Hidden < 1) yield return ("hidden", $"must be at least 1, got {Hidden}");
        if (Stoch < 1) yield return ("stoch", $"must be at least 1, got {Stoch}");
        if (Classes < 1) yield return ("classes", $"must be at least 1, got {Classes}");
        if (Blocks < 1 || Deter % Blocks != 0) yield return ("blocks", $"must be >= 1 and divide deter {Deter}, got {Blocks}");
        if (Imglayers < 0) yield return ("imglayers", $"must be >= 0, got {Imglayers}");
        if (Obslayers < 0) yield return ("obslayers", $"must be >= 0, got {Obslayers}");
        if (Dynlayers < 0) yield return ("dynlayers", $"must be >= 0, got {Dynlayers}");
        if (!(Unimix is >= 0f and < 1f)) yield return ("unimix", $"must be in [0, 1), got {Unimix}");
        if (!(FreeNats >= 0f)) yield return ("free_nats", $"must be >= 0, got {FreeNats}");
        if (Latent is not ("categorical" or "gaussian")) yield return ("latent", $"must be categorical or gaussian, got '{Latent}'");
        if (Latent == "gaussian" && Classes != 1) yield return ("classes", $"must be 1 for gaussian latents, got {Classes}");
        if (Latent == "gaussian" && !(MinStd > 0f)) yield return ("min_std", $"must be > 0, got {MinStd}");
    }
}

/// <summary>DreamerV3's <c>imag_loss</c>.</summary>
public sealed record ImagLossConfig
{
    /// <summary>λ of the λ-returns.</summary>
    public float Lam { get; init; } = 0.95f;
    /// <summary>Entropy bonus of the policy loss.</summary>
    public float Actent { get; init; } = 3e-4f;
    /// <summary>Weight of the critic's regularizer toward the slow critic's prediction.</summary>
    public float Slowreg { get; init; } = 1f;
    /// <summary>Bootstrap the returns from the slow critic instead of the live one.</summary>
    public bool Slowtar { get; init; }
}

/// <summary>DreamerV3's <c>loss_scales</c>: one weight per loss, named as the loss.</summary>
public sealed record LossScalesConfig
{
    /// <summary>Reconstruction.</summary>
    public float Rec { get; init; } = 1f;
    /// <summary>Reward prediction.</summary>
    public float Rew { get; init; } = 1f;
    /// <summary>Continue prediction.</summary>
    public float Con { get; init; } = 1f;
    /// <summary>Dynamics KL, KL(sg(post) ‖ prior).</summary>
    public float Dyn { get; init; } = 1f;
    /// <summary>Representation KL, KL(post ‖ sg(prior)).</summary>
    public float Rep { get; init; } = 0.1f;
    /// <summary>Policy (actor) loss.</summary>
    public float Policy { get; init; } = 1f;
    /// <summary>Value (critic) loss on imagined returns.</summary>
    public float Value { get; init; } = 1f;
    /// <summary>Value loss on replayed returns.</summary>
    public float Repval { get; init; } = 0.3f;
}

/// <summary>DreamerV3's <c>slowvalue</c>: the EMA critic.</summary>
public sealed record SlowValueConfig
{
    /// <summary>Mixing rate of each update.</summary>
    public float Rate { get; init; } = 0.02f;
    /// <summary>Mix every this many updates.</summary>
    public int Every { get; init; } = 1;
}

/// <summary>DreamerV3's <c>retnorm</c> (percentile return normalization, see <c>Shared.ReturnNormalizer</c>).</summary>
public sealed record RetNormConfig
{
    /// <summary>EMA rate of the percentile estimates.</summary>
    public float Rate { get; init; } = 0.01f;
    /// <summary>Lower bound of the scale.</summary>
    public float Limit { get; init; } = 1f;
    /// <summary>Lower percentile.</summary>
    public float Perclo { get; init; } = 5f;
    /// <summary>Upper percentile.</summary>
    public float Perchi { get; init; } = 95f;
    /// <summary><c>perc</c> (DreamerV3: divide advantages by the 5–95% return range) or <c>none</c> (v1, v2).</summary>
    public string Impl { get; init; } = "perc";
}

/// <summary>The actor (DreamerV3 <c>policy</c>, v1/v2 <c>actor</c>).</summary>
public sealed record ActorConfig
{
    /// <summary>Continuous-action distribution: <c>bounded_normal</c> (DreamerV3) or <c>tanh_normal</c> (v1, v2).</summary>
    public string Dist { get; init; } = "bounded_normal";
    /// <summary>Smallest std of the bounded normal; for tanh_normal the std offset (v1: 1e-4, v2: 0.1).</summary>
    public float Minstd { get; init; } = 0.1f;
    /// <summary>Largest std of the bounded normal.</summary>
    public float Maxstd { get; init; } = 1f;
    /// <summary>Uniform share mixed into a discrete policy.</summary>
    public float Unimix { get; init; } = 0.01f;
    /// <summary>Scale of the output layer's initial weights.</summary>
    public float Outscale { get; init; } = 0.01f;
    /// <summary>
    /// How the actor's gradient is estimated: <c>reinforce</c> (DreamerV3), <c>dynamics</c> (v1: backpropagate
    /// λ-returns through the learned dynamics), <c>mix</c> (ρ·REINFORCE + (1 − ρ)·dynamics, v2's loss) or
    /// <c>auto</c> (v2's default: reinforce for discrete actions, dynamics for continuous ones).
    /// </summary>
    public string Grad { get; init; } = "reinforce";
    /// <summary>ρ of the <c>mix</c> estimator: the REINFORCE share (DreamerV2 paper notation).</summary>
    public float Rho { get; init; } = 0.5f;
    /// <summary>Std of Gaussian noise added to continuous actions while exploring (v1: 0.3), then clipped to [−1, 1].</summary>
    public float ExplNoise { get; init; }

    /// <summary>The problems found, keys relative to <c>actor</c>.</summary>
    public IEnumerable<(string Key, string Problem)> Validate()
    {
        if (Dist is not ("bounded_normal" or "tanh_normal")) yield return ("dist", $"must be bounded_normal or tanh_normal, got '{Dist}'");
        if (!(Minstd > 0f && Minstd <= Maxstd)) yield return ("minstd", $"need 0 < minstd <= maxstd, got {Minstd} and {Maxstd}");
        if (!(Unimix is >= 0f and < 1f)) yield return ("unimix", $"must be in [0, 1), got {Unimix}");
        if (!(Outscale >= 0f)) yield return ("outscale", $"must be >= 0, got {Outscale}");
        if (Grad is not ("reinforce" or "dynamics" or "mix" or "auto")) yield return ("grad", $"must be reinforce, dynamics, mix or auto, got '{Grad}'");
        if (!(Rho is >= 0f and <= 1f)) yield return ("rho", $"must be in [0, 1], got {Rho}");
        if (!(ExplNoise >= 0f)) yield return ("expl_noise", $"must be >= 0, got {ExplNoise}");
    }
}

/// <summary>
/// The optimizers: DreamerV3's <c>opt</c> (AGC → RMS scaling → momentum → lr with warmup, <c>DreamerOptimizer</c>),
/// or v1/v2's Adam with global-norm clipping. The world model, actor and critic each have their own (with equal
/// settings, as DreamerV3 has them, three per-tensor chains equal its single one).
/// </summary>
public sealed record OptConfig
{
    /// <summary><c>dreamer</c> (DreamerV3's chain) or <c>adam</c> (v1, v2: Adam + clip by global norm per part).</summary>
    public string Kind { get; init; } = "dreamer";
    /// <summary>Learning rate of the world model (DreamerV3: one rate for everything).</summary>
    public double Lr { get; init; } = 4e-5;
    /// <summary>Learning rate of the actor.</summary>
    public double ActorLr { get; init; } = 4e-5;
    /// <summary>Learning rate of the critic.</summary>
    public double CriticLr { get; init; } = 4e-5;
    /// <summary>Global-norm gradient clip of each part for <c>adam</c> (v1, v2: 100); 0 = none.</summary>
    public double Clip { get; init; } = 100;
    /// <summary>Adaptive gradient clipping threshold.</summary>
    public double Agc { get; init; } = 0.3;
    /// <summary>Epsilon of the RMS scaling.</summary>
    public double Eps { get; init; } = 1e-20;
    /// <summary>Momentum decay.</summary>
    public double Beta1 { get; init; } = 0.9;
    /// <summary>Second-moment decay.</summary>
    public double Beta2 { get; init; } = 0.999;
    /// <summary>Linear warmup of the learning rate, in updates.</summary>
    public int Warmup { get; init; } = 1000;
}

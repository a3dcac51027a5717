// Tanh-squashed Normal (SAC's policy): a = tanh(u), u ~ N(mean, std²), with the stable log-det correction.
namespace Reverie.Tensors.Dist;

/// <summary>
/// The distribution of a = tanh(u) with u ~ N(mean, std²) per element, as SAC's policy; the last
/// <see cref="EventRank"/> axes form one event (default 1). log p(a) = log N(u) − Σ log(1 − tanh²u),
/// with log(1 − tanh²u) = 2(ln 2 − u − softplus(−2u)) (stable for large |u|, as in SAC).
/// Entropy and mean have no closed form; use −LogProb of a sample and <see cref="Mode"/>.
/// </summary>
public sealed class TanhNormal : IDistribution
{
    private const float Ln2 = 0.693147180559945309f;

    /// <summary>|a| is clamped to at most 1 − AtanhEps before inverting tanh in <see cref="LogProb"/>.</summary>
    public const float AtanhEps = 1e-6f;

    /// <summary>The distribution of the pre-tanh value u.</summary>
    public Normal Base { get; }

    /// <summary>How many trailing axes form one event.</summary>
    public int EventRank => Base.EventRank;

    /// <inheritdoc/>
    public Shape BatchShape => Base.BatchShape;

    /// <inheritdoc/>
    public Shape EventShape => Base.EventShape;

    /// <summary>Creates tanh(N(mean, std²)).</summary>
    /// <exception cref="ArgumentException">As for <see cref="Normal(Tensor, Tensor, int)"/>.</exception>
    public TanhNormal(Tensor mean, Tensor std, int eventRank = 1)
    {
        Base = new Normal(mean, std, eventRank);
    }

    /// <inheritdoc/>
    public bool HasRSample => true;

    /// <summary>tanh(mean + std·ε); no gradient.</summary>
    public Tensor Sample(Rng rng)
    {
        using var _ = Tensor.NoGrad();
        return RSample(rng);
    }

    /// <summary>tanh(mean + std·ε); differentiable in mean and std.</summary>
    public Tensor RSample(Rng rng) => Base.RSample(rng).Tanh();

    /// <summary>
    /// A reparameterized sample and its log-prob, computed from the pre-tanh value u (exact, no atanh):
    /// the pair SAC's actor and temperature losses use.
    /// </summary>
    public (Tensor Action, Tensor LogProb) RSampleWithLogProb(Rng rng)
    {
        var u = Base.RSample(rng);
        return (u.Tanh(), LogProbOfPreTanh(u));
    }

    /// <summary>log p(tanh(u)) for pre-tanh values u (mean's shape): log N(u) − Σ_event 2(ln 2 − u − softplus(−2u)).</summary>
    public Tensor LogProbOfPreTanh(Tensor u)
    {
        DistOps.CheckSame("tanh_normal.log_prob", "u", Base.Loc.Shape, u);
        var logDet = (u + u.Mul(-2f).Softplus()).Mul(-2f).Add(2f * Ln2);   // log(1 − tanh²u)
        return Base.LogProb(u) - DistOps.SumEvent(logDet, EventRank);
    }

    /// <summary>
    /// log p(a) for actions a in [−1, 1]: u = atanh(a) after clamping |a| to 1 − <see cref="AtanhEps"/>.
    /// Prefer <see cref="RSampleWithLogProb"/> for own samples (it avoids inverting tanh).
    /// </summary>
    /// <exception cref="ArgumentException">Wrong shape, or a value outside [−1, 1] (or NaN).</exception>
    public Tensor LogProb(Tensor value)
    {
        DistOps.CheckSame("tanh_normal.log_prob", "value", Base.Loc.Shape, value);
        var s = value.Span;
        for (int i = 0; i < s.Length; i++)
            if (!(MathF.Abs(s[i]) <= 1f))
                throw new ArgumentException($"tanh_normal.log_prob: value {s[i]} at flat index {i} is outside [-1, 1], where the density is zero");
        var a = value.Clamp(-1f + AtanhEps, 1f - AtanhEps);
        var u = ((a + 1f).Log() - (1f - a).Log()).Mul(0.5f);                 // atanh(a)
        return LogProbOfPreTanh(u);
    }

    /// <exception cref="NotSupportedException">Always: no closed form; use −LogProb of a sample.</exception>
    public Tensor Entropy() =>
        throw new NotSupportedException("tanh_normal: the entropy has no closed form; estimate it as -LogProb of a sample (RSampleWithLogProb)");

    /// <summary>tanh(mean): the deterministic action SAC evaluates with (not the exact mode of the squashed density).</summary>
    public Tensor Mode() => Base.Loc.Tanh();

    /// <exception cref="NotSupportedException">Always: no closed form; use <see cref="Mode"/> for a deterministic action.</exception>
    public Tensor Mean =>
        throw new NotSupportedException("tanh_normal: the mean has no closed form; use Mode() (tanh of the Normal's mean) for a deterministic action");

    /// <summary>−LogProb(sg(target)).</summary>
    public Tensor Loss(Tensor target) => LogProb(target.Detach()).Neg();
}

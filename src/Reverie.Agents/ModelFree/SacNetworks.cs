// SacNetworks: SAC's tanh-Gaussian actor and soft Q-network (CleanRL's Actor and SoftQNetwork).
using Reverie.Tensors;
using Reverie.Tensors.Dist;
using Reverie.Tensors.Nn;

namespace Reverie.Agents.ModelFree;

/// <summary>
/// The SAC actor: obs → ReLU MLP → mean (B, A) and log-std (B, A), the log-std squashed into
/// [min, max] as <c>min + ½(max − min)(tanh(x) + 1)</c> (SpinUp / Yarats, as CleanRL). PyTorch's
/// default Linear init. Modules <c>trunk</c>, <c>mean</c>, <c>logstd</c>.
/// </summary>
public sealed class SacActor : Module
{
    private readonly Mlp _trunk;
    private readonly Linear _mean, _logStd;
    private readonly float _min, _max;

    /// <summary>Action dimensions A.</summary>
    public int ActionDim { get; }

    /// <summary>Creates the actor.</summary>
    public SacActor(int obsDim, int actionDim, int[] hidden, float logStdMin, float logStdMax, Rng rng)
    {
        _trunk = RegisterModule("trunk", new Mlp(obsDim, hidden, null, rng, act: "relu"));
        _mean = RegisterModule("mean", new Linear(_trunk.OutFeatures, actionDim, rng));
        _logStd = RegisterModule("logstd", new Linear(_trunk.OutFeatures, actionDim, rng));
        (_min, _max, ActionDim) = (logStdMin, logStdMax, actionDim);
    }

    /// <summary>The pre-tanh mean and the bounded log-std, each (B, A).</summary>
    public (Tensor Mean, Tensor LogStd) Forward(Tensor obs)
    {
        var h = _trunk.Forward(obs);
        var logStd = _logStd.Forward(h).Tanh().Add(1f).Mul(0.5f * (_max - _min)).Add(_min);
        return (_mean.Forward(h), logStd);
    }

    /// <summary>The policy at obs: tanh(N(mean, exp(logstd)²)) in [−1, 1]^A.</summary>
    public TanhNormal Policy(Tensor obs)
    {
        var (mean, logStd) = Forward(obs);
        return new TanhNormal(mean, logStd.Exp());
    }
}

/// <summary>A soft Q-network: concat(obs, action) → ReLU MLP → (B,). Module <c>mlp</c>.</summary>
public sealed class QNetwork : Module
{
    private readonly Mlp _mlp;

    /// <summary>Creates the network.</summary>
    public QNetwork(int obsDim, int actionDim, int[] hidden, Rng rng)
    {
        _mlp = RegisterModule("mlp", new Mlp(obsDim + actionDim, hidden, 1, rng, act: "relu"));
    }

    /// <summary>Q(obs (B, D), action (B, A)) → (B,).</summary>
    public Tensor Forward(Tensor obs, Tensor action) =>
        _mlp.Forward(Tensor.Concat([obs, action], 1)).Reshape(obs.Shape[0]);
}

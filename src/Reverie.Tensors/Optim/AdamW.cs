// AdamW: torch.optim.AdamW (Adam with decoupled weight decay p ← p·(1 − lr·weightDecay) before the update).
namespace Reverie.Tensors.Optim;

/// <summary>
/// AdamW with exactly PyTorch's <c>torch.optim.AdamW</c> semantics: each update first decays the
/// parameter, <c>p ← p·(1 − lr·weightDecay)</c> (lr including the group scale and schedule), then
/// applies the <see cref="Adam"/> update with the raw gradient (no L2 term). PyTorch's default
/// weightDecay is 0.01. State keys: <c>adamw.m.{name}</c>, <c>adamw.v.{name}</c>,
/// <c>adamw.count.{name}</c>, <c>adamw.step</c>.
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>AdamW over one group of parameters.</summary>
    public AdamW(IReadOnlyList<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2)
        : base("adamw", One(parameters), lr, beta1, beta2, eps, weightDecay, true) { }

    /// <summary>AdamW over named parameters (names key the state).</summary>
    public AdamW(IReadOnlyList<(string Name, Tensor Param)> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2)
        : base("adamw", One(parameters), lr, beta1, beta2, eps, weightDecay, true) { }

    /// <summary>AdamW over parameter groups, each with its own learning-rate scale.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is out of range.</exception>
    public AdamW(IReadOnlyList<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2)
        : base("adamw", groups, lr, beta1, beta2, eps, weightDecay, true) { }
}

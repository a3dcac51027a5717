// LaProp (Ziyin et al. 2020) as DreamerV3 wrote it: optax-style scale_by_rms then scale_by_momentum, then −lr.
namespace Reverie.Tensors.Optim;

/// <summary>
/// LaProp: normalize the gradient by the root of a bias-corrected EMA of squared gradients, then
/// take a bias-corrected momentum of the normalized update. Formulas as in DreamerV3's
/// <c>scale_by_rms</c> → <c>scale_by_momentum</c> → <c>scale(-lr)</c> chain (danijar/dreamerv3
/// embodied/jax/opt.py; the older jaxutils.Optimizer with <c>scaler: rms, momentum: True</c>).
/// For each parameter at its update number t:
/// <code>
/// ν ← β2·ν + (1-β2)·g²
/// r = g / (√(ν / (1-β2^t)) + eps)          (eps outside the root, added after bias correction)
/// μ ← (1-β1)·r + β1·μ
/// p ← p − lr · μ / (1-β1^t)
/// </code>
/// Defaults are DreamerV3's (lr 4e-5, β1 0.9, β2 0.999, eps 1e-20); the LaProp paper's code uses eps 1e-15.
/// State keys: <c>laprop.nu.{name}</c>, <c>laprop.mu.{name}</c>, <c>laprop.count.{name}</c>, <c>laprop.step</c>.
/// </summary>
public class LaProp : Optimizer
{
    /// <summary>β1, the momentum decay.</summary>
    public double Beta1 { get; }

    /// <summary>β2, the decay of the squared-gradient EMA.</summary>
    public double Beta2 { get; }

    /// <summary>Added to √(bias-corrected ν).</summary>
    public double Eps { get; }

    /// <summary>Whether the momentum stage runs (without it the update is the RMS-normalized gradient).</summary>
    public bool Momentum { get; }

    /// <summary>Nesterov momentum (optax's form: the moment is updated twice with the same input).</summary>
    public bool Nesterov { get; }

    /// <summary>LaProp over one group of parameters.</summary>
    public LaProp(IReadOnlyList<Tensor> parameters, double lr = 4e-5, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-20)
        : this("laprop", One(parameters), lr, beta1, beta2, eps, true, false) { }

    /// <summary>LaProp over named parameters (names key the state).</summary>
    public LaProp(IReadOnlyList<(string Name, Tensor Param)> parameters, double lr = 4e-5, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-20)
        : this("laprop", One(parameters), lr, beta1, beta2, eps, true, false) { }

    /// <summary>LaProp over parameter groups, each with its own learning-rate scale.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is out of range.</exception>
    public LaProp(IReadOnlyList<ParamGroup> groups, double lr = 4e-5, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-20)
        : this("laprop", groups, lr, beta1, beta2, eps, true, false) { }

    /// <summary>For <see cref="DreamerOptimizer"/>.</summary>
    private protected LaProp(string kind, IReadOnlyList<ParamGroup> groups, double lr, double beta1, double beta2, double eps, bool momentum, bool nesterov)
        : base(kind, groups, lr, momentum ? ["nu", "mu"] : ["nu"])
    {
        CheckBeta(beta1, nameof(beta1));
        CheckBeta(beta2, nameof(beta2));
        CheckNonNegative(eps, nameof(eps));
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        Momentum = momentum;
        Nesterov = nesterov;
    }

    /// <summary>The factor applied to the gradient before the RMS stage (1 here; AGC in <see cref="DreamerOptimizer"/>).</summary>
    private protected virtual float GradScale(int index, ReadOnlySpan<float> param, ReadOnlySpan<float> grad) => 1f;

    /// <summary>The decayed-weights coefficient of a parameter (0 here).</summary>
    private protected virtual float DecayOf(int index) => 0f;

    /// <inheritdoc/>
    protected override void Update(int index, Span<float> param, ReadOnlySpan<float> grad, double lr, long count)
    {
        var c = new RmsMomentumCoefficients
        {
            Scale = GradScale(index, param, grad),
            B2 = (float)Beta2,
            OneMinusB2 = (float)(1.0 - Beta2),
            Bc2 = (float)(1.0 - Math.Pow(Beta2, count)),
            Eps = (float)Eps,
            Momentum = Momentum,
            Nesterov = Nesterov,
            B1 = (float)Beta1,
            OneMinusB1 = (float)(1.0 - Beta1),
            Bc1 = (float)(1.0 - Math.Pow(Beta1, count)),
            Wd = DecayOf(index),
            NegLr = (float)-lr,
        };
        OptimKernels.RmsMomentum(param, grad, State(0, index), Momentum ? State(1, index) : default, c);
    }
}

// Adam: torch.optim.Adam (bias-corrected moments, eps added after the bias-corrected sqrt, optional L2).
namespace Reverie.Tensors.Optim;

/// <summary>
/// Adam with exactly PyTorch's <c>torch.optim.Adam</c> semantics (amsgrad and maximize not supported).
/// For each parameter with gradient g at its update number t:
/// <code>
/// g ← g + weightDecay·p                     (only if weightDecay != 0: L2 added to the gradient)
/// m ← β1·m + (1-β1)·g
/// v ← β2·v + (1-β2)·g²
/// p ← p − lr/(1-β1^t) · m / (√v / √(1-β2^t) + eps)
/// </code>
/// State keys: <c>adam.m.{name}</c>, <c>adam.v.{name}</c>, <c>adam.count.{name}</c>, <c>adam.step</c>.
/// </summary>
public class Adam : Optimizer
{
    /// <summary>β1, the decay of the first moment.</summary>
    public double Beta1 { get; }

    /// <summary>β2, the decay of the second moment.</summary>
    public double Beta2 { get; }

    /// <summary>Added to the bias-corrected √v.</summary>
    public double Eps { get; }

    /// <summary>L2 coefficient (Adam) or decoupled decay (AdamW).</summary>
    public double WeightDecay { get; }

    private readonly bool _decoupled;

    /// <summary>Adam over one group of parameters.</summary>
    public Adam(IReadOnlyList<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0)
        : this("adam", One(parameters), lr, beta1, beta2, eps, weightDecay, false) { }

    /// <summary>Adam over named parameters (names key the state).</summary>
    public Adam(IReadOnlyList<(string Name, Tensor Param)> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0)
        : this("adam", One(parameters), lr, beta1, beta2, eps, weightDecay, false) { }

    /// <summary>Adam over parameter groups, each with its own learning-rate scale.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is out of range (lr, eps, weightDecay &lt; 0; a beta outside [0, 1)).</exception>
    public Adam(IReadOnlyList<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0)
        : this("adam", groups, lr, beta1, beta2, eps, weightDecay, false) { }

    /// <summary>For <see cref="AdamW"/>: <paramref name="decoupled"/> selects decoupled weight decay.</summary>
    private protected Adam(string kind, IReadOnlyList<ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weightDecay, bool decoupled)
        : base(kind, groups, lr, "m", "v")
    {
        CheckBeta(beta1, nameof(beta1));
        CheckBeta(beta2, nameof(beta2));
        CheckNonNegative(eps, nameof(eps));
        CheckNonNegative(weightDecay, nameof(weightDecay));
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        WeightDecay = weightDecay;
        _decoupled = decoupled;
    }

    /// <inheritdoc/>
    protected override void Update(int index, Span<float> param, ReadOnlySpan<float> grad, double lr, long count)
    {
        if (_decoupled && WeightDecay != 0)
        {
            float decay = (float)(1.0 - lr * WeightDecay);   // param.mul_(1 - lr * weight_decay)
            System.Numerics.Tensors.TensorPrimitives.Multiply(param, decay, param);
        }
        // PyTorch computes these scalars in double (Python floats); the float32 kernels see them rounded.
        double bc1 = 1.0 - Math.Pow(Beta1, count);
        double bc2 = 1.0 - Math.Pow(Beta2, count);
        var c = new AdamCoefficients
        {
            B1 = (float)Beta1,
            OneMinusB1 = (float)(1.0 - Beta1),
            B2 = (float)Beta2,
            OneMinusB2 = (float)(1.0 - Beta2),
            Bc2Sqrt = (float)Math.Sqrt(bc2),
            Eps = (float)Eps,
            NegStepSize = (float)(-(lr / bc1)),
            L2 = _decoupled ? 0f : (float)WeightDecay,
        };
        OptimKernels.AdamParallel(param, grad, State(0, index), State(1, index), c);
    }
}

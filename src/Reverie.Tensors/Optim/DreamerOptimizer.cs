// DreamerOptimizer: DreamerV3's optimizer chain (AGC → RMS scaling → momentum → optional decayed weights → −lr·warmup).
namespace Reverie.Tensors.Optim;

/// <summary>
/// DreamerV3's current optimizer, matching <c>Agent._make_opt</c> in danijar/dreamerv3 (dreamerv3/agent.py)
/// with the transforms of embodied/jax/opt.py:
/// <c>clip_by_agc(agc) → scale_by_rms(β2, eps) → scale_by_momentum(β1, nesterov) →
/// [add_decayed_weights(wd, mask)] → scale_by_learning_rate(schedule)</c>. Per parameter at update t:
/// <code>
/// u = g / max(1, ‖g‖ / (agc · max(pmin, ‖p‖)))   (per tensor, not unit-wise; skipped when agc = 0)
/// ν ← β2·ν + (1-β2)·u²;   r = u / (√(ν / (1-β2^t)) + eps)
/// μ ← (1-β1)·r + β1·μ;    o = μ / (1-β1^t)        (Nesterov: ((1-β1)·r + β1·μ) / (1-β1^t); no momentum: o = r)
/// o ← o + wd·p  (only for parameters the mask selects)
/// p ← p − lr_t · o,   lr_t = lr · min(StepCount / warmup, 1)
/// </code>
/// The warmup follows optax's <c>join_schedules([linear_schedule(0, lr, warmup), sched], [warmup])</c>
/// counted in updates already applied, so the very first update has lr 0. Other DreamerV3 schedules
/// are set through <see cref="Optimizer.Schedule"/> (see <see cref="Optim.Schedule.Join"/>).
/// Defaults are DreamerV3's config (lr 4e-5, agc 0.3, eps 1e-20, β1 0.9, β2 0.999, warmup 1000).
/// Gradients are not modified (AGC scales the update inside the step).
/// State keys: <c>dreamer.nu.{name}</c>, <c>dreamer.mu.{name}</c>, <c>dreamer.count.{name}</c>, <c>dreamer.step</c>.
/// </summary>
public sealed class DreamerOptimizer : LaProp
{
    private readonly float[] _decay;

    /// <summary>The AGC clip ratio (0 disables clipping).</summary>
    public double Agc { get; }

    /// <summary>The floor of the parameter norm in AGC.</summary>
    public double Pmin { get; }

    /// <summary>The decayed-weights coefficient (0 = none).</summary>
    public double WeightDecay { get; }

    /// <summary>The chain over one group of parameters; see the class summary for each argument.</summary>
    public DreamerOptimizer(IReadOnlyList<Tensor> parameters, double lr = 4e-5, double agc = 0.3, double eps = 1e-20,
        double beta1 = 0.9, double beta2 = 0.999, bool momentum = true, bool nesterov = false,
        double weightDecay = 0, Func<string, bool>? weightDecayMask = null, int warmup = 1000, double pmin = 1e-3)
        : this(One(parameters), lr, agc, eps, beta1, beta2, momentum, nesterov, weightDecay, weightDecayMask, warmup, pmin) { }

    /// <summary>The chain over named parameters (names key the state and feed <paramref name="weightDecayMask"/>).</summary>
    public DreamerOptimizer(IReadOnlyList<(string Name, Tensor Param)> parameters, double lr = 4e-5, double agc = 0.3, double eps = 1e-20,
        double beta1 = 0.9, double beta2 = 0.999, bool momentum = true, bool nesterov = false,
        double weightDecay = 0, Func<string, bool>? weightDecayMask = null, int warmup = 1000, double pmin = 1e-3)
        : this(One(parameters), lr, agc, eps, beta1, beta2, momentum, nesterov, weightDecay, weightDecayMask, warmup, pmin) { }

    /// <summary>The chain over parameter groups, each with its own learning-rate scale.</summary>
    /// <param name="groups">The parameters.</param>
    /// <param name="lr">Peak learning rate.</param>
    /// <param name="agc">AGC clip ratio; 0 disables it.</param>
    /// <param name="eps">Added to √ν̂.</param>
    /// <param name="beta1">Momentum decay.</param>
    /// <param name="beta2">Squared-gradient decay.</param>
    /// <param name="momentum">Whether the momentum stage runs.</param>
    /// <param name="nesterov">optax-style Nesterov momentum.</param>
    /// <param name="weightDecay">Coefficient of optax's add_decayed_weights.</param>
    /// <param name="weightDecayMask">Which parameter names decay (DreamerV3: names ending in "/kernel"); null = all.</param>
    /// <param name="warmup">Linear warmup length in updates; 0 = none (then <see cref="Optimizer.Schedule"/> is null).</param>
    /// <param name="pmin">Floor of ‖p‖ in AGC (> 0 when agc > 0).</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is out of range.</exception>
    public DreamerOptimizer(IReadOnlyList<ParamGroup> groups, double lr = 4e-5, double agc = 0.3, double eps = 1e-20,
        double beta1 = 0.9, double beta2 = 0.999, bool momentum = true, bool nesterov = false,
        double weightDecay = 0, Func<string, bool>? weightDecayMask = null, int warmup = 1000, double pmin = 1e-3)
        : base("dreamer", groups, lr, beta1, beta2, eps, momentum, nesterov)
    {
        CheckNonNegative(agc, nameof(agc));
        CheckNonNegative(weightDecay, nameof(weightDecay));
        if (agc > 0 && !(pmin > 0) || double.IsInfinity(pmin))
            throw new ArgumentOutOfRangeException(nameof(pmin), $"dreamer: pmin must be finite and > 0 when agc > 0 but is {pmin}");
        if (warmup < 0) throw new ArgumentOutOfRangeException(nameof(warmup), $"dreamer: warmup must be >= 0 but is {warmup}");
        Agc = agc;
        Pmin = pmin;
        WeightDecay = weightDecay;
        _decay = new float[Parameters.Count];
        for (int i = 0; i < _decay.Length; i++)
            _decay[i] = weightDecay != 0 && (weightDecayMask is null || weightDecayMask(ParameterNames[i])) ? (float)weightDecay : 0f;
        if (warmup > 0) Schedule = Optim.Schedule.Warmup(warmup);
    }

    private protected override float GradScale(int index, ReadOnlySpan<float> param, ReadOnlySpan<float> grad)
    {
        if (Agc == 0) return 1f;
        return Clipping.AgcFactor(param, grad, (float)Agc, (float)Pmin);
    }

    private protected override float DecayOf(int index) => _decay[index];
}

// Optimizer: the shared parameter bookkeeping, step loop, gradient zeroing and state export/import.
namespace Reverie.Tensors.Optim;

/// <summary>
/// Base of every optimizer. It holds the parameters (in groups with a learning-rate scale), one
/// set of state tensors per parameter (created once, zero-filled, GC-owned), a per-parameter update
/// count (for bias corrections, as PyTorch keeps <c>state["step"]</c> per parameter) and the global
/// <see cref="StepCount"/> (for schedules). <see cref="Step"/> updates every parameter whose
/// <see cref="Tensor.Grad"/> is non-null, in place, allocating nothing; parameters with a null
/// gradient are skipped and their state and count are left alone. Updates are single-threaded in
/// parameter order, so results are bit-for-bit repeatable.
/// </summary>
public abstract class Optimizer
{
    private readonly Tensor[] _params;
    private readonly string[] _names;
    private readonly double[] _scales;
    private readonly long[] _counts;
    private readonly string[] _stateNames;
    private readonly Tensor[][] _state;   // [state kind][parameter]

    /// <summary>The prefix of this optimizer's state keys and of its error messages ("adam", "laprop", ...).</summary>
    public string Kind { get; }

    /// <summary>The base learning rate; a group uses <c>LearningRate × Schedule(StepCount) × LrScale</c>.</summary>
    public double LearningRate { get; set; }

    /// <summary>An optional multiplier of <see cref="LearningRate"/> as a function of <see cref="StepCount"/>; null means 1.</summary>
    public Schedule? Schedule { get; set; }

    /// <summary>Number of completed <see cref="Step"/> calls (the updates already applied).</summary>
    public long StepCount { get; private set; }

    /// <summary>Every parameter of every group, in order.</summary>
    public IReadOnlyList<Tensor> Parameters => _params;

    /// <summary>The state key of each parameter (its name, or its position when unnamed), in order.</summary>
    public IReadOnlyList<string> ParameterNames => _names;

    /// <summary>The learning rate the next <see cref="Step"/> applies to a group with scale 1.</summary>
    public double CurrentLearningRate => Schedule is null ? LearningRate : LearningRate * Schedule.Factor(StepCount);

    /// <param name="kind">State-key prefix, e.g. "adam".</param>
    /// <param name="groups">The parameter groups.</param>
    /// <param name="learningRate">The base learning rate (>= 0).</param>
    /// <param name="stateNames">One zero-initialized state tensor per parameter is created for each name (e.g. "m", "v").</param>
    /// <exception cref="ArgumentException">A parameter is not a leaf, is released, or appears twice; two parameters share a name.</exception>
    protected Optimizer(string kind, IReadOnlyList<ParamGroup> groups, double learningRate, params string[] stateNames)
    {
        ArgumentNullException.ThrowIfNull(groups);
        Kind = kind;
        CheckNonNegative(learningRate, nameof(learningRate));
        LearningRate = learningRate;
        var ps = new List<Tensor>();
        var names = new List<string>();
        var scales = new List<double>();
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var seenNames = new HashSet<string>();
        foreach (var group in groups)
        {
            if (group is null) throw new ArgumentNullException(nameof(groups), $"{kind}: a parameter group is null");
            for (int i = 0; i < group.Params.Count; i++)
            {
                var p = group.Params[i];
                string name = group.Names?[i] ?? ps.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (p.IsReleased) throw new ArgumentException($"{kind}: parameter '{name}' {p.Shape} was released by its Tensor.Scope()");
                if (p.Node is not null) throw new ArgumentException($"{kind}: parameter '{name}' {p.Shape} is not a leaf (it was computed by '{p.Node.Op}')");
                if (!seen.Add(p)) throw new ArgumentException($"{kind}: parameter '{name}' {p.Shape} appears twice");
                if (!seenNames.Add(name)) throw new ArgumentException($"{kind}: two parameters are named '{name}'");
                ps.Add(p);
                names.Add(name);
                scales.Add(group.LrScale);
            }
        }
        _params = ps.ToArray();
        _names = names.ToArray();
        _scales = scales.ToArray();
        _counts = new long[_params.Length];
        _stateNames = stateNames;
        _state = new Tensor[stateNames.Length][];
        for (int k = 0; k < stateNames.Length; k++)
        {
            _state[k] = new Tensor[_params.Length];
            for (int i = 0; i < _params.Length; i++) _state[k][i] = Tensor.Persistent(_params[i].Shape);
        }
    }

    /// <summary>Applies one update to every parameter that has a gradient, then increments <see cref="StepCount"/>.</summary>
    /// <exception cref="ArgumentException">A gradient's shape differs from its parameter's (nothing is updated then).</exception>
    /// <exception cref="ObjectDisposedException">A parameter or gradient was released by its scope (nothing is updated then).</exception>
    public void Step()
    {
        for (int i = 0; i < _params.Length; i++)
        {
            var g = _params[i].Grad;
            if (g is null) continue;
            if (g.Shape != _params[i].Shape)
                throw new ArgumentException($"{Kind}: gradient {g.Shape} does not match parameter '{_names[i]}' {_params[i].Shape}");
            if (g.IsReleased || _params[i].IsReleased)
                throw new ObjectDisposedException(nameof(Tensor), $"{Kind}: parameter '{_names[i]}' {_params[i].Shape} or its gradient was released by a Tensor.Scope()");
        }
        double lr = CurrentLearningRate;
        for (int i = 0; i < _params.Length; i++)
        {
            var g = _params[i].Grad;
            if (g is null) continue;
            long count = ++_counts[i];
            Update(i, _params[i].Span, g.Span, lr * _scales[i], count);
        }
        StepCount++;
    }

    /// <summary>
    /// Updates parameter <paramref name="index"/> in place. <paramref name="lr"/> already includes the
    /// schedule and the group scale; <paramref name="count"/> is this parameter's update number (1 on its first update).
    /// </summary>
    protected abstract void Update(int index, Span<float> param, ReadOnlySpan<float> grad, double lr, long count);

    /// <summary>State tensor <paramref name="kind"/> (index into the constructor's state names) of parameter <paramref name="index"/>.</summary>
    protected Span<float> State(int kind, int index) => _state[kind][index].Span;

    /// <summary>Sets every existing gradient to zero in place (gradients that are null stay null).</summary>
    public void ZeroGrad()
    {
        foreach (var p in _params)
            if (p.Grad is { } g) OptimKernels.ClearParallel(g.Span);
    }

    /// <summary>
    /// A copy of the optimizer's state: <c>{prefix}{Kind}.step</c> (the global step count), and per
    /// parameter <c>{prefix}{Kind}.count.{name}</c> (its update count) and <c>{prefix}{Kind}.{state}.{name}</c>
    /// for each state tensor (e.g. <c>adam.m.enc.weight</c>). Counters are (2,) tensors
    /// [n mod 2^24, n / 2^24], exact to 2^48. A prefix (e.g. "actor/") keeps several optimizers apart in
    /// one checkpoint. Hyperparameters (learning rate, betas) are not included: they come from the
    /// constructor. The tensors are fresh GC-owned copies that outlive any scope.
    /// </summary>
    public Dictionary<string, Tensor> StateDict(string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(prefix);
        string space = prefix + Kind + ".";
        var d = new Dictionary<string, Tensor> { [space + "step"] = StateDicts.EncodeCount(StepCount) };
        for (int i = 0; i < _params.Length; i++)
        {
            d[$"{space}count.{_names[i]}"] = StateDicts.EncodeCount(_counts[i]);
            for (int k = 0; k < _stateNames.Length; k++)
                d[$"{space}{_stateNames[k]}.{_names[i]}"] = StateDicts.Copy(_state[k][i]);
        }
        return d;
    }

    /// <summary>
    /// Restores state written by <see cref="StateDict"/> (same prefix) for the same parameters: same
    /// names and shapes. Keys outside <c>{prefix}{Kind}.</c> are ignored; inside it the keys must match
    /// exactly. Everything is checked before anything changes.
    /// </summary>
    /// <exception cref="ArgumentException">A key is missing or unexpected, a shape differs, or a counter is invalid; the message lists them.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(prefix);
        string who = $"{Kind}.LoadStateDict", space = prefix + Kind + ".";
        var expected = new List<(string, Shape)> { (space + "step", new Shape(2)) };
        for (int i = 0; i < _params.Length; i++)
        {
            expected.Add(($"{space}count.{_names[i]}", new Shape(2)));
            for (int k = 0; k < _stateNames.Length; k++)
                expected.Add(($"{space}{_stateNames[k]}.{_names[i]}", _params[i].Shape));
        }
        StateDicts.Check(state, space, expected, who);
        long step = StateDicts.DecodeCount(state[space + "step"], space + "step", who);
        var counts = new long[_params.Length];
        for (int i = 0; i < _params.Length; i++)
        {
            string key = $"{space}count.{_names[i]}";
            counts[i] = StateDicts.DecodeCount(state[key], key, who);
        }
        StepCount = step;
        counts.CopyTo(_counts, 0);
        for (int i = 0; i < _params.Length; i++)
            for (int k = 0; k < _stateNames.Length; k++)
                state[$"{space}{_stateNames[k]}.{_names[i]}"].Span.CopyTo(_state[k][i].Span);
    }

    /// <summary>Throws unless <paramref name="value"/> is finite and >= 0.</summary>
    protected void CheckNonNegative(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(name, $"{Kind}: {name} must be finite and >= 0 but is {value}");
    }

    /// <summary>Throws unless 0 &lt;= <paramref name="value"/> &lt; 1.</summary>
    protected void CheckBeta(double value, string name)
    {
        if (!(value >= 0 && value < 1))
            throw new ArgumentOutOfRangeException(name, $"{Kind}: {name} must be in [0, 1) but is {value}");
    }

    /// <summary>A single group of weight 1.</summary>
    protected static ParamGroup[] One(IReadOnlyList<Tensor> parameters) => [ParamGroup.Of(parameters)];

    /// <summary>A single named group of weight 1.</summary>
    protected static ParamGroup[] One(IReadOnlyList<(string Name, Tensor Param)> parameters) => [ParamGroup.Of(parameters)];
}

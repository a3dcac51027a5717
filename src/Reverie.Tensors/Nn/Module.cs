// Module: the base of every network piece — named, hierarchical parameters and buffers,
// state dicts, train/eval mode.
namespace Reverie.Tensors.Nn;

/// <summary>
/// A piece of a network that owns parameters (and optionally buffers) and child modules, each
/// registered under a name. Full names join the path with dots, as in PyTorch:
/// a module registered as <c>rssm</c> inside one registered as <c>wm</c> names its GRU weight
/// <c>wm.rssm.gru.weight_ih</c>. Iteration is depth first in registration order: a module's own
/// parameters, then each child's in turn (see <see cref="NamedParameters"/>). Subclasses register
/// everything in their constructor and expose their own <c>Forward</c>.
/// </summary>
public abstract class Module
{
    private readonly List<(string Name, Tensor Tensor)> _parameters = [];
    private readonly List<(string Name, Tensor Tensor)> _buffers = [];
    private readonly List<(string Name, Module Module)> _children = [];
    private readonly HashSet<string> _names = [];
    private bool _registered;

    /// <summary>Whether the module is in training mode (the default); see <see cref="Train"/>.</summary>
    public bool Training { get; private set; } = true;

    // ------------------------------------------------------------------ registration

    /// <summary>
    /// Registers <paramref name="parameter"/> under <paramref name="name"/> and returns it. Its
    /// <see cref="Tensor.Name"/> becomes the name (and later the full dotted name once this module
    /// is registered in a parent). It must require grad (use <see cref="Tensor.Parameter"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The name is empty, contains '.', or is already used; the tensor does not require grad.</exception>
    protected Tensor RegisterParameter(string name, Tensor parameter)
    {
        CheckName(name);
        if (!parameter.RequiresGrad)
            throw new ArgumentException($"{GetType().Name}: parameter '{name}' {parameter.Shape} does not require grad; create it with Tensor.Parameter");
        _parameters.Add((name, parameter));
        parameter.Name = name;
        return parameter;
    }

    /// <summary>
    /// Registers a buffer: state that is saved in <see cref="StateDict"/> but is not a parameter
    /// (no gradient, not in <see cref="Parameters"/>), such as running statistics. The buffer is
    /// kept (<see cref="Tensor.Keep"/>) so that it outlives any scope. Returns it.
    /// </summary>
    /// <exception cref="ArgumentException">The name is empty, contains '.', or is already used.</exception>
    protected Tensor RegisterBuffer(string name, Tensor buffer)
    {
        CheckName(name);
        buffer.Keep();
        _buffers.Add((name, buffer));
        buffer.Name = name;
        return buffer;
    }

    /// <summary>
    /// Registers a child module under <paramref name="name"/> and returns it. Its parameters are
    /// renamed <c>name.…</c>. The child takes this module's current train/eval mode.
    /// </summary>
    /// <exception cref="ArgumentException">The name is empty, contains '.', or is already used; the child is already registered somewhere or is this module.</exception>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckName(name);
        if (ReferenceEquals(module, this)) throw new ArgumentException($"{GetType().Name}: a module cannot be its own child ('{name}')");
        if (module._registered)
            throw new ArgumentException($"{GetType().Name}: module '{name}' ({module.GetType().Name}) is already registered in another module; create a new one");
        module._registered = true;
        _children.Add((name, module));
        foreach (var (full, t) in module.NamedTensors(name, buffers: true)) t.Name = full;
        module.Train(Training);
        return module;
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"{GetType().Name}: invalid name '{name}' (names are non-empty and contain no '.')");
        if (!_names.Add(name))
            throw new ArgumentException($"{GetType().Name}: the name '{name}' is already registered");
    }

    // ------------------------------------------------------------------ iteration

    /// <summary>
    /// (full name, parameter) pairs, depth first in registration order: this module's parameters,
    /// then each child's in turn. Names start with <paramref name="prefix"/> when it is given.
    /// </summary>
    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters(string prefix = "") =>
        NamedTensors(prefix, buffers: false);

    /// <summary>All parameters, in the order of <see cref="NamedParameters"/>.</summary>
    public IEnumerable<Tensor> Parameters()
    {
        foreach (var (_, p) in NamedParameters()) yield return p;
    }

    /// <summary>(full name, buffer) pairs, in the same order as parameters.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers(string prefix = "")
    {
        foreach (var (name, t) in _buffers) yield return (Join(prefix, name), t);
        foreach (var (name, m) in _children)
            foreach (var item in m.NamedBuffers(Join(prefix, name))) yield return item;
    }

    /// <summary>This module (named <paramref name="prefix"/>) and every descendant, depth first.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        yield return (prefix, this);
        foreach (var (name, m) in _children)
            foreach (var item in m.NamedModules(Join(prefix, name))) yield return item;
    }

    /// <summary>The direct children, in registration order.</summary>
    public IEnumerable<(string Name, Module Module)> Children() => _children;

    private IEnumerable<(string, Tensor)> NamedTensors(string prefix, bool buffers)
    {
        foreach (var (name, t) in _parameters) yield return (Join(prefix, name), t);
        if (buffers)
            foreach (var (name, t) in _buffers) yield return (Join(prefix, name), t);
        foreach (var (name, m) in _children)
            foreach (var item in m.NamedTensors(Join(prefix, name), buffers)) yield return item;
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    /// <summary>Total number of parameter elements.</summary>
    public long ParameterCount
    {
        get
        {
            long n = 0;
            foreach (var p in Parameters()) n += p.Size;
            return n;
        }
    }

    // ------------------------------------------------------------------ modes and gradients

    /// <summary>Sets training mode (<paramref name="on"/> = true) or evaluation mode on this module and all descendants. Returns this.</summary>
    public Module Train(bool on = true)
    {
        Training = on;
        foreach (var (_, m) in _children) m.Train(on);
        return this;
    }

    /// <summary>Sets evaluation mode on this module and all descendants (same as <c>Train(false)</c>). Returns this.</summary>
    public Module Eval() => Train(false);

    /// <summary>
    /// Zeroes every parameter's gradient in place (gradients that do not exist yet stay null), so
    /// that a training step allocates nothing.
    /// </summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.Grad?.Span.Clear();
    }

    // ------------------------------------------------------------------ state dicts

    /// <summary>
    /// The parameters and buffers by full name, in registration order. The values are the live
    /// tensors, not copies (clone them for a snapshot).
    /// </summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var d = new Dictionary<string, Tensor>();
        foreach (var (name, t) in NamedTensors("", buffers: true)) d.Add(name, t);
        return d;
    }

    /// <summary>
    /// Copies values from <paramref name="state"/> into this module's parameters and buffers (by
    /// full name; the module's tensors keep their identity). Every check runs before anything is
    /// copied, so a failed load changes nothing. With <paramref name="strict"/>, missing and
    /// unexpected names are errors; without, they are skipped and returned. A shape mismatch is
    /// always an error.
    /// </summary>
    /// <returns>The names this module has but the dict lacks, and the names the dict has but this module lacks.</returns>
    /// <exception cref="ArgumentException">Shapes differ, or (strict) names are missing or unexpected; the message lists every problem.</exception>
    public (IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected) LoadStateDict(
        IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        var own = StateDict();
        var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
        var mismatched = new List<string>();
        foreach (var (name, t) in own)
            if (state.TryGetValue(name, out var src) && src.Shape != t.Shape)
                mismatched.Add($"'{name}' has shape {src.Shape} in the state dict but {t.Shape} in the module");
        var problems = new List<string>();
        if (mismatched.Count > 0) problems.Add("shape mismatch: " + string.Join("; ", mismatched));
        if (strict && missing.Count > 0) problems.Add($"missing {missing.Count} key(s): {string.Join(", ", missing)}");
        if (strict && unexpected.Count > 0) problems.Add($"unexpected {unexpected.Count} key(s): {string.Join(", ", unexpected)}");
        if (problems.Count > 0)
            throw new ArgumentException($"LoadStateDict ({GetType().Name}): {string.Join("; ", problems)}");
        foreach (var (name, t) in own)
            if (state.TryGetValue(name, out var src)) t.CopyFrom(src);
        return (missing, unexpected);
    }

    public override string ToString() => $"{GetType().Name}({ParameterCount} parameters)";
}

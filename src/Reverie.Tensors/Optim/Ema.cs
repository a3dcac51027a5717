// Ema: a shadow copy of parameters that tracks them by Polyak averaging (slow critics, target networks).
namespace Reverie.Tensors.Optim;

/// <summary>
/// Keeps <see cref="Shadow"/>, an exponential moving average of some source parameters.
/// <see cref="Update"/> follows DreamerV3's <c>SlowModel.update</c> (danijar/dreamerv3 embodied/jax/utils.py):
/// <c>mix = Count % Every == 0 ? Rate : 0; shadow ← mix·source + (1 − mix)·shadow; Count += 1</c>,
/// so the first call mixes, and with Every = 1 it is plain Polyak averaging (TD-MPC2's
/// <c>tau</c>, SAC's target networks). DreamerV3's slow critic uses Rate 0.02, Every 1; its older
/// configs used Rate 1 (a hard copy) every 100 updates. The shadow starts as a copy of the source.
/// </summary>
public sealed class Ema
{
    private readonly Tensor[] _source;
    private readonly Tensor[] _shadow;
    private readonly string[] _names;

    /// <summary>The averaging rate (the weight of the source at an update).</summary>
    public double Rate { get; }

    /// <summary>Mix only on every <c>Every</c>-th call of <see cref="Update"/> (the first call included).</summary>
    public int Every { get; }

    /// <summary>Number of <see cref="Update"/> calls so far.</summary>
    public long Count { get; private set; }

    /// <summary>The averaged tensors, one per source parameter (never requiring grad unless given so).</summary>
    public IReadOnlyList<Tensor> Shadow => _shadow;

    /// <summary>Tracks <paramref name="source"/>; state keys use positions ("ema.shadow.0").</summary>
    public Ema(IReadOnlyList<Tensor> source, double rate, int every = 1, IReadOnlyList<Tensor>? shadow = null)
        : this(Named(source), rate, every, shadow) { }

    /// <summary>
    /// Tracks named <paramref name="source"/> parameters. When <paramref name="shadow"/> is given (for example
    /// the parameters of a slow-critic network of the same architecture), those tensors are the average and
    /// are overwritten with the source now; otherwise new GC-owned tensors are made.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> is outside [0, 1] or <paramref name="every"/> &lt; 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="shadow"/> does not pair up with the source, or names repeat.</exception>
    public Ema(IReadOnlyList<(string Name, Tensor Param)> source, double rate, int every = 1, IReadOnlyList<Tensor>? shadow = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!(rate >= 0 && rate <= 1)) throw new ArgumentOutOfRangeException(nameof(rate), $"ema: rate must be in [0, 1] but is {rate}");
        if (every < 1) throw new ArgumentOutOfRangeException(nameof(every), $"ema: every must be >= 1 but is {every}");
        Rate = rate;
        Every = every;
        _names = new string[source.Count];
        _source = new Tensor[source.Count];
        var seen = new HashSet<string>();
        for (int i = 0; i < _source.Length; i++)
        {
            _names[i] = source[i].Name ?? throw new ArgumentNullException(nameof(source), $"ema: the name of parameter {i} is null");
            _source[i] = source[i].Param ?? throw new ArgumentNullException(nameof(source), $"ema: parameter '{_names[i]}' is null");
            if (!seen.Add(_names[i])) throw new ArgumentException($"ema: two parameters are named '{_names[i]}'");
        }
        if (shadow is not null)
        {
            Polyak.CheckPairs(shadow, _source, "ema");
            _shadow = new Tensor[_source.Length];
            for (int i = 0; i < _shadow.Length; i++)
            {
                if (ReferenceEquals(shadow[i], _source[i])) throw new ArgumentException($"ema: shadow {i} is the source parameter '{_names[i]}' itself");
                _shadow[i] = shadow[i];
            }
        }
        else
        {
            _shadow = new Tensor[_source.Length];
            for (int i = 0; i < _shadow.Length; i++) _shadow[i] = Tensor.Persistent(_source[i].Shape);
        }
        Reset();
    }

    private static (string, Tensor)[] Named(IReadOnlyList<Tensor> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var r = new (string, Tensor)[source.Count];
        for (int i = 0; i < r.Length; i++) r[i] = (i.ToString(System.Globalization.CultureInfo.InvariantCulture), source[i]);
        return r;
    }

    /// <summary>One DreamerV3 slow-model update (see the class summary); allocates nothing.</summary>
    public void Update()
    {
        if (Count % Every == 0) Polyak.Update(_shadow, _source, Rate);
        Count++;
    }

    /// <summary>Sets the shadow to the current source values (does not change <see cref="Count"/>).</summary>
    public void Reset()
    {
        for (int i = 0; i < _shadow.Length; i++) _source[i].ReadOnlySpan.CopyTo(_shadow[i].Span);
    }

    /// <summary>Copies the shadow values into <paramref name="destination"/> (e.g. to evaluate with averaged weights).</summary>
    /// <exception cref="ArgumentException">The destination does not pair up with the shadow.</exception>
    public void CopyTo(IReadOnlyList<Tensor> destination)
    {
        Polyak.CheckPairs(destination, _shadow, "ema.CopyTo");
        for (int i = 0; i < _shadow.Length; i++) _shadow[i].ReadOnlySpan.CopyTo(destination[i].Span);
    }

    /// <summary>A copy of the state: <c>{prefix}ema.count</c> and <c>{prefix}ema.shadow.{name}</c> per parameter.</summary>
    public Dictionary<string, Tensor> StateDict(string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var d = new Dictionary<string, Tensor> { [prefix + "ema.count"] = StateDicts.EncodeCount(Count) };
        for (int i = 0; i < _shadow.Length; i++) d[$"{prefix}ema.shadow.{_names[i]}"] = StateDicts.Copy(_shadow[i]);
        return d;
    }

    /// <summary>Restores state written by <see cref="StateDict"/> (same prefix, same names and shapes); checks everything first.</summary>
    /// <exception cref="ArgumentException">A key is missing or unexpected, or a shape differs.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(prefix);
        const string who = "ema.LoadStateDict";
        var expected = new List<(string, Shape)> { (prefix + "ema.count", new Shape(2)) };
        for (int i = 0; i < _shadow.Length; i++) expected.Add(($"{prefix}ema.shadow.{_names[i]}", _shadow[i].Shape));
        StateDicts.Check(state, prefix + "ema.", expected, who);
        Count = StateDicts.DecodeCount(state[prefix + "ema.count"], prefix + "ema.count", who);
        for (int i = 0; i < _shadow.Length; i++) state[$"{prefix}ema.shadow.{_names[i]}"].ReadOnlySpan.CopyTo(_shadow[i].Span);
    }
}

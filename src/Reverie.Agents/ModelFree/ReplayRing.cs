// ReplayRing: a minimal transition ring buffer for SAC (to be replaced by Reverie.Rl's shared replay).
using Reverie.Tensors;

namespace Reverie.Agents.ModelFree;

/// <summary>
/// A fixed-capacity ring of transitions (obs, action, reward, next obs, terminated), overwriting the
/// oldest when full; uniform sampling with replacement. Next obs is the real next observation (the
/// final one when an episode ended), so truncated steps bootstrap and only terminated ones do not.
/// </summary>
public sealed class ReplayRing
{
    private readonly float[] _obs, _next, _act, _rew, _term;
    private int _pos;

    /// <summary>Maximum transitions held.</summary>
    public int Capacity { get; }
    /// <summary>Transitions held now.</summary>
    public int Count { get; private set; }
    /// <summary>Observation features.</summary>
    public int ObsDim { get; }
    /// <summary>Action floats.</summary>
    public int ActionDim { get; }

    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public ReplayRing(int capacity, int obsDim, int actionDim)
    {
        if (capacity < 1 || obsDim < 1 || actionDim < 1)
            throw new ArgumentOutOfRangeException(nameof(capacity), $"replay: capacity {capacity}, obsDim {obsDim} and actionDim {actionDim} must be >= 1");
        (Capacity, ObsDim, ActionDim) = (capacity, obsDim, actionDim);
        _obs = new float[capacity * obsDim]; _next = new float[capacity * obsDim];
        _act = new float[capacity * actionDim]; _rew = new float[capacity]; _term = new float[capacity];
    }

    /// <summary>Adds one transition.</summary>
    /// <exception cref="ArgumentException">A length differs from ObsDim or ActionDim.</exception>
    public void Add(ReadOnlySpan<float> obs, ReadOnlySpan<float> action, float reward, ReadOnlySpan<float> nextObs, bool terminated)
    {
        if (obs.Length != ObsDim || nextObs.Length != ObsDim || action.Length != ActionDim)
            throw new ArgumentException($"replay: obs {obs.Length}, next obs {nextObs.Length} and action {action.Length} floats do not fit {ObsDim} and {ActionDim}");
        obs.CopyTo(_obs.AsSpan(_pos * ObsDim, ObsDim));
        nextObs.CopyTo(_next.AsSpan(_pos * ObsDim, ObsDim));
        action.CopyTo(_act.AsSpan(_pos * ActionDim, ActionDim));
        _rew[_pos] = reward;
        _term[_pos] = terminated ? 1f : 0f;
        _pos = (_pos + 1) % Capacity;
        Count = Math.Min(Count + 1, Capacity);
    }

    /// <summary>
    /// B transitions drawn uniformly with replacement, as tensors (in the current scope): obs (B, D),
    /// action (B, A), reward (B,), next obs (B, D), terminated (B,) as 0/1.
    /// </summary>
    /// <exception cref="InvalidOperationException">The buffer is empty.</exception>
    public (Tensor Obs, Tensor Action, Tensor Reward, Tensor NextObs, Tensor Terminated) Sample(int batch, Rng rng)
    {
        if (Count == 0) throw new InvalidOperationException("replay: cannot sample from an empty buffer");
        var obs = Tensor.Zeros(new Shape(batch, ObsDim));
        var next = Tensor.Zeros(new Shape(batch, ObsDim));
        var act = Tensor.Zeros(new Shape(batch, ActionDim));
        var rew = Tensor.Zeros(new Shape(batch));
        var term = Tensor.Zeros(new Shape(batch));
        Span<float> o = obs.Span, n = next.Span, a = act.Span, r = rew.Span, d = term.Span;
        for (int i = 0; i < batch; i++)
        {
            int k = rng.NextInt(Count);
            _obs.AsSpan(k * ObsDim, ObsDim).CopyTo(o.Slice(i * ObsDim, ObsDim));
            _next.AsSpan(k * ObsDim, ObsDim).CopyTo(n.Slice(i * ObsDim, ObsDim));
            _act.AsSpan(k * ActionDim, ActionDim).CopyTo(a.Slice(i * ActionDim, ActionDim));
            r[i] = _rew[k];
            d[i] = _term[k];
        }
        return (obs, act, rew, next, term);
    }
}

// LearnerState: a learner's full state for checkpoints: tensors (weights, optimizer, statistics) plus text counters and RNG states.
using System.Globalization;
using Reverie.Tensors;

namespace Reverie.Agents.Shared;

/// <summary>
/// Everything a learner needs to resume bit-for-bit: <see cref="Tensors"/> (network weights,
/// optimizer moments, running statistics — for a safetensors file) and <see cref="Meta"/> (counters
/// and generator states as invariant text — for the safetensors metadata or a state.json).
/// </summary>
public sealed class LearnerState
{
    /// <summary>Named tensors (GC-owned copies or live parameters; the loader copies values in).</summary>
    public Dictionary<string, Tensor> Tensors { get; } = new();

    /// <summary>Named scalars and generator states as invariant-culture text.</summary>
    public Dictionary<string, string> Meta { get; } = new();

    /// <summary>Stores an integer counter.</summary>
    public void SetLong(string key, long value) => Meta[key] = value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Reads an integer counter.</summary>
    /// <exception cref="ArgumentException">Missing or not an integer.</exception>
    public long GetLong(string key) =>
        Meta.TryGetValue(key, out var s) && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v)
            ? v : throw new ArgumentException($"learner state: '{key}' is missing or not an integer");

    /// <summary>Stores doubles exactly (round-trip text).</summary>
    public void SetDoubles(string key, ReadOnlySpan<double> values)
    {
        var parts = new string[values.Length];
        for (int i = 0; i < values.Length; i++) parts[i] = values[i].ToString("R", CultureInfo.InvariantCulture);
        Meta[key] = string.Join(" ", parts);
    }

    /// <summary>Reads <paramref name="count"/> doubles stored by <see cref="SetDoubles"/>.</summary>
    /// <exception cref="ArgumentException">Missing, malformed, or of another length.</exception>
    public double[] GetDoubles(string key, int count)
    {
        if (!Meta.TryGetValue(key, out var s)) throw new ArgumentException($"learner state: '{key}' is missing");
        var words = s.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length != count) throw new ArgumentException($"learner state: '{key}' has {words.Length} values but {count} are needed");
        var v = new double[count];
        for (int i = 0; i < count; i++)
            if (!double.TryParse(words[i], NumberStyles.Float, CultureInfo.InvariantCulture, out v[i]))
                throw new ArgumentException($"learner state: '{key}' value {i} '{words[i]}' is not a number");
        return v;
    }

    /// <summary>Stores a generator's full state as hex words.</summary>
    public void SetRng(string key, Rng rng) => Meta[key] = string.Join(" ", rng.GetState().Select(u => u.ToString("x16", CultureInfo.InvariantCulture)));

    /// <summary>Restores a generator saved by <see cref="SetRng"/>.</summary>
    /// <exception cref="ArgumentException">Missing or malformed.</exception>
    public void GetRng(string key, Rng rng)
    {
        if (!Meta.TryGetValue(key, out var s)) throw new ArgumentException($"learner state: '{key}' is missing");
        var words = s.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var state = new ulong[words.Length];
        for (int i = 0; i < words.Length; i++)
            if (!ulong.TryParse(words[i], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out state[i]))
                throw new ArgumentException($"learner state: '{key}' word {i} '{words[i]}' is not hex");
        rng.SetState(state);
    }

    /// <summary>Adds every pair of <paramref name="tensors"/> under <paramref name="prefix"/>.</summary>
    public void AddTensors(string prefix, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        foreach (var (k, v) in tensors) Tensors[prefix + k] = v;
    }

    /// <summary>The tensors whose names start with <paramref name="prefix"/>, with the prefix removed.</summary>
    public Dictionary<string, Tensor> Sub(string prefix) =>
        Tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
}

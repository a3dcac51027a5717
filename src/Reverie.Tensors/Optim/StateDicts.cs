// StateDicts: shared helpers for exporting and importing optimizer/EMA state as named tensors.
namespace Reverie.Tensors.Optim;

/// <summary>Key checks and step-counter encoding for <c>StateDict</c>/<c>LoadStateDict</c>.</summary>
internal static class StateDicts
{
    /// <summary>Counters are stored as float32 pairs (low 24 bits, the rest) so they stay exact up to 2^48.</summary>
    private const long Base = 1 << 24;

    /// <summary>A (2,) tensor [n mod 2^24, n / 2^24], GC-owned.</summary>
    public static Tensor EncodeCount(long n)
    {
        if (n < 0 || n >= Base * Base) throw new InvalidOperationException($"step counter {n} cannot be stored (0 <= n < 2^48)");
        var t = Tensor.Persistent(new Shape(2));
        t.Span[0] = n % Base;
        t.Span[1] = n / Base;
        return t;
    }

    /// <summary>Reads a counter written by <see cref="EncodeCount"/>.</summary>
    /// <exception cref="ArgumentException">The values are not a valid counter.</exception>
    public static long DecodeCount(Tensor t, string key, string who)
    {
        var s = t.Span;
        float lo = s[0], hi = s[1];
        if (!(lo >= 0 && lo < Base && hi >= 0 && hi < Base) || lo != MathF.Floor(lo) || hi != MathF.Floor(hi))
            throw new ArgumentException($"{who}: '{key}' holds ({lo}, {hi}), which is not a step counter (two non-negative integers below 2^24)");
        return (long)lo + (long)hi * Base;
    }

    /// <summary>A GC-owned copy (never pooled, so it outlives any scope).</summary>
    public static Tensor Copy(Tensor t)
    {
        var c = Tensor.Persistent(t.Shape);
        t.Span.CopyTo(c.Span);
        return c;
    }

    /// <summary>
    /// Checks that the keys of <paramref name="dict"/> that start with <paramref name="space"/> are
    /// exactly the expected ones with the expected shapes (keys outside the namespace are ignored: a
    /// checkpoint may hold other components' state); throws one ArgumentException listing every problem.
    /// </summary>
    public static void Check(IReadOnlyDictionary<string, Tensor> dict, string space, IReadOnlyList<(string Key, Shape Shape)> expected, string who)
    {
        ArgumentNullException.ThrowIfNull(dict);
        var problems = new List<string>();
        var wanted = new HashSet<string>();
        int missing = 0, wrong = 0, extra = 0, found = 0;
        foreach (var (key, shape) in expected)
        {
            wanted.Add(key);
            if (!dict.TryGetValue(key, out var t) || t is null)
            {
                if (missing++ < 5) problems.Add($"missing '{key}' {shape}");
                continue;
            }
            found++;
            if (t.IsReleased)
            {
                if (wrong++ < 5) problems.Add($"'{key}' was released (its Tensor.Scope() ended)");
            }
            else if (t.Shape != shape)
            {
                if (wrong++ < 5) problems.Add($"'{key}' has shape {t.Shape} but {shape} is expected");
            }
        }
        foreach (var key in dict.Keys)
            if (key.StartsWith(space, StringComparison.Ordinal) && !wanted.Contains(key) && extra++ < 5) problems.Add($"unexpected key '{key}'");
        if (problems.Count == 0) return;
        if (found == 0 && extra == 0)
        {
            var some = dict.Keys.Take(3).ToList();
            throw new ArgumentException($"{who}: the state has no keys starting with '{space}'" +
                (some.Count == 0 ? " (it is empty)" : $" (it has e.g. {string.Join(", ", some.Select(k => "'" + k + "'"))})"));
        }
        string more = missing > 5 || wrong > 5 || extra > 5 ? $" (in all {missing} missing, {wrong} mismatched, {extra} unexpected)" : "";
        throw new ArgumentException($"{who}: the state does not belong to these parameters: {string.Join("; ", problems)}{more}");
    }
}

// EnvChecks: the shared validation behind every env's error messages (actions, observations, step order).
using System.Globalization;

namespace Reverie.Envs;

/// <summary>Validation helpers that produce the env-naming messages documented on <see cref="IEnv"/>.</summary>
public static class EnvChecks
{
    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="action"/> is a valid action of <paramref name="space"/>.</summary>
    /// <remarks>Continuous values outside a box's bounds are allowed here: each env clips them as its definition says.</remarks>
    public static void Action(string id, Space space, ReadOnlySpan<float> action)
    {
        if (action.Length != space.Size)
            throw new ArgumentException($"{id}: action has {action.Length} element{(action.Length == 1 ? "" : "s")} but the action space {space} needs {space.Size}", nameof(action));
        for (int i = 0; i < action.Length; i++)
            if (!float.IsFinite(action[i]))
                throw new ArgumentException($"{id}: action[{i}] is {Fmt(action[i])}; actions must be finite", nameof(action));
        if (space is DiscreteSpace d)
        {
            float v = action[0];
            if (v != MathF.Floor(v))
                throw new ArgumentException($"{id}: discrete action {Fmt(v)} is not a whole number; {d} takes an index 0 to {d.N - 1}", nameof(action));
            if (v < 0 || v >= d.N)
                throw new ArgumentException($"{id}: discrete action {Fmt(v)} is out of range; {d} takes an index 0 to {d.N - 1}", nameof(action));
        }
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> unless <paramref name="obs"/> matches <paramref name="space"/>: same layout, finite floats within bounds.</summary>
    public static void Observation(string id, DictSpace space, Observation obs)
    {
        if (!obs.Space.SameLayout(space))
            throw new InvalidOperationException($"{id}: observation layout {obs.Space} differs from the declared space {space}");
        if (obs.Rows != 1)
            throw new InvalidOperationException($"{id}: observation has {obs.Rows} rows; an env returns one");
        for (int k = 0; k < space.Count; k++)
        {
            if (obs.ArrayAt(k) is not float[] f) continue; // bytes are in [0, 255] by type
            var box = space.SpaceAt(k);
            ReadOnlySpan<float> lo = box.Low, hi = box.High;
            for (int i = 0; i < f.Length; i++)
            {
                if (!float.IsFinite(f[i]))
                    throw new InvalidOperationException($"{id}: observation '{space.Keys[k]}'[{i}] is {Fmt(f[i])}; observations must be finite");
                if (f[i] < lo[i] || f[i] > hi[i])
                    throw new InvalidOperationException($"{id}: observation '{space.Keys[k]}'[{i}] = {Fmt(f[i])} is outside its declared bounds [{Space.Num(lo[i])}, {Space.Num(hi[i])}]");
            }
        }
    }

    /// <summary>The error for a step before the first reset.</summary>
    public static InvalidOperationException StepBeforeReset(string id) =>
        new($"{id}: Step called before Reset; call Reset to start an episode");

    /// <summary>The error for a step after the episode ended.</summary>
    public static InvalidOperationException StepAfterEnd(string id, bool terminated) =>
        new($"{id}: Step called after the episode ended ({(terminated ? "terminated" : "truncated")}); call Reset to start a new episode");

    /// <summary>The error for a render buffer of the wrong size.</summary>
    public static void RenderBuffer(string id, int length, int height, int width)
    {
        if (height < 1 || width < 1)
            throw new ArgumentException($"{id}: render size must be positive, got {height}x{width}");
        if (length != height * width * 3)
            throw new ArgumentException($"{id}: render buffer has {length} bytes but {height}x{width} RGB needs {height * width * 3}");
    }

    internal static string Fmt(float v) => float.IsNaN(v) ? "NaN" : float.IsPositiveInfinity(v) ? "+inf"
        : float.IsNegativeInfinity(v) ? "-inf" : v.ToString("G6", CultureInfo.InvariantCulture);
}

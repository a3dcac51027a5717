// FrameStack: stacks the last k observations of every entry along a new leading axis (oldest first).
namespace Reverie.Envs;

/// <summary>
/// Each entry of shape S becomes (k, S...): the last <see cref="K"/> observations, oldest first.
/// After a reset all k slots hold the first observation (Gymnasium's padding by the reset frame).
/// </summary>
public sealed class FrameStack : EnvWrapper
{
    private readonly Observation _obs;

    /// <summary>Wraps <paramref name="inner"/>, stacking <paramref name="k"/> frames.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is less than 1.</exception>
    public FrameStack(IEnv inner, int k) : base(inner)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), $"{inner.Id}: frame stack needs k >= 1, got {k}");
        K = k;
        ObservationSpace = new DictSpace([.. inner.ObservationSpace.Entries().Select(e => (e.Name, Stacked(e.Space, k)))]);
        _obs = new Observation(ObservationSpace);
    }

    /// <summary>Frames per observation.</summary>
    public int K { get; }

    /// <inheritdoc/>
    public override DictSpace ObservationSpace { get; }

    /// <inheritdoc/>
    public override Observation Reset(ulong? seed = null)
    {
        var inner = Inner.Reset(seed);
        for (int e = 0; e < _obs.Space.Count; e++)
        {
            Array src = inner.ArrayAt(e), dst = _obs.ArrayAt(e);
            for (int f = 0; f < K; f++) Array.Copy(src, 0, dst, f * src.Length, src.Length);
        }
        return _obs;
    }

    /// <inheritdoc/>
    public override StepResult Step(ReadOnlySpan<float> action)
    {
        var r = Inner.Step(action);
        for (int e = 0; e < _obs.Space.Count; e++)
        {
            Array src = r.Observation.ArrayAt(e), dst = _obs.ArrayAt(e);
            int n = src.Length;
            Array.Copy(dst, n, dst, 0, (K - 1) * n);
            Array.Copy(src, 0, dst, (K - 1) * n, n);
        }
        return r with { Observation = _obs };
    }

    private static BoxSpace Stacked(BoxSpace s, int k)
    {
        float[] lo = new float[s.Size * k], hi = new float[s.Size * k];
        for (int f = 0; f < k; f++) { s.Low.CopyTo(lo.AsSpan(f * s.Size)); s.High.CopyTo(hi.AsSpan(f * s.Size)); }
        return new BoxSpace(lo, hi, [k, .. s.Shape], s.DType);
    }
}

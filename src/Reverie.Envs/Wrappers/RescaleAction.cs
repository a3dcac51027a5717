// RescaleAction: exposes a finite Box action space as [-1, 1] and maps actions linearly onto the env's bounds.
namespace Reverie.Envs;

/// <summary>
/// Presents a <see cref="BoxSpace"/> action space with finite bounds as Box(-1, 1) of the same
/// shape, mapping a ↦ low + (a + 1)/2 · (high − low) per element. Values outside [-1, 1] are mapped
/// by the same line (not clipped), so the env's own clipping rules still apply.
/// </summary>
public sealed class RescaleAction : EnvWrapper
{
    private readonly BoxSpace _inner, _outer;
    private readonly float[] _buffer;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <exception cref="ArgumentException">The action space is not a Box with finite bounds.</exception>
    public RescaleAction(IEnv inner) : base(inner)
    {
        if (inner.ActionSpace is not BoxSpace box)
            throw new ArgumentException($"{inner.Id}: action rescaling needs a Box action space, got {inner.ActionSpace}");
        for (int i = 0; i < box.Size; i++)
            if (!float.IsFinite(box.Low[i]) || !float.IsFinite(box.High[i]))
                throw new ArgumentException($"{inner.Id}: action rescaling needs finite bounds, got {box}");
        _inner = box;
        _outer = new BoxSpace(Enumerable.Repeat(-1f, box.Size).ToArray(), Enumerable.Repeat(1f, box.Size).ToArray(), [.. box.Shape], DType.Float32);
        _buffer = new float[box.Size];
    }

    /// <summary>Box(-1, 1) with the inner action's shape.</summary>
    public override Space ActionSpace => _outer;

    /// <inheritdoc/>
    public override StepResult Step(ReadOnlySpan<float> action)
    {
        EnvChecks.Action(Id, _outer, action);
        ReadOnlySpan<float> lo = _inner.Low, hi = _inner.High;
        for (int i = 0; i < _buffer.Length; i++) _buffer[i] = lo[i] + (action[i] + 1f) * 0.5f * (hi[i] - lo[i]);
        return Inner.Step(_buffer);
    }
}

// PixelObservation: renders the env into an "image" entry of every observation (optionally dropping the others).
namespace Reverie.Envs;

/// <summary>
/// Adds an <c>"image"</c> entry, uint8 (size, size, 3), rendered by the wrapped env after every
/// reset and step. With <c>keepState: false</c> the observation holds the image only.
/// </summary>
public sealed class PixelObservation : EnvWrapper
{
    private readonly Observation _obs;
    private readonly int[] _innerIndex; // for each kept entry of _obs, its index in the inner observation
    private readonly int _size;

    /// <summary>Wraps <paramref name="inner"/>, rendering <paramref name="size"/> x <paramref name="size"/> frames.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not in [1, 4096].</exception>
    /// <exception cref="ArgumentException">The inner env already has an <c>"image"</c> entry.</exception>
    public PixelObservation(IEnv inner, int size = 64, bool keepState = true) : base(inner)
    {
        if (size < 1 || size > 4096) throw new ArgumentOutOfRangeException(nameof(size), $"{inner.Id}: image size must be in [1, 4096], got {size}");
        if (inner.ObservationSpace.Contains("image")) throw new ArgumentException($"{inner.Id}: observation already has an 'image' entry");
        _size = size;
        var image = BoxSpace.Image(size, size);
        ObservationSpace = keepState ? inner.ObservationSpace.With("image", image) : new DictSpace(("image", image));
        _obs = new Observation(ObservationSpace);
        _innerIndex = keepState ? Enumerable.Range(0, inner.ObservationSpace.Count).ToArray() : [];
    }

    /// <inheritdoc/>
    public override DictSpace ObservationSpace { get; }

    /// <inheritdoc/>
    public override Observation Reset(ulong? seed = null) => Fill(Inner.Reset(seed));

    /// <inheritdoc/>
    public override StepResult Step(ReadOnlySpan<float> action)
    {
        var r = Inner.Step(action);
        return r with { Observation = Fill(r.Observation) };
    }

    private Observation Fill(Observation inner)
    {
        for (int k = 0; k < _innerIndex.Length; k++)
        {
            Array src = inner.ArrayAt(_innerIndex[k]), dst = _obs.ArrayAt(k);
            Array.Copy(src, dst, dst.Length);
        }
        Inner.Render(_obs.Image, _size, _size);
        return _obs;
    }
}

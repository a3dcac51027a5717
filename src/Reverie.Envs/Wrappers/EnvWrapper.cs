// EnvWrapper: the base of all wrappers; forwards every member to the wrapped env.
namespace Reverie.Envs;

/// <summary>
/// Wraps another env and forwards every member to it; a wrapper overrides what it changes.
/// Disposing a wrapper disposes the wrapped env.
/// </summary>
public abstract class EnvWrapper : IEnv
{
    /// <summary>Wraps <paramref name="inner"/>.</summary>
    protected EnvWrapper(IEnv inner) => Inner = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <summary>The wrapped env.</summary>
    public IEnv Inner { get; }

    /// <inheritdoc/>
    public virtual string Id => Inner.Id;

    /// <inheritdoc/>
    public virtual DictSpace ObservationSpace => Inner.ObservationSpace;

    /// <inheritdoc/>
    public virtual Space ActionSpace => Inner.ActionSpace;

    /// <inheritdoc/>
    public virtual Observation Reset(ulong? seed = null) => Inner.Reset(seed);

    /// <inheritdoc/>
    public virtual StepResult Step(ReadOnlySpan<float> action) => Inner.Step(action);

    /// <inheritdoc/>
    public virtual void Render(Span<byte> rgb, int height, int width) => Inner.Render(rgb, height, width);

    /// <inheritdoc/>
    public virtual void Dispose()
    {
        Inner.Dispose();
        GC.SuppressFinalize(this);
    }
}

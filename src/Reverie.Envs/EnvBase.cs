// EnvBase: the base class of built-in envs; owns the generator, the observation buffer and the step-order rules.
namespace Reverie.Envs;

/// <summary>
/// A convenient base for environments: it owns the env's <see cref="EnvRng"/> and its reusable
/// <see cref="Observation"/>, checks every action, and enforces the step order (no step before the
/// first reset or after termination). A subclass writes <see cref="ResetCore"/> and
/// <see cref="StepCore"/>, filling <see cref="Obs"/> in place, and may override <see cref="Render"/>.
/// </summary>
public abstract class EnvBase : IEnv
{
    private enum Phase { NotReset, Running, Terminated }

    private Phase _phase;

    /// <summary>Sets the env's name and spaces; the generator starts as if seeded with 0.</summary>
    protected EnvBase(string id, DictSpace observationSpace, Space actionSpace)
    {
        if (string.IsNullOrWhiteSpace(id)) throw new ArgumentException("an env id must not be empty", nameof(id));
        Id = id;
        ObservationSpace = observationSpace ?? throw new ArgumentNullException(nameof(observationSpace));
        ActionSpace = actionSpace ?? throw new ArgumentNullException(nameof(actionSpace));
        Obs = new Observation(observationSpace);
        Rng = new EnvRng(0);
    }

    /// <inheritdoc/>
    public string Id { get; }

    /// <inheritdoc/>
    public DictSpace ObservationSpace { get; }

    /// <inheritdoc/>
    public Space ActionSpace { get; }

    /// <summary>The env's own generator; <see cref="Reset"/> with a seed restarts it.</summary>
    protected EnvRng Rng { get; }

    /// <summary>The observation buffer returned by every call; fill it in place.</summary>
    protected Observation Obs { get; }

    /// <inheritdoc/>
    public Observation Reset(ulong? seed = null)
    {
        if (seed is ulong s) Rng.Seed(s);
        ResetCore();
        _phase = Phase.Running;
        return Obs;
    }

    /// <inheritdoc/>
    public StepResult Step(ReadOnlySpan<float> action)
    {
        if (_phase != Phase.Running)
            throw _phase == Phase.NotReset ? EnvChecks.StepBeforeReset(Id) : EnvChecks.StepAfterEnd(Id, terminated: true);
        EnvChecks.Action(Id, ActionSpace, action);
        var (reward, terminated) = StepCore(action);
        if (terminated) _phase = Phase.Terminated;
        return new StepResult(Obs, reward, terminated, false);
    }

    /// <summary>
    /// Starts an episode from a state the subclass has just set (used by <c>SetState</c> methods):
    /// stepping is allowed again, as after <see cref="Reset"/>.
    /// </summary>
    protected void BeginEpisode() => _phase = Phase.Running;

    /// <summary>Samples the initial state from <see cref="Rng"/> and writes the first observation into <see cref="Obs"/>.</summary>
    protected abstract void ResetCore();

    /// <summary>Advances one step with a validated action, writes the observation into <see cref="Obs"/>, returns the reward and termination.</summary>
    protected abstract (float Reward, bool Terminated) StepCore(ReadOnlySpan<float> action);

    /// <inheritdoc/>
    public virtual void Render(Span<byte> rgb, int height, int width) =>
        throw new NotSupportedException($"{Id}: this environment cannot render");

    /// <summary>Releases native resources, if any (none for the classic envs).</summary>
    public virtual void Dispose() => GC.SuppressFinalize(this);
}

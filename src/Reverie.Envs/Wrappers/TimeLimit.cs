// TimeLimit: truncates episodes after a fixed number of steps (Gymnasium's max_episode_steps).
namespace Reverie.Envs;

/// <summary>
/// Ends every episode after <see cref="MaxSteps"/> steps with <c>Truncated = true</c> (also when the
/// last step terminates, as in Gymnasium: both flags may be set). Stepping after the episode ended
/// throws <see cref="InvalidOperationException"/>.
/// </summary>
public sealed class TimeLimit : EnvWrapper
{
    private bool _done = true, _started, _terminated;

    /// <summary>Wraps <paramref name="inner"/> with a limit of <paramref name="maxSteps"/> steps.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSteps"/> is less than 1.</exception>
    public TimeLimit(IEnv inner, int maxSteps) : base(inner)
    {
        if (maxSteps < 1) throw new ArgumentOutOfRangeException(nameof(maxSteps), $"{inner.Id}: time limit needs maxSteps >= 1, got {maxSteps}");
        MaxSteps = maxSteps;
    }

    /// <summary>Steps per episode at most.</summary>
    public int MaxSteps { get; }

    /// <summary>Steps taken in the current episode.</summary>
    public int ElapsedSteps { get; private set; }

    /// <inheritdoc/>
    public override Observation Reset(ulong? seed = null)
    {
        var obs = Inner.Reset(seed);
        ElapsedSteps = 0; _done = false; _started = true;
        return obs;
    }

    /// <inheritdoc/>
    public override StepResult Step(ReadOnlySpan<float> action)
    {
        if (_done) throw _started ? EnvChecks.StepAfterEnd(Id, _terminated) : EnvChecks.StepBeforeReset(Id);
        var r = Inner.Step(action);
        ElapsedSteps++;
        bool truncated = r.Truncated || ElapsedSteps >= MaxSteps;
        _done = r.Terminated || truncated;
        _terminated = r.Terminated;
        return r with { Truncated = truncated };
    }
}

// CheckedEnv: enforces the IEnv contract around any env (step order, valid actions, observations within their space).
namespace Reverie.Envs;

/// <summary>
/// Checks the <see cref="IEnv"/> contract at the boundary, for any env including users' own:
/// no step before the first reset or after the episode ended, every action valid for the action
/// space (<see cref="EnvChecks.Action"/>), every observation laid out as declared with finite floats
/// within their bounds, and a finite reward. Violations throw with a message that names the env.
/// The registry puts it outermost by default (<see cref="EnvOptions.Checks"/>).
/// </summary>
public sealed class CheckedEnv : EnvWrapper
{
    private enum Phase { NotReset, Running, Terminated, Truncated }

    private Phase _phase;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public CheckedEnv(IEnv inner) : base(inner) { }

    /// <inheritdoc/>
    public override Observation Reset(ulong? seed = null)
    {
        var obs = Inner.Reset(seed);
        EnvChecks.Observation(Id, ObservationSpace, obs);
        _phase = Phase.Running;
        return obs;
    }

    /// <inheritdoc/>
    public override StepResult Step(ReadOnlySpan<float> action)
    {
        if (_phase == Phase.NotReset) throw EnvChecks.StepBeforeReset(Id);
        if (_phase != Phase.Running) throw EnvChecks.StepAfterEnd(Id, _phase == Phase.Terminated);
        EnvChecks.Action(Id, ActionSpace, action);
        var r = Inner.Step(action);
        if (!float.IsFinite(r.Reward))
            throw new InvalidOperationException($"{Id}: reward is {EnvChecks.Fmt(r.Reward)}; rewards must be finite");
        EnvChecks.Observation(Id, ObservationSpace, r.Observation);
        if (r.Done) _phase = r.Terminated ? Phase.Terminated : Phase.Truncated;
        return r;
    }
}

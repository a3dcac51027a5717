// ActionRepeat: applies each action k times, summing the rewards and stopping at the episode's end.
namespace Reverie.Envs;

/// <summary>
/// Applies each action <see cref="Repeat"/> times to the wrapped env and returns the last
/// observation, the sum of the rewards and the flags of the last inner step. It stops early when
/// an inner step terminates or truncates, so no step is taken past the end of an episode.
/// </summary>
public sealed class ActionRepeat : EnvWrapper
{
    /// <summary>Wraps <paramref name="inner"/>, repeating each action <paramref name="repeat"/> times.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="repeat"/> is less than 1.</exception>
    public ActionRepeat(IEnv inner, int repeat) : base(inner)
    {
        if (repeat < 1) throw new ArgumentOutOfRangeException(nameof(repeat), $"{inner.Id}: action repeat needs repeat >= 1, got {repeat}");
        Repeat = repeat;
    }

    /// <summary>Inner steps per outer step (fewer at the end of an episode).</summary>
    public int Repeat { get; }

    /// <inheritdoc/>
    public override StepResult Step(ReadOnlySpan<float> action)
    {
        float total = 0;
        StepResult r = default;
        for (int i = 0; i < Repeat; i++)
        {
            r = Inner.Step(action);
            total += r.Reward;
            if (r.Done) break;
        }
        return r with { Reward = total };
    }
}

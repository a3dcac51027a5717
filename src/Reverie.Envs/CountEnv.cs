// CountEnv: a deterministic test env whose observation is its step counter (for testing run loops, replay, wrappers).
using Reverie.Envs.Rendering;

namespace Reverie.Envs;

/// <summary>
/// A test environment whose observation <c>"state"</c> is [t], the number of steps taken since the
/// last reset (0 after a reset). Every step gives reward 1, so an episode's return equals its
/// length. It terminates after <see cref="TerminateAt"/> steps if that is positive, and otherwise
/// never (the registry's time limit truncates it). Actions are checked but otherwise ignored; the
/// last one is kept in <see cref="LastAction"/>. Its rendering is a frame whose every byte is
/// t mod 256, so a pixel pipeline can be checked exactly. It draws no random numbers.
/// </summary>
public sealed class CountEnv : EnvBase
{
    private readonly float[] _lastAction;

    /// <summary>Creates the env with a [-1, 1] box action of <paramref name="actionSize"/> floats, or a discrete one of <paramref name="discreteActions"/> choices when that is positive.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative size or limit, or neither kind of action.</exception>
    public CountEnv(string id = "count", int terminateAt = 0, int actionSize = 1, int discreteActions = 0)
        : base(id, new DictSpace(("state", new BoxSpace(0f, float.PositiveInfinity, 1))),
            discreteActions > 0 ? new DiscreteSpace(discreteActions)
            : actionSize > 0 ? new BoxSpace(-1f, 1f, actionSize)
            : throw new ArgumentOutOfRangeException(nameof(actionSize), $"count env needs actionSize >= 1 or discreteActions >= 1, got {actionSize} and {discreteActions}"))
    {
        if (terminateAt < 0) throw new ArgumentOutOfRangeException(nameof(terminateAt), $"count env needs terminateAt >= 0, got {terminateAt}");
        TerminateAt = terminateAt;
        _lastAction = new float[ActionSpace.Size];
    }

    /// <summary>Steps after which the episode terminates; 0 means never.</summary>
    public int TerminateAt { get; }

    /// <summary>Steps taken since the last reset.</summary>
    public int Steps { get; private set; }

    /// <summary>Number of resets so far.</summary>
    public int Resets { get; private set; }

    /// <summary>The action of the last step (a copy).</summary>
    public ReadOnlySpan<float> LastAction => _lastAction;

    /// <inheritdoc/>
    protected override void ResetCore()
    {
        Steps = 0;
        Resets++;
        Obs.State[0] = 0;
    }

    /// <inheritdoc/>
    protected override (float Reward, bool Terminated) StepCore(ReadOnlySpan<float> action)
    {
        action.CopyTo(_lastAction);
        Steps++;
        Obs.State[0] = Steps;
        return (1f, TerminateAt > 0 && Steps >= TerminateAt);
    }

    /// <summary>Every byte is t mod 256.</summary>
    public override void Render(Span<byte> rgb, int height, int width)
    {
        EnvChecks.RenderBuffer(Id, rgb.Length, height, width);
        byte v = (byte)(Steps & 255);
        new Canvas(rgb, height, width).Clear(new Rgb(v, v, v));
    }
}

// IEnv: the environment contract (Gymnasium semantics), its step result and small conveniences.
namespace Reverie.Envs;

/// <summary>
/// An environment with Gymnasium semantics. <see cref="Reset"/> starts an episode and returns its
/// first observation; <see cref="Step"/> applies one action and returns the next observation, the
/// reward, and whether the episode ended by <em>termination</em> (a terminal state of the task:
/// bootstrapping stops) or by <em>truncation</em> (a time limit: the state is not terminal).
/// </summary>
/// <remarks>
/// <para><b>Actions</b> are float vectors of <c>ActionSpace.Size</c> elements: the vector itself
/// for a <see cref="BoxSpace"/>, one float holding the index for a <see cref="DiscreteSpace"/>.</para>
/// <para><b>Observations</b> are owned by the environment and overwritten by the next call; copy
/// them to keep them (see <see cref="Observation"/>).</para>
/// <para><b>Errors:</b> a wrong-length action, NaN or infinity in an action, an out-of-range or
/// fractional discrete index throw <see cref="ArgumentException"/>; stepping before the first
/// reset or after the episode ended throws <see cref="InvalidOperationException"/>. Messages start
/// with the env's <see cref="Id"/>. Built-in envs check this themselves; wrap any other env in
/// <see cref="CheckedEnv"/> (the registry does) to get the same guarantees.</para>
/// </remarks>
public interface IEnv : IDisposable
{
    /// <summary>The env's name, used in every error message (the registry id for registered envs).</summary>
    string Id { get; }

    /// <summary>Layout of every observation: named entries such as <c>"state"</c> and <c>"image"</c>.</summary>
    DictSpace ObservationSpace { get; }

    /// <summary>Valid actions.</summary>
    Space ActionSpace { get; }

    /// <summary>
    /// Starts a new episode. With a seed, the env's own generator restarts from it, so the same seed
    /// gives the same episode; without one, the generator continues (a never-seeded env behaves as
    /// if seeded with 0). Returns the first observation (owned by the env).
    /// </summary>
    Observation Reset(ulong? seed = null);

    /// <summary>Applies one action. See the remarks for the action format and the exceptions.</summary>
    StepResult Step(ReadOnlySpan<float> action);

    /// <summary>
    /// Draws the current state as RGB bytes, row-major (height, width, 3), top row first.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="rgb"/> is not height * width * 3 bytes.</exception>
    /// <exception cref="NotSupportedException">The env cannot render.</exception>
    void Render(Span<byte> rgb, int height, int width);
}

/// <summary>What one <see cref="IEnv.Step"/> returns.</summary>
/// <param name="Observation">The next observation, owned by the env (copy it to keep it).</param>
/// <param name="Reward">The reward for this step.</param>
/// <param name="Terminated">The task reached a terminal state (no bootstrapping past it).</param>
/// <param name="Truncated">The episode was cut short (time limit); the state is not terminal.</param>
public readonly record struct StepResult(Observation Observation, float Reward, bool Terminated, bool Truncated)
{
    /// <summary>The episode ended, either way; the next call must be <see cref="IEnv.Reset"/>.</summary>
    public bool Done => Terminated || Truncated;
}

/// <summary>Conveniences over <see cref="IEnv"/>.</summary>
public static class EnvExtensions
{
    /// <summary>Steps a discrete env with an index.</summary>
    public static StepResult Step(this IEnv env, int index)
    {
        Span<float> a = [index];
        return env.Step(a);
    }

    /// <summary>Renders a new height x width x 3 RGB frame (allocates; <see cref="IEnv.Render"/> writes into your buffer).</summary>
    public static byte[] Render(this IEnv env, int height = 64, int width = 64)
    {
        var rgb = new byte[height * width * 3];
        env.Render(rgb, height, width);
        return rgb;
    }

    /// <summary>The innermost env under any wrappers.</summary>
    public static IEnv Unwrapped(this IEnv env)
    {
        while (env is EnvWrapper w) env = w.Inner;
        return env;
    }

    /// <summary>The outermost env or wrapper of type <typeparamref name="T"/> in the chain, or null.</summary>
    public static T? Find<T>(this IEnv env) where T : class, IEnv
    {
        for (IEnv? e = env; e != null; e = (e as EnvWrapper)?.Inner)
            if (e is T t) return t;
        return null;
    }
}

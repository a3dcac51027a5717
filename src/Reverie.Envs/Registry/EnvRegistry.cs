// EnvRegistry: env ids -> specs; Make builds an env with the standard wrapper stack.
using Reverie.Envs.Classic;

namespace Reverie.Envs;

/// <summary>
/// Known environment ids and how to build them. <see cref="Make"/> creates the bare env and wraps
/// it as <see cref="EnvOptions"/> says. New ids (users' own envs, the MuJoCo suite) are added with
/// one <see cref="Register"/> call each. Thread-safe.
/// </summary>
public static class EnvRegistry
{
    private static readonly object Gate = new();
    private static readonly List<EnvSpec> All = [];

    static EnvRegistry()
    {
        Register(new EnvSpec("cartpole", id => new CartPole(id), 500, (1, 1),
            "+1 every step, including the terminal one", "Gymnasium CartPole-v1"));
        Register(new EnvSpec("pendulum", id => new Pendulum(id), 200, (-16.2736044f, 0),
            "−(θn² + 0.1·θ̇² + 0.001·u²), θn wrapped to [−π, π), u the clipped torque", "Gymnasium Pendulum-v1"));
        Register(new EnvSpec("acrobot", id => new Acrobot(id), 500, (-1, 0),
            "−1 every step, 0 on the terminal step", "Gymnasium Acrobot-v1"));
        Register(new EnvSpec("mountaincar-continuous", id => new MountainCarContinuous(id), 999, (-0.1f, 100),
            "−0.1·a² (a unclipped) + 100 on reaching the flag", "Gymnasium MountainCarContinuous-v0"));
        Register(new EnvSpec("count", id => new CountEnv(id), 100, (1, 1),
            "+1 every step (the return equals the length)", "Reverie test env", Suite: "test"));
        Dmc.DmcSuite.Register(spec => Register(spec));
        Register(MultiTaskEnv.Spec("mt-cartpole-reacher", "cartpole-swingup", "reacher-easy"));
    }

    /// <summary>Every registered spec, in registration order.</summary>
    public static IReadOnlyList<EnvSpec> Specs
    {
        get { lock (Gate) return [.. All]; }
    }

    /// <summary>Adds an id.</summary>
    /// <exception cref="ArgumentException">The id is empty or taken (unless <paramref name="replace"/>), or a default is invalid.</exception>
    public static void Register(EnvSpec spec, bool replace = false)
    {
        if (string.IsNullOrWhiteSpace(spec.Id)) throw new ArgumentException("env id must not be empty");
        if (spec.MaxEpisodeSteps < 0) throw new ArgumentException($"{spec.Id}: MaxEpisodeSteps must be >= 0, got {spec.MaxEpisodeSteps}");
        if (spec.ActionRepeat < 1) throw new ArgumentException($"{spec.Id}: ActionRepeat must be >= 1, got {spec.ActionRepeat}");
        lock (Gate)
        {
            int i = All.FindIndex(s => s.Id == spec.Id);
            if (i >= 0 && !replace) throw new ArgumentException($"env id '{spec.Id}' is already registered");
            if (i >= 0) All[i] = spec; else All.Add(spec);
        }
    }

    /// <summary>The spec of an id.</summary>
    /// <exception cref="KeyNotFoundException">Unknown id; the message lists the known ones.</exception>
    public static EnvSpec Spec(string id)
    {
        lock (Gate)
            return All.Find(s => s.Id == id)
                ?? throw new KeyNotFoundException($"unknown env id '{id}'; known ids: {string.Join(", ", All.Select(s => s.Id))}");
    }

    /// <summary>Creates the env registered as <paramref name="id"/>, wrapped as <paramref name="options"/> says (see <see cref="EnvOptions"/>).</summary>
    /// <exception cref="KeyNotFoundException">Unknown id.</exception>
    /// <exception cref="ArgumentException">An invalid option.</exception>
    public static IEnv Make(string id, EnvOptions? options = null)
    {
        var spec = Spec(id);
        options ??= new EnvOptions();
        options.Validate();
        return Wrap(spec.Create(spec.Id), options with
        {
            MaxEpisodeSteps = options.MaxEpisodeSteps ?? spec.MaxEpisodeSteps,
            ActionRepeat = options.ActionRepeat ?? spec.ActionRepeat,
        });
    }

    /// <summary>
    /// Applies the standard wrappers to any env (also one that is not registered), innermost first:
    /// <see cref="TimeLimit"/> (if MaxEpisodeSteps &gt; 0), <see cref="RescaleAction"/> (Box actions not
    /// already [-1, 1]), <see cref="ActionRepeat"/> (if &gt; 1), <see cref="PixelObservation"/>,
    /// <see cref="FrameStack"/> (if &gt; 1), <see cref="CheckedEnv"/>. Null defaults mean: none.
    /// </summary>
    public static IEnv Wrap(IEnv env, EnvOptions options)
    {
        options.Validate();
        if (options.MaxEpisodeSteps is > 0 and int max) env = new TimeLimit(env, max);
        if (options.RescaleActions && env.ActionSpace is BoxSpace box && !box.IsUnit) env = new RescaleAction(env);
        if (options.ActionRepeat is > 1 and int k) env = new ActionRepeat(env, k);
        if (options.Pixels) env = new PixelObservation(env, options.ImageSize, options.KeepState);
        if (options.FrameStack > 1) env = new FrameStack(env, options.FrameStack);
        if (options.Checks) env = new CheckedEnv(env);
        return env;
    }
}

// DmcSuite: registers the DeepMind-Control-style ids (cartpole-balance ... ball_in_cup-catch) with their defaults.
using Reverie.Envs.Mujoco;

namespace Reverie.Envs.Dmc;

/// <summary>
/// The MuJoCo task ids. Each has 1000-step episodes (the registry's time limit, in env steps),
/// rewards in [0, 1], actions in [−1, 1] and a default action repeat of 2 (the agent sees 500 steps
/// per episode; <see cref="EnvOptions.ActionRepeat"/> changes it, 1 gives dm_control's raw task).
/// Making one without libmujoco 2.2.2 throws a <see cref="MujocoException"/> that says what to install.
/// </summary>
public static class DmcSuite
{
    /// <summary>Env steps per episode (dm_control's time limit divided by its control timestep).</summary>
    public const int EpisodeSteps = 1000;

    /// <summary>The default action repeat (Dreamer, TD-MPC2).</summary>
    public const int DefaultActionRepeat = 2;

    /// <summary>Registers every id with <paramref name="register"/>.</summary>
    public static void Register(Action<EnvSpec> register)
    {
        void Add(string id, Func<string, IEnv> create, string reward, string source) =>
            register(new EnvSpec(id, create, EpisodeSteps, (0, 1), reward, $"DeepMind Control Suite {source}; own MJCF",
                ActionRepeat: DefaultActionRepeat, Suite: "dmc"));
        const string dense = "upright·small control·small velocity·centred (smooth, in [0, 1])";
        const string sparse = "1 while |x| ≤ .25 and cos θ ≥ .995, else 0";
        Add("cartpole-balance", id => new Cartpole(id, swingUp: false, sparse: false), dense, "cartpole balance");
        Add("cartpole-balance-sparse", id => new Cartpole(id, swingUp: false, sparse: true), sparse, "cartpole balance_sparse");
        Add("cartpole-swingup", id => new Cartpole(id, swingUp: true, sparse: false), dense, "cartpole swingup");
        Add("cartpole-swingup-sparse", id => new Cartpole(id, swingUp: true, sparse: true), sparse, "cartpole swingup_sparse");
        Add("pendulum-swingup", id => new PendulumSwingup(id), "1 while within 8° of upright, else 0", "pendulum swingup");
        Add("reacher-easy", id => new Reacher(id, 0.05), "1 while the finger is within .05 + .01 m of the target", "reacher easy");
        Add("reacher-hard", id => new Reacher(id, 0.015), "1 while the finger is within .015 + .01 m of the target", "reacher hard");
        Add("cheetah-run", id => new Cheetah(id), "clip(forward speed / 10, 0, 1)", "cheetah run");
        Add("walker-stand", id => new Walker(id, 0), "(3·tol(height ≥ 1.2, margin .6) + (1 + upright)/2)/4", "walker stand");
        Add("walker-walk", id => new Walker(id, 1), "stand·(5·tol(speed ≥ 1, margin .5, linear) + 1)/6", "walker walk");
        Add("walker-run", id => new Walker(id, 8), "stand·(5·tol(speed ≥ 8, margin 4, linear) + 1)/6", "walker run");
        Add("hopper-stand", id => new Hopper(id, hopping: false), "standing(height in [.6, 2])·(4 + small control)/5", "hopper stand");
        Add("hopper-hop", id => new Hopper(id, hopping: true), "standing(height in [.6, 2])·tol(speed ≥ 2, margin 1, linear)", "hopper hop");
        Add("finger-spin", id => new Finger(id), "1 while the spinner turns at ≤ −15 rad/s, else 0", "finger spin");
        Add("ball_in_cup-catch", id => new BallInCup(id), "1 while the ball is in the cup, else 0", "ball_in_cup catch");
    }
}

// Cartpole: DMC's cartpole balance / swingup, dense or sparse — swing the pole up and keep it upright with the cart centred.
using Reverie.Envs.Mujoco;

namespace Reverie.Envs.Dmc;

/// <summary>
/// DeepMind Control Suite <c>cartpole</c> (<c>../shared/ENVS.md</c> §4.3): one control step = one
/// RK4 physics step of 10 ms. State (5): [cart x, cos θ, sin θ, ẋ, θ̇] where cos θ and sin θ are
/// the pole frame's zz and xz entries (θ = 0 upright). Swing-up starts hanging (x = .01N,
/// θ = π + .01N), balance near upright (x ~ U(±.1), θ ~ U(±.034)); both add qvel = .01N.
/// Dense reward: upright·ctrl·vel·centred with upright = (cos θ + 1)/2, centred = (1 + tol(x, margin 2))/2,
/// ctrl = (4 + tol(u, margin 1, quadratic, 0))/5, vel = (1 + tol(θ̇, margin 5))/2. Sparse reward:
/// tol(x, ±.25)·tol(cos θ, [.995, 1]).
/// </summary>
public sealed class Cartpole : DmcTask
{
    private readonly int _pole;

    /// <summary>Creates the task; <paramref name="swingUp"/> picks the initial state, <paramref name="sparse"/> the reward.</summary>
    /// <exception cref="MujocoException">MuJoCo is not installed (the message says what to install).</exception>
    public Cartpole(string id, bool swingUp, bool sparse) : base(id, "cartpole", 5, 0.01, checker: 0.5)
    {
        SwingUp = swingUp; Sparse = sparse;
        _pole = Sim.Id(MjObj.Body, "pole");
    }

    /// <summary>Starts hanging down (swing-up) instead of near upright (balance).</summary>
    public bool SwingUp { get; }

    /// <summary>Uses the sparse reward.</summary>
    public bool Sparse { get; }

    /// <inheritdoc/>
    protected override void InitializeEpisode()
    {
        var qpos = Sim.Qpos;
        if (SwingUp) { qpos[0] = 0.01 * Normal(); qpos[1] = Math.PI + 0.01 * Normal(); }
        else { qpos[0] = Rng.Uniform(-0.1, 0.1); qpos[1] = Rng.Uniform(-0.034, 0.034); }
        var qvel = Sim.Qvel;
        for (int i = 0; i < qvel.Length; i++) qvel[i] = 0.01 * Normal();
    }

    /// <inheritdoc/>
    protected override void WriteState(Span<float> s)
    {
        var m = Sim.Xmat.Slice(9 * _pole, 9);
        s[0] = (float)Sim.Qpos[0]; s[1] = (float)m[8]; s[2] = (float)m[2];
        s[3] = (float)Sim.Qvel[0]; s[4] = (float)Sim.Qvel[1];
    }

    /// <inheritdoc/>
    protected override double Reward()
    {
        double x = Sim.Qpos[0], cos = Sim.Xmat[9 * _pole + 8];
        if (Sparse)
            return Tolerance.Value(x, -0.25, 0.25) * Tolerance.Value(cos, 0.995, 1);
        double upright = (cos + 1) / 2;
        double centred = (1 + Tolerance.Value(x, margin: 2)) / 2;
        double control = (4 + Tolerance.Value(Sim.Ctrl[0], margin: 1, sigmoid: Sigmoid.Quadratic, valueAtMargin: 0)) / 5;
        double velocity = (1 + Tolerance.Value(Sim.Qvel[1], margin: 5)) / 2;
        return upright * control * velocity * centred;
    }
}

// PendulumSwingup: DMC's pendulum swingup — a torque-limited pendulum must be swung up and held within 8° of upright.
using Reverie.Envs.Mujoco;

namespace Reverie.Envs.Dmc;

/// <summary>
/// DeepMind Control Suite <c>pendulum swingup</c>: one control step = one 20 ms physics step; the
/// 1 Nm motor is weaker than gravity's ≈4.9 Nm, so the pendulum must swing. State (3):
/// [cos θ, sin θ, θ̇] (the pole frame's zz and xz; θ = 0 upright). Initial θ ~ U(−π, π), at rest.
/// Reward: 1 while cos θ ≥ cos 8°, else 0.
/// </summary>
public sealed class PendulumSwingup : DmcTask
{
    private static readonly double CosLimit = Math.Cos(8 * Math.PI / 180);
    private readonly int _pole;

    /// <summary>Creates the task.</summary>
    /// <exception cref="MujocoException">MuJoCo is not installed (the message says what to install).</exception>
    public PendulumSwingup(string id = "pendulum-swingup") : base(id, "pendulum", 3, 0.02, checker: 0.5) =>
        _pole = Sim.Id(MjObj.Body, "pole");

    /// <inheritdoc/>
    protected override void InitializeEpisode() => Sim.Qpos[0] = Rng.Uniform(-Math.PI, Math.PI);

    /// <inheritdoc/>
    protected override void WriteState(Span<float> s)
    {
        var m = Sim.Xmat.Slice(9 * _pole, 9);
        s[0] = (float)m[8]; s[1] = (float)m[2]; s[2] = (float)Sim.Qvel[0];
    }

    /// <inheritdoc/>
    protected override double Reward() => Tolerance.Value(Sim.Xmat[9 * _pole + 8], CosLimit, 1);
}

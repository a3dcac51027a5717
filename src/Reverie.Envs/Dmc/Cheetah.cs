// Cheetah: DMC's cheetah run — a planar runner rewarded linearly for forward speed up to 10 m/s.
using Reverie.Envs.Mujoco;

namespace Reverie.Envs.Dmc;

/// <summary>
/// DeepMind Control Suite <c>cheetah run</c>: one control step = one 10 ms physics step. Each
/// episode puts the six limited joints uniformly in range, lets the body settle for 200 physics
/// steps and resets the time. State (17): qpos without rootx (8) + qvel (9). Reward:
/// clip(v/10, 0, 1) with v the torso subtree's forward velocity (tol(v, [10, ∞), margin 10, linear, 0)).
/// </summary>
public sealed class Cheetah : DmcTask
{
    private readonly int _speed;

    /// <summary>Creates the task.</summary>
    /// <exception cref="MujocoException">MuJoCo is not installed (the message says what to install).</exception>
    public Cheetah(string id = "cheetah-run") : base(id, "cheetah", 17, 0.01, checker: 0.5) =>
        _speed = Sim.SensorIndex("torso_velocity");

    /// <inheritdoc/>
    protected override void InitializeEpisode()
    {
        Span<byte> limited = Sim.JntLimited;
        Span<double> range = Sim.JntRange, qpos = Sim.Qpos;
        Span<int> adr = Sim.JntQposAdr;
        for (int j = 0; j < limited.Length; j++)
            if (limited[j] != 0) qpos[adr[j]] = Rng.Uniform(range[2 * j], range[2 * j + 1]);
        if (Sim.Steps(200) is string error) throw new MujocoException($"{Id}: MuJoCo error while settling the initial state: {error}");
        Sim.Time = 0;
    }

    /// <inheritdoc/>
    protected override void WriteState(Span<float> s)
    {
        ReadOnlySpan<double> qpos = Sim.Qpos, qvel = Sim.Qvel;
        for (int i = 1; i < qpos.Length; i++) s[i - 1] = (float)qpos[i];
        for (int i = 0; i < qvel.Length; i++) s[qpos.Length - 1 + i] = (float)qvel[i];
    }

    /// <inheritdoc/>
    protected override double Reward() =>
        Tolerance.Value(Sim.SensorData[_speed], 10, double.PositiveInfinity, margin: 10, sigmoid: Sigmoid.Linear, valueAtMargin: 0);
}

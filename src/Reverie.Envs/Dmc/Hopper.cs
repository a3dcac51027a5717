// Hopper: DMC's hopper stand / hop — a planar one-legged body rewarded for standing tall, and for hopping forwards.
using Reverie.Envs.Mujoco;

namespace Reverie.Envs.Dmc;

/// <summary>
/// DeepMind Control Suite <c>hopper</c>: one control step = 4 physics steps of 5 ms. Each episode
/// randomizes the joints (rooty U(−π, π)). State (15): qpos without rootx (6), qvel (7),
/// log(1 + touch) at toe and heel (2). standing = tol(torso z − foot z, [.6, 2]) (centres of mass);
/// stand reward: standing·(4 + mean tol(u, margin 1, quadratic, 0))/5; hop reward:
/// standing·tol(v, [2, ∞), margin 1, linear, .5) with v the torso subtree's forward velocity.
/// </summary>
public sealed class Hopper : DmcTask
{
    private readonly int _torso, _foot, _speed, _toe, _heel;

    /// <summary>Creates the task; <paramref name="hopping"/> picks the hop reward.</summary>
    /// <exception cref="MujocoException">MuJoCo is not installed (the message says what to install).</exception>
    public Hopper(string id, bool hopping) : base(id, "hopper", 15, 0.02, checker: 0.5)
    {
        Hopping = hopping;
        _torso = Sim.Id(MjObj.Body, "torso");
        _foot = Sim.Id(MjObj.Body, "foot");
        _speed = Sim.SensorIndex("torso_velocity");
        _toe = Sim.SensorIndex("toe_touch");
        _heel = Sim.SensorIndex("heel_touch");
    }

    /// <summary>Rewards hopping forwards instead of standing still.</summary>
    public bool Hopping { get; }

    /// <inheritdoc/>
    protected override void InitializeEpisode() => RandomizeJoints();

    /// <inheritdoc/>
    protected override void WriteState(Span<float> s)
    {
        ReadOnlySpan<double> qpos = Sim.Qpos, qvel = Sim.Qvel, sensors = Sim.SensorData;
        int k = 0;
        for (int i = 1; i < qpos.Length; i++) s[k++] = (float)qpos[i];
        for (int i = 0; i < qvel.Length; i++) s[k++] = (float)qvel[i];
        s[k++] = (float)Math.Log(1 + sensors[_toe]);
        s[k] = (float)Math.Log(1 + sensors[_heel]);
    }

    /// <inheritdoc/>
    protected override double Reward()
    {
        double height = Sim.Xipos[3 * _torso + 2] - Sim.Xipos[3 * _foot + 2];
        double standing = Tolerance.Value(height, 0.6, 2);
        if (Hopping)
            return standing * Tolerance.Value(Sim.SensorData[_speed], 2, double.PositiveInfinity, margin: 1,
                sigmoid: Sigmoid.Linear, valueAtMargin: 0.5);
        ReadOnlySpan<double> ctrl = Sim.Ctrl;
        double small = 0;
        for (int i = 0; i < ctrl.Length; i++) small += Tolerance.Value(ctrl[i], margin: 1, sigmoid: Sigmoid.Quadratic, valueAtMargin: 0);
        return standing * (small / ctrl.Length + 4) / 5;
    }
}

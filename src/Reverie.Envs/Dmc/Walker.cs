// Walker: DMC's walker stand / walk / run — a planar biped rewarded for standing tall and upright, and for speed.
using Reverie.Envs.Mujoco;

namespace Reverie.Envs.Dmc;

/// <summary>
/// DeepMind Control Suite <c>walker</c>: one control step = 10 physics steps of 2.5 ms. Each episode
/// randomizes the joints (rooty U(−π, π): the walker usually starts by falling). State (24): the
/// xx and xz entries of the 7 body frames' orientations (14), the torso height (1), qvel (9).
/// Reward: stand = (3·tol(h, [1.2, ∞), margin .6) + (1 + torso zz)/2)/4; with a target speed s
/// (walk 1, run 8): stand·(5·tol(v, [s, ∞), margin s/2, linear, .5) + 1)/6.
/// </summary>
public sealed class Walker : DmcTask
{
    private const double StandHeight = 1.2;
    private readonly int _torso, _speed;

    /// <summary>Creates the task with target speed <paramref name="moveSpeed"/> (0: stand).</summary>
    /// <exception cref="MujocoException">MuJoCo is not installed (the message says what to install).</exception>
    public Walker(string id, double moveSpeed) : base(id, "walker", 24, 0.025, checker: 0.5)
    {
        MoveSpeed = moveSpeed;
        _torso = Sim.Id(MjObj.Body, "torso");
        _speed = Sim.SensorIndex("torso_velocity");
    }

    /// <summary>Target forward speed (m/s); 0 rewards standing only.</summary>
    public double MoveSpeed { get; }

    /// <inheritdoc/>
    protected override void InitializeEpisode() => RandomizeJoints();

    /// <inheritdoc/>
    protected override void WriteState(Span<float> s)
    {
        ReadOnlySpan<double> xmat = Sim.Xmat, qvel = Sim.Qvel;
        int k = 0;
        for (int b = 1; b < Sim.NBody; b++) { s[k++] = (float)xmat[9 * b]; s[k++] = (float)xmat[9 * b + 2]; }
        s[k++] = (float)Sim.Xpos[3 * _torso + 2];
        for (int i = 0; i < qvel.Length; i++) s[k++] = (float)qvel[i];
    }

    /// <inheritdoc/>
    protected override double Reward()
    {
        double standing = Tolerance.Value(Sim.Xpos[3 * _torso + 2], StandHeight, double.PositiveInfinity, margin: StandHeight / 2);
        double upright = (1 + Sim.Xmat[9 * _torso + 8]) / 2;
        double stand = (3 * standing + upright) / 4;
        if (MoveSpeed == 0) return stand;
        double move = Tolerance.Value(Sim.SensorData[_speed], MoveSpeed, double.PositiveInfinity, margin: MoveSpeed / 2,
            sigmoid: Sigmoid.Linear, valueAtMargin: 0.5);
        return stand * (5 * move + 1) / 6;
    }
}

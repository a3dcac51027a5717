// Reacher: DMC's reacher easy / hard — move a two-link arm's fingertip onto a randomly placed target.
using Reverie.Envs.Mujoco;

namespace Reverie.Envs.Dmc;

/// <summary>
/// DeepMind Control Suite <c>reacher</c>: one control step = one 20 ms physics step. The target
/// radius is 0.05 m (easy) or 0.015 m (hard); each episode randomizes the joints (shoulder
/// U(−π, π), wrist within ±160°) and puts the target at distance U(.05, .2) in a uniform direction.
/// State (6): [shoulder, wrist, target − finger (x, y), shoulder velocity, wrist velocity].
/// Reward: 1 while the finger is within target radius + finger radius (0.01) of the target's centre.
/// </summary>
public sealed class Reacher : DmcTask
{
    private readonly int _target, _finger;

    /// <summary>Creates the task with a target of radius <paramref name="targetSize"/>.</summary>
    /// <exception cref="MujocoException">MuJoCo is not installed (the message says what to install).</exception>
    public Reacher(string id, double targetSize) : base(id, "reacher", 6, 0.02, checker: 0.1)
    {
        TargetSize = targetSize;
        _target = Sim.Id(MjObj.Geom, "target");
        _finger = Sim.Id(MjObj.Geom, "finger");
    }

    /// <summary>Target radius (m).</summary>
    public double TargetSize { get; }

    /// <inheritdoc/>
    protected override void InitializeEpisode()
    {
        Sim.GeomSize[3 * _target] = TargetSize;
        RandomizeJoints();
        double angle = Rng.Uniform(0, 2 * Math.PI), radius = Rng.Uniform(0.05, 0.2);
        Sim.GeomPos[3 * _target] = radius * Math.Sin(angle);
        Sim.GeomPos[3 * _target + 1] = radius * Math.Cos(angle);
    }

    /// <inheritdoc/>
    protected override void WriteState(Span<float> s)
    {
        var (dx, dy) = ToTarget();
        s[0] = (float)Sim.Qpos[0]; s[1] = (float)Sim.Qpos[1];
        s[2] = (float)dx; s[3] = (float)dy;
        s[4] = (float)Sim.Qvel[0]; s[5] = (float)Sim.Qvel[1];
    }

    /// <inheritdoc/>
    protected override double Reward()
    {
        var (dx, dy) = ToTarget();
        double radii = Sim.GeomSize[3 * _target] + Sim.GeomSize[3 * _finger];
        return Tolerance.Value(Math.Sqrt(dx * dx + dy * dy), 0, radii);
    }

    private (double X, double Y) ToTarget()
    {
        var p = Sim.GeomXpos;
        return (p[3 * _target] - p[3 * _finger], p[3 * _target + 1] - p[3 * _finger + 1]);
    }
}

// BallInCup: DMC's ball_in_cup catch — swing a ball on a string into a cup moved by two slide actuators.
using Reverie.Envs.Mujoco;

namespace Reverie.Envs.Dmc;

/// <summary>
/// DeepMind Control Suite <c>ball_in_cup catch</c>: one control step = 10 physics steps of 2 ms.
/// Each episode drops the ball at x ~ U(±.2), z ~ U(.2, .5) (redrawn until nothing touches).
/// State (8): qpos (cup x, cup z, ball x, ball z) + qvel. Reward: 1 while the ball's centre is
/// inside the cup's target box shrunk by the ball radius (|Δx|, |Δz| &lt; .05 − .025), else 0.
/// </summary>
public sealed class BallInCup : DmcTask
{
    private readonly int _target, _ball, _ballGeom, _ballX, _ballZ;

    /// <summary>Creates the task.</summary>
    /// <exception cref="MujocoException">MuJoCo is not installed (the message says what to install).</exception>
    public BallInCup(string id = "ball_in_cup-catch") : base(id, "ball_in_cup", 8, 0.02, checker: 0.2)
    {
        _target = Sim.Id(MjObj.Site, "target");
        _ball = Sim.Id(MjObj.Body, "ball");
        _ballGeom = Sim.Id(MjObj.Geom, "ball");
        _ballX = Sim.JntQposAdr[Sim.Id(MjObj.Joint, "ball_x")];
        _ballZ = Sim.JntQposAdr[Sim.Id(MjObj.Joint, "ball_z")];
    }

    /// <inheritdoc/>
    protected override void InitializeEpisode()
    {
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            Sim.Qpos[_ballX] = Rng.Uniform(-0.2, 0.2);
            Sim.Qpos[_ballZ] = Rng.Uniform(0.2, 0.5);
            Sim.Forward();
            if (Sim.Ncon == 0) return;
        }
        throw new MujocoException($"{Id}: no contact-free initial state in 1000 attempts");
    }

    /// <inheritdoc/>
    protected override void WriteState(Span<float> s)
    {
        ReadOnlySpan<double> qpos = Sim.Qpos, qvel = Sim.Qvel;
        for (int i = 0; i < 4; i++) { s[i] = (float)qpos[i]; s[4 + i] = (float)qvel[i]; }
    }

    /// <inheritdoc/>
    protected override double Reward()
    {
        ReadOnlySpan<double> site = Sim.SiteXpos, body = Sim.Xpos, size = Sim.SiteSize;
        double r = Sim.GeomSize[3 * _ballGeom];
        double dx = Math.Abs(site[3 * _target] - body[3 * _ball]), dz = Math.Abs(site[3 * _target + 2] - body[3 * _ball + 2]);
        return dx < size[3 * _target] - r && dz < size[3 * _target + 2] - r ? 1 : 0;
    }
}

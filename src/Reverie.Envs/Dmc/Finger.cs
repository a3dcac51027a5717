// Finger: DMC's finger spin — flick a free-spinning body with a two-joint finger so that it spins fast.
using Reverie.Envs.Mujoco;

namespace Reverie.Envs.Dmc;

/// <summary>
/// DeepMind Control Suite <c>finger spin</c>: one control step = 2 physics steps of 10 ms, no
/// gravity. Each episode lowers the spinner's damping to 0.03 and randomizes the joints until
/// nothing touches (at most 1000 tries). State (9): [proximal, distal angles, tip − spinner
/// (x, z)], [proximal, distal, spinner velocities], log(1 + touch) at the fingertip's top and
/// bottom. Reward: 1 while the spinner turns at −15 rad/s or faster (its hinge velocity ≤ −15).
/// </summary>
public sealed class Finger : DmcTask
{
    private readonly int _hingeDof, _proximal, _distal, _proximalVel, _distalVel, _hingeVel, _tip, _spinner, _touchTop, _touchBottom;

    /// <summary>Creates the task.</summary>
    /// <exception cref="MujocoException">MuJoCo is not installed (the message says what to install).</exception>
    public Finger(string id = "finger-spin") : base(id, "finger", 9, 0.02, checker: 0.2)
    {
        _hingeDof = Sim.JntDofAdr[Sim.Id(MjObj.Joint, "hinge")];
        _proximal = Sim.SensorIndex("proximal"); _distal = Sim.SensorIndex("distal");
        _proximalVel = Sim.SensorIndex("proximal_velocity"); _distalVel = Sim.SensorIndex("distal_velocity");
        _hingeVel = Sim.SensorIndex("hinge_velocity");
        _tip = Sim.SensorIndex("tip"); _spinner = Sim.SensorIndex("spinner");
        _touchTop = Sim.SensorIndex("touch_top"); _touchBottom = Sim.SensorIndex("touch_bottom");
    }

    /// <inheritdoc/>
    protected override void InitializeEpisode()
    {
        Sim.DofDamping[_hingeDof] = 0.03;
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            RandomizeJoints();
            Sim.Forward();
            if (Sim.Ncon == 0) return;
        }
        throw new MujocoException($"{Id}: no contact-free initial state in 1000 attempts");
    }

    /// <inheritdoc/>
    protected override void WriteState(Span<float> s)
    {
        ReadOnlySpan<double> d = Sim.SensorData;
        s[0] = (float)d[_proximal]; s[1] = (float)d[_distal];
        s[2] = (float)(d[_tip] - d[_spinner]); s[3] = (float)(d[_tip + 2] - d[_spinner + 2]);
        s[4] = (float)d[_proximalVel]; s[5] = (float)d[_distalVel]; s[6] = (float)d[_hingeVel];
        s[7] = (float)Math.Log(1 + d[_touchTop]); s[8] = (float)Math.Log(1 + d[_touchBottom]);
    }

    /// <inheritdoc/>
    protected override double Reward() => Sim.SensorData[_hingeVel] <= -15 ? 1 : 0;
}

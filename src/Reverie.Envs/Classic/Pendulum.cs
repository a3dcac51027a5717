// Pendulum: Gymnasium's Pendulum-v1 swing-up, dynamics, reward and reset as Gymnasium defines them.
using Reverie.Envs.Rendering;

namespace Reverie.Envs.Classic;

/// <summary>
/// Swing a pendulum up and keep it upright with a torque in [-2, 2]. Exactly Gymnasium's
/// <c>Pendulum-v1</c>: θ = 0 is upright; the torque is clipped to ±2; the reward
/// −(θn² + 0.1·θ̇² + 0.001·u²) uses the state <em>before</em> the update and the clipped torque,
/// θn = ((θ + π) mod 2π) − π; then θ̇' = clip(θ̇ + (3g/(2l)·sinθ + 3/(ml²)·u)·dt, ±8) and
/// θ' = θ + θ̇'·dt (θ is not wrapped). Initial θ ~ U(−π, π), θ̇ ~ U(−1, 1); it never terminates
/// (the 200-step limit is the registry's time limit). The raw action space is [-2, 2]; the
/// registry rescales it to [-1, 1].
/// </summary>
public sealed class Pendulum : EnvBase
{
    /// <summary>Gravity (m/s²), Gymnasium's default <c>g</c>.</summary>
    public const double Gravity = 10.0;
    /// <summary>Mass (kg).</summary>
    public const double Mass = 1.0;
    /// <summary>Length (m).</summary>
    public const double Length = 1.0;
    /// <summary>Seconds per step.</summary>
    public const double Dt = 0.05;
    /// <summary>|θ̇| is clipped to this.</summary>
    public const double MaxSpeed = 8.0;
    /// <summary>|u| is clipped to this.</summary>
    public const double MaxTorque = 2.0;

    private double _theta, _thetaDot;

    /// <summary>Creates the env; <paramref name="id"/> names it in error messages.</summary>
    public Pendulum(string id = "pendulum") : base(id,
        new DictSpace(("state", new BoxSpace([-1f, -1f, -8f], [1f, 1f, 8f]))),
        new BoxSpace(-(float)MaxTorque, (float)MaxTorque, 1)) { }

    /// <summary>The physical state: angle (rad, 0 upright, not wrapped) and angular velocity.</summary>
    public (double Theta, double ThetaDot) State => (_theta, _thetaDot);

    /// <summary>Puts the pendulum in a given state and starts an episode from it.</summary>
    public Observation SetState(double theta, double thetaDot)
    {
        (_theta, _thetaDot) = (theta, thetaDot);
        WriteObs();
        BeginEpisode();
        return Obs;
    }

    /// <summary>((x + π) mod 2π) − π with a floored modulo (Python's %), so the result is in [−π, π).</summary>
    public static double AngleNormalize(double x)
    {
        double m = (x + Math.PI) % (2 * Math.PI);
        if (m < 0) m += 2 * Math.PI;
        return m - Math.PI;
    }

    /// <inheritdoc/>
    protected override void ResetCore()
    {
        _theta = Rng.Uniform(-Math.PI, Math.PI);
        _thetaDot = Rng.Uniform(-1, 1);
        WriteObs();
    }

    /// <inheritdoc/>
    protected override (float Reward, bool Terminated) StepCore(ReadOnlySpan<float> action)
    {
        double u = Math.Clamp(action[0], (float)-MaxTorque, (float)MaxTorque);
        double th = AngleNormalize(_theta);
        double cost = th * th + 0.1 * _thetaDot * _thetaDot + 0.001 * u * u;
        double newThetaDot = _thetaDot + (3 * Gravity / (2 * Length) * Math.Sin(_theta) + 3.0 / (Mass * Length * Length) * u) * Dt;
        newThetaDot = Math.Clamp(newThetaDot, -MaxSpeed, MaxSpeed);
        _theta += newThetaDot * Dt;
        _thetaDot = newThetaDot;
        WriteObs();
        return ((float)-cost, false);
    }

    private void WriteObs()
    {
        var s = Obs.State;
        s[0] = (float)Math.Cos(_theta); s[1] = (float)Math.Sin(_theta); s[2] = (float)_thetaDot;
    }

    /// <summary>White background, red rod from the black axle; the view spans ±1.3 m (closer than Gymnasium's ±2.2, so the rod fills a 64x64 frame).</summary>
    public override void Render(Span<byte> rgb, int height, int width)
    {
        EnvChecks.RenderBuffer(Id, rgb.Length, height, width);
        var c = new Canvas(rgb, height, width);
        c.View(0, 0, 1.3);
        c.Clear(Rgb.White);
        // Counter-clockwise positive: the tip of the upright pendulum moves left as θ grows.
        c.FillCapsule(0, 0, -Length * Math.Sin(_theta), Length * Math.Cos(_theta), 0.1, new Rgb(204, 77, 77));
        c.FillCircle(0, 0, 0.05, Rgb.Black);
    }
}

// CartPole: Gymnasium's CartPole-v1 (Barto, Sutton and Anderson 1983), dynamics and rules as Gymnasium defines them.
using Reverie.Envs.Rendering;

namespace Reverie.Envs.Classic;

/// <summary>
/// A pole on a cart that moves along a frictionless track; push left (action 0) or right (action 1)
/// with a force of 10 N to keep the pole upright. Exactly Gymnasium's <c>CartPole-v1</c>: explicit
/// Euler integration with τ = 0.02 s, termination when |x| &gt; 2.4 or |θ| &gt; 12°, reward +1 on
/// every step including the terminal one, initial state uniform in ±0.05. The 500-step limit is the
/// registry's time limit. The state is kept in double precision, the observation is its float copy.
/// </summary>
public sealed class CartPole : EnvBase
{
    /// <summary>Gravity (m/s²).</summary>
    public const double Gravity = 9.8;
    /// <summary>Cart mass (kg).</summary>
    public const double MassCart = 1.0;
    /// <summary>Pole mass (kg).</summary>
    public const double MassPole = 0.1;
    /// <summary>Half the pole's length (m).</summary>
    public const double HalfLength = 0.5;
    /// <summary>Magnitude of the push (N).</summary>
    public const double ForceMag = 10.0;
    /// <summary>Seconds per step.</summary>
    public const double Tau = 0.02;
    /// <summary>|x| beyond this terminates.</summary>
    public const double XThreshold = 2.4;
    /// <summary>|θ| beyond this (12° in radians) terminates.</summary>
    public const double ThetaThreshold = 12 * 2 * Math.PI / 360;

    private const double TotalMass = MassCart + MassPole, PoleMassLength = MassPole * HalfLength;
    private static readonly Painter Background = (ref Canvas c) =>
    {
        c.View(0, 0.5, XThreshold);
        c.Clear(Rgb.White);
        c.Line(-XThreshold, 0, XThreshold, 0, 1, Rgb.Black);
    };
    private readonly FrameCache _background = new();
    private double _x, _xDot, _theta, _thetaDot;

    /// <summary>Creates the env; <paramref name="id"/> names it in error messages.</summary>
    public CartPole(string id = "cartpole") : base(id, Space(), new DiscreteSpace(2)) { }

    private static DictSpace Space()
    {
        float inf = float.PositiveInfinity, th = (float)(2 * ThetaThreshold);
        return new DictSpace(("state", new BoxSpace([-4.8f, -inf, -th, -inf], [4.8f, inf, th, inf])));
    }

    /// <summary>The physical state: cart position, cart velocity, pole angle (rad, 0 upright, positive leans right), angular velocity.</summary>
    public (double X, double XDot, double Theta, double ThetaDot) State => (_x, _xDot, _theta, _thetaDot);

    /// <summary>Puts the cart and pole in a given state and starts an episode from it (as <see cref="EnvBase.Reset"/> would).</summary>
    public Observation SetState(double x, double xDot, double theta, double thetaDot)
    {
        (_x, _xDot, _theta, _thetaDot) = (x, xDot, theta, thetaDot);
        WriteObs();
        BeginEpisode();
        return Obs;
    }

    /// <inheritdoc/>
    protected override void ResetCore()
    {
        _x = Rng.Uniform(-0.05, 0.05); _xDot = Rng.Uniform(-0.05, 0.05);
        _theta = Rng.Uniform(-0.05, 0.05); _thetaDot = Rng.Uniform(-0.05, 0.05);
        WriteObs();
    }

    /// <inheritdoc/>
    protected override (float Reward, bool Terminated) StepCore(ReadOnlySpan<float> action)
    {
        double force = action[0] == 1 ? ForceMag : -ForceMag;
        double cos = Math.Cos(_theta), sin = Math.Sin(_theta);
        double temp = (force + PoleMassLength * _thetaDot * _thetaDot * sin) / TotalMass;
        double thetaAcc = (Gravity * sin - cos * temp) / (HalfLength * (4.0 / 3.0 - MassPole * cos * cos / TotalMass));
        double xAcc = temp - PoleMassLength * thetaAcc * cos / TotalMass;
        // Explicit Euler: every update uses the values from before the step.
        _x += Tau * _xDot;
        _xDot += Tau * xAcc;
        _theta += Tau * _thetaDot;
        _thetaDot += Tau * thetaAcc;
        WriteObs();
        bool terminated = _x < -XThreshold || _x > XThreshold || _theta < -ThetaThreshold || _theta > ThetaThreshold;
        return (1f, terminated);
    }

    private void WriteObs()
    {
        var s = Obs.State;
        s[0] = (float)_x; s[1] = (float)_xDot; s[2] = (float)_theta; s[3] = (float)_thetaDot;
    }

    /// <summary>White background, black track and cart, tan pole, blue axle; the view spans x in [-2.4, 2.4].</summary>
    public override void Render(Span<byte> rgb, int height, int width)
    {
        EnvChecks.RenderBuffer(Id, rgb.Length, height, width);
        var c = new Canvas(rgb, height, width);
        _background.Paint(ref c, Background);
        c.View(0, 0.5, XThreshold);
        c.FillRect(_x - 0.3, -0.18, _x + 0.3, 0.18, Rgb.Black);
        double ax = _x, ay = 0.1, len = 2 * HalfLength;
        c.FillCapsule(ax, ay, ax + len * Math.Sin(_theta), ay + len * Math.Cos(_theta), 0.08, new Rgb(202, 152, 101));
        c.FillCircle(ax, ay, 0.07, new Rgb(129, 132, 203));
    }
}

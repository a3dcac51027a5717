// Acrobot: Gymnasium's Acrobot-v1 (Sutton 1996, book dynamics), one RK4 step per action, as Gymnasium defines it.
using Reverie.Envs.Rendering;

namespace Reverie.Envs.Classic;

/// <summary>
/// Two links hanging from a pivot, torque only at the middle joint (actions 0, 1, 2 apply −1, 0, +1);
/// swing the tip above the line one link length over the pivot. Exactly Gymnasium's
/// <c>Acrobot-v1</c> with the book dynamics: one RK4 step with h = 0.2 s, then θ1, θ2 wrapped into
/// [−π, π] and θ̇1, θ̇2 clipped to ±4π and ±9π; terminated when −cosθ1 − cos(θ1+θ2) &gt; 1; reward −1
/// per step and 0 on the terminal step; the initial state is uniform in ±0.1, rounded to float as
/// Gymnasium stores it. The 500-step limit is the registry's time limit.
/// </summary>
public sealed class Acrobot : EnvBase
{
    /// <summary>Seconds per step (one RK4 step).</summary>
    public const double Dt = 0.2;
    /// <summary>Link lengths (m).</summary>
    public const double L1 = 1.0, L2 = 1.0;
    /// <summary>Link masses (kg).</summary>
    public const double M1 = 1.0, M2 = 1.0;
    /// <summary>Positions of the centres of mass along the links (m).</summary>
    public const double Lc1 = 0.5, Lc2 = 0.5;
    /// <summary>Moments of inertia of both links.</summary>
    public const double I1 = 1.0, I2 = 1.0;
    /// <summary>Gravity (m/s²).</summary>
    public const double Gravity = 9.8;
    /// <summary>|θ̇1| and |θ̇2| are clipped to these.</summary>
    public const double MaxVel1 = 4 * Math.PI, MaxVel2 = 9 * Math.PI;

    private static readonly Painter Background = (ref Canvas c) =>
    {
        c.View(0, 0, L1 + L2 + 0.2);
        c.Clear(Rgb.White);
        c.Line(-2.2, 1, 2.2, 1, 1, Rgb.Black);
    };
    private readonly FrameCache _background = new();
    private double _t1, _t2, _d1, _d2;

    /// <summary>Creates the env; <paramref name="id"/> names it in error messages.</summary>
    public Acrobot(string id = "acrobot") : base(id,
        new DictSpace(("state", new BoxSpace(
            [-1f, -1f, -1f, -1f, -(float)MaxVel1, -(float)MaxVel2], [1f, 1f, 1f, 1f, (float)MaxVel1, (float)MaxVel2]))),
        new DiscreteSpace(3)) { }

    /// <summary>The physical state: θ1 (0 hangs down), θ2 (relative to link 1), θ̇1, θ̇2.</summary>
    public (double Theta1, double Theta2, double Dtheta1, double Dtheta2) State => (_t1, _t2, _d1, _d2);

    /// <summary>Puts the links in a given state and starts an episode from it.</summary>
    public Observation SetState(double theta1, double theta2, double dtheta1, double dtheta2)
    {
        (_t1, _t2, _d1, _d2) = (theta1, theta2, dtheta1, dtheta2);
        WriteObs();
        BeginEpisode();
        return Obs;
    }

    /// <inheritdoc/>
    protected override void ResetCore()
    {
        _t1 = (float)Rng.Uniform(-0.1, 0.1); _t2 = (float)Rng.Uniform(-0.1, 0.1);
        _d1 = (float)Rng.Uniform(-0.1, 0.1); _d2 = (float)Rng.Uniform(-0.1, 0.1);
        WriteObs();
    }

    /// <inheritdoc/>
    protected override (float Reward, bool Terminated) StepCore(ReadOnlySpan<float> action)
    {
        double torque = action[0] - 1; // 0, 1, 2 -> -1, 0, +1
        Span<double> y = [_t1, _t2, _d1, _d2];
        Span<double> k1 = stackalloc double[4], k2 = stackalloc double[4], k3 = stackalloc double[4], k4 = stackalloc double[4], tmp = stackalloc double[4];
        const double h = Dt, h2 = Dt / 2;
        Derivs(y, torque, k1);
        for (int i = 0; i < 4; i++) tmp[i] = y[i] + h2 * k1[i];
        Derivs(tmp, torque, k2);
        for (int i = 0; i < 4; i++) tmp[i] = y[i] + h2 * k2[i];
        Derivs(tmp, torque, k3);
        for (int i = 0; i < 4; i++) tmp[i] = y[i] + h * k3[i];
        Derivs(tmp, torque, k4);
        for (int i = 0; i < 4; i++) y[i] += h / 6.0 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
        _t1 = Wrap(y[0], -Math.PI, Math.PI);
        _t2 = Wrap(y[1], -Math.PI, Math.PI);
        _d1 = Math.Min(Math.Max(y[2], -MaxVel1), MaxVel1);
        _d2 = Math.Min(Math.Max(y[3], -MaxVel2), MaxVel2);
        WriteObs();
        bool terminated = IsTerminal(_t1, _t2);
        return (terminated ? 0f : -1f, terminated);
    }

    /// <summary>The tip is more than one link length above the pivot: −cosθ1 − cos(θ1+θ2) &gt; 1.</summary>
    public static bool IsTerminal(double theta1, double theta2) => -Math.Cos(theta1) - Math.Cos(theta2 + theta1) > 1.0;

    /// <summary>
    /// Time derivative of (θ1, θ2, θ̇1, θ̇2) under torque <paramref name="a"/> at the middle joint (book dynamics).
    /// </summary>
    public static void Derivs(ReadOnlySpan<double> s, double a, Span<double> ds)
    {
        double theta1 = s[0], theta2 = s[1], dtheta1 = s[2], dtheta2 = s[3];
        double d1 = M1 * Lc1 * Lc1 + M2 * (L1 * L1 + Lc2 * Lc2 + 2 * L1 * Lc2 * Math.Cos(theta2)) + I1 + I2;
        double d2 = M2 * (Lc2 * Lc2 + L1 * Lc2 * Math.Cos(theta2)) + I2;
        double phi2 = M2 * Lc2 * Gravity * Math.Cos(theta1 + theta2 - Math.PI / 2.0);
        double phi1 = -M2 * L1 * Lc2 * dtheta2 * dtheta2 * Math.Sin(theta2)
                      - 2 * M2 * L1 * Lc2 * dtheta2 * dtheta1 * Math.Sin(theta2)
                      + (M1 * Lc1 + M2 * L1) * Gravity * Math.Cos(theta1 - Math.PI / 2) + phi2;
        double ddtheta2 = (a + d2 / d1 * phi1 - M2 * L1 * Lc2 * dtheta1 * dtheta1 * Math.Sin(theta2) - phi2)
                          / (M2 * Lc2 * Lc2 + I2 - d2 * d2 / d1);
        double ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
        ds[0] = dtheta1; ds[1] = dtheta2; ds[2] = ddtheta1; ds[3] = ddtheta2;
    }

    /// <summary>Gymnasium's <c>wrap</c>: shifts x by whole periods (M − m) until m ≤ x ≤ M.</summary>
    public static double Wrap(double x, double m, double M)
    {
        double diff = M - m;
        if (!double.IsFinite(x)) return x;
        if (Math.Abs(x) > 1e6 * diff) x = Math.IEEERemainder(x, diff); // only for absurd inputs; keeps the loops short
        while (x > M) x -= diff;
        while (x < m) x += diff;
        return x;
    }

    private void WriteObs()
    {
        var s = Obs.State;
        s[0] = (float)Math.Cos(_t1); s[1] = (float)Math.Sin(_t1); s[2] = (float)Math.Cos(_t2); s[3] = (float)Math.Sin(_t2);
        s[4] = (float)_d1; s[5] = (float)_d2;
    }

    /// <summary>White background, black goal line at height 1, teal links, yellow joints; the view spans ±2.2 m.</summary>
    public override void Render(Span<byte> rgb, int height, int width)
    {
        EnvChecks.RenderBuffer(Id, rgb.Length, height, width);
        var c = new Canvas(rgb, height, width);
        _background.Paint(ref c, Background);
        c.View(0, 0, L1 + L2 + 0.2);
        double x1 = L1 * Math.Sin(_t1), y1 = -L1 * Math.Cos(_t1);
        double x2 = x1 + L2 * Math.Sin(_t1 + _t2), y2 = y1 - L2 * Math.Cos(_t1 + _t2);
        var link = new Rgb(0, 204, 204);
        var joint = new Rgb(204, 204, 0);
        c.FillCapsule(0, 0, x1, y1, 0.1, link);
        c.FillCapsule(x1, y1, x2, y2, 0.1, link);
        c.FillCircle(0, 0, 0.1, joint);
        c.FillCircle(x1, y1, 0.1, joint);
    }
}

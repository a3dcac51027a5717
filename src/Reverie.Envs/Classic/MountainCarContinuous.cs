// MountainCarContinuous: Gymnasium's MountainCarContinuous-v0 (Moore 1990), update and reward as Gymnasium defines them.
using Reverie.Envs.Rendering;

namespace Reverie.Envs.Classic;

/// <summary>
/// An underpowered car in a valley must rock back and forth to reach the flag on the right hill.
/// Exactly Gymnasium's <c>MountainCarContinuous-v0</c>: force = clip(a, −1, 1); v += 0.0015·force −
/// 0.0025·cos(3x), clipped to ±0.07; x += v, clipped to [−1.2, 0.6]; at the left wall a negative v
/// becomes 0. Terminated when x ≥ 0.45 and v ≥ 0; reward −0.1·a² with the <em>unclipped</em>
/// action, plus 100 on termination. Initial x ~ U(−0.6, −0.4), v = 0. The 999-step limit is the
/// registry's time limit. As in Gymnasium, the state is stored as float after every step (the
/// update itself is computed in double).
/// </summary>
public sealed class MountainCarContinuous : EnvBase
{
    /// <summary>Left wall.</summary>
    public const double MinPosition = -1.2;
    /// <summary>Right end of the track.</summary>
    public const double MaxPosition = 0.6;
    /// <summary>|v| is clipped to this.</summary>
    public const double MaxSpeed = 0.07;
    /// <summary>The flag: reaching x ≥ this with v ≥ 0 terminates.</summary>
    public const double GoalPosition = 0.45;
    /// <summary>Acceleration per unit of force.</summary>
    public const double Power = 0.0015;

    private static readonly Painter Background = (ref Canvas c) =>
    {
        View(ref c);
        c.Clear(Rgb.White);
        // The hill: each column filled below the track height, its top pixel weighted by coverage.
        var ground = new Rgb(170, 200, 150);
        for (int i = 0; i < c.Width; i++)
        {
            double top = c.PixelY(Height(Math.Clamp(c.WorldX(i + 0.5), MinPosition, MaxPosition)));
            int solid = (int)Math.Clamp(Math.Ceiling(top), 0, c.Height);
            for (int j = Math.Max(0, solid - 1); j < solid; j++) c.Blend(i, j, ground, j + 1 - top);
            for (int j = solid; j < c.Height; j++) c.FillRow(j, i, i + 1, ground);
        }
        double gy = Height(GoalPosition);
        c.Line(GoalPosition, gy, GoalPosition, gy + 0.2, 1, Rgb.Black);
        c.FillPolygon([(GoalPosition, gy + 0.2), (GoalPosition, gy + 0.14), (GoalPosition + 0.12, gy + 0.17)], new Rgb(204, 204, 0));
    };
    private readonly FrameCache _background = new();
    private double _x, _v;

    private static void View(ref Canvas c) => c.View((MinPosition + MaxPosition) / 2, 0.6, (MaxPosition - MinPosition) / 2);

    /// <summary>Creates the env; <paramref name="id"/> names it in error messages.</summary>
    public MountainCarContinuous(string id = "mountaincar-continuous") : base(id,
        new DictSpace(("state", new BoxSpace([(float)MinPosition, -(float)MaxSpeed], [(float)MaxPosition, (float)MaxSpeed]))),
        new BoxSpace(-1f, 1f, 1)) { }

    /// <summary>The physical state: position and velocity.</summary>
    public (double Position, double Velocity) State => (_x, _v);

    /// <summary>Puts the car in a given state and starts an episode from it.</summary>
    public Observation SetState(double position, double velocity)
    {
        (_x, _v) = (position, velocity);
        WriteObs();
        BeginEpisode();
        return Obs;
    }

    /// <summary>Height of the track at x: 0.45·sin(3x) + 0.55.</summary>
    public static double Height(double x) => Math.Sin(3 * x) * 0.45 + 0.55;

    /// <inheritdoc/>
    protected override void ResetCore()
    {
        _x = Rng.Uniform(-0.6, -0.4);
        _v = 0;
        WriteObs();
    }

    /// <inheritdoc/>
    protected override (float Reward, bool Terminated) StepCore(ReadOnlySpan<float> action)
    {
        double a = action[0];
        double force = Math.Min(Math.Max(a, -1.0), 1.0);
        double x = _x, v = _v;
        v += force * Power - 0.0025 * Math.Cos(3 * x);
        if (v > MaxSpeed) v = MaxSpeed;
        if (v < -MaxSpeed) v = -MaxSpeed;
        x += v;
        if (x > MaxPosition) x = MaxPosition;
        if (x < MinPosition) x = MinPosition;
        if (x == MinPosition && v < 0) v = 0;
        bool terminated = x >= GoalPosition && v >= 0;
        double reward = (terminated ? 100.0 : 0.0) - a * a * 0.1;
        _x = (float)x; _v = (float)v; // Gymnasium keeps the state as a float32 array
        WriteObs();
        return ((float)reward, terminated);
    }

    private void WriteObs()
    {
        var s = Obs.State;
        s[0] = (float)_x; s[1] = (float)_v;
    }

    /// <summary>Sky, a filled hill, a yellow flag at the goal and a black car tilted with the slope; the view spans the track.</summary>
    public override void Render(Span<byte> rgb, int height, int width)
    {
        EnvChecks.RenderBuffer(Id, rgb.Length, height, width);
        var c = new Canvas(rgb, height, width);
        _background.Paint(ref c, Background);
        View(ref c);
        // The car: a body above two wheels, rotated to the track's slope.
        double angle = Math.Atan(1.35 * Math.Cos(3 * _x)), ux = Math.Cos(angle), uy = Math.Sin(angle);
        double bx = _x - uy * 0.05, by = Height(_x) + ux * 0.05; // body centre, lifted off the track
        (double, double) P(double along, double up) => (bx + ux * along - uy * up, by + uy * along + ux * up);
        c.FillPolygon([P(-0.1, -0.03), P(0.1, -0.03), P(0.1, 0.04), P(-0.1, 0.04)], Rgb.Black);
        var wheel = new Rgb(128, 128, 128);
        var (w1x, w1y) = P(-0.055, -0.035); var (w2x, w2y) = P(0.055, -0.035);
        c.FillCircle(w1x, w1y, 0.03, wheel);
        c.FillCircle(w2x, w2y, 0.03, wheel);
    }
}

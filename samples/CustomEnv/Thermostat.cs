// Thermostat: a user's own environment written straight against IEnv (no base class), as a template.
using Reverie.Envs;
using Reverie.Envs.Rendering;

namespace CustomEnv;

/// <summary>
/// Keep a room at 21 °C with a heater while the outside temperature follows a daily cycle.
/// One step is 15 minutes; the registry's time limit ends an episode after a day (96 steps).
/// Observation "state": [room temperature / 30, outside temperature / 30, sin and cos of the time of day].
/// Action: heater power in [0, 1] (the registry rescales it so agents act in [-1, 1]).
/// Reward: −|T − 21| / 10 − 0.01·power. The episode terminates if the room drops below 5 °C (frozen pipes).
/// </summary>
public sealed class Thermostat : IEnv
{
    private const double Target = 21, Dt = 0.25, Leak = 0.15, HeaterPower = 12;

    private readonly EnvRng _rng = new(0);       // the env's own generator: seeded by Reset(seed)
    private readonly Observation _obs;           // reused for every call; callers copy what they keep
    private double _room, _hour, _outsideMean;
    private bool _running;

    public Thermostat(string id = "thermostat")
    {
        Id = id;
        ObservationSpace = new DictSpace(("state", new BoxSpace([-1f, -1f, -1f, -1f], [2f, 2f, 1f, 1f])));
        ActionSpace = new BoxSpace(0f, 1f, 1);
        _obs = new Observation(ObservationSpace);
    }

    public string Id { get; }
    public DictSpace ObservationSpace { get; }
    public Space ActionSpace { get; }

    public Observation Reset(ulong? seed = null)
    {
        if (seed is ulong s) _rng.Seed(s);
        _room = _rng.Uniform(12, 24);
        _hour = _rng.Uniform(0, 24);
        _outsideMean = _rng.Uniform(-5, 10);
        _running = true;
        Observe();
        return _obs;
    }

    public StepResult Step(ReadOnlySpan<float> action)
    {
        if (!_running) throw new InvalidOperationException($"{Id}: Step called before Reset or after the episode ended");
        EnvChecks.Action(Id, ActionSpace, action); // wrong length, NaN: the same messages as the built-in envs
        double power = Math.Clamp(action[0], 0f, 1f);
        _room += Dt * (Leak * (Outside() - _room) + HeaterPower * power);
        _room = Math.Clamp(_room, -10, 40);
        _hour = (_hour + Dt) % 24;
        Observe();
        bool frozen = _room < 5;
        _running = !frozen;
        float reward = (float)(-Math.Abs(_room - Target) / 10 - 0.01 * power);
        return new StepResult(_obs, reward, Terminated: frozen, Truncated: false);
    }

    /// <summary>A thermometer: its column shows the room temperature (blue cold, red warm), the black mark 21 °C.</summary>
    public void Render(Span<byte> rgb, int height, int width)
    {
        EnvChecks.RenderBuffer(Id, rgb.Length, height, width);
        var c = new Canvas(rgb, height, width);
        c.View(0, 15, 20); // world y in °C from −5 to 35
        c.Clear(Rgb.White);
        double t = Math.Clamp((_room - 5) / 25, 0, 1);
        var colour = new Rgb((byte)(255 * t), 60, (byte)(255 * (1 - t)));
        c.FillRect(-3, -5, 3, 35, new Rgb(230, 230, 230));
        c.FillRect(-3, -5, 3, _room, colour);
        c.Line(-6, Target, 6, Target, 1, Rgb.Black);
        double sun = Math.Sin(2 * Math.PI * (_hour - 6) / 24); // the sun's height: day and night
        c.FillCircle(12, 15 + 15 * sun, 2.5, new Rgb(230, 190, 0));
    }

    public void Dispose() { }

    private double Outside() => _outsideMean + 6 * Math.Sin(2 * Math.PI * (_hour - 9) / 24);

    private void Observe()
    {
        var s = _obs.State;
        s[0] = (float)(_room / 30); s[1] = (float)(Outside() / 30);
        s[2] = (float)Math.Sin(2 * Math.PI * _hour / 24); s[3] = (float)Math.Cos(2 * Math.PI * _hour / 24);
    }
}

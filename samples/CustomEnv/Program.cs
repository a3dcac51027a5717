// A user's own environment in Reverie: register it in one line, then use it like any built-in id.
// Run: dotnet run --project samples/CustomEnv
using CustomEnv;
using Reverie.Envs;

EnvRegistry.Register(new EnvSpec("thermostat", id => new Thermostat(id), MaxEpisodeSteps: 96,
    RewardRange: (-3.11f, 0), Reward: "−|T − 21|/10 − 0.01·power", Source: "samples/CustomEnv", Suite: "user"));

// The standard wrappers apply: time limit, action rescaling to [-1, 1], pixels, checks.
using var env = EnvRegistry.Make("thermostat", new EnvOptions { Pixels = true });
Console.WriteLine($"{env.Id}: observation {env.ObservationSpace}");
Console.WriteLine($"{env.Id}: action {env.ActionSpace}");

// Random actions against a simple bang-bang controller (heat fully below 21 °C).
var rng = new EnvRng(1);
var action = new float[env.ActionSpace.Size];
for (int episode = 0; episode < 3; episode++)
{
    foreach (var policy in new[] { "random", "bang-bang" })
    {
        var obs = env.Reset(seed: (ulong)episode);
        float ret = 0;
        int steps = 0;
        while (true)
        {
            if (policy == "random") env.ActionSpace.Sample(rng, action);
            else action[0] = obs.State[0] * 30 < 21 ? 1f : -1f; // -1 is "off" after rescaling
            var r = env.Step(action);
            ret += r.Reward; steps++;
            obs = r.Observation;
            if (r.Done) break;
        }
        int lit = obs.Image.Count(b => b < 128);
        Console.WriteLine($"episode {episode} {policy,-9}: return {ret,8:F2} over {steps} steps (last frame: {lit} dark bytes)");
    }
}

// Four copies stepped as one batch, with same-step autoreset.
using var vec = VectorEnv.Make("thermostat", 4);
vec.Reset(seed: 10);
var actions = new float[vec.Count * vec.ActionSpace.Size];
int ended = 0;
for (int t = 0; t < 200; t++)
{
    for (int i = 0; i < vec.Count; i++) vec.ActionSpace.Sample(rng, actions.AsSpan(i, 1));
    vec.Step(actions);
    ended += vec.Truncated.Count(b => b) + vec.Terminated.Count(b => b);
}
Console.WriteLine($"vector env: {vec.Count} envs, 200 batch steps, {ended} episodes ended and were reset in the same step");

// DreamerAgentTests: Dreamer as an IAgent in the run loop — debug-preset smoke runs on vector, discrete and pixel envs, report media, checkpoints, errors.
using System.Globalization;
using Reverie.Agents.Dreamer;
using Reverie.Envs;
using Reverie.Rl.Agents;
using Reverie.Rl.Checkpoints;
using Reverie.Rl.Config;
using Reverie.Rl.Driver;
using Reverie.Rl.Logging;
using Reverie.Tensors;
using Reverie.Testing;
using RunDriver = Reverie.Rl.Driver.Driver;

namespace Reverie.Agents.Tests.Dreamer;

public class DreamerAgentTests
{
    // configs/dreamer.yaml's debug preset (its agent keys) as settings, plus extra ones.
    private static Dictionary<string, string> Debug(params (string, string)[] extra)
    {
        var d = PresetLibrary.Load([RepoPaths.Of("configs", "dreamer.yaml")]).Get("debug")
            .Where(kv => kv.Key.StartsWith("agent.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => Convert.ToString(kv.Value, CultureInfo.InvariantCulture)!);
        Assert.Equal("8", d["agent.rssm.deter"]);
        foreach (var (k, v) in extra) d[k] = v;
        return d;
    }

    private static string NewDir() => Directory.CreateTempSubdirectory("reverie-dreamer").FullName;

    private static DriverOptions Options(long steps) => new()
    {
        Steps = steps, Envs = 2, TrainRatio = 32, BatchSize = 4, BatchLength = 8, Prefill = 60, ReplayCapacity = 10_000,
        ReplayChunk = 64, EvalEvery = steps, EvalEpisodes = 1, EvalVideo = false, LogEvery = 50, ReportEvery = steps,
        CheckpointEvery = steps / 2, Seed = 3,
    };

    private static (DreamerAgent Agent, RunDriver Driver) Run(string dir, string envId, Dictionary<string, string> settings, long steps, EnvOptions? envOptions = null)
    {
        using var env = VectorEnv.Make(envId, 2, envOptions);
        using var evalEnv = EnvRegistry.Make(envId, envOptions);
        var agent = new DreamerAgent(new AgentContext(env.ObservationSpace, env.ActionSpace, 2, 7, settings));
        var driver = new RunDriver(dir, agent, env, evalEnv, Options(steps), new ConsoleView(steps, quiet: true, TextWriter.Null), tensorBoard: false);
        Assert.Equal(RunOutcome.Completed, driver.Run());
        driver.Dispose();
        return (agent, driver);
    }

    [Theory]
    [InlineData("pendulum", false, true)]
    [InlineData("cartpole", false, true)]
    [InlineData("pendulum", true, false)]
    [InlineData("cartpole", true, true)]
    public void DebugRunsTrainReportAndEvaluate(string envId, bool pixels, bool state)
    {
        // Vector state, images alone, and both at once (the CNN and MLP encoders' embeddings joined, both decoders).
        string dir = NewDir();
        var envOptions = pixels ? new EnvOptions { Pixels = true, KeepState = state, ImageSize = 16 } : null;
        var (agent, d) = Run(dir, envId, Debug(), 200, envOptions);
        Assert.Equal(envId == "cartpole", agent.Discrete);
        Assert.Equal(pixels, agent.Layout.HasImage);
        Assert.Equal(state ? (envId == "pendulum" ? 3 : 4) : 0, agent.Layout.StateSize);
        Assert.True(d.Counters.Updates > 0);
        Assert.Equal(d.Counters.Updates, agent.Learner.Updates);
        var metrics = File.ReadAllText(Path.Combine(dir, RunLogger.MetricsFile));
        foreach (var key in new[] { "loss/rec", "loss/rew", "loss/dyn", "loss/policy", "loss/value", "eval/return", "openloop/" })
            Assert.Contains(key, metrics);
        var videos = Directory.GetFiles(Path.Combine(dir, "videos"));
        bool Has(Func<string, bool> name) => videos.Any(f => name(Path.GetFileName(f)));
        Assert.Equal(state, Has(f => f.StartsWith("openloop_state_", StringComparison.Ordinal)));
        Assert.Equal(pixels, Has(f => f.StartsWith("openloop_", StringComparison.Ordinal) && !f.StartsWith("openloop_state_", StringComparison.Ordinal)));
    }

    [Fact]
    public void CheckpointRoundTripContinuesIdentically()
    {
        string dir = NewDir();
        var (trained, _) = Run(dir, "pendulum", Debug(), 120);
        var content = Checkpoint.Load(dir)!;
        using var env = VectorEnv.Make("pendulum", 1);
        var loaded = new DreamerAgent(new AgentContext(env.ObservationSpace, env.ActionSpace, 1, 99, Debug()));
        loaded.Load(content);
        Assert.Equal(trained.Learner.Updates, loaded.Learner.Updates);
        var ma = trained.Train(content.Replay!.SampleSequences(4, 8, new Rng(1), crossEpisodes: true));
        var mb = loaded.Train(content.Replay!.SampleSequences(4, 8, new Rng(1), crossEpisodes: true));
        Assert.Equal(ma.Where(kv => !kv.Key.StartsWith("time/")), mb.Where(kv => !kv.Key.StartsWith("time/")));
        var obs = env.Reset(3);
        float[] a1 = new float[1], a2 = new float[1];
        trained.Policy(trained.InitPolicy(1), obs, [true], PolicyMode.Explore, a1);
        loaded.Policy(loaded.InitPolicy(1), obs, [true], PolicyMode.Explore, a2);
        Assert.Equal(a1, a2);
        Assert.Throws<InvalidDataException>(() => loaded.Load(new CheckpointContent()));
    }

    [Fact]
    public void ThePolicyCarriesItsStateAndResetsOnFirstSteps()
    {
        using var env = VectorEnv.Make("pendulum", 2);
        var agent = new DreamerAgent(new AgentContext(env.ObservationSpace, env.ActionSpace, 2, 1, Debug()));
        var obs = env.Reset(1);
        var carry = (DreamerCarry)agent.InitPolicy(2);
        var actions = new float[2];
        carry = (DreamerCarry)agent.Policy(carry, obs, [true, true], PolicyMode.Evaluate, actions);
        Assert.All(actions, a => Assert.InRange(a, -1f, 1f));
        Assert.Equal(new float[carry.Deter.Size], carry.Deter.ToArray());        // h_1 = core(0, 0, 0) = 0, as DreamerV3
        Assert.NotEqual(new float[carry.Stoch.Size], carry.Stoch.ToArray());     // z_1 sampled from the posterior
        carry = (DreamerCarry)agent.Policy(carry, obs, [false, false], PolicyMode.Evaluate, actions);
        var h2 = carry.Deter.ToArray();
        Assert.NotEqual(new float[h2.Length], h2);
        carry = (DreamerCarry)agent.Policy(carry, obs, [true, false], PolicyMode.Evaluate, actions);   // env 0 restarts
        var h3 = carry.Deter.ToArray();
        Assert.Equal(new float[h3.Length / 2], h3[..(h3.Length / 2)]);
        Assert.NotEqual(new float[h3.Length / 2], h3[(h3.Length / 2)..]);
        Assert.Throws<ArgumentException>(() => agent.Policy(agent.InitPolicy(3), obs, [true, true], PolicyMode.Evaluate, actions));
        Assert.Throws<ArgumentException>(() => agent.Policy(carry, obs, [true, true], PolicyMode.Evaluate, new float[3]));
    }

    [Fact]
    public void BadSettingsAndObservationsAreNamed()
    {
        using var env = VectorEnv.Make("pendulum", 1);
        var e = Assert.Throws<ConfigException>(() => new DreamerAgent(new AgentContext(env.ObservationSpace, env.ActionSpace, 1, 0, Debug(("agent.rssm.latent", "spiky")))));
        Assert.Contains("agent.rssm.latent", e.Message);
        e = Assert.Throws<ConfigException>(() => new DreamerAgent(new AgentContext(env.ObservationSpace, env.ActionSpace, 1, 0, Debug(("agent.bogus", "1")))));
        Assert.Contains("agent.bogus", e.Message);
        using var pix = VectorEnv.Make("pendulum", 1, new EnvOptions { Pixels = true, KeepState = false, ImageSize = 24 });
        var a = Assert.Throws<ArgumentException>(() => new DreamerAgent(new AgentContext(pix.ObservationSpace, pix.ActionSpace, 1, 0, Debug())));
        Assert.Contains("multiples of 16", a.Message);
    }

    [Fact]
    public void DefaultPresetsFollowTheEnv()
    {
        Assert.Equal(["dreamer", "discrete"], DreamerAgent.DefaultPresets("cartpole"));
        Assert.Equal(["dreamer", "vector"], DreamerAgent.DefaultPresets("pendulum"));
        Assert.Equal(["dreamer", "dmc"], DreamerAgent.DefaultPresets("cartpole-swingup"));
    }
}

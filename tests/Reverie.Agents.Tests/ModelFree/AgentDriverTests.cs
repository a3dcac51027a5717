// AgentDriverTests: PPO and SAC as IAgents in the run loop: tiny driver runs, checkpoint round trips, config errors.
using Reverie.Agents.ModelFree;
using Reverie.Envs;
using Reverie.Rl.Agents;
using Reverie.Rl.Checkpoints;
using Reverie.Rl.Config;
using Reverie.Rl.Driver;
using Reverie.Rl.Logging;
using Reverie.Tensors;
using RunDriver = Reverie.Rl.Driver.Driver;

namespace Reverie.Agents.Tests.ModelFree;

public class AgentDriverTests
{
    private static string NewDir() => Directory.CreateTempSubdirectory("reverie-mf-agent").FullName;

    private static AgentContext Context(string envId, int envs, Dictionary<string, string> settings)
    {
        using var env = VectorEnv.Make(envId, envs);
        return new AgentContext(env.ObservationSpace, env.ActionSpace, envs, 7, settings);
    }

    private static float[] Weights(IEnumerable<KeyValuePair<string, Tensor>> stateDict) =>
        [.. stateDict.OrderBy(kv => kv.Key, StringComparer.Ordinal).SelectMany(kv => kv.Value.ToArray())];

    private static RunDriver Run(string dir, string envId, IAgent agent, DriverOptions options)
    {
        using var env = VectorEnv.Make(envId, options.Envs);
        using var evalEnv = EnvRegistry.Make(envId);
        var driver = new RunDriver(dir, agent, env, evalEnv, options, new ConsoleView(options.Steps, quiet: true, TextWriter.Null), tensorBoard: false);
        Assert.Equal(RunOutcome.Completed, driver.Run());
        driver.Dispose();
        return driver;
    }

    private static readonly Dictionary<string, string> PpoSettings = new()
    {
        ["run.steps"] = "640", ["agent.num_steps"] = "16", ["agent.num_minibatches"] = "2", ["agent.update_epochs"] = "2", ["agent.hidden"] = "16,16",
    };

    private static DriverOptions PpoOptions(long steps) => new()
    {
        Steps = steps, Envs = 2, Prefill = 0, ReplayCapacity = 10_000, ReplayChunk = 64, EvalEvery = 320, EvalEpisodes = 1,
        EvalVideo = false, LogEvery = 64, ReportEvery = 0, CheckpointEvery = 320, Seed = 7,
    };

    [Fact]
    public void PpoTrainsOnItsRolloutsThroughTheDriver()
    {
        string dir = NewDir();
        var agent = new PpoAgent(Context("cartpole", 2, PpoSettings));
        Assert.Equal(2, agent.Config.NumEnvs);
        Assert.Equal(640, agent.Config.TotalSteps);
        var d = Run(dir, "cartpole", agent, PpoOptions(640));
        Assert.Equal(640 / (2 * 16), d.Counters.Updates);            // one update per full rollout, no train ratio
        Assert.Equal(d.Counters.Updates, agent.Learner.Iteration);
        var metrics = File.ReadAllText(Path.Combine(dir, RunLogger.MetricsFile));
        Assert.Contains("\"loss/policy\"", metrics);
        Assert.Contains("\"train/approx_kl\"", metrics);
        Assert.Contains("\"eval/return\"", metrics);
    }

    [Fact]
    public void PpoResumesFromItsCheckpoint()
    {
        string dir = NewDir();
        var first = new PpoAgent(Context("cartpole", 2, PpoSettings));
        Run(dir, "cartpole", first, PpoOptions(320));                 // 10 updates, checkpoint at 320
        var second = new PpoAgent(Context("cartpole", 2, PpoSettings));
        using var env = VectorEnv.Make("cartpole", 2);
        using var d = new RunDriver(dir, second, env, null, PpoOptions(640), new ConsoleView(640, quiet: true, TextWriter.Null), tensorBoard: false);
        Assert.True(d.Resumed);
        Assert.Equal(10, second.Learner.Iteration);
        Assert.Equal(Weights(first.Learner.Net.StateDict()), Weights(second.Learner.Net.StateDict()));
        Assert.Equal(RunOutcome.Completed, d.Run());
        Assert.Equal(20, second.Learner.Iteration);
    }

    private static readonly Dictionary<string, string> SacSettings = new() { ["agent.hidden"] = "16,16" };

    private static DriverOptions SacOptions => new()
    {
        Steps = 300, Envs = 1, TrainRatio = 16, BatchSize = 8, BatchLength = 2, Prefill = 100, ReplayCapacity = 10_000,
        ReplayChunk = 64, EvalEvery = 300, EvalEpisodes = 1, EvalVideo = false, LogEvery = 100, ReportEvery = 0, CheckpointEvery = 150, Seed = 5,
    };

    [Fact]
    public void SacTrainsOnePerEnvStepOnTransitionsInsideEpisodes()
    {
        string dir = NewDir();
        var agent = new SacAgent(Context("pendulum", 1, SacSettings));
        Assert.False(((IAgent)agent).TrainAcrossEpisodes);
        Assert.Null(agent.Learner.Replay);                            // the Driver's replay, not a private ring
        var d = Run(dir, "pendulum", agent, SacOptions);
        Assert.InRange(d.Counters.Updates, 199, 201);                   // train ratio 16 = 8 x 2: one update per env step after the prefill
        Assert.Equal(d.Counters.Updates, agent.Learner.Updates);
        var metrics = File.ReadAllText(Path.Combine(dir, RunLogger.MetricsFile));
        Assert.Contains("\"loss/qf\"", metrics);
        Assert.Contains("\"train/alpha\"", metrics);
    }

    [Fact]
    public void SacCheckpointRoundTripContinuesIdentically()
    {
        string dir = NewDir();
        var trained = new SacAgent(Context("pendulum", 1, SacSettings));
        Run(dir, "pendulum", trained, SacOptions);
        var content = Checkpoint.Load(dir)!;
        var loaded = new SacAgent(Context("pendulum", 1, SacSettings));
        loaded.Load(content);
        Assert.Equal(trained.Learner.Updates, loaded.Learner.Updates);
        Assert.Equal(trained.Learner.Alpha, loaded.Learner.Alpha);
        // Both continue on the same batch: same losses, same weights, same exploration samples afterwards.
        var ma = trained.Train(content.Replay!.SampleSequences(8, 2, new Rng(1), crossEpisodes: false));
        var mb = loaded.Train(content.Replay!.SampleSequences(8, 2, new Rng(1), crossEpisodes: false));
        Assert.Equal(ma, mb);
        Assert.Equal(Weights(trained.Learner.Actor.StateDict()), Weights(loaded.Learner.Actor.StateDict()));
        Assert.Equal(Weights(trained.Learner.Q1Target.StateDict()), Weights(loaded.Learner.Q1Target.StateDict()));
        using var env = VectorEnv.Make("pendulum", 1);
        var obs = env.Reset(3);
        float[] a1 = new float[1], a2 = new float[1];
        trained.Policy(1, obs, [false], PolicyMode.Explore, a1);
        loaded.Policy(1, obs, [false], PolicyMode.Explore, a2);
        Assert.Equal(a1, a2);
        Assert.Throws<InvalidDataException>(() => loaded.Load(new CheckpointContent()));
    }

    [Fact]
    public void BadAgentKeysFailByName()
    {
        var e = Assert.Throws<ConfigException>(() => new PpoAgent(Context("cartpole", 1, new() { ["agent.bogus"] = "1" })));
        Assert.Contains("agent.bogus", e.Message);
        e = Assert.Throws<ConfigException>(() => new SacAgent(Context("pendulum", 1, new() { ["agent.gamma"] = "2" })));
        Assert.Contains("gamma", e.Message);
        e = Assert.Throws<ConfigException>(() => new SacAgent(Context("pendulum", 1, new() { ["agent.batch_size"] = "64" })));
        Assert.Contains("agent.batch_size", e.Message);              // the Driver's run.batch_size, not an agent key
        e = Assert.Throws<ConfigException>(() => new PpoAgent(Context("cartpole", 1, new() { ["agent.num_minibatches"] = "0" })));
        Assert.Contains("agent.num_minibatches", e.Message);
    }
}

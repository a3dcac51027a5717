// TdMpc2AgentTests: TD-MPC2 in the run loop: debug smoke run, pretraining, checkpoint round trip, multi-task, presets and the errors users meet.
using Reverie.Agents.TdMpc;
using Reverie.Envs;
using Reverie.Rl.Agents;
using Reverie.Rl.Checkpoints;
using Reverie.Rl.Config;
using Reverie.Rl.Driver;
using Reverie.Rl.Logging;
using Reverie.Tensors;
using Reverie.Testing;
using RunDriver = Reverie.Rl.Driver.Driver;

namespace Reverie.Agents.Tests.TdMpc;

public class TdMpc2AgentTests
{
    private static string NewDir() => Directory.CreateTempSubdirectory("reverie-tdmpc2").FullName;

    // The debug preset's agent keys (configs/tdmpc2.yaml), as flat settings.
    private static Dictionary<string, string> Debug(string envId, params (string, string)[] more)
    {
        var d = new Dictionary<string, string>
        {
            ["run.env"] = envId, ["run.batch_length"] = "4", ["agent.enc_dim"] = "16", ["agent.mlp_dim"] = "16", ["agent.latent_dim"] = "16",
            ["agent.num_q"] = "2", ["agent.num_bins"] = "11", ["agent.task_dim"] = "4", ["agent.iterations"] = "2", ["agent.num_samples"] = "16",
            ["agent.num_elites"] = "4", ["agent.num_pi_trajs"] = "2",
        };
        foreach (var (k, v) in more) d[k] = v;
        return d;
    }

    private static AgentContext Context(string envId, Dictionary<string, string> settings, int envs = 1)
    {
        using var env = VectorEnv.Make(envId, envs);
        return new AgentContext(env.ObservationSpace, env.ActionSpace, envs, 7, settings);
    }

    private static DriverOptions Options(long steps = 300) => new()
    {
        Steps = steps, Envs = 1, TrainRatio = 32, BatchSize = 8, BatchLength = 4, Prefill = 100, Pretrain = 20, ReplayCapacity = 10_000,
        ReplayChunk = 64, EvalEvery = steps, EvalEpisodes = 1, EvalVideo = false, LogEvery = 100, ReportEvery = 0, CheckpointEvery = steps, Seed = 5,
    };

    private static RunDriver Run(string dir, string envId, IAgent agent, DriverOptions options)
    {
        using var env = VectorEnv.Make(envId, options.Envs);
        using var evalEnv = EnvRegistry.Make(envId);
        var driver = new RunDriver(dir, agent, env, evalEnv, options, new ConsoleView(options.Steps, quiet: true, TextWriter.Null), tensorBoard: false);
        Assert.Equal(RunOutcome.Completed, driver.Run());
        driver.Dispose();
        return driver;
    }

    private static float[] Weights(IEnumerable<KeyValuePair<string, Tensor>> d) =>
        [.. d.OrderBy(kv => kv.Key, StringComparer.Ordinal).SelectMany(kv => kv.Value.ToArray())];

    [Fact]
    public void Debug_run_pretrains_then_updates_once_per_env_step()
    {
        string dir = NewDir();
        var agent = new TdMpc2Agent(Context("pendulum", Debug("pendulum")));
        Assert.False(((IAgent)agent).TrainAcrossEpisodes);
        Assert.Equal(0.975f, agent.Learner.Discounts[0], 6);                 // 200-step episodes: (40 − 1)/40
        var d = Run(dir, "pendulum", agent, Options());
        Assert.Equal(200 + 20, d.Counters.Updates);                        // one per env step after the prefill, plus the pretraining
        Assert.Equal(d.Counters.Updates, agent.Learner.Updates);
        var metrics = File.ReadAllText(Path.Combine(dir, RunLogger.MetricsFile));
        foreach (var k in new[] { "loss/consistency", "loss/reward", "loss/value", "loss/pi", "train/pi_scale", "eval/return" })
            Assert.Contains($"\"{k}\"", metrics);
        Assert.DoesNotContain("NaN", metrics);
    }

    [Fact]
    public void Checkpoint_round_trip_continues_identically()
    {
        string dir = NewDir();
        var settings = Debug("pendulum", ("agent.dropout", "0.2"));
        var trained = new TdMpc2Agent(Context("pendulum", settings));
        Run(dir, "pendulum", trained, Options(200));
        var content = Checkpoint.Load(dir)!;
        var loaded = new TdMpc2Agent(Context("pendulum", settings));
        loaded.Load(content);
        Assert.Equal(trained.Learner.Updates, loaded.Learner.Updates);
        Assert.Equal(trained.Learner.Scale.Value, loaded.Learner.Scale.Value);
        Assert.Equal(Weights(trained.Learner.Model.StateDict()), Weights(loaded.Learner.Model.StateDict()));
        var ma = trained.Train(content.Replay!.SampleSequences(8, 4, new Rng(1), crossEpisodes: false));
        var mb = loaded.Train(content.Replay!.SampleSequences(8, 4, new Rng(1), crossEpisodes: false));
        Assert.Equal(ma, mb);
        Assert.Equal(Weights(trained.Learner.Model.StateDict()), Weights(loaded.Learner.Model.StateDict()));
        using var env = VectorEnv.Make("pendulum", 1);
        var obs = env.Reset(3);
        float[] a1 = new float[1], a2 = new float[1];
        trained.Policy(trained.InitPolicy(1), obs, [true], PolicyMode.Explore, a1);
        loaded.Policy(loaded.InitPolicy(1), obs, [true], PolicyMode.Explore, a2);
        Assert.Equal(a1, a2);
        Assert.Throws<InvalidDataException>(() => loaded.Load(new CheckpointContent()));
        var other = new TdMpc2Agent(Context("pendulum", Debug("pendulum", ("agent.mlp_dim", "8"))));
        Assert.Contains("does not fit", Assert.Throws<InvalidDataException>(() => other.Load(content)).Message);
    }

    [Fact]
    public void Discrete_actions_are_refused_naming_the_agents_that_take_them()
    {
        var e = Assert.Throws<ArgumentException>(() => new TdMpc2Agent(Context("cartpole", Debug("cartpole"))));
        Assert.Contains("continuous (Box) actions", e.Message);
        Assert.Contains("Discrete(2)", e.Message);
        Assert.Contains("ppo", e.Message);
    }

    [Fact]
    public void Bad_settings_fail_by_key()
    {
        var e = Assert.Throws<ConfigException>(() => new TdMpc2Agent(Context("pendulum", Debug("pendulum", ("agent.bogus", "1")))));
        Assert.Contains("agent.bogus", e.Message);
        e = Assert.Throws<ConfigException>(() => new TdMpc2Agent(Context("pendulum", Debug("pendulum", ("agent.num_q", "1")))));
        Assert.Contains("agent.num_q", e.Message);
        e = Assert.Throws<ConfigException>(() => new TdMpc2Agent(Context("pendulum", Debug("pendulum", ("agent.latent_dim", "12")))));
        Assert.Contains("agent.latent_dim", e.Message);                     // not a multiple of the SimNorm group
        e = Assert.Throws<ConfigException>(() => new TdMpc2Agent(Context("pendulum", Debug("pendulum", ("agent.batch_size", "64")))));
        Assert.Contains("agent.batch_size", e.Message);                     // run.batch_size, not an agent key
        e = Assert.Throws<ConfigException>(() => new TdMpc2Agent(Context("pendulum", Debug("pendulum", ("run.batch_length", "8")))));
        Assert.Contains("run.batch_length=4", e.Message);
        var agent = new TdMpc2Agent(Context("pendulum", Debug("pendulum")));
        using var env = VectorEnv.Make("pendulum", 1);
        Assert.Throws<ArgumentException>(() => agent.Policy(agent.InitPolicy(2), env.Reset(1), [true], PolicyMode.Explore, new float[1]));
    }

    [Fact]
    public void The_discount_follows_the_episode_length_unless_set()
    {
        Assert.Equal([200], TdMpc2Agent.EpisodeLengths("pendulum", 1));
        Assert.Equal([0], TdMpc2Agent.EpisodeLengths(null, 1));
        Assert.Equal([500, 500], TdMpc2Agent.EpisodeLengths("mt-cartpole-reacher", 2));
        var cfg = new TdMpc2Config();
        Assert.Equal(0.99f, cfg.DiscountFor(500), 6);
        Assert.Equal(0.995f, cfg.DiscountFor(100_000), 6);
        Assert.Equal(0.95f, cfg.DiscountFor(10), 6);
        Assert.Equal(0.9f, (cfg with { Discount = 0.9f }).DiscountFor(500));
        Assert.Contains("agent.discount", Assert.Throws<ArgumentException>(() => cfg.DiscountFor(0)).Message);
        Assert.Equal(0.9f, new TdMpc2Agent(Context("pendulum", Debug("pendulum", ("agent.discount", "0.9")))).Learner.Discounts[0]);
    }

    [Fact]
    public void Default_presets_per_env()
    {
        Assert.Equal(["tdmpc2", "pendulum"], TdMpc2Agent.DefaultPresets("pendulum"));
        Assert.Equal(["tdmpc2", "dmc"], TdMpc2Agent.DefaultPresets("walker-walk"));
        Assert.Equal(["tdmpc2", "dmc", "multitask"], TdMpc2Agent.DefaultPresets("mt-cartpole-reacher"));
        Assert.Equal(["tdmpc2"], TdMpc2Agent.DefaultPresets("mountaincar-continuous"));
    }

    private static PresetLibrary YamlPresets() => PresetLibrary.Load([RepoPaths.Of("configs", "tdmpc2.yaml")]);

    private static ConfigSet ResolveYaml(PresetLibrary lib, string[] presets) =>
        new ConfigSet().Add("run", new RunConfig()).Add("agent", new TdMpc2Config()).Resolve(lib, presets, []);

    // configs/tdmpc2.yaml's agent presets equal TdMpc2Config.Presets, so code users and CLI users get the same models.
    [Fact]
    public void Yaml_presets_equal_the_code_presets()
    {
        var lib = YamlPresets();
        foreach (var (name, expected) in TdMpc2Config.Presets)
        {
            var cfg = ResolveYaml(lib, ["tdmpc2", name]);
            Assert.Equal(expected, cfg.Get<TdMpc2Config>("agent") with { });
            var run = cfg.Get<RunConfig>("run");
            Assert.Equal(cfg.Get<TdMpc2Config>("agent").Horizon + 1, run.BatchLength);
            Assert.Equal(run.BatchSize * run.BatchLength, run.TrainRatio);   // one update per env step
        }
    }

    // A DMC task gets the CPU default (model size 1, 256 x 4 planner); --preset size5 after it restores TD-MPC2's own
    // model and planner, size1 after size5 changes only the model, and tdmpc after dmc is TD-MPC (v1)'s full choice.
    [Fact]
    public void Dmc_default_is_size1_with_the_small_planner_and_size5_restores_tdmpc2()
    {
        var lib = YamlPresets();
        var dmc = ResolveYaml(lib, [.. TdMpc2Agent.DefaultPresets("walker-walk")]);
        Assert.Equal(TdMpc2Config.Dmc, dmc.Get<TdMpc2Config>("agent") with { });
        Assert.Equal((128, 2, 256, 4), (TdMpc2Config.Dmc.LatentDim, TdMpc2Config.Dmc.NumQ, TdMpc2Config.Dmc.NumSamples, TdMpc2Config.Dmc.Iterations));
        Assert.Equal(50000, dmc.Get<RunConfig>("run").Steps);
        Assert.Equal(TdMpc2Config.Size5, ResolveYaml(lib, ["tdmpc2", "dmc", "size5"]).Get<TdMpc2Config>("agent") with { });
        Assert.Equal(TdMpc2Config.Size5 with { MlpDim = 384, LatentDim = 128, NumQ = 2 },
            ResolveYaml(lib, ["tdmpc2", "dmc", "size5", "size1"]).Get<TdMpc2Config>("agent") with { });
        Assert.Equal(TdMpc2Config.TdMpc, ResolveYaml(lib, ["tdmpc2", "dmc", "tdmpc"]).Get<TdMpc2Config>("agent") with { });
        Assert.Equal(TdMpc2Config.Dmc with { TaskDim = 64 },
            ResolveYaml(lib, [.. TdMpc2Agent.DefaultPresets("mt-cartpole-reacher")]).Get<TdMpc2Config>("agent") with { });
    }

    private sealed class TwoActionCount(string id) : EnvWrapper(new CountEnv(id, actionSize: 2));

    [Fact]
    public void One_model_trains_on_a_multi_task_env()
    {
        EnvRegistry.Register(new EnvSpec("test-count-a2", id => new TwoActionCount(id), 50, (1, 1), "+1", "test", Suite: "test"), replace: true);
        EnvRegistry.Register(MultiTaskEnv.Spec("test-mt-pendulum-count", "pendulum", "test-count-a2"), replace: true);
        string dir = NewDir();
        var agent = new TdMpc2Agent(Context("test-mt-pendulum-count", Debug("test-mt-pendulum-count")));
        Assert.Equal(2, agent.Learner.Model.NumTasks);
        Assert.Equal([0.975f, 0.95f], agent.Learner.Discounts);              // each task's episode length
        var d = Run(dir, "test-mt-pendulum-count", agent, Options(300));
        Assert.Equal(220, d.Counters.Updates);
        Assert.Contains(File.ReadAllLines(Path.Combine(dir, RunLogger.ScoresFile)), l => l.StartsWith("train,") && l.EndsWith(",50"));   // count episodes ran
        // Pendulum rows act on the first dimension only: the padded one is masked to 0.
        using var env = VectorEnv.Make("test-mt-pendulum-count", 1);
        var obs = env.Reset(0);                                              // seed 0: task 0 (pendulum)
        Assert.Equal([1f, 0f], obs.Floats("task"));
        var a = new float[2];
        agent.Policy(agent.InitPolicy(1), obs, [true], PolicyMode.Explore, a);
        Assert.Equal(0f, a[1]);
    }
}

// TdMpc2LearningTests: a small TD-MPC2 learns a reaching task within seconds, well above the random policy.
using Reverie.Agents.TdMpc;
using Reverie.Envs;
using Reverie.Rl.Agents;
using Reverie.Rl.Driver;
using Reverie.Rl.Logging;
using RunDriver = Reverie.Rl.Driver.Driver;

namespace Reverie.Agents.Tests.TdMpc;

public class TdMpc2LearningTests
{
    /// <summary>
    /// A point on [−1, 1] moves by 0.2·a toward a goal drawn at reset; observation (x, goal); reward −|x − goal| per step.
    /// 25 steps per episode (the registry's limit). A uniformly random policy scores about −17 (E|x − goal| = 2/3 per step); reaching the goal in the
    /// first few steps and staying scores above −5.
    /// </summary>
    private sealed class Reach(string id) : EnvBase(id, new DictSpace(("state", new BoxSpace([-1f, -1f], [1f, 1f]))), new BoxSpace(-1f, 1f, 1))
    {
        private float _x, _goal;

        protected override void ResetCore()
        {
            _x = (float)Rng.Uniform(-1, 1);
            _goal = (float)Rng.Uniform(-1, 1);
            Obs.State[0] = _x; Obs.State[1] = _goal;
        }

        protected override (float Reward, bool Terminated) StepCore(ReadOnlySpan<float> action)
        {
            _x = Math.Clamp(_x + 0.2f * action[0], -1f, 1f);
            Obs.State[0] = _x;
            return (-Math.Abs(_x - _goal), false);
        }
    }

    [Fact]
    public void Learns_to_reach_a_goal_well_above_random()
    {
        EnvRegistry.Register(new EnvSpec("test-reach", id => new Reach(id), 25, (-2, 0), "−|x − goal|", "test", Suite: "test"), replace: true);
        var settings = new Dictionary<string, string>
        {
            ["run.env"] = "test-reach", ["run.batch_length"] = "4", ["agent.enc_dim"] = "32", ["agent.mlp_dim"] = "32", ["agent.latent_dim"] = "16",
            ["agent.num_q"] = "2", ["agent.iterations"] = "3", ["agent.num_samples"] = "64", ["agent.num_elites"] = "8", ["agent.num_pi_trajs"] = "4",
            ["agent.lr"] = "1e-3",
        };
        using var probe = VectorEnv.Make("test-reach", 1);
        var agent = new TdMpc2Agent(new AgentContext(probe.ObservationSpace, probe.ActionSpace, 1, 3, settings));
        var options = new DriverOptions
        {
            Steps = 1500, Envs = 1, TrainRatio = 128, BatchSize = 32, BatchLength = 4, Prefill = 250, Pretrain = 100, ReplayCapacity = 10_000,
            ReplayChunk = 256, EvalEvery = 1500, EvalEpisodes = 10, EvalVideo = false, LogEvery = 500, ReportEvery = 0, CheckpointEvery = 1500, Seed = 3,
        };
        string dir = Directory.CreateTempSubdirectory("reverie-tdmpc2-learn").FullName;
        using var env = VectorEnv.Make("test-reach", 1);
        using var evalEnv = EnvRegistry.Make("test-reach");
        using (var d = new RunDriver(dir, agent, env, evalEnv, options, new ConsoleView(options.Steps, quiet: true, TextWriter.Null), tensorBoard: false))
            Assert.Equal(RunOutcome.Completed, d.Run());
        var evals = File.ReadAllLines(Path.Combine(dir, RunLogger.ScoresFile)).Where(l => l.StartsWith("eval,")).Select(l => double.Parse(l.Split(',')[2], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(10, evals.Count);
        Assert.True(evals.Average() > -6, $"mean eval return {evals.Average():F2} (random ≈ −17): {string.Join(", ", evals.Select(e => e.ToString("F1")))}");
    }
}

// LearningTests: PPO learns CartPole well above random within seconds; SAC's whole loop runs on Pendulum.
using System.Diagnostics;
using Reverie.Agents.ModelFree;

namespace Reverie.Agents.Tests.ModelFree;

public class LearningTests
{
    // A uniformly random CartPole policy averages about 22 steps. The run takes ~6 s of CPU; the wall-clock
    // bound is loose because the test machines are shared.
    [Fact]
    public void Ppo_learns_cartpole_well_above_random()
    {
        var sw = Stopwatch.StartNew();
        var cfg = new PpoConfig { TotalSteps = 40_960 };
        var r = ModelFreeRuns.Ppo(cfg, new RunOptions("cartpole", Seed: 1, cfg.TotalSteps, EvalEvery: 1_000_000, EvalEpisodes: 10));
        Assert.True(r.Curve[^1].TrainReturn > 100, $"training return {r.Curve[^1].TrainReturn:F1} after {r.EnvSteps} steps");
        Assert.True(r.FinalReturn > 300, $"deterministic eval return {r.FinalReturn:F1} after {r.EnvSteps} steps");
        Assert.True(sw.Elapsed.TotalSeconds < 120, $"took {sw.Elapsed.TotalSeconds:F1}s");
    }

    [Fact]
    public void Sac_runs_end_to_end_on_pendulum()
    {
        var cfg = new SacConfig { Hidden = [32, 32], BatchSize = 32, LearningStarts = 100, TotalSteps = 300 };
        var csv = Path.Combine(Path.GetTempPath(), $"reverie-sac-{Guid.NewGuid():N}.csv");
        try
        {
            var r = ModelFreeRuns.Sac(cfg, new RunOptions("pendulum", Seed: 1, cfg.TotalSteps, EvalEvery: 200, EvalEpisodes: 2, CsvPath: csv));
            Assert.Equal(300, r.EnvSteps);
            Assert.Equal(200, r.GradientSteps);                      // one update after every step once more than 100 are stored
            Assert.Equal([0L, 200L, 300L], r.Curve.Select(p => p.EnvSteps).ToArray());
            Assert.All(r.Curve, p => Assert.InRange(p.EvalReturn, -16.3 * 200, 0));
            var lines = File.ReadAllLines(csv);
            Assert.Equal("env_steps,eval_return,eval_std,train_return,seconds", lines[0]);
            Assert.Equal(4, lines.Length);
        }
        finally { File.Delete(csv); }
    }
}

// DriverTests: the run loop on the count env: step order, resets, the train ratio, replay contents, logs, save/load totals, interrupts.
using Reverie.Envs;
using Reverie.Rl.Driver;
using Reverie.Rl.Logging;
using RunDriver = Reverie.Rl.Driver.Driver;

namespace Reverie.Rl.Tests.Driver;

public class DriverTests
{
    private static readonly DriverOptions Options = new()
    {
        Steps = 1000, Envs = 2, TrainRatio = 16, BatchSize = 4, BatchLength = 8, Prefill = 100,
        ReplayCapacity = 100_000, ReplayChunk = 64, EvalEvery = 500, EvalEpisodes = 1, LogEvery = 100,
        ReportEvery = 500, CheckpointEvery = 200, Seed = 3,
    };

    private static string NewDir() => Directory.CreateTempSubdirectory("reverie-driver").FullName;

    private static (RunOutcome, RunDriver, CheckingAgent) Run(string dir, DriverOptions options, CancellationToken stop = default, Action<RunDriver>? setup = null)
    {
        var agent = new CheckingAgent();
        using var env = VectorEnv.Make("count", options.Envs);
        using var evalEnv = EnvRegistry.Make("count");
        var driver = new RunDriver(dir, agent, env, evalEnv, options, new ConsoleView(options.Steps, quiet: true, TextWriter.Null), tensorBoard: false);
        setup?.Invoke(driver);
        var outcome = driver.Run(stop);
        driver.Dispose();
        return (outcome, driver, agent);
    }

    [Fact]
    public void LoopStepsTrainsByTheRatioAndLogs()
    {
        string dir = NewDir();
        var (outcome, d, agent) = Run(dir, Options);
        Assert.Equal(RunOutcome.Completed, outcome);
        Assert.Equal(1000, d.Counters.EnvSteps);
        Assert.Equal((1000 - 100) / 2 * 2, agent.PolicyRows);          // the agent acts after the prefill only
        Assert.Equal(10, d.Counters.Episodes);                          // 2 envs x 500 steps / 100 per episode
        Assert.Equal(1000 + 10, d.Replay.Count);                        // every step plus each episode's last step
        Assert.Equal(agent.TrainCalls, d.Counters.Updates);
        double ratio = d.Counters.Updates * 4.0 * 8 / (1000 - 100);     // replayed steps per env step after the prefill
        Assert.InRange(ratio, 15.5, 16.5);
        var scores = File.ReadAllLines(Path.Combine(dir, RunLogger.ScoresFile)).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(10, scores.Count(c => c[0] == "train"));
        Assert.All(scores.Where(c => c[0] == "train"), c => Assert.Equal(("100", "100"), (c[2], c[3])));
        Assert.Equal(["500", "1000"], scores.Where(c => c[0] == "eval").Select(c => c[1]));
        var metrics = File.ReadAllLines(Path.Combine(dir, RunLogger.MetricsFile));
        Assert.Equal(10, metrics.Count(l => l.Contains("\"train_ratio\": 16")));
        Assert.True(File.Exists(Path.Combine(dir, "videos", "eval_500.gif")));
        Assert.True(File.Exists(Path.Combine(dir, "videos", "check_1000.gif")));   // agent media
    }

    [Fact]
    public void PretrainAddsUpdatesOnceAtTheFirstTrainingStep()
    {
        var (_, plain, _) = Run(NewDir(), Options);
        var (_, pre, agent) = Run(NewDir(), Options with { Pretrain = 25 });
        Assert.Equal(plain.Counters.Updates + 25, pre.Counters.Updates);
        Assert.Equal(agent.TrainCalls, pre.Counters.Updates);
        string dir = NewDir();                                          // a resumed run does not pretrain again
        Run(dir, Options with { Steps = 600, Pretrain = 25 });
        var (_, resumed, _) = Run(dir, Options with { Pretrain = 25 });
        Assert.Equal(pre.Counters.Updates, resumed.Counters.Updates);
    }

    // Ctrl-C inside the pretraining stops after the current update (not after all of them); the checkpoint keeps the
    // updates still owed and the step's tail, and the resumed run does them before anything else, on the same batches as
    // an uninterrupted run. (Later batches differ, as after any resume: the envs restart their episodes.) The first
    // training step here is step 500, where the report (which samples the replay too) and an evaluation are due.
    [Fact]
    public void InterruptInsideThePretrainingStopsSoonAndResumesExactly()
    {
        var pre = Options with { Pretrain = 40, Prefill = 498 };
        var firstStep = pre with { Steps = 500 };                        // ends with the first training step
        string CutAt10(DriverOptions options)
        {
            string dir = NewDir();
            using var stop = new CancellationTokenSource();
            var cut = new CheckingAgent();
            cut.Trained += n => { if (n == 10) stop.Cancel(); };
            var (outcome, d) = RunWith(dir, cut, options, stop.Token);
            Assert.Equal(RunOutcome.Interrupted, outcome);
            Assert.Equal((10, 500), (d.Counters.Updates, d.Counters.EnvSteps));   // inside the 40 + due updates
            Assert.DoesNotContain(File.ReadAllLines(Path.Combine(dir, RunLogger.ScoresFile)), l => l.StartsWith("eval,"));   // tail owed
            return dir;
        }

        var (_, one, oneAgent) = Run(NewDir(), firstStep);
        string cutDir = CutAt10(firstStep);
        var (outcome, resumed, resumedAgent) = Run(cutDir, firstStep);
        Assert.Equal(RunOutcome.Completed, outcome);
        Assert.Equal(one.Counters.Updates, resumed.Counters.Updates);
        Assert.Equal(oneAgent.Digest, resumedAgent.Digest);             // the same batches in the same order
        Assert.Equal(["500"], File.ReadAllLines(Path.Combine(cutDir, RunLogger.ScoresFile)).Where(l => l.StartsWith("eval,")).Select(l => l.Split(',')[1]));
        Assert.True(File.Exists(Path.Combine(cutDir, "videos", "check_500.gif")));   // the step's report ran after the updates

        var (_, whole, _) = Run(NewDir(), pre);                          // resumed with steps left
        var (_, longer, _) = Run(CutAt10(pre), pre);
        Assert.Equal(whole.Counters.Updates, longer.Counters.Updates);
        Assert.Equal(whole.Counters.EnvSteps, longer.Counters.EnvSteps);
    }

    private static (RunOutcome, RunDriver) RunWith(string dir, CheckingAgent agent, DriverOptions options, CancellationToken stop = default)
    {
        using var env = VectorEnv.Make("count", options.Envs);
        using var evalEnv = EnvRegistry.Make("count");
        var driver = new RunDriver(dir, agent, env, evalEnv, options, new ConsoleView(options.Steps, quiet: true, TextWriter.Null), tensorBoard: false);
        var outcome = driver.Run(stop);
        driver.Dispose();
        return (outcome, driver);
    }

    private static void CopyDir(string from, string to)
    {
        foreach (var d in Directory.GetDirectories(from, "*", SearchOption.AllDirectories)) Directory.CreateDirectory(d.Replace(from, to));
        foreach (var f in Directory.GetFiles(from, "*", SearchOption.AllDirectories)) File.Copy(f, f.Replace(from, to));
    }

    // run.checkpoint_minutes also holds inside a long pretraining: the checkpoint then records the updates still owed,
    // and a process killed after it resumes from there exactly.
    [Fact]
    public void AWallClockCheckpointInsideThePretrainingResumesExactly()
    {
        var options = Options with { Pretrain = 40, Steps = 102, CheckpointEvery = 0, CheckpointMinutes = 2.0 / 60 };   // 2 s
        string dir = NewDir(), crashed = NewDir();
        var agent = new CheckingAgent();
        long owed = -1;
        agent.Trained += n =>
        {
            if (n == 5) Thread.Sleep(2100);                          // the 5th update ends past 2 s: a save follows it
            if (n != 6) return;
            owed = (long)Reverie.Rl.Checkpoints.Checkpoint.Load(dir)!.Extra["driver.pending_updates"]!;
            CopyDir(dir, crashed);                                       // what a process killed here leaves
        };
        RunWith(dir, agent, options);
        var (_, plain, plainAgent) = Run(NewDir(), options with { CheckpointMinutes = 0 });
        Assert.Equal(40 + 1 - 5, owed);                                  // 40 pretraining + the step's 1 due update, 5 done
        var (outcome, resumed, resumedAgent) = Run(crashed, options with { CheckpointMinutes = 0 });
        Assert.Equal(RunOutcome.Completed, outcome);
        Assert.Equal(plain.Counters.Updates, resumed.Counters.Updates);
        Assert.Equal(plainAgent.Digest, resumedAgent.Digest);
    }

    [Fact]
    public void ResumeContinuesCountersAndMatchesAnUninterruptedRun()
    {
        var (_, whole, wholeAgent) = Run(NewDir(), Options);
        string dir = NewDir();
        var (first, half, _) = Run(dir, Options with { Steps = 600 });
        Assert.Equal(RunOutcome.Completed, first);
        Assert.Equal(600, half.Counters.EnvSteps);
        var (second, resumed, agent) = Run(dir, Options);
        Assert.True(resumed.Resumed);
        Assert.Equal(1000, resumed.Counters.EnvSteps);
        Assert.Equal(whole.Counters.Updates, resumed.Counters.Updates);
        Assert.Equal(wholeAgent.PolicyRows, agent.PolicyRows);          // loaded totals continue
        Assert.Equal(wholeAgent.TrainCalls, agent.TrainCalls);
        Assert.Equal(whole.Counters.Episodes, resumed.Counters.Episodes);
        Assert.Equal(whole.Replay.Count, resumed.Replay.Count);
        Assert.Equal(RunOutcome.Completed, second);
    }

    [Fact]
    public void InterruptFinishesTheStepAndCheckpoints()
    {
        string dir = NewDir();
        using var stop = new CancellationTokenSource();
        var (outcome, d, _) = Run(dir, Options, stop.Token, driver => driver.Stepped += s => { if (s == 350) stop.Cancel(); });
        Assert.Equal(RunOutcome.Interrupted, outcome);
        Assert.Equal(350, d.Counters.EnvSteps);
        var loaded = Reverie.Rl.Checkpoints.Checkpoint.Load(dir)!;
        Assert.Equal(350, loaded.Counters.EnvSteps);
        Assert.Equal(d.Counters.Updates, loaded.Counters.Updates);
    }

    [Fact]
    public void AWallClockCheckpointIsWrittenAfterCheckpointMinutesWithoutChangingTheRun()
    {
        string dir = NewDir();
        long savedAt = -1;
        var timed = Options with { CheckpointEvery = 0, CheckpointMinutes = 2.0 / 60 };   // 2 s, no step-based saves
        var (_, d, agent) = Run(dir, timed, setup: driver => driver.Stepped += s =>
        {
            if (s == 300) Thread.Sleep(2100);                                            // the next step is past 2 s
            if (s == 302) savedAt = Reverie.Rl.Checkpoints.Checkpoint.Load(dir)!.Counters.EnvSteps;
        });
        Assert.Equal(302, savedAt);
        var (_, plain, plainAgent) = Run(NewDir(), Options with { CheckpointEvery = 0 });
        Assert.Equal(plain.Counters.Updates, d.Counters.Updates);
        Assert.Equal(plainAgent.PolicyRows, agent.PolicyRows);
        Assert.Equal(plain.Replay.Count, d.Replay.Count);
        var e = Assert.Throws<ArgumentException>(() => (Options with { CheckpointMinutes = double.NaN }).Validate());
        Assert.Contains("run.checkpoint_minutes", e.Message);
    }

    [Fact]
    public void TrainRatioHandsOutFractionalUpdates()
    {
        var r = new TrainRatio(trainRatio: 8, batchSize: 4, batchLength: 8);   // 0.25 updates per env step
        Assert.Equal(0, new TrainRatio(0, 4, 8).Due(100));
        Assert.Equal(1, r.Due(0));
        long total = 1;
        for (long s = 1; s <= 1000; s++) total += r.Due(s);
        Assert.Equal(1 + 250, total);
        var copy = new TrainRatio(8, 4, 8);
        copy.Restore(r.State);
        Assert.Equal(r.Due(1004), copy.Due(1004));
    }

    [Fact]
    public void OptionsAreValidatedByConfigName()
    {
        var e = Assert.Throws<ArgumentException>(() => (Options with { BatchLength = 0 }).Validate());
        Assert.Contains("run.batch_length", e.Message);
    }
}

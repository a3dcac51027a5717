// DriverOptions: the run loop's settings (steps, train ratio, batch shape, prefill, eval/log/checkpoint periods).
namespace Reverie.Rl.Driver;

/// <summary>
/// Settings of the run loop. Periods are in env steps (agent steps summed over the parallel envs);
/// a period of 0 disables that activity (except that a checkpoint is always written at exit).
/// </summary>
public sealed record DriverOptions
{
    /// <summary>Env steps to reach; a resumed run continues up to the same total.</summary>
    public long Steps { get; init; } = 100_000;

    /// <summary>Envs stepped in parallel.</summary>
    public int Envs { get; init; } = 1;

    /// <summary>Replayed steps per env step (DreamerV3's <c>train_ratio</c>); 0 disables training.</summary>
    public double TrainRatio { get; init; } = 32;

    /// <summary>Sequences per training batch.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Steps per sequence in a training batch.</summary>
    public int BatchLength { get; init; } = 64;

    /// <summary>Env steps taken with uniform random actions before the agent acts and trains.</summary>
    public long Prefill { get; init; } = 2500;

    /// <summary>Extra updates at the first training step after the prefill (TD-MPC2's pretraining on the seed data).</summary>
    public long Pretrain { get; init; }

    /// <summary>Steps the replay keeps.</summary>
    public int ReplayCapacity { get; init; } = 1_000_000;

    /// <summary>Steps per replay chunk (file).</summary>
    public int ReplayChunk { get; init; } = 1024;

    /// <summary>Period of evaluation (0: never).</summary>
    public long EvalEvery { get; init; } = 10_000;

    /// <summary>Episodes per evaluation.</summary>
    public int EvalEpisodes { get; init; } = 1;

    /// <summary>Record the first evaluation episode as <c>videos/eval_{step}.gif</c> when the env renders.</summary>
    public bool EvalVideo { get; init; } = true;

    /// <summary>Period of metrics rows in <c>metrics.jsonl</c>.</summary>
    public long LogEvery { get; init; } = 1000;

    /// <summary>Period of <see cref="Agents.IAgent.Report"/> calls (0: never).</summary>
    public long ReportEvery { get; init; } = 10_000;

    /// <summary>Period of checkpoints (0: only at exit).</summary>
    public long CheckpointEvery { get; init; } = 10_000;

    /// <summary>
    /// Wall-clock minutes after which a checkpoint is also written (0: off), so a slow run (a model-based agent on a
    /// CPU can take hours per 10k steps) loses at most this much when it is killed.
    /// </summary>
    public double CheckpointMinutes { get; init; }

    /// <summary>The run's seed: envs, replay sampling, prefill actions and the agent derive from it.</summary>
    public ulong Seed { get; init; }

    /// <summary>The driver's settings from the config's <c>run</c> section (reports come with evaluations).</summary>
    public static DriverOptions From(Config.RunConfig run) => new()
    {
        Steps = run.Steps, Envs = run.Envs, TrainRatio = run.TrainRatio, BatchSize = run.BatchSize,
        BatchLength = run.BatchLength, Prefill = run.Prefill, Pretrain = run.Pretrain, ReplayCapacity = run.ReplayCapacity,
        ReplayChunk = run.ReplayChunk, EvalEvery = run.EvalEvery, EvalEpisodes = run.EvalEpisodes,
        LogEvery = run.LogEvery, ReportEvery = run.EvalEvery, CheckpointEvery = run.CheckpointEvery,
        CheckpointMinutes = run.CheckpointMinutes, Seed = run.Seed,
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting (config names).</summary>
    public void Validate()
    {
        static void Check(bool ok, string message) { if (!ok) throw new ArgumentException(message); }
        Check(Steps >= 0, $"run.steps must be >= 0, got {Steps}");
        Check(Envs >= 1, $"run.envs must be >= 1, got {Envs}");
        Check(TrainRatio >= 0 && double.IsFinite(TrainRatio), $"run.train_ratio must be finite and >= 0, got {TrainRatio}");
        Check(BatchSize >= 1, $"run.batch_size must be >= 1, got {BatchSize}");
        Check(BatchLength >= 1, $"run.batch_length must be >= 1, got {BatchLength}");
        Check(Prefill >= 0, $"run.prefill must be >= 0, got {Prefill}");
        Check(Pretrain >= 0, $"run.pretrain must be >= 0, got {Pretrain}");
        Check(ReplayCapacity >= 1, $"run.replay_capacity must be >= 1, got {ReplayCapacity}");
        Check(ReplayChunk >= 1, $"run.replay_chunk must be >= 1, got {ReplayChunk}");
        Check(CheckpointMinutes >= 0 && double.IsFinite(CheckpointMinutes), $"run.checkpoint_minutes must be finite and >= 0, got {CheckpointMinutes}");
        Check(EvalEvery >= 0 && LogEvery >= 0 && ReportEvery >= 0 && CheckpointEvery >= 0,
            "run.eval_every, run.log_every, run.report_every and run.checkpoint_every must be >= 0");
        Check(EvalEpisodes >= 0, $"run.eval_episodes must be >= 0, got {EvalEpisodes}");
    }
}

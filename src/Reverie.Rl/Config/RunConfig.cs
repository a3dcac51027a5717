// RunConfig: the algorithm-neutral settings of a run (steps, envs, train ratio, batch, logging, checkpoints, replay).
namespace Reverie.Rl.Config;

/// <summary>
/// The <c>run</c> section of a config: how long to run, how often to train, log, evaluate and checkpoint. Step
/// counts are agent steps summed over parallel envs (one action each; an action repeat makes the simulator take
/// more). Keys are the snake_case property names (<c>run.train_ratio</c>).
/// </summary>
public sealed record RunConfig : IConfigValidation
{
    /// <summary>Registered env id (see <c>reverie envs</c>).</summary>
    public string Env { get; init; } = "pendulum";

    /// <summary>Total env steps to run.</summary>
    public long Steps { get; init; } = 100_000;

    /// <summary>Seed of every RNG in the run (envs, agent, replay sampling).</summary>
    public ulong Seed { get; init; } = 0;

    /// <summary>Parallel envs (each env step adds one step per env).</summary>
    public int Envs { get; init; } = 1;

    /// <summary>Replayed steps per env step (DreamerV3's unit): an update of batch_size × batch_length every
    /// batch_size × batch_length / train_ratio env steps.</summary>
    public double TrainRatio { get; init; } = 512;

    /// <summary>Sequences per training batch.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Steps per training sequence.</summary>
    public int BatchLength { get; init; } = 64;

    /// <summary>Env steps with the random policy before training starts.</summary>
    public long Prefill { get; init; } = 5000;

    /// <summary>Extra updates at the first training step after the prefill (TD-MPC2's pretraining on seed data; 0: none).</summary>
    public long Pretrain { get; init; }

    /// <summary>Env steps between metrics rows.</summary>
    public long LogEvery { get; init; } = 1000;

    /// <summary>Env steps between checkpoints (one is also written at exit).</summary>
    public long CheckpointEvery { get; init; } = 10_000;

    /// <summary>Wall-clock minutes after which a checkpoint is also written, whatever the step (0: off).</summary>
    public double CheckpointMinutes { get; init; } = 15;

    /// <summary>Env steps between evaluations (0: no evaluation).</summary>
    public long EvalEvery { get; init; } = 10_000;

    /// <summary>Episodes per evaluation.</summary>
    public int EvalEpisodes { get; init; } = 5;

    /// <summary>Replay capacity in steps.</summary>
    public int ReplayCapacity { get; init; } = 1_000_000;

    /// <summary>Steps per replay chunk (and chunk file).</summary>
    public int ReplayChunk { get; init; } = 1024;

    /// <summary>Parent directory of run directories.</summary>
    public string Logdir { get; init; } = "runs";

    /// <summary>Plain log lines instead of the live console view.</summary>
    public bool Quiet { get; init; }

    /// <summary>Write TensorBoard event files.</summary>
    public bool Tensorboard { get; init; } = true;

    /// <summary>Add a rendered <c>image</c> observation (pixels) to every step.</summary>
    public bool Pixels { get; init; }

    /// <summary>Side of the square <c>image</c> in pixels (with <see cref="Pixels"/>).</summary>
    public int ImageSize { get; init; } = 64;

    /// <summary>With <see cref="Pixels"/>, keep the <c>state</c> vector too (false: learn from pixels only).</summary>
    public bool KeepState { get; init; } = true;

    /// <summary>Physics steps per agent step; 0 keeps the env's default (2 for the DMC-style ids, 1 otherwise).</summary>
    public int ActionRepeat { get; init; }

    /// <summary>Threads a matrix multiply may use; 0 = all cores. Several runs side by side: 1 each.</summary>
    public int Threads { get; init; }

    /// <summary>The env options these settings ask for (pixels, image size, state kept, action repeat).</summary>
    public Reverie.Envs.EnvOptions ToEnvOptions() => new()
    {
        Pixels = Pixels, ImageSize = ImageSize, KeepState = KeepState, ActionRepeat = ActionRepeat > 0 ? ActionRepeat : null,
    };

    /// <inheritdoc/>
    public IEnumerable<(string Key, string Problem)> Validate()
    {
        if (string.IsNullOrWhiteSpace(Env)) yield return ("env", "must name an env");
        if (Steps < 0) yield return ("steps", $"must be at least 0, got {Steps}");
        if (Envs < 1) yield return ("envs", $"must be at least 1, got {Envs}");
        if (!(TrainRatio >= 0) || double.IsInfinity(TrainRatio)) yield return ("train_ratio", $"must be a finite number >= 0, got {TrainRatio}");
        if (BatchSize < 1) yield return ("batch_size", $"must be at least 1, got {BatchSize}");
        if (BatchLength < 1) yield return ("batch_length", $"must be at least 1, got {BatchLength}");
        if (Prefill < 0) yield return ("prefill", $"must be at least 0, got {Prefill}");
        if (Pretrain < 0) yield return ("pretrain", $"must be at least 0, got {Pretrain}");
        if (LogEvery < 1) yield return ("log_every", $"must be at least 1, got {LogEvery}");
        if (CheckpointEvery < 1) yield return ("checkpoint_every", $"must be at least 1, got {CheckpointEvery}");
        if (!(CheckpointMinutes >= 0) || double.IsInfinity(CheckpointMinutes)) yield return ("checkpoint_minutes", $"must be a finite number >= 0 (0: off), got {CheckpointMinutes}");
        if (EvalEvery < 0) yield return ("eval_every", $"must be at least 0, got {EvalEvery}");
        if (EvalEpisodes < 0) yield return ("eval_episodes", $"must be at least 0, got {EvalEpisodes}");
        if (ImageSize is < 8 or > 1024) yield return ("image_size", $"must be in [8, 1024], got {ImageSize}");
        if (Threads < 0) yield return ("threads", $"must be at least 0 (0: all cores), got {Threads}");
        if (ActionRepeat < 0) yield return ("action_repeat", $"must be at least 0 (0: the env's default), got {ActionRepeat}");
        if (ReplayChunk < 1) yield return ("replay_chunk", $"must be at least 1, got {ReplayChunk}");
        if (ReplayCapacity < BatchLength) yield return ("replay_capacity", $"must hold at least one sequence (batch_length {BatchLength}), got {ReplayCapacity}");
    }
}

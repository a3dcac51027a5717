// CheckpointContent and RunCounters: everything a run saves to resume exactly where it stopped.
using System.Text.Json.Nodes;
using Reverie.Rl.Replay;
using Reverie.Tensors;

namespace Reverie.Rl.Checkpoints;

/// <summary>The run's progress counters, saved in <c>state.json</c>.</summary>
public sealed class RunCounters
{
    /// <summary>Agent steps taken (one action each, summed over parallel envs; an action repeat makes the simulator take more).</summary>
    public long EnvSteps { get; set; }

    /// <summary>Gradient updates done.</summary>
    public long Updates { get; set; }

    /// <summary>Training episodes finished.</summary>
    public long Episodes { get; set; }

    /// <summary>Wall-clock seconds spent in the run so far, over all sessions.</summary>
    public double ElapsedSeconds { get; set; }
}

/// <summary>
/// What <see cref="Checkpoint.Save"/> writes and <see cref="Checkpoint.Load"/> returns. Every part is optional
/// (empty dictionaries and a null replay are fine).
/// </summary>
public sealed class CheckpointContent
{
    /// <summary>Named weight tensors (e.g. <c>Module.StateDict()</c>), saved to <c>weights.safetensors</c>.</summary>
    public Dictionary<string, Tensor> Weights { get; init; } = [];

    /// <summary>Optimizer state (e.g. <c>Optimizer.StateDict(prefix)</c> of each optimizer, merged), saved to <c>optimizer.safetensors</c>.</summary>
    public Dictionary<string, Tensor> Optimizer { get; init; } = [];

    /// <summary>Progress counters.</summary>
    public RunCounters Counters { get; init; } = new();

    /// <summary>Every RNG the run uses, by name, as <see cref="Rng.GetState"/> words (restore with <see cref="Rng.SetState"/>).</summary>
    public Dictionary<string, ulong[]> RngStates { get; init; } = [];

    /// <summary>Anything else the driver or agent wants back (any JSON), saved under <c>"extra"</c> in <c>state.json</c>.</summary>
    public JsonObject Extra { get; init; } = [];

    /// <summary>The replay buffer; its chunks go to <c>&lt;runDir&gt;/replay/</c> and its index into the checkpoint.</summary>
    public ReplayBuffer? Replay { get; set; }
}

// Checkpoint: atomic save/load of weights, optimizer state, counters, RNG states and replay in a run directory.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reverie.Rl.Replay;
using Reverie.Tensors.IO;

namespace Reverie.Rl.Checkpoints;

/// <summary>
/// Saves and loads a run's checkpoint, atomically: a crash at any moment leaves the previous checkpoint loadable.
/// </summary>
/// <remarks>
/// <para><b>Layout</b> (in the run directory): <c>checkpoint/</c> holds <c>weights.safetensors</c>,
/// <c>optimizer.safetensors</c>, <c>state.json</c> (counters, RNG states, extra), <c>replay.json</c> (the replay
/// index) and the marker <c>complete</c>, written last. Replay chunks live in <c>replay/</c> beside it and are
/// written incrementally (unchanged chunks are never rewritten); chunk files the committed index no longer lists
/// are deleted only after the new checkpoint is in place.</para>
/// <para><b>Protocol.</b> Save writes everything into <c>checkpoint.tmp-&lt;n&gt;/</c>, then renames
/// <c>checkpoint/</c> to <c>checkpoint.old/</c>, the new directory to <c>checkpoint/</c>, and deletes
/// <c>checkpoint.old/</c>. Load uses <c>checkpoint/</c> if its marker exists, otherwise recovers
/// <c>checkpoint.old/</c>, and removes leftover temporary directories.</para>
/// </remarks>
public static class Checkpoint
{
    /// <summary>Directory and file names.</summary>
    public const string DirName = "checkpoint", OldDirName = "checkpoint.old", ReplayDirName = "replay",
        WeightsFile = "weights.safetensors", OptimizerFile = "optimizer.safetensors", StateFile = "state.json",
        ReplayIndexFile = "replay.json", CompleteFile = "complete";

    /// <summary>
    /// Test hook: called with a stage name during <see cref="Save"/> (throw from it to simulate a crash).
    /// Thread-local, so a test that sets it cannot crash checkpoints of other tests running in parallel
    /// (that happened: a Driver test in another class failed with the "simulated crash").
    /// </summary>
    [ThreadStatic] internal static Action<string>? FaultHook;

    /// <summary>True when <paramref name="runDir"/> holds a loadable (complete or recoverable) checkpoint.</summary>
    public static bool Exists(string runDir) =>
        File.Exists(Path.Combine(runDir, DirName, CompleteFile)) || File.Exists(Path.Combine(runDir, OldDirName, CompleteFile));

    /// <summary>Writes a checkpoint of <paramref name="content"/> into <paramref name="runDir"/> (created if needed), atomically.</summary>
    public static void Save(string runDir, CheckpointContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        Directory.CreateDirectory(runDir);
        string dir = Path.Combine(runDir, DirName), old = Path.Combine(runDir, OldDirName);
        int n = 0;
        string tmp;
        while (Directory.Exists(tmp = Path.Combine(runDir, $"{DirName}.tmp-{n}"))) n++;
        Directory.CreateDirectory(tmp);

        SafeTensors.Save(Path.Combine(tmp, WeightsFile), content.Weights);
        FaultHook?.Invoke("weights");
        SafeTensors.Save(Path.Combine(tmp, OptimizerFile), content.Optimizer);
        FaultHook?.Invoke("optimizer");
        JsonObject? index = null;
        string replayDir = Path.Combine(runDir, ReplayDirName);
        if (content.Replay is { } replay)
        {
            index = replay.WriteChunks(replayDir);
            ReplayBuffer.WriteIndex(Path.Combine(tmp, ReplayIndexFile), index);
        }
        FaultHook?.Invoke("replay");
        ReplayBuffer.WriteTextAtomic(Path.Combine(tmp, StateFile), StateJson(content).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        FaultHook?.Invoke("state");
        ReplayBuffer.WriteTextAtomic(Path.Combine(tmp, CompleteFile),
            $"env_steps {content.Counters.EnvSteps.ToString(CultureInfo.InvariantCulture)}\n");

        // Two-step swap: at every instant either checkpoint/ or checkpoint.old/ is complete.
        bool dirComplete = File.Exists(Path.Combine(dir, CompleteFile));
        if (Directory.Exists(old) && dirComplete) Directory.Delete(old, recursive: true);
        if (Directory.Exists(dir))
        {
            if (dirComplete) Directory.Move(dir, old);
            else Directory.Delete(dir, recursive: true);   // incomplete; checkpoint.old (if any) stays the fallback
        }
        FaultHook?.Invoke("swap");
        Directory.Move(tmp, dir);
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);

        if (index is not null)
        {
            ReplayBuffer.WriteIndex(Path.Combine(replayDir, ReplayBuffer.IndexFileName), index);
            ReplayBuffer.Prune(replayDir, index);
        }
    }

    /// <summary>
    /// Loads the checkpoint of <paramref name="runDir"/>, or returns null when there is none (a fresh run). Recovers
    /// <c>checkpoint.old/</c> when <c>checkpoint/</c> is missing or incomplete, and deletes leftover temporary
    /// directories. Weights and optimizer tensors are GC-owned (they survive scopes); copy them into the model with
    /// <c>LoadStateDict</c>.
    /// </summary>
    /// <exception cref="InvalidDataException">A corrupt or incomplete checkpoint; the message names the file.</exception>
    public static CheckpointContent? Load(string runDir)
    {
        if (!Directory.Exists(runDir)) return null;
        string dir = Path.Combine(runDir, DirName), old = Path.Combine(runDir, OldDirName);
        if (!File.Exists(Path.Combine(dir, CompleteFile)))
        {
            if (File.Exists(Path.Combine(old, CompleteFile)))
            {
                if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
                Directory.Move(old, dir);
            }
            else if (Directory.Exists(dir))
                throw new InvalidDataException($"checkpoint '{dir}' is incomplete (no '{CompleteFile}' marker) and there is no '{OldDirName}' to recover");
            else { DeleteTemporaries(runDir); return null; }
        }
        else if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        DeleteTemporaries(runDir);

        var content = ReadState(Path.Combine(dir, StateFile));
        foreach (var (k, v) in SafeTensors.Load(Need(dir, WeightsFile))) content.Weights[k] = v;
        foreach (var (k, v) in SafeTensors.Load(Need(dir, OptimizerFile))) content.Optimizer[k] = v;
        string indexPath = Path.Combine(dir, ReplayIndexFile);
        if (File.Exists(indexPath))
            content.Replay = ReplayBuffer.LoadFromIndex(Path.Combine(runDir, ReplayDirName), File.ReadAllText(indexPath), indexPath);
        return content;
    }

    private static string Need(string dir, string file)
    {
        string p = Path.Combine(dir, file);
        return File.Exists(p) ? p : throw new InvalidDataException($"checkpoint file '{p}' is missing");
    }

    private static void DeleteTemporaries(string runDir)
    {
        foreach (var d in Directory.EnumerateDirectories(runDir, $"{DirName}.tmp-*")) Directory.Delete(d, recursive: true);
    }

    private static JsonObject StateJson(CheckpointContent c)
    {
        var rngs = new JsonObject();
        foreach (var (name, state) in c.RngStates)
            rngs[name] = new JsonArray(state.Select(w => (JsonNode)w.ToString(CultureInfo.InvariantCulture)).ToArray());
        return new JsonObject
        {
            ["format"] = "reverie-checkpoint", ["version"] = 1,
            ["counters"] = new JsonObject
            {
                ["env_steps"] = c.Counters.EnvSteps, ["updates"] = c.Counters.Updates,
                ["episodes"] = c.Counters.Episodes, ["elapsed_seconds"] = c.Counters.ElapsedSeconds,
            },
            ["rng"] = rngs,
            ["extra"] = c.Extra.DeepClone(),
        };
    }

    private static CheckpointContent ReadState(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"checkpoint file '{path}' is missing");
        try
        {
            var o = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            if ((string?)o["format"] != "reverie-checkpoint") throw new InvalidDataException("format is not 'reverie-checkpoint'");
            var k = o["counters"]!.AsObject();
            var content = new CheckpointContent
            {
                Counters = new RunCounters
                {
                    EnvSteps = (long)k["env_steps"]!, Updates = (long)k["updates"]!,
                    Episodes = (long)k["episodes"]!, ElapsedSeconds = (double)k["elapsed_seconds"]!,
                },
                Extra = o["extra"]?.DeepClone().AsObject() ?? [],
            };
            foreach (var (name, words) in o["rng"]!.AsObject())
                content.RngStates[name] = words!.AsArray().Select(w => ulong.Parse((string)w!, CultureInfo.InvariantCulture)).ToArray();
            return content;
        }
        catch (Exception e) when (e is JsonException or NullReferenceException or InvalidOperationException or FormatException or OverflowException or InvalidDataException)
        {
            throw new InvalidDataException($"checkpoint file '{path}' is corrupt ({e.Message})", e);
        }
    }
}

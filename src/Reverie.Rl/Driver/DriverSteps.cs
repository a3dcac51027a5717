// DriverSteps: the pieces of the run loop (replay records, episode ends, training, logging, reports, evaluation).
using Reverie.Envs;
using Reverie.Rl.Agents;
using Reverie.Rl.Logging;
using Reverie.Rl.Media;
using Reverie.Tensors;

namespace Reverie.Rl.Driver;

public sealed partial class Driver
{
    private void RandomActions()
    {
        int a = _env.ActionSpace.Size;
        for (int i = 0; i < _env.Count; i++) _env.ActionSpace.Sample(_actionRng, _actions.AsSpan(i * a, a));
    }

    // Step t of env i: the observation, the reward that led to it (0 on a first step), its flags and the action chosen at it.
    private void AddSteps(Observation obs)
    {
        int a = _env.ActionSpace.Size;
        for (int i = 0; i < _env.Count; i++)
        {
            var rec = _records[i];
            rec.SetObservation(obs, i);
            rec["reward"] = _env.IsFirst[i] ? 0f : _env.Rewards[i];
            _actions.AsSpan(i * a, a).CopyTo(rec.Floats("action"));
            rec.SetFlags(_env.IsFirst[i], isLast: false, isTerminal: false);
            Replay.Add(i, rec);
        }
    }

    // Envs that ended on this step were reset by the vector env: add their last step (no action) and score the episode.
    private void EndEpisodes()
    {
        for (int i = 0; i < _env.Count; i++)
        {
            _returns[i] += _env.Rewards[i];
            _lengths[i]++;
            if (!_env.IsFirst[i]) continue;
            var rec = _records[i];
            rec.SetObservation(_env.FinalObservations, i);
            rec["reward"] = _env.Rewards[i];
            Array.Clear(rec.Floats("action"));
            rec.SetFlags(isFirst: false, isLast: true, isTerminal: _env.Terminated[i]);
            Replay.Add(i, rec);
            Logger.Score("train", Counters.EnvSteps, _returns[i], _lengths[i]);
            Counters.Episodes++;
            _recentReturns.Enqueue(_returns[i]);
            if (_recentReturns.Count > 10) _recentReturns.Dequeue();
            _returns[i] = 0; _lengths[i] = 0;
        }
    }

    private double? RecentReturn() => _recentReturns.Count == 0 ? null : _recentReturns.Average();

    private void Train(CancellationToken stop)
    {
        if (_ratio.Ratio == 0 || !Replay.CanSample(Options.BatchLength, _agent.TrainAcrossEpisodes)) return;
        bool first = double.IsNaN(_ratio.State);              // a fresh schedule: the first training step of the run
        _pendingUpdates += _ratio.Due(Counters.EnvSteps) + (first ? Options.Pretrain : 0);
        RunPendingUpdates(stop);
    }

    // The updates this env step owes. A stop request ends them early (the pretraining's thousands would otherwise hold
    // Ctrl-C for many minutes); the checkpoint keeps the rest, and a resumed run does them before its next action, on
    // the batches an uninterrupted run would draw. Among many, progress is shown and wall-clock checkpoints are written.
    private void RunPendingUpdates(CancellationToken stop)
    {
        bool cross = _agent.TrainAcrossEpisodes;
        bool many = _pendingUpdates > 1;
        while (_pendingUpdates > 0 && !stop.IsCancellationRequested)
        {
            using (Tensor.Scope())
                Accumulate(_agent.Train(Replay.SampleSequences(Options.BatchSize, Options.BatchLength, _replayRng, cross)));
            _pendingUpdates--;
            if (!many) continue;
            _view?.Update(new ProgressSnapshot(Counters.EnvSteps, Counters.Updates, RecentReturn(), null));
            if (SaveIsDue()) Save();                         // run.checkpoint_minutes holds inside a long pretraining too
        }
    }

    // Counts one update (when there was one) and adds its metrics to the means of the next metrics row.
    private void Accumulate(IReadOnlyDictionary<string, double>? metrics)
    {
        if (metrics == null) return;
        Counters.Updates++;
        foreach (var (k, v) in metrics)
        {
            var (sum, count) = _trainMetrics.GetValueOrDefault(k);
            _trainMetrics[k] = (sum + v, count + 1);
        }
    }

    private void LogMetrics()
    {
        var row = new Dictionary<string, double>
        {
            ["train_ratio"] = Options.TrainRatio,
            ["updates"] = Counters.Updates,
            ["episodes"] = Counters.Episodes,
            ["replay/size"] = Replay.Count,
            ["time/seconds"] = _elapsedBefore + _clock.Elapsed.TotalSeconds,
        };
        if (RecentReturn() is double r) row["episode/recent_return"] = r;
        foreach (var (k, (sum, count)) in _trainMetrics) row[k] = sum / count;
        _trainMetrics.Clear();
        Logger.Log(Counters.EnvSteps, row);
    }

    private void Report()
    {
        if (!Replay.CanSample(Options.BatchLength)) return;
        using var scope = Tensor.Scope();
        var report = _agent.Report(Replay.Sample(Options.BatchSize, Options.BatchLength, _replayRng));
        if (report.Metrics.Count > 0) Logger.Log(Counters.EnvSteps, report.Metrics.Select(kv => KeyValuePair.Create("report/" + kv.Key, kv.Value)));
        foreach (var v in report.Videos) WriteVideo($"{v.Name}_{Counters.EnvSteps}", v.Frames, v.Height, v.Width);
    }

    /// <summary>
    /// Runs <see cref="DriverOptions.EvalEpisodes"/> episodes on the eval env in <see cref="PolicyMode.Evaluate"/>,
    /// records the first as a GIF when the env renders, and logs the scores. Episodes are seeded from the
    /// run's seed and the env step, so an evaluation is reproducible.
    /// </summary>
    public void Evaluate()
    {
        if (_evalEnv == null || Options.EvalEpisodes == 0) return;
        int a = _evalEnv.ActionSpace.Size;
        var action = new float[a];
        bool[] first = [true];
        var frames = new List<byte[]>();
        double sum = 0;
        for (int e = 0; e < Options.EvalEpisodes; e++)
        {
            var obs = _evalEnv.Reset(Options.Seed + 1_000_000_007UL + (ulong)Counters.EnvSteps + (ulong)e);
            object carry = _agent.InitPolicy(1);
            bool record = e == 0 && Options.EvalVideo && TryRender(frames);
            double ret = 0; long length = 0;
            first[0] = true;
            while (true)
            {
                carry = _agent.Policy(carry, obs, first, PolicyMode.Evaluate, action);
                first[0] = false;
                var r = _evalEnv.Step(action);
                obs = r.Observation;
                ret += r.Reward; length++;
                if (record) TryRender(frames);
                if (r.Done) break;
            }
            Logger.Score("eval", Counters.EnvSteps, ret, length);
            sum += ret;
        }
        Logger.Log(Counters.EnvSteps, [KeyValuePair.Create("eval/return", sum / Options.EvalEpisodes)]);
        if (frames.Count > 0) WriteVideo($"eval_{Counters.EnvSteps}", frames, VideoSize, VideoSize);
    }

    private const int VideoSize = 64;

    private bool TryRender(List<byte[]> frames)
    {
        try { frames.Add(_evalEnv!.Render(VideoSize, VideoSize)); return true; }
        catch (NotSupportedException) { return false; }
    }

    private void WriteVideo(string name, IReadOnlyList<byte[]> frames, int height, int width)
    {
        string dir = Path.Combine(RunDir, "videos");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, name + ".gif"), tmp = path + ".tmp";
        GifWriter.Write(tmp, frames, height, width, delayMs: 50);
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Disposes the logger (the caller disposes the agent, the envs and the view).</summary>
    public void Dispose() => Logger.Dispose();
}

// ModelFreeRuns: complete PPO and SAC training runs on a registered env with periodic deterministic evaluation and a CSV curve.
// A stand-in for Reverie.Rl's Driver until it exists; the learners do not depend on it.
using System.Diagnostics;
using System.Globalization;
using Reverie.Envs;

namespace Reverie.Agents.ModelFree;

/// <summary>A policy over a batch of observation rows: writes one action per row.</summary>
public delegate void BatchPolicy(ReadOnlySpan<float> obs, Span<float> actions);

/// <summary>What a run does besides training.</summary>
/// <param name="EnvId">A registered env id.</param>
/// <param name="Seed">Seeds the learner (weights, sampling) and the training envs (env i gets Seed + i).</param>
/// <param name="TotalSteps">Env steps to train.</param>
/// <param name="EvalEvery">Evaluate whenever this many more env steps have passed (and at the start and the end).</param>
/// <param name="EvalEpisodes">Deterministic episodes per evaluation.</param>
/// <param name="CsvPath">Where to write the curve, or null.</param>
/// <param name="Log">Progress lines, or null.</param>
public sealed record RunOptions(string EnvId, ulong Seed, long TotalSteps, long EvalEvery, int EvalEpisodes = 10,
    string? CsvPath = null, TextWriter? Log = null);

/// <summary>One evaluation point.</summary>
/// <param name="EnvSteps">Training env steps so far.</param>
/// <param name="EvalReturn">Mean return of the deterministic episodes.</param>
/// <param name="EvalStd">Their standard deviation.</param>
/// <param name="TrainReturn">Mean return of the last (up to) 10 finished training episodes (NaN if none).</param>
/// <param name="Seconds">Wall-clock seconds since the start of the run, evaluations included.</param>
public sealed record CurvePoint(long EnvSteps, double EvalReturn, double EvalStd, double TrainReturn, double Seconds);

/// <summary>The outcome of a run.</summary>
/// <param name="Curve">The evaluation points.</param>
/// <param name="TrainSeconds">Wall-clock seconds of training (acting, env steps and updates; evaluations excluded).</param>
/// <param name="UpdateSeconds">The part of TrainSeconds spent in gradient updates.</param>
/// <param name="EnvSteps">Env steps trained.</param>
/// <param name="GradientSteps">Optimizer steps taken (PPO: minibatches; SAC: critic updates).</param>
public sealed record RunResult(IReadOnlyList<CurvePoint> Curve, double TrainSeconds, double UpdateSeconds, long EnvSteps, long GradientSteps)
{
    /// <summary>Env steps per second of training time.</summary>
    public double EnvStepsPerSecond => EnvSteps / TrainSeconds;
    /// <summary>Gradient steps per second spent updating.</summary>
    public double UpdatesPerSecond => GradientSteps / UpdateSeconds;
    /// <summary>The last evaluation's mean return.</summary>
    public double FinalReturn => Curve[^1].EvalReturn;
}

/// <summary>Training runs of the model-free learners with deterministic evaluation.</summary>
public static class ModelFreeRuns
{
    /// <summary>Trains PPO: rollouts of NumSteps × NumEnvs, then an update, until TotalSteps.</summary>
    public static RunResult Ppo(PpoConfig config, RunOptions run)
    {
        using var env = VectorEnv.Make(run.EnvId, config.NumEnvs);
        int D = StateDim(env.ObservationSpace, run.EnvId);
        var learner = new PpoLearner(config, D, env.ActionSpace, run.Seed);
        var actions = new float[config.NumEnvs * learner.ActionSize];
        var recorder = new Recorder(run, (o, a) => learner.Act(o, a, explore: false));
        env.Reset(run.Seed);
        var tally = new EpisodeTally(config.NumEnvs);
        recorder.Evaluate(0, tally);
        long gradientSteps = 0;
        while (learner.EnvSteps < run.TotalSteps)
        {
            recorder.Train.Start();
            while (!learner.RolloutFull)
            {
                learner.Collect(env.Observations.State, actions);
                env.Step(actions);
                learner.Observe(env.Rewards, env.Terminated, env.Truncated, env.FinalObservations.State);
                tally.Add(env.Rewards, env.Terminated, env.Truncated);
            }
            recorder.Update.Start();
            var m = learner.Update(env.Observations.State);
            recorder.Update.Stop();
            recorder.Train.Stop();
            gradientSteps += (long)m["train/minibatches"];
            recorder.MaybeEvaluate(learner.EnvSteps, tally, m);
        }
        return recorder.Finish(learner.EnvSteps, gradientSteps, tally);
    }

    /// <summary>Trains SAC: one vector step, then (after the warm-up) one update, until TotalSteps.</summary>
    public static RunResult Sac(SacConfig config, RunOptions run)
    {
        using var env = VectorEnv.Make(run.EnvId, config.NumEnvs);
        int D = StateDim(env.ObservationSpace, run.EnvId), N = config.NumEnvs;
        var learner = new SacLearner(config, D, env.ActionSpace, run.Seed);
        var actions = new float[N * learner.ActionDim];
        var obs = new float[N * D];
        var next = new float[N * D];
        var recorder = new Recorder(run, (o, a) => learner.Act(o, a, explore: false));
        env.Reset(run.Seed);
        var tally = new EpisodeTally(N);
        recorder.Evaluate(0, tally);
        Dictionary<string, float>? m = null;
        while (learner.EnvSteps < run.TotalSteps)
        {
            recorder.Train.Start();
            env.Observations.State.CopyTo(obs, 0);
            learner.Act(obs, actions, explore: true);
            env.Step(actions);
            env.Observations.State.CopyTo(next, 0);
            for (int i = 0; i < N; i++)
                if (env.Terminated[i] || env.Truncated[i])
                    env.FinalObservations.State.AsSpan(i * D, D).CopyTo(next.AsSpan(i * D, D));
            learner.Observe(obs, actions, env.Rewards, env.Terminated, next);
            tally.Add(env.Rewards, env.Terminated, env.Truncated);
            if (learner.ShouldUpdate)
            {
                recorder.Update.Start();
                m = learner.Update();
                recorder.Update.Stop();
            }
            recorder.Train.Stop();
            recorder.MaybeEvaluate(learner.EnvSteps, tally, m);
        }
        return recorder.Finish(learner.EnvSteps, learner.Updates, tally);
    }

    /// <summary>
    /// Runs <paramref name="episodes"/> episodes of <paramref name="envId"/> in parallel (env i seeded
    /// <paramref name="seed"/> + i), one each, acting with <paramref name="policy"/> on the <c>state</c>
    /// observations, and returns their undiscounted returns.
    /// </summary>
    public static double[] Evaluate(string envId, int episodes, ulong seed, BatchPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (episodes < 1) throw new ArgumentOutOfRangeException(nameof(episodes), $"evaluate: episodes must be >= 1, got {episodes}");
        using var env = VectorEnv.Make(envId, episodes);
        env.Reset(seed);
        var actions = new float[episodes * env.ActionSpace.Size];
        var returns = new double[episodes];
        var done = new bool[episodes];
        int left = episodes;
        while (left > 0)
        {
            policy(env.Observations.State, actions);
            env.Step(actions);
            for (int i = 0; i < episodes; i++)
            {
                if (done[i]) continue;
                returns[i] += env.Rewards[i];
                if (env.Terminated[i] || env.Truncated[i]) { done[i] = true; left--; }
            }
        }
        return returns;
    }

    private static int StateDim(DictSpace space, string id)
    {
        if (!space.Contains("state")) throw new ArgumentException($"{id}: model-free agents need a 'state' observation; got {space}");
        return space["state"].Size;
    }

    /// <summary>Per-env running returns and the last finished ones.</summary>
    private sealed class EpisodeTally(int n)
    {
        private readonly double[] _running = new double[n];
        private readonly Queue<double> _recent = new();

        public void Add(ReadOnlySpan<float> rewards, ReadOnlySpan<bool> terminated, ReadOnlySpan<bool> truncated)
        {
            for (int i = 0; i < _running.Length; i++)
            {
                _running[i] += rewards[i];
                if (!terminated[i] && !truncated[i]) continue;
                _recent.Enqueue(_running[i]);
                if (_recent.Count > 10) _recent.Dequeue();
                _running[i] = 0;
            }
        }

        public double Mean => _recent.Count == 0 ? double.NaN : _recent.Average();
    }

    /// <summary>Timers, evaluation schedule, CSV and log output of one run.</summary>
    private sealed class Recorder(RunOptions run, BatchPolicy policy)
    {
        private readonly Stopwatch _wall = Stopwatch.StartNew();
        private readonly List<CurvePoint> _curve = [];
        private long _nextEval = run.EvalEvery;
        private int _evals;
        public readonly Stopwatch Train = new(), Update = new();

        public void MaybeEvaluate(long steps, EpisodeTally tally, Dictionary<string, float>? metrics)
        {
            if (steps < _nextEval || steps >= run.TotalSteps) return;
            while (_nextEval <= steps) _nextEval += run.EvalEvery;
            Evaluate(steps, tally, metrics);
        }

        public void Evaluate(long steps, EpisodeTally tally, Dictionary<string, float>? metrics = null)
        {
            var r = ModelFreeRuns.Evaluate(run.EnvId, run.EvalEpisodes, 1_000_000UL + run.Seed * 1000UL + (ulong)_evals++ * (ulong)run.EvalEpisodes, policy);
            double mean = r.Average(), std = Math.Sqrt(r.Select(x => (x - mean) * (x - mean)).Average());
            _curve.Add(new CurvePoint(steps, mean, std, tally.Mean, _wall.Elapsed.TotalSeconds));
            if (run.Log is null) return;
            var line = string.Create(CultureInfo.InvariantCulture,
                $"step {steps,8}  eval {mean,9:F2} ± {std,7:F2}  train {tally.Mean,9:F2}  {_wall.Elapsed.TotalSeconds,7:F1}s  {steps / Math.Max(Train.Elapsed.TotalSeconds, 1e-9),7:F0} steps/s");
            if (metrics is not null)
                line += "  " + string.Join("  ", metrics.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}={kv.Value:G4}")));
            run.Log.WriteLine(line);
            run.Log.Flush();
        }

        public RunResult Finish(long steps, long gradientSteps, EpisodeTally tally)
        {
            Evaluate(steps, tally);
            if (run.CsvPath is not null) WriteCsv(run.CsvPath, _curve);
            return new RunResult(_curve, Train.Elapsed.TotalSeconds, Update.Elapsed.TotalSeconds, steps, gradientSteps);
        }
    }

    /// <summary>Writes env_steps, eval_return, eval_std, train_return, seconds (invariant culture).</summary>
    public static void WriteCsv(string path, IEnumerable<CurvePoint> curve)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        using var w = new StreamWriter(path);
        w.WriteLine("env_steps,eval_return,eval_std,train_return,seconds");
        foreach (var p in curve)
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{p.EnvSteps},{p.EvalReturn:F3},{p.EvalStd:F3},{p.TrainReturn:F3},{p.Seconds:F2}"));
    }
}

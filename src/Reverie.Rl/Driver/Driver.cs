// Driver: the run loop: steps a vector env with an agent, feeds the replay, trains by the train ratio, evaluates, logs, checkpoints, resumes.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Reverie.Envs;
using Reverie.Rl.Agents;
using Reverie.Rl.Checkpoints;
using Reverie.Rl.Logging;
using Reverie.Rl.Replay;
using Reverie.Tensors;

namespace Reverie.Rl.Driver;

/// <summary>How <see cref="Driver.Run"/> ended.</summary>
public enum RunOutcome
{
    /// <summary>The run reached <see cref="DriverOptions.Steps"/>.</summary>
    Completed,
    /// <summary>A stop was requested (Ctrl+C, SIGTERM); a checkpoint was written (the current step finished, or its
    /// remaining replay updates are owed to the resumed run).</summary>
    Interrupted,
}

/// <summary>
/// Runs training in a run directory. Every env step is added to the replay (DreamerV3's step
/// convention, <see cref="StepRecord"/>); after <see cref="DriverOptions.Prefill"/> random steps the
/// agent acts and trains so that replayed steps / env steps equals <see cref="DriverOptions.TrainRatio"/>
/// (<see cref="TrainRatio"/>), plus <see cref="DriverOptions.Pretrain"/> updates at the first training step.
/// Evaluation, metrics, reports and checkpoints happen every so many env steps. When the run directory holds a checkpoint the driver resumes from it: the agent, the replay,
/// the counters, the generators and the train-ratio schedule continue; logs written after the
/// checkpoint are dropped (the resumed run writes them again); the envs start new episodes. A run stopped
/// inside a step's replay updates (TD-MPC2's thousands of pretraining updates) owes the rest of them and the
/// step's tail, which the resumed run does before it acts, so it trains on the batches an uninterrupted run would.
/// An <see cref="IOnPolicyAgent"/> (PPO) is not trained from replay: it observes every step it acted for and
/// updates itself when its rollout is full; the train ratio does not apply to it.
/// </summary>
public sealed partial class Driver : IDisposable
{
    private readonly IAgent _agent;
    private readonly VectorEnv _env;
    private readonly IEnv? _evalEnv;
    private readonly ConsoleView? _view;
    private readonly TrainRatio _ratio;
    private readonly Rng _replayRng;
    private readonly EnvRng _actionRng;
    private readonly StepRecord[] _records;
    private readonly float[] _actions;
    private readonly double[] _returns;
    private readonly long[] _lengths;
    private readonly Dictionary<string, (double Sum, int Count)> _trainMetrics = [];
    private readonly Queue<double> _recentReturns = new();
    private readonly Stopwatch _clock = new();
    private readonly Stopwatch _lastSave = new();
    private double _elapsedBefore;
    private long _pendingUpdates;                 // updates owed by the current env step (see RunPendingUpdates)

    /// <summary>
    /// Prepares a run in <paramref name="runDir"/>, resuming from its checkpoint when there is one.
    /// The driver owns the replay and the logger; the caller owns the agent, the envs and the view.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid options, or envs whose spaces differ.</exception>
    /// <exception cref="InvalidDataException">A corrupt checkpoint.</exception>
    public Driver(string runDir, IAgent agent, VectorEnv env, IEnv? evalEnv, DriverOptions options, ConsoleView? view = null, bool tensorBoard = true)
    {
        options.Validate();
        if (env.Count != options.Envs) throw new ArgumentException($"driver: run.envs is {options.Envs} but the vector env has {env.Count} envs");
        if (evalEnv != null && !evalEnv.ObservationSpace.SameLayout(env.ObservationSpace))
            throw new ArgumentException($"driver: the eval env observes {evalEnv.ObservationSpace} but the training env {env.ObservationSpace}");
        RunDir = runDir; Options = options;
        _agent = agent; _env = env; _evalEnv = evalEnv; _view = view;
        _ratio = new TrainRatio(options.TrainRatio, options.BatchSize, options.BatchLength);
        _replayRng = new Rng(options.Seed ^ 0x4E9_1A7UL);
        _actionRng = new EnvRng(options.Seed ^ 0xAC7_10EUL);
        var spec = ReplaySpec.ForEnv(env.ObservationSpace, env.ActionSpace.Size);
        _records = [.. Enumerable.Range(0, env.Count).Select(_ => new StepRecord(spec))];
        _actions = new float[env.Count * env.ActionSpace.Size];
        _returns = new double[env.Count]; _lengths = new long[env.Count];

        var content = Checkpoint.Load(runDir);
        Replay = content?.Replay ?? new ReplayBuffer(spec, options.ReplayCapacity, options.ReplayChunk);
        if (!Replay.Spec.SameAs(spec)) throw new InvalidDataException($"driver: the checkpoint's replay holds {Replay.Spec} but this env gives {spec}");
        if (content != null) Restore(content);
        Logger = new RunLogger(runDir, content?.Counters.EnvSteps, tensorBoard);
    }

    /// <summary>The run directory.</summary>
    public string RunDir { get; }

    /// <summary>The settings.</summary>
    public DriverOptions Options { get; }

    /// <summary>Env steps, updates, episodes and time so far (continued from the checkpoint when resumed).</summary>
    public RunCounters Counters { get; private set; } = new();

    /// <summary>True when the constructor found and loaded a checkpoint.</summary>
    public bool Resumed { get; private set; }

    /// <summary>The replay buffer.</summary>
    public ReplayBuffer Replay { get; private set; }

    /// <summary>The run's logs.</summary>
    public RunLogger Logger { get; }

    /// <summary>Called after every vector-env step with the env steps so far (tests, custom hooks).</summary>
    public event Action<long>? Stepped;

    /// <summary>
    /// Trains until <see cref="DriverOptions.Steps"/> env steps or until <paramref name="stop"/> is
    /// cancelled (checked after every step and between a step's replay updates), then writes a checkpoint.
    /// A stop inside a step's updates leaves the rest owed (<c>driver.pending_updates</c> in the checkpoint) and the
    /// step's logging, report, evaluation and checkpoint triggers undone; the resumed run does both first.
    /// </summary>
    public RunOutcome Run(CancellationToken stop = default)
    {
        Announce();
        _clock.Restart();
        _lastSave.Restart();
        var obs = _env.Reset(Options.Seed + (ulong)Counters.EnvSteps);
        object carry = _agent.InitPolicy(_env.Count);
        if (!FinishOwedStep(stop)) return Interrupted();
        while (Counters.EnvSteps < Options.Steps && !stop.IsCancellationRequested)
        {
            bool prefill = Counters.EnvSteps < Options.Prefill;
            if (prefill) RandomActions(); else carry = _agent.Policy(carry, obs, _env.IsFirst, PolicyMode.Explore, _actions);
            AddSteps(obs);                       // (o_t, a_t, r_t, is_first) of every env
            long before = Counters.EnvSteps;
            _env.Step(_actions);
            Counters.EnvSteps += _env.Count;
            EndEpisodes();                       // last steps and scores of the envs that ended
            if (prefill) { }
            else if (_agent is IOnPolicyAgent onPolicy) Accumulate(onPolicy.Observe(_env.Rewards, _env.Terminated, _env.Truncated, _env.FinalObservations, _env.Observations));
            else Train(stop);
            if (_pendingUpdates > 0) return Interrupted();   // stopped inside the updates: the rest of the step is owed
            EndStep(before, prefill);
        }
        Save();
        return Counters.EnvSteps < Options.Steps ? RunOutcome.Interrupted : RunOutcome.Completed;
    }

    private RunOutcome Interrupted()
    {
        Save();
        return RunOutcome.Interrupted;
    }

    // A run resumed from a stop inside a step's updates: does the owed updates, then that step's tail. False when
    // stopped again before they are done.
    private bool FinishOwedStep(CancellationToken stop)
    {
        if (_pendingUpdates == 0) return true;
        RunPendingUpdates(stop);
        if (_pendingUpdates > 0) return false;
        EndStep(Counters.EnvSteps - _env.Count, prefill: false);
        return true;
    }

    // The tail of an env step (env steps before..now): metrics rows, the report, the evaluation, checkpoints, progress.
    private void EndStep(long before, bool prefill)
    {
        long now = Counters.EnvSteps;
        if (Crossed(before, now, Options.LogEvery)) LogMetrics();
        if (Crossed(before, now, Options.ReportEvery) && !prefill) Report();
        if (Crossed(before, now, Options.EvalEvery)) Evaluate();
        if (Crossed(before, now, Options.CheckpointEvery) || SaveIsDue()) Save();
        _view?.Update(new ProgressSnapshot(now, Counters.Updates, RecentReturn(), null));
        Stepped?.Invoke(now);
    }

    /// <summary>Writes a checkpoint now (agent, replay, counters, generators, schedule), atomically.</summary>
    public void Save()
    {
        Counters.ElapsedSeconds = _elapsedBefore + _clock.Elapsed.TotalSeconds;
        var content = new CheckpointContent { Counters = Counters, Replay = Replay };
        content.RngStates["driver.replay"] = _replayRng.GetState();
        content.RngStates["driver.actions"] = _actionRng.GetState();
        content.Extra["driver.train_ratio"] = Options.TrainRatio;
        content.Extra["driver.ratio_state"] = double.IsNaN(_ratio.State) ? null : _ratio.State;
        content.Extra["driver.pending_updates"] = _pendingUpdates;
        _agent.Save(content);
        Checkpoint.Save(RunDir, content);
        _lastSave.Restart();
    }

    // The wall-clock trigger (run.checkpoint_minutes); saving reads state only, so it never changes what the run computes.
    private bool SaveIsDue() => Options.CheckpointMinutes > 0 && _lastSave.Elapsed.TotalMinutes >= Options.CheckpointMinutes;

    private void Restore(CheckpointContent content)
    {
        Resumed = true;
        Counters = content.Counters;
        _elapsedBefore = Counters.ElapsedSeconds;
        if (content.RngStates.TryGetValue("driver.replay", out var r)) _replayRng.SetState(r);
        if (content.RngStates.TryGetValue("driver.actions", out var a)) _actionRng.SetState(a);
        if (content.Extra["driver.ratio_state"] is JsonNode s) _ratio.Restore((double)s);
        _pendingUpdates = content.Extra["driver.pending_updates"] is JsonNode pn ? (long)pn : 0;   // absent in older checkpoints
        if (_pendingUpdates < 0) throw new InvalidDataException($"checkpoint: driver.pending_updates is {_pendingUpdates}, not a count");
        _agent.Load(content);
    }

    private void Announce()
    {
        if (_agent is IOnPolicyAgent)
            Say("on-policy agent: it trains on its own rollouts (run.train_ratio, run.batch_size and run.batch_length do not apply)");
        else
        {
            string every = _ratio.Ratio == 0 ? "no training" : string.Create(CultureInfo.InvariantCulture,
                $"one update of {Options.BatchSize}x{Options.BatchLength} = {_ratio.StepsPerUpdate} replayed steps every {_ratio.StepsPerUpdate / _ratio.Ratio:0.##} env steps");
            string pretrain = Options.Pretrain > 0 && _ratio.Ratio > 0 ? $"; {Options.Pretrain} pretraining updates when the prefill ends" : "";
            Say(string.Create(CultureInfo.InvariantCulture, $"train ratio {Options.TrainRatio:0.###} (replayed steps per env step): {every}{pretrain}"));
        }
        if (Resumed) Say($"resuming from {Path.Combine(RunDir, Checkpoint.DirName)} at env step {Counters.EnvSteps} ({Counters.Updates} updates, {Replay.Count} replay steps"
            + (_pendingUpdates > 0 ? $"; {_pendingUpdates} updates of that step still to do)" : ")"));
    }

    private void Say(string line)
    {
        if (_view != null) _view.Message(line); else Console.Out.WriteLine(line);
    }

    private static bool Crossed(long before, long now, long every) => every > 0 && before / every != now / every;
}

// TdMpc2Agent: TD-MPC2 as an IAgent for the run loop (`reverie train --agent tdmpc2`): MPPI planning per step, one update per env step.
using Reverie.Agents.Shared;
using Reverie.Envs;
using Reverie.Rl.Agents;
using Reverie.Rl.Checkpoints;
using Reverie.Rl.Config;
using Reverie.Rl.Replay;
using Reverie.Tensors;

namespace Reverie.Agents.TdMpc;

/// <summary>
/// TD-MPC2 in the Driver. The <c>agent</c> section is a <see cref="TdMpc2Config"/>; the run loop owns the rest, as
/// TD-MPC2's online trainer: <c>run.prefill</c> = seed_steps of uniform random actions, <c>run.pretrain</c> = as many
/// updates when they end, then one update per env step (<c>run.train_ratio = run.batch_size × run.batch_length</c>)
/// on <c>run.batch_size</c> sub-trajectories of <c>run.batch_length = horizon + 1</c> steps inside one episode
/// (<see cref="TrainAcrossEpisodes"/> is false). The discount comes from the env's episode length unless
/// <c>agent.discount</c> is set. On a multi-task env (<see cref="MultiTaskEnv"/>: observation entries <c>task</c> and
/// <c>action_mask</c>) the model learns a task embedding and masks the padded action dimensions.
/// The policy carry is one <see cref="PlanState"/> per env (the warm start of the next plan).
/// </summary>
public sealed class TdMpc2Agent : IAgent
{
    private readonly TdMpc2Learner _learner;
    private readonly int _obsDim, _actDim, _numTasks;

    /// <summary>Agents that take discrete actions, for the error message.</summary>
    private static readonly string[] DiscreteAgents = ["ppo", "dreamer"];

    /// <summary>Builds the agent from the run's settings (<c>run.env</c> gives the episode length for the discount).</summary>
    /// <exception cref="ConfigException">Bad <c>agent.*</c> settings, or <c>run.batch_length</c> is not horizon + 1.</exception>
    /// <exception cref="ArgumentException">Discrete actions, or no <c>state</c> observation.</exception>
    public TdMpc2Agent(AgentContext context)
    {
        if (context.ActionSpace is not BoxSpace)
        {
            var known = AgentRegistry.Specs.Select(s => s.Name).Where(DiscreteAgents.Contains).ToList();
            throw new ArgumentException($"tdmpc2 agent: needs continuous (Box) actions, but the env's action space is {context.ActionSpace}; "
                + $"for discrete actions use {(known.Count > 0 ? string.Join(" or ", known) : "ppo")}");
        }
        Config = context.AgentConfig(new TdMpc2Config());
        long length = context.RunLong("run.batch_length", Config.Horizon + 1);
        if (length != Config.Horizon + 1)
            throw new ConfigException($"config key 'run.batch_length': tdmpc2 trains on sub-trajectories of horizon + 1 = {Config.Horizon + 1} steps, got {length} (set run.batch_length={Config.Horizon + 1})");
        var space = context.ObservationSpace;
        if (!space.Contains("state")) throw new ArgumentException($"tdmpc2 agent: needs a 'state' observation; the env observes {space}");
        _obsDim = space["state"].Size;
        _actDim = context.ActionSpace.Size;
        _numTasks = space.Contains("task") ? space["task"].Size : 1;
        if (space.Contains("task") && (!space.Contains("action_mask") || space["action_mask"].Size != _actDim))
            throw new ArgumentException($"tdmpc2 agent: a multi-task observation needs an 'action_mask' of {_actDim} entries beside 'task'; got {space}");
        string? envId = context.Settings.TryGetValue("run.env", out var e) ? e : null;
        var discounts = EpisodeLengths(envId, _numTasks).Select(Config.DiscountFor).ToArray();
        _learner = new TdMpc2Learner(Config, _obsDim, _actDim, context.Seed, discounts);
    }

    /// <summary>The effective config.</summary>
    public TdMpc2Config Config { get; }

    /// <summary>The learner.</summary>
    public TdMpc2Learner Learner => _learner;

    /// <summary>The presets applied by default: <c>tdmpc2</c>, plus <c>pendulum</c> on pendulum, <c>dmc</c> on MuJoCo tasks and <c>multitask</c> on a multi-task env.</summary>
    public static IReadOnlyList<string> DefaultPresets(string envId)
    {
        var presets = new List<string> { "tdmpc2" };
        if (envId == "pendulum") presets.Add("pendulum");
        else if (MultiTaskEnv.TasksOf(envId) is not null) presets.AddRange(["dmc", "multitask"]);
        else if (EnvRegistry.Specs.Any(s => s.Id == envId && s.Suite == "dmc")) presets.Add("dmc");
        return presets;
    }

    /// <summary>
    /// Agent steps per episode of each task of <paramref name="envId"/> (its time limit over its action repeat;
    /// 0 when unknown, which needs <c>agent.discount</c>).
    /// </summary>
    public static int[] EpisodeLengths(string? envId, int numTasks)
    {
        static int Length(EnvSpec s) => s.MaxEpisodeSteps <= 0 ? 0 : (s.MaxEpisodeSteps + s.ActionRepeat - 1) / s.ActionRepeat;
        if (envId is null || !EnvRegistry.Specs.Any(s => s.Id == envId)) return new int[numTasks];
        if (MultiTaskEnv.TasksOf(envId) is { } tasks && tasks.Count == numTasks) return tasks.Select(t => Length(EnvRegistry.Spec(t))).ToArray();
        return Enumerable.Repeat(Length(EnvRegistry.Spec(envId)), numTasks).ToArray();
    }

    /// <summary>False: every sub-trajectory lies inside one episode.</summary>
    public bool TrainAcrossEpisodes => false;

    /// <inheritdoc/>
    public object InitPolicy(int batch) => Enumerable.Range(0, batch).Select(_ => new PlanState(Config.Horizon, _actDim)).ToArray();

    /// <inheritdoc/>
    public object Policy(object carry, Observation obs, ReadOnlySpan<bool> isFirst, PolicyMode mode, Span<float> actions)
    {
        var plans = (PlanState[])carry;
        if (plans.Length != obs.Rows || actions.Length != obs.Rows * _actDim)
            throw new ArgumentException($"tdmpc2 agent: {obs.Rows} observation rows, {plans.Length} plan states and {actions.Length} action floats do not fit {_actDim} actions per row");
        var state = obs.Floats("state");
        for (int i = 0; i < obs.Rows; i++)
        {
            if (isFirst[i]) plans[i].Reset();
            TaskBatch? task = null;
            if (_numTasks > 1)
            {
                var mask = obs.Floats("action_mask").AsSpan(i * _actDim, _actDim);
                task = new TaskBatch([TaskOf(obs.Floats("task").AsSpan(i * _numTasks, _numTasks))], Tensor.FromArray(mask, new Shape(1, _actDim)));
            }
            _learner.Act(state.AsSpan(i * _obsDim, _obsDim), plans[i], mode == PolicyMode.Evaluate, actions.Slice(i * _actDim, _actDim), task);
        }
        return carry;
    }

    /// <summary>
    /// One update on a (B, H + 1) batch: observations of steps 0..H, actions of steps 0..H−1, rewards and terminal
    /// flags of steps 1..H (the replay stores the reward that led to a step), made time-major.
    /// </summary>
    /// <exception cref="ArgumentException">The sequences are not horizon + 1 steps long.</exception>
    public IReadOnlyDictionary<string, double> Train(ReplayBatch batch)
    {
        int H = Config.Horizon;
        if (batch.Length != H + 1)
            throw new ArgumentException($"tdmpc2 agent: trains on horizon + 1 = {H + 1} steps, so run.batch_length must be {H + 1}, got {batch.Length}");
        var obs = batch["state"].Transpose(0, 1);                                       // (H+1, B, D)
        var action = batch["action"].Transpose(0, 1).Narrow(0, 0, H);                  // (H, B, A)
        var reward = batch["reward"].Transpose(0, 1).Narrow(0, 1, H);                  // (H, B)
        var terminal = batch[ReplaySpec.IsTerminal].Transpose(0, 1).Narrow(0, 1, H);   // (H, B)
        TaskBatch? task = null;
        if (_numTasks > 1)
        {
            int B = batch.Batch, T = batch.Length;
            var onehot = batch["task"].ReadOnlySpan;
            var ids = new int[B];
            for (int b = 0; b < B; b++) ids[b] = TaskOf(onehot.Slice(b * T * _numTasks, _numTasks));
            task = new TaskBatch(ids, batch["action_mask"].Narrow(1, 0, 1).Reshape(B, _actDim));
        }
        return _learner.Update(obs, action, reward, terminal, task).ToDictionary(kv => kv.Key, kv => (double)kv.Value);
    }

    private int TaskOf(ReadOnlySpan<float> onehot)
    {
        int best = 0;
        for (int k = 1; k < onehot.Length; k++) if (onehot[k] > onehot[best]) best = k;
        return best;
    }

    /// <inheritdoc/>
    public AgentReport Report(ReplayBatch batch) => AgentReport.Empty;

    /// <inheritdoc/>
    public void Save(CheckpointContent content) => AgentCheckpoint.Save(_learner.GetState(), content, "opt.", "pi_opt.");

    /// <inheritdoc/>
    public void Load(CheckpointContent content)
    {
        try { _learner.LoadState(AgentCheckpoint.Load(content, "tdmpc2")); }
        catch (ArgumentException e) { throw new InvalidDataException($"tdmpc2 agent: the checkpoint does not fit: {e.Message}", e); }
    }

    /// <inheritdoc/>
    public void Dispose() { }
}

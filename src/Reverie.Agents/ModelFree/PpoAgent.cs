// PpoAgent: PPO as an on-policy IAgent for the run loop (`reverie train --agent ppo`), wrapping PpoLearner.
using Reverie.Agents.Shared;
using Reverie.Envs;
using Reverie.Rl.Agents;
using Reverie.Rl.Checkpoints;
using Reverie.Rl.Replay;

namespace Reverie.Agents.ModelFree;

/// <summary>
/// PPO in the Driver. Config: the <c>agent</c> section is a <see cref="PpoConfig"/> (keys <c>agent.learning_rate</c>,
/// <c>agent.num_steps</c>, ...); the parallel envs are <c>run.envs</c> and the annealing horizon <c>run.steps</c>.
/// Explore-mode <see cref="Policy"/> calls record the rollout (<see cref="PpoLearner.Collect"/>), <see cref="Observe"/>
/// records each outcome and runs <see cref="PpoLearner.Update"/> when the rollout holds <c>num_steps</c> steps per env.
/// Evaluate mode takes the policy's mode and records nothing. Observations: the env's <c>state</c> vector.
/// </summary>
/// <remarks>
/// Checkpoints hold weights, Adam, normalizer statistics, counters and the generator, but not a rollout in
/// progress: a resumed run starts a fresh rollout (it continues, though not bit for bit like an uninterrupted one).
/// </remarks>
public sealed class PpoAgent : IOnPolicyAgent
{
    private readonly PpoLearner _learner;

    /// <summary>Builds the agent from the run's settings.</summary>
    /// <exception cref="Rl.Config.ConfigException">Bad <c>agent.*</c> settings.</exception>
    /// <exception cref="ArgumentException">No <c>state</c> observation, or an unsupported action space.</exception>
    public PpoAgent(AgentContext context)
    {
        Config = context.AgentConfig(new PpoConfig()) with { NumEnvs = context.Envs, TotalSteps = Math.Max(1, context.RunLong("run.steps", 100_000)) };
        _learner = new PpoLearner(Config, StateSize(context.ObservationSpace, "ppo"), context.ActionSpace, context.Seed);
    }

    /// <summary>The effective config (num_envs and total_steps from the run section).</summary>
    public PpoConfig Config { get; }

    /// <summary>The learner.</summary>
    public PpoLearner Learner => _learner;

    /// <summary>The presets applied by default on <paramref name="envId"/>: <c>ppo</c>, then <c>cartpole</c> (zoo-tuned) on cartpole, else <c>continuous</c>.</summary>
    public static IReadOnlyList<string> DefaultPresets(string envId) => envId == "cartpole" ? ["ppo", "cartpole"] : ["ppo", "continuous"];

    /// <inheritdoc/>
    public object InitPolicy(int batch) => batch;

    /// <inheritdoc/>
    public object Policy(object carry, Observation obs, ReadOnlySpan<bool> isFirst, PolicyMode mode, Span<float> actions)
    {
        var state = obs.Floats("state").AsSpan(0, obs.Rows * _learner.ObsDim);
        if (mode == PolicyMode.Explore) _learner.Collect(state, actions);
        else _learner.Act(state, actions, explore: false);
        return carry;
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double>? Observe(ReadOnlySpan<float> rewards, ReadOnlySpan<bool> terminated, ReadOnlySpan<bool> truncated,
        Observation finalObs, Observation nextObs)
    {
        _learner.Observe(rewards, terminated, truncated, finalObs.Floats("state").AsSpan(0, finalObs.Rows * _learner.ObsDim));
        if (!_learner.RolloutFull) return null;
        var m = _learner.Update(nextObs.Floats("state").AsSpan(0, nextObs.Rows * _learner.ObsDim));
        return m.ToDictionary(kv => kv.Key, kv => (double)kv.Value);
    }

    /// <summary>Not used: PPO learns from its rollouts (<see cref="Observe"/>), the Driver never calls it.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public IReadOnlyDictionary<string, double> Train(ReplayBatch batch) =>
        throw new NotSupportedException("ppo agent: on-policy; it trains in Observe, not on replayed batches");

    /// <inheritdoc/>
    public AgentReport Report(ReplayBatch batch) => AgentReport.Empty;

    /// <inheritdoc/>
    public void Save(CheckpointContent content) => AgentCheckpoint.Save(_learner.GetState(), content, "opt.");

    /// <inheritdoc/>
    public void Load(CheckpointContent content)
    {
        var s = AgentCheckpoint.Load(content, "ppo");
        // ret_acc has one entry per training env; an agent built for another env count (reverie eval) starts it afresh.
        if (s.Meta.TryGetValue("ret_acc", out var acc) && acc.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != Config.NumEnvs)
            s.SetDoubles("ret_acc", new double[Config.NumEnvs]);
        try { _learner.LoadState(s); }
        catch (ArgumentException e) { throw new InvalidDataException($"ppo agent: the checkpoint does not fit: {e.Message}", e); }
    }

    /// <inheritdoc/>
    public void Dispose() { }

    internal static int StateSize(DictSpace space, string agent) =>
        space.Contains("state") ? space["state"].Size
            : throw new ArgumentException($"{agent} agent: needs a 'state' observation (model-free agents read state vectors); the env observes {space}");
}

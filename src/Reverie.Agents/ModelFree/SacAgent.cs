// SacAgent: SAC as an IAgent for the run loop (`reverie train --agent sac`): transitions from the shared replay, one update per env step.
using Reverie.Agents.Shared;
using Reverie.Envs;
using Reverie.Rl.Agents;
using Reverie.Rl.Checkpoints;
using Reverie.Rl.Replay;
using Reverie.Tensors;

namespace Reverie.Agents.ModelFree;

/// <summary>
/// SAC in the Driver. Config: the <c>agent</c> section is a <see cref="SacConfig"/> (<c>agent.gamma</c>,
/// <c>agent.q_lr</c>, ...). The run section carries what the Driver owns: the random warm-up is
/// <c>run.prefill</c> (CleanRL's learning_starts), the batch is <c>run.batch_size</c> sequences of
/// <c>run.batch_length = 2</c> steps inside one episode (<see cref="TrainAcrossEpisodes"/> is false), read as
/// transitions (s, a, r′, s′, terminal′), and <c>run.train_ratio = batch_size × 2</c> gives one update per env
/// step (CleanRL's schedule with one env). The replay is the Driver's (<c>run.replay_capacity</c>).
/// </summary>
public sealed class SacAgent : IAgent
{
    private readonly SacLearner _learner;
    private readonly int _obsDim, _actDim;

    /// <summary>Builds the agent from the run's settings.</summary>
    /// <exception cref="Rl.Config.ConfigException">Bad <c>agent.*</c> settings.</exception>
    /// <exception cref="ArgumentException">No <c>state</c> observation, or a non-Box action space.</exception>
    public SacAgent(AgentContext context)
    {
        Config = context.AgentConfig(new SacConfig()) with { NumEnvs = context.Envs, LearningStarts = 0 };
        _obsDim = PpoAgent.StateSize(context.ObservationSpace, "sac");
        _actDim = context.ActionSpace.Size;
        _learner = new SacLearner(Config, _obsDim, context.ActionSpace, context.Seed, ownReplay: false);
    }

    /// <summary>The effective config (no warm-up of its own: the Driver's prefill is the warm-up).</summary>
    public SacConfig Config { get; }

    /// <summary>The learner.</summary>
    public SacLearner Learner => _learner;

    /// <summary>The presets applied by default on <paramref name="envId"/>: <c>sac</c>, plus <c>pendulum</c> on pendulum.</summary>
    public static IReadOnlyList<string> DefaultPresets(string envId) => envId == "pendulum" ? ["sac", "pendulum"] : ["sac"];

    /// <summary>False: every replayed sequence lies inside one episode (a transition never spans a reset).</summary>
    public bool TrainAcrossEpisodes => false;

    /// <inheritdoc/>
    public object InitPolicy(int batch) => batch;

    /// <inheritdoc/>
    public object Policy(object carry, Observation obs, ReadOnlySpan<bool> isFirst, PolicyMode mode, Span<float> actions)
    {
        _learner.Act(obs.Floats("state").AsSpan(0, obs.Rows * _obsDim), actions, explore: mode == PolicyMode.Explore);
        return carry;
    }

    /// <summary>One SAC update on a (B, 2) batch: step 0 gives s and a, step 1 gives r, s′ and whether s′ is terminal.</summary>
    /// <exception cref="ArgumentException">The batch's sequences are not 2 steps long (set run.batch_length=2).</exception>
    public IReadOnlyDictionary<string, double> Train(ReplayBatch batch)
    {
        if (batch.Length != 2)
            throw new ArgumentException($"sac agent: trains on transitions, so run.batch_length must be 2, got {batch.Length}");
        int b = batch.Batch, d = _obsDim, a = _actDim;
        var state = batch["state"].ReadOnlySpan;        // (B, 2, D)
        var action = batch["action"].ReadOnlySpan;      // (B, 2, A)
        var reward = batch["reward"].ReadOnlySpan;      // (B, 2)
        var terminal = batch[ReplaySpec.IsTerminal].ReadOnlySpan;
        var obs = Tensor.Zeros(new Shape(b, d)); var next = Tensor.Zeros(new Shape(b, d));
        var act = Tensor.Zeros(new Shape(b, a)); var rew = Tensor.Zeros(new Shape(b)); var term = Tensor.Zeros(new Shape(b));
        for (int i = 0; i < b; i++)
        {
            state.Slice(i * 2 * d, d).CopyTo(obs.Span.Slice(i * d, d));
            state.Slice((i * 2 + 1) * d, d).CopyTo(next.Span.Slice(i * d, d));
            action.Slice(i * 2 * a, a).CopyTo(act.Span.Slice(i * a, a));
            rew.Span[i] = reward[i * 2 + 1];
            term.Span[i] = terminal[i * 2 + 1];
        }
        return _learner.Update(obs, act, rew, next, term).ToDictionary(kv => kv.Key, kv => (double)kv.Value);
    }

    /// <inheritdoc/>
    public AgentReport Report(ReplayBatch batch) => AgentReport.Empty;

    /// <inheritdoc/>
    public void Save(CheckpointContent content) => AgentCheckpoint.Save(_learner.GetState(), content, "q_opt.", "actor_opt.", "alpha_opt.");

    /// <inheritdoc/>
    public void Load(CheckpointContent content)
    {
        try { _learner.LoadState(AgentCheckpoint.Load(content, "sac")); }
        catch (ArgumentException e) { throw new InvalidDataException($"sac agent: the checkpoint does not fit: {e.Message}", e); }
    }

    /// <inheritdoc/>
    public void Dispose() { }
}

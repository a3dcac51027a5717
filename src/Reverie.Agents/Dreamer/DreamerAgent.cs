// DreamerAgent: Dreamer (v3, and v1/v2 as presets) as an IAgent for the run loop (`reverie train --agent dreamer`).
using Reverie.Agents.Shared;
using Reverie.Envs;
using Reverie.Rl.Agents;
using Reverie.Rl.Checkpoints;
using Reverie.Rl.Replay;
using Reverie.Tensors;

namespace Reverie.Agents.Dreamer;

/// <summary>The policy's carry for a batch of envs: the RSSM state and the previous action (GC-owned tensors).</summary>
/// <param name="Deter">(B, deter).</param>
/// <param name="Stoch">(B, stoch, classes).</param>
/// <param name="PrevAction">(B, A), one-hot when discrete.</param>
public sealed record DreamerCarry(Tensor Deter, Tensor Stoch, Tensor PrevAction);

/// <summary>
/// Dreamer in the Driver. Config: the <c>agent</c> section is a <see cref="DreamerConfig"/>; the run section owns the
/// batch (<c>run.batch_size</c> × <c>run.batch_length</c> sequences that may cross episodes), the train ratio (replayed
/// steps per env step, DreamerV3's meaning) and the prefill. The policy filters observations with the posterior
/// (zeroing the state where an episode starts), samples an action when exploring and takes the mode when
/// evaluating. Observations: a <c>state</c> vector, an <c>image</c>, or both. Actions: a Box in [−1, 1] or discrete.
/// </summary>
public sealed class DreamerAgent : IAgent
{
    private readonly DreamerLearner _learner;
    private readonly Rng _policyRng;

    /// <summary>Builds the agent from the run's settings.</summary>
    /// <exception cref="Rl.Config.ConfigException">Bad <c>agent.*</c> settings.</exception>
    /// <exception cref="ArgumentException">No usable observation, or an image whose size the CNN cannot halve <c>mults</c> times.</exception>
    public DreamerAgent(AgentContext context)
    {
        Config = context.AgentConfig(new DreamerConfig());
        Discrete = context.ActionSpace is DiscreteSpace;
        ActionSize = context.ActionSpace is DiscreteSpace d ? d.N : context.ActionSpace.Size;
        Layout = ObsLayout.Of(context.ObservationSpace, Config.Mults.Length);
        _learner = new DreamerLearner(Config, Layout, ActionSize, Discrete, context.Seed);
        _policyRng = new Rng(context.Seed ^ 0x5EED_D8EA_4E8UL);
    }

    /// <summary>The effective config.</summary>
    public DreamerConfig Config { get; }
    /// <summary>The learner (networks, optimizers, the update).</summary>
    public DreamerLearner Learner => _learner;
    /// <summary>The observation layout.</summary>
    public ObsLayout Layout { get; }
    /// <summary>Whether actions are discrete.</summary>
    public bool Discrete { get; }
    /// <summary>Action dimensions, or classes when discrete.</summary>
    public int ActionSize { get; }

    /// <summary>
    /// The presets applied by default on <paramref name="envId"/>: <c>dreamer</c>, then <c>discrete</c> (cartpole,
    /// acrobot), <c>vector</c> (pendulum, mountaincar-continuous) or <c>dmc</c> (the DMC-style ids).
    /// </summary>
    public static IReadOnlyList<string> DefaultPresets(string envId) => envId switch
    {
        "cartpole" or "acrobot" => ["dreamer", "discrete"],
        "pendulum" or "mountaincar-continuous" => ["dreamer", "vector"],
        _ when envId.Contains('-') => ["dreamer", "dmc"],
        _ => ["dreamer"],
    };

    /// <inheritdoc/>
    public object InitPolicy(int batch)
    {
        var c = Config.Rssm;
        return new DreamerCarry(Tensor.Zeros(new Shape(batch, c.Deter)), Tensor.Zeros(new Shape(batch, c.Stoch, c.Classes)),
            Tensor.Zeros(new Shape(batch, ActionSize)));
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The carry is not this agent's or has another batch size than the observation.</exception>
    public object Policy(object carry, Observation obs, ReadOnlySpan<bool> isFirst, PolicyMode mode, Span<float> actions)
    {
        if (carry is not DreamerCarry k) throw new ArgumentException($"dreamer: the carry is a {carry?.GetType().Name ?? "null"}, not one from InitPolicy");
        int rows = obs.Rows;
        if (k.Deter.Shape[0] != rows) throw new ArgumentException($"dreamer: the carry holds {k.Deter.Shape[0]} envs but the observation has {rows} rows");
        int outSize = Discrete ? 1 : ActionSize;
        if (actions.Length != rows * outSize) throw new ArgumentException($"dreamer: expected {rows * outSize} action floats but got {actions.Length}");
        using var scope = Tensor.Scope();
        using var _ = Tensor.NoGrad();
        var wm = _learner.Wm;
        var embed = wm.Encoder.Forward(DreamerData.FromObservation(obs, Layout));    // (R, E)
        var first = Tensor.Zeros(new Shape(rows));
        for (int i = 0; i < rows; i++) first.Span[i] = isFirst[i] ? 1f : 0f;
        var (state, _) = wm.Dynamics.ObserveStep(new RssmState(k.Deter, k.Stoch), k.PrevAction, embed, first, _policyRng);
        var pi = _learner.Ac.Policy(wm.Features(state));
        var a = mode == PolicyMode.Explore ? pi.Sample(_policyRng) : pi.Mode();     // (R, A)
        var av = a.ReadOnlySpan;
        var prev = k.PrevAction.Span;
        if (Discrete)
        {
            for (int i = 0; i < rows; i++)
            {
                int best = 0;
                for (int j = 1; j < ActionSize; j++) if (av[i * ActionSize + j] > av[i * ActionSize + best]) best = j;
                actions[i] = best;
                prev.Slice(i * ActionSize, ActionSize).Clear();
                prev[i * ActionSize + best] = 1f;
            }
        }
        else
        {
            float noise = mode == PolicyMode.Explore ? Config.Actor.ExplNoise : 0f;
            for (int i = 0; i < av.Length; i++)
            {
                float x = av[i] + (noise > 0f ? noise * _policyRng.Normal() : 0f);
                actions[i] = prev[i] = Math.Clamp(x, -1f, 1f);
            }
        }
        state.Deter.ReadOnlySpan.CopyTo(k.Deter.Span);
        state.Stoch.ReadOnlySpan.CopyTo(k.Stoch.Span);
        return k;
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Train(ReplayBatch batch)
    {
        using var scope = Tensor.Scope();
        var b = DreamerData.FromReplay(batch, Layout, ActionSize, Discrete);
        return _learner.Train(b).ToDictionary(kv => kv.Key, kv => (double)kv.Value);
    }

    /// <inheritdoc/>
    public AgentReport Report(ReplayBatch batch)
    {
        using var scope = Tensor.Scope();
        var b = DreamerData.FromReplay(batch, Layout, ActionSize, Discrete);
        return DreamerReport.OpenLoop(_learner, b, Layout);
    }

    /// <inheritdoc/>
    public void Save(CheckpointContent content)
    {
        var s = _learner.GetState();
        s.SetRng("policy_rng", _policyRng);
        AgentCheckpoint.Save(s, content, "wm_opt.", "actor_opt.", "critic_opt.", "slow_opt.");
    }

    /// <inheritdoc/>
    public void Load(CheckpointContent content)
    {
        try
        {
            var s = AgentCheckpoint.Load(content, "dreamer");
            _learner.LoadState(s);
            s.GetRng("policy_rng", _policyRng);
        }
        catch (ArgumentException e) { throw new InvalidDataException($"dreamer agent: the checkpoint does not fit: {e.Message}", e); }
    }

    /// <inheritdoc/>
    public void Dispose() { }
}

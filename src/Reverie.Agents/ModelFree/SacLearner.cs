// SacLearner: soft actor-critic with twin Q, Polyak targets, a tanh-Gaussian actor and automatic entropy tuning (CleanRL's sac_continuous_action.py).
using Reverie.Agents.Shared;
using Reverie.Envs;
using Reverie.Tensors;
using Reverie.Tensors.Optim;

namespace Reverie.Agents.ModelFree;

/// <summary>
/// Soft actor-critic (Haarnoja et al. 2018) for Box actions. The loop a driver runs:
/// <code>
/// learner.Act(obs, actions, explore: true);           // uniform random during the warm-up
/// env.Step(actions);
/// learner.Observe(obs, actions, rewards, terminated, realNextObs);
/// if (learner.ShouldUpdate) metrics = learner.Update();
/// </code>
/// Actions are in the action space's bounds (the tanh output is scaled by (high − low)/2 and shifted
/// by (high + low)/2, as CleanRL). Critic loss: Σ_i mse(Q_i(s, a), r + γ(1 − terminated)(min_j Q̄_j(s', a') − α log π(a'|s'))),
/// a' ~ π(s'). Actor loss: mean(α log π(ã|s) − min_j Q_j(s, ã)), ã ~ π(s) reparameterized. Temperature
/// loss: mean(−α (log π(ã|s) + target)) with target = −A, optimized over log α.
/// </summary>
public sealed class SacLearner
{
    private readonly Rng _rng;
    private readonly float[] _scale, _bias;
    private readonly float _logScaleSum;
    private readonly IReadOnlyList<Tensor> _q1Params, _q2Params, _q1TargetParams, _q2TargetParams;

    /// <summary>The configuration.</summary>
    public SacConfig Config { get; }
    /// <summary>The policy.</summary>
    public SacActor Actor { get; }
    /// <summary>The twin critics.</summary>
    public QNetwork Q1 { get; }
    /// <inheritdoc cref="Q1"/>
    public QNetwork Q2 { get; }
    /// <summary>Polyak-averaged copies of the critics.</summary>
    public QNetwork Q1Target { get; }
    /// <inheritdoc cref="Q1Target"/>
    public QNetwork Q2Target { get; }
    /// <summary>log α, (1,) (a parameter when autotuning).</summary>
    public Tensor LogAlpha { get; }
    /// <summary>Adam over both critics (lr QLr).</summary>
    public Adam QOptimizer { get; }
    /// <summary>Adam over the actor (lr PolicyLr).</summary>
    public Adam ActorOptimizer { get; }
    /// <summary>Adam over log α (lr QLr); null without autotuning.</summary>
    public Adam? AlphaOptimizer { get; }
    /// <summary>The learner's own replay buffer (its <see cref="Observe"/>/<see cref="Update()"/> loop); null when built without one (the Driver's agent, which trains on the shared replay).</summary>
    public ReplayRing? Replay { get; }
    /// <summary>−A, the entropy the temperature steers toward.</summary>
    public float TargetEntropy { get; }
    /// <summary>The current α.</summary>
    public float Alpha { get; private set; }
    /// <summary>Observation features.</summary>
    public int ObsDim { get; }
    /// <summary>Action dimensions.</summary>
    public int ActionDim { get; }
    /// <summary>Env steps observed so far.</summary>
    public long EnvSteps { get; private set; }
    /// <summary>Critic updates done so far.</summary>
    public long Updates { get; private set; }
    /// <summary>Whether the warm-up is over (EnvSteps &gt; LearningStarts) so <see cref="Update()"/> should run after each vector step.</summary>
    public bool ShouldUpdate => EnvSteps > Config.LearningStarts && Replay is { Count: > 0 };

    /// <param name="config">Hyperparameters (validated here).</param>
    /// <param name="obsDim">Features of the <c>state</c> observation.</param>
    /// <param name="actionSpace">A Box with finite bounds.</param>
    /// <param name="seed">Seeds weights, warm-up actions, policy samples and replay sampling.</param>
    /// <param name="ownReplay">Allocate <see cref="Replay"/> (BufferSize transitions) for the Observe/Update() loop;
    /// false when the batches come from elsewhere (<see cref="Update(Tensor, Tensor, Tensor, Tensor, Tensor)"/>).</param>
    public SacLearner(SacConfig config, int obsDim, Space actionSpace, ulong seed, bool ownReplay = true)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        if (actionSpace is not BoxSpace box) throw new ArgumentException($"sac: needs a continuous (Box) action space, got {actionSpace}");
        if (obsDim < 1) throw new ArgumentException($"sac: obsDim must be >= 1, got {obsDim}");
        Config = config;
        ObsDim = obsDim;
        ActionDim = box.Size;
        _scale = new float[ActionDim];
        _bias = new float[ActionDim];
        for (int j = 0; j < ActionDim; j++)
        {
            float lo = box.Low[j], hi = box.High[j];
            if (!float.IsFinite(lo) || !float.IsFinite(hi)) throw new ArgumentException($"sac: action bound {j} [{lo}, {hi}] is not finite");
            _scale[j] = (hi - lo) / 2f;
            _bias[j] = (hi + lo) / 2f;
            _logScaleSum += MathF.Log(_scale[j]);
        }
        _rng = new Rng(seed);
        Actor = new SacActor(obsDim, ActionDim, config.Hidden, config.LogStdMin, config.LogStdMax, _rng);
        Q1 = new QNetwork(obsDim, ActionDim, config.Hidden, _rng);
        Q2 = new QNetwork(obsDim, ActionDim, config.Hidden, _rng);
        Q1Target = new QNetwork(obsDim, ActionDim, config.Hidden, _rng);
        Q2Target = new QNetwork(obsDim, ActionDim, config.Hidden, _rng);
        Q1Target.LoadStateDict(Q1.StateDict());
        Q2Target.LoadStateDict(Q2.StateDict());
        foreach (var p in Q1Target.Parameters().Concat(Q2Target.Parameters())) p.RequiresGrad = false;
        (_q1Params, _q2Params) = (Q1.Parameters().ToList(), Q2.Parameters().ToList());
        (_q1TargetParams, _q2TargetParams) = (Q1Target.Parameters().ToList(), Q2Target.Parameters().ToList());
        QOptimizer = new Adam(Q1.NamedParameters("q1").Concat(Q2.NamedParameters("q2")).ToList(), lr: config.QLr);
        ActorOptimizer = new Adam(Actor.NamedParameters("actor").ToList(), lr: config.PolicyLr);
        TargetEntropy = -ActionDim;
        LogAlpha = Tensor.Parameter(new Shape(1), "log_alpha");
        LogAlpha.RequiresGrad = config.Autotune;
        if (!config.Autotune) LogAlpha.Span[0] = MathF.Log(config.Alpha);
        else AlphaOptimizer = new Adam([("log_alpha", LogAlpha)], lr: config.QLr);
        Alpha = MathF.Exp(LogAlpha.Span[0]);
        if (ownReplay) Replay = new ReplayRing(config.BufferSize, obsDim, ActionDim);
    }

    /// <summary>
    /// Actions for rows = obs.Length / ObsDim observations. With <paramref name="explore"/>: uniform in the
    /// bounds while EnvSteps &lt; LearningStarts, then a sample of the policy; without: the deterministic
    /// tanh(mean), scaled.
    /// </summary>
    public void Act(ReadOnlySpan<float> obs, Span<float> actions, bool explore)
    {
        if (obs.Length == 0 || obs.Length % ObsDim != 0 || actions.Length != obs.Length / ObsDim * ActionDim)
            throw new ArgumentException($"sac.act: {obs.Length} observation floats and {actions.Length} action floats do not fit rows of {ObsDim} and {ActionDim}");
        int rows = obs.Length / ObsDim;
        if (explore && EnvSteps < Config.LearningStarts)
        {
            for (int i = 0; i < actions.Length; i++)
            {
                int j = i % ActionDim;
                actions[i] = _bias[j] + _scale[j] * (2f * _rng.NextFloat() - 1f);
            }
            return;
        }
        using var scope = Tensor.Scope();
        using var _ = Tensor.NoGrad();
        var pi = Actor.Policy(Tensor.FromArray(obs, new Shape(rows, ObsDim)));
        var a = (explore ? pi.Sample(_rng) : pi.Mode()).ReadOnlySpan;
        for (int i = 0; i < actions.Length; i++)
        {
            int j = i % ActionDim;
            actions[i] = a[i] * _scale[j] + _bias[j];
        }
    }

    /// <summary>
    /// Stores N transitions (rows of each argument) and counts N env steps. <paramref name="nextObs"/>
    /// holds the real next observations: for an env whose episode ended, its final observation.
    /// </summary>
    public void Observe(ReadOnlySpan<float> obs, ReadOnlySpan<float> actions, ReadOnlySpan<float> rewards,
        ReadOnlySpan<bool> terminated, ReadOnlySpan<float> nextObs)
    {
        int n = rewards.Length;
        if (Replay is null) throw new InvalidOperationException("sac.observe: this learner was built without its own replay (ownReplay: false)");
        if (obs.Length != n * ObsDim || nextObs.Length != n * ObsDim || actions.Length != n * ActionDim || terminated.Length != n)
            throw new ArgumentException($"sac.observe: {n} rewards need {n} x {ObsDim} obs and next obs, {n} x {ActionDim} actions and {n} flags");
        for (int i = 0; i < n; i++)
            Replay.Add(obs.Slice(i * ObsDim, ObsDim), actions.Slice(i * ActionDim, ActionDim), rewards[i],
                nextObs.Slice(i * ObsDim, ObsDim), terminated[i]);
        EnvSteps += n;
    }

    /// <summary>One update (see the other overload) on BatchSize transitions sampled from <see cref="Replay"/>.</summary>
    /// <exception cref="InvalidOperationException">The learner has no replay of its own.</exception>
    public Dictionary<string, float> Update()
    {
        if (Replay is null) throw new InvalidOperationException("sac.update: this learner was built without its own replay; pass a batch");
        using var scope = Tensor.Scope();
        var (obs, act, rew, next, term) = Replay.Sample(Config.BatchSize, _rng);
        return Update(obs, act, rew, next, term);
    }

    /// <summary>
    /// One critic update on a batch of B transitions: <paramref name="obs"/> (B, D), <paramref name="act"/> (B, A) in
    /// the env's action units (overwritten with their tanh-range values), <paramref name="rew"/> (B),
    /// <paramref name="next"/> (B, D), <paramref name="term"/> (B) 1 where s′ is terminal. Every PolicyFrequency-th
    /// update (starting with the first) is followed by PolicyFrequency actor and temperature updates on the same
    /// batch; then the targets move toward the critics by Tau every TargetNetworkFrequency updates. Returns the metrics.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes that do not fit.</exception>
    public Dictionary<string, float> Update(Tensor obs, Tensor act, Tensor rew, Tensor next, Tensor term)
    {
        int b = obs.Shape.Rank == 2 ? obs.Shape[0] : -1;
        if (b < 1 || obs.Shape[1] != ObsDim || next.Shape != obs.Shape || act.Shape.Rank != 2 || act.Shape[0] != b || act.Shape[1] != ActionDim
            || rew.Shape.Rank != 1 || rew.Shape[0] != b || term.Shape != rew.Shape)
            throw new ArgumentException($"sac.update: obs {obs.Shape}, act {act.Shape}, rew {rew.Shape}, next {next.Shape}, term {term.Shape} do not fit (B, {ObsDim}), (B, {ActionDim}), (B)");
        using var scope = Tensor.Scope();
        var unitAct = ToUnit(act);                                   // (B, A) in [−1, 1]
        Tensor target;
        using (Tensor.NoGrad())
        {
            var (nextA, nextLogPi) = SampleWithLogProb(next);
            var minQ = Tensor.Minimum(Q1Target.Forward(next, nextA), Q2Target.Forward(next, nextA)) - nextLogPi * Alpha;
            target = rew + (1f - term) * minQ * Config.Gamma;        // (B)
        }
        var q1 = Q1.Forward(obs, unitAct);
        var q2 = Q2.Forward(obs, unitAct);
        var q1Loss = (q1 - target).Square().Mean();
        var q2Loss = (q2 - target).Square().Mean();
        QOptimizer.ZeroGrad();
        (q1Loss + q2Loss).Backward();
        QOptimizer.Step();
        var m = new Dictionary<string, float>
        {
            ["loss/qf1"] = q1Loss.Item(), ["loss/qf2"] = q2Loss.Item(), ["loss/qf"] = (q1Loss.Item() + q2Loss.Item()) / 2f,
            ["train/qf1_values"] = q1.Mean().Item(), ["train/qf2_values"] = q2.Mean().Item(),
        };

        if (Updates % Config.PolicyFrequency == 0)
            for (int k = 0; k < Config.PolicyFrequency; k++) UpdateActorAndAlpha(obs, m);
        Updates++;
        if (Updates % Config.TargetNetworkFrequency == 0)
        {
            Polyak.Update(_q1TargetParams, _q1Params, Config.Tau);
            Polyak.Update(_q2TargetParams, _q2Params, Config.Tau);
        }
        m["train/alpha"] = Alpha;
        return m;
    }

    private void UpdateActorAndAlpha(Tensor obs, Dictionary<string, float> m)
    {
        // The critics only pass gradients through to the action here; their own weight gradients would be
        // discarded, so they are not computed.
        SetRequiresGrad(_q1Params, false);
        SetRequiresGrad(_q2Params, false);
        try
        {
            var (pi, logPi) = SampleWithLogProb(obs);
            var minQ = Tensor.Minimum(Q1.Forward(obs, pi), Q2.Forward(obs, pi));
            var actorLoss = (logPi * Alpha - minQ).Mean();
            ActorOptimizer.ZeroGrad();
            actorLoss.Backward();
            ActorOptimizer.Step();
            m["loss/actor"] = actorLoss.Item();
            m["train/entropy"] = -logPi.Mean().Item();
        }
        finally
        {
            SetRequiresGrad(_q1Params, true);
            SetRequiresGrad(_q2Params, true);
        }
        if (AlphaOptimizer is null) return;
        Tensor fresh;
        using (Tensor.NoGrad()) fresh = SampleWithLogProb(obs).LogProb;
        var alphaLoss = AlphaLoss(LogAlpha, fresh, TargetEntropy);
        AlphaOptimizer.ZeroGrad();
        alphaLoss.Backward();
        AlphaOptimizer.Step();
        Alpha = MathF.Exp(LogAlpha.Span[0]);
        m["loss/alpha"] = alphaLoss.Item();
    }

    /// <summary>The temperature loss mean(−exp(log α)·(log π + target)); log π carries no gradient.</summary>
    public static Tensor AlphaLoss(Tensor logAlpha, Tensor logPi, float targetEntropy) =>
        (logAlpha.Exp() * (logPi.Detach() + targetEntropy)).Neg().Mean();

    /// <summary>A reparameterized action in [−1, 1]^A and its log-density in the env's action units (B,).</summary>
    private (Tensor Action, Tensor LogProb) SampleWithLogProb(Tensor obs)
    {
        var (a, logProb) = Actor.Policy(obs).RSampleWithLogProb(_rng);
        return (a, _logScaleSum == 0f ? logProb : logProb - _logScaleSum);
    }

    /// <summary>Env actions back to the tanh range: (a − bias) / scale.</summary>
    private Tensor ToUnit(Tensor act)
    {
        if (_logScaleSum == 0f && _bias.All(b => b == 0f)) return act;
        var s = act.Span;
        for (int i = 0; i < s.Length; i++) { int j = i % ActionDim; s[i] = (s[i] - _bias[j]) / _scale[j]; }
        return act;
    }

    private static void SetRequiresGrad(IReadOnlyList<Tensor> ps, bool on)
    {
        foreach (var p in ps) p.RequiresGrad = on;
    }

    /// <summary>
    /// Weights (<c>actor.*</c>, <c>q1.*</c>, <c>q2.*</c>, <c>q1_target.*</c>, <c>q2_target.*</c>, <c>log_alpha</c>),
    /// optimizers (<c>q_opt.*</c>, <c>actor_opt.*</c>, <c>alpha_opt.*</c>), counters and the generator. The
    /// replay buffer is not included (it moves to Reverie.Rl's replay with its own save/load).
    /// </summary>
    public LearnerState GetState()
    {
        var s = new LearnerState();
        s.AddTensors("actor.", Actor.StateDict());
        s.AddTensors("q1.", Q1.StateDict());
        s.AddTensors("q2.", Q2.StateDict());
        s.AddTensors("q1_target.", Q1Target.StateDict());
        s.AddTensors("q2_target.", Q2Target.StateDict());
        s.Tensors["log_alpha"] = LogAlpha;
        s.AddTensors("q_opt.", QOptimizer.StateDict());
        s.AddTensors("actor_opt.", ActorOptimizer.StateDict());
        if (AlphaOptimizer is not null) s.AddTensors("alpha_opt.", AlphaOptimizer.StateDict());
        s.SetLong("env_steps", EnvSteps);
        s.SetLong("updates", Updates);
        s.SetRng("rng", _rng);
        return s;
    }

    /// <summary>Restores <see cref="GetState"/>'s output into a learner built with the same config and spaces.</summary>
    /// <exception cref="ArgumentException">A key is missing or a shape differs.</exception>
    public void LoadState(LearnerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Actor.LoadStateDict(state.Sub("actor."));
        Q1.LoadStateDict(state.Sub("q1."));
        Q2.LoadStateDict(state.Sub("q2."));
        Q1Target.LoadStateDict(state.Sub("q1_target."));
        Q2Target.LoadStateDict(state.Sub("q2_target."));
        if (!state.Tensors.TryGetValue("log_alpha", out var la) || la.Size != 1) throw new ArgumentException("sac: 'log_alpha' is missing or not (1,)");
        LogAlpha.Span[0] = la.ReadOnlySpan[0];
        Alpha = MathF.Exp(LogAlpha.Span[0]);
        QOptimizer.LoadStateDict(state.Sub("q_opt."));
        ActorOptimizer.LoadStateDict(state.Sub("actor_opt."));
        AlphaOptimizer?.LoadStateDict(state.Sub("alpha_opt."));
        EnvSteps = state.GetLong("env_steps");
        Updates = state.GetLong("updates");
        state.GetRng("rng", _rng);
    }
}

// PpoLearner: PPO's rollout storage, acting, GAE and minibatch-epoch update (CleanRL's ppo.py / ppo_continuous_action.py).
using Reverie.Agents.Shared;
using Reverie.Envs;
using Reverie.Tensors;
using Reverie.Tensors.Dist;
using Reverie.Tensors.Optim;

namespace Reverie.Agents.ModelFree;

/// <summary>
/// Proximal policy optimization over N parallel envs. The loop a driver runs:
/// <code>
/// learner.Collect(obs, actions);                      // act, record obs/action/log-prob/value
/// env.Step(actions);
/// learner.Observe(rewards, terminated, truncated, finalObs);
/// if (learner.RolloutFull) metrics = learner.Update(env.Observations.State);
/// </code>
/// Observations are the env's <c>state</c> vectors (N × ObsDim floats, row-major). Actions written
/// for the env are class indices as floats (discrete) or vectors clipped to the action space's
/// bounds (continuous; the unclipped sample is what is stored and scored).
/// </summary>
public sealed class PpoLearner
{
    private readonly Rng _rng;
    private readonly RunningMeanStd? _obsRms, _retRms;
    private readonly double[] _retAcc;
    private readonly float[] _low, _high;
    private readonly int _T, _N;
    // Rollout, time-major (T, N, ...).
    private readonly float[] _obs, _actions, _logProbs, _values, _rewards, _finalValues, _nextValues, _advantages, _returns;
    private readonly bool[] _terminated, _truncated;
    private readonly float[] _scratchObs;
    private int _t;

    /// <summary>The configuration.</summary>
    public PpoConfig Config { get; }
    /// <summary>Actor and critic.</summary>
    public PpoNetworks Net { get; }
    /// <summary>Adam over every parameter of <see cref="Net"/>.</summary>
    public Adam Optimizer { get; }
    /// <summary>Observation features.</summary>
    public int ObsDim { get; }
    /// <summary>Floats per env action (1 for discrete).</summary>
    public int ActionSize { get; }
    /// <summary>Whether actions are class indices.</summary>
    public bool Discrete { get; }
    /// <summary>Updates done so far.</summary>
    public long Iteration { get; private set; }
    /// <summary>Env steps recorded so far (N per <see cref="Observe"/>).</summary>
    public long EnvSteps { get; private set; }
    /// <summary>Whether the rollout holds NumSteps steps and <see cref="Update"/> is due.</summary>
    public bool RolloutFull => _t == _T;

    /// <param name="config">Hyperparameters (validated here).</param>
    /// <param name="obsDim">Features of the <c>state</c> observation.</param>
    /// <param name="actionSpace">A <see cref="DiscreteSpace"/> or a <see cref="BoxSpace"/>.</param>
    /// <param name="seed">Seeds weights, action sampling and minibatch shuffling.</param>
    /// <exception cref="ArgumentException">Bad config, or an unsupported action space.</exception>
    public PpoLearner(PpoConfig config, int obsDim, Space actionSpace, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(actionSpace);
        config.Validate();
        if (obsDim < 1) throw new ArgumentException($"ppo: obsDim must be >= 1, got {obsDim}");
        Config = config;
        ObsDim = obsDim;
        _rng = new Rng(seed);
        int actionDim;
        switch (actionSpace)
        {
            case DiscreteSpace d: Discrete = true; actionDim = d.N; ActionSize = 1; _low = _high = []; break;
            case BoxSpace b: actionDim = ActionSize = b.Size; _low = b.Low.ToArray(); _high = b.High.ToArray(); break;
            default: throw new ArgumentException($"ppo: unsupported action space {actionSpace}");
        }
        Net = new PpoNetworks(obsDim, actionDim, Discrete, config.Hidden, config.Act, config.InitLogStd, _rng);
        Optimizer = new Adam(Net.NamedParameters().ToList(), lr: config.LearningRate, eps: config.AdamEps);
        if (config.NormObs) _obsRms = new RunningMeanStd(obsDim);
        if (config.NormReward) _retRms = new RunningMeanStd(1);
        (_T, _N) = (config.NumSteps, config.NumEnvs);
        int B = _T * _N;
        _retAcc = new double[_N];
        _obs = new float[B * obsDim];
        _actions = new float[B * ActionSize];
        _logProbs = new float[B]; _values = new float[B]; _rewards = new float[B];
        _finalValues = new float[B]; _nextValues = new float[B]; _advantages = new float[B]; _returns = new float[B];
        _terminated = new bool[B]; _truncated = new bool[B];
        _scratchObs = new float[_N * obsDim];
    }

    /// <summary>
    /// Acts without recording (evaluation, or a driver that only wants actions): rows = obs.Length / ObsDim.
    /// <paramref name="explore"/> samples from the policy; otherwise the mode (argmax, or the Gaussian mean clipped).
    /// </summary>
    /// <exception cref="ArgumentException">Lengths do not fit ObsDim and ActionSize.</exception>
    public void Act(ReadOnlySpan<float> obs, Span<float> actions, bool explore)
    {
        int rows = CheckRows(obs, actions, "act");
        using var scope = Tensor.Scope();
        using var _ = Tensor.NoGrad();
        var x = NormalizedTensor(obs, rows, update: false);
        var dist = Net.Policy(x);
        if (Discrete)
        {
            var cat = (Categorical)dist;
            var idx = explore ? cat.SampleIndices(_rng) : cat.ModeIndices();
            for (int i = 0; i < rows; i++) actions[i] = idx[i];
        }
        else
        {
            var a = explore ? dist.Sample(_rng) : dist.Mode();
            ClipToSpace(a.ReadOnlySpan, actions);
        }
    }

    /// <summary>
    /// Acts on the N current observations for the rollout: samples actions, writes them for the env
    /// into <paramref name="envActions"/> (N × ActionSize) and records obs, action, log-prob and value at the next slot.
    /// </summary>
    /// <exception cref="InvalidOperationException">The rollout is full (call <see cref="Update"/>), or the previous step was not observed.</exception>
    public void Collect(ReadOnlySpan<float> obs, Span<float> envActions)
    {
        if (obs.Length != _N * ObsDim || envActions.Length != _N * ActionSize)
            throw new ArgumentException($"ppo.collect: needs {_N} x {ObsDim} observation floats and {_N} x {ActionSize} action floats, got {obs.Length} and {envActions.Length}");
        if (_t == _T) throw new InvalidOperationException("ppo.collect: the rollout is full; call Update first");
        if (_pendingObserve) throw new InvalidOperationException("ppo.collect: the previous step was not observed; call Observe after stepping the env");
        using var scope = Tensor.Scope();
        using var _ = Tensor.NoGrad();
        var x = NormalizedTensor(obs, _N, update: true);             // (N, D)
        x.ReadOnlySpan.CopyTo(_obs.AsSpan(_t * _N * ObsDim, _N * ObsDim));
        var dist = Net.Policy(x);
        Tensor logProb;
        var stored = _actions.AsSpan(_t * _N * ActionSize, _N * ActionSize);
        if (Discrete)
        {
            var cat = (Categorical)dist;
            var idx = cat.SampleIndices(_rng);
            for (int i = 0; i < _N; i++) stored[i] = envActions[i] = idx[i];
            logProb = cat.LogProb(idx);
        }
        else
        {
            var a = dist.Sample(_rng);                               // (N, A)
            a.ReadOnlySpan.CopyTo(stored);
            ClipToSpace(a.ReadOnlySpan, envActions);
            logProb = dist.LogProb(a);
        }
        logProb.ReadOnlySpan.CopyTo(_logProbs.AsSpan(_t * _N, _N));
        Net.Value(x).ReadOnlySpan.CopyTo(_values.AsSpan(_t * _N, _N));
        _pendingObserve = true;
    }

    private bool _pendingObserve;

    /// <summary>
    /// Records the outcome of the step <see cref="Collect"/> acted for: rewards, flags and, for envs that
    /// ended, their final observations (rows of <paramref name="finalObs"/>, N × ObsDim; read only where
    /// truncated and not terminated, to bootstrap the time limit).
    /// </summary>
    /// <exception cref="InvalidOperationException">No step is pending.</exception>
    public void Observe(ReadOnlySpan<float> rewards, ReadOnlySpan<bool> terminated, ReadOnlySpan<bool> truncated, ReadOnlySpan<float> finalObs)
    {
        if (!_pendingObserve) throw new InvalidOperationException("ppo.observe: no pending step; call Collect first");
        if (rewards.Length != _N || terminated.Length != _N || truncated.Length != _N || finalObs.Length != _N * ObsDim)
            throw new ArgumentException($"ppo.observe: needs {_N} rewards and flags and {_N} x {ObsDim} final observation floats");
        int o = _t * _N;
        for (int i = 0; i < _N; i++)
        {
            float r = rewards[i];
            if (_retRms is not null)
            {
                _retAcc[i] = _retAcc[i] * Config.Gamma + r;          // discounted return, as Gymnasium's NormalizeReward
                _retRms.Update([(float)_retAcc[i]]);
                r = (float)Math.Clamp(r / Math.Sqrt(_retRms.Variance[0] + 1e-8), -Config.RewardClip, Config.RewardClip);
                if (terminated[i] || truncated[i]) _retAcc[i] = 0;
            }
            _rewards[o + i] = r;
            _terminated[o + i] = terminated[i];
            _truncated[o + i] = truncated[i];
            _finalValues[o + i] = 0f;
        }
        if (Config.BootstrapTruncated) BootstrapFinal(terminated, truncated, finalObs, o);
        _pendingObserve = false;
        _t++;
        EnvSteps += _N;
    }

    private void BootstrapFinal(ReadOnlySpan<bool> terminated, ReadOnlySpan<bool> truncated, ReadOnlySpan<float> finalObs, int o)
    {
        bool any = false;
        for (int i = 0; i < _N; i++) any |= truncated[i] && !terminated[i];
        if (!any) return;
        using var scope = Tensor.Scope();
        using var _ = Tensor.NoGrad();
        var v = Net.Value(NormalizedTensor(finalObs, _N, update: false)).ReadOnlySpan;
        for (int i = 0; i < _N; i++)
            if (truncated[i] && !terminated[i]) _finalValues[o + i] = v[i];
    }

    /// <summary>
    /// GAE over the full rollout (bootstrapping from <paramref name="nextObs"/>, the N observations after
    /// the last step), then UpdateEpochs passes of NumMinibatches shuffled minibatches, each one Adam step
    /// on policy_loss − EntCoef·entropy + VfCoef·value_loss after clipping the global gradient norm.
    /// Returns the metrics, averaged over the minibatches done. Empties the rollout.
    /// </summary>
    /// <exception cref="InvalidOperationException">The rollout is not full.</exception>
    public Dictionary<string, float> Update(ReadOnlySpan<float> nextObs)
    {
        if (!RolloutFull) throw new InvalidOperationException($"ppo.update: the rollout holds {_t} of {_T} steps");
        if (nextObs.Length != _N * ObsDim) throw new ArgumentException($"ppo.update: needs {_N} x {ObsDim} next-observation floats, got {nextObs.Length}");
        double frac = Config.AnnealLr ? Math.Max(0.0, 1.0 - (double)Iteration / Config.NumIterations) : 1.0;
        Optimizer.LearningRate = frac * Config.LearningRate;
        ComputeAdvantages(nextObs);

        int B = _T * _N, mb = Config.MinibatchSize, D = ObsDim;
        var perm = new int[B];
        for (int i = 0; i < B; i++) perm[i] = i;
        var mbObs = new float[mb * D];
        var mbAct = new float[mb * ActionSize];
        var mbIdx = new int[mb];
        var mbOld = new float[mb]; var mbAdv = new float[mb]; var mbRet = new float[mb]; var mbVal = new float[mb];
        var parameters = Optimizer.Parameters;
        double sPg = 0, sV = 0, sEnt = 0, sKl = 0, sOldKl = 0, sClip = 0, sNorm = 0; int count = 0;
        for (int epoch = 0; epoch < Config.UpdateEpochs; epoch++)
        {
            Shuffle(perm);
            float lastKl = 0;
            for (int start = 0; start < B; start += mb)
            {
                for (int j = 0; j < mb; j++)
                {
                    int k = perm[start + j];
                    _obs.AsSpan(k * D, D).CopyTo(mbObs.AsSpan(j * D, D));
                    _actions.AsSpan(k * ActionSize, ActionSize).CopyTo(mbAct.AsSpan(j * ActionSize, ActionSize));
                    mbIdx[j] = Discrete ? (int)_actions[k] : 0;
                    mbOld[j] = _logProbs[k]; mbAdv[j] = _advantages[k]; mbRet[j] = _returns[k]; mbVal[j] = _values[k];
                }
                if (Config.NormAdv) PpoLosses.NormalizeAdvantages(mbAdv);
                using var scope = Tensor.Scope();
                var x = Tensor.FromArray(mbObs, new Shape(mb, D));
                var dist = Net.Policy(x);
                var newLogProb = Discrete ? ((Categorical)dist).LogProb(mbIdx) : dist.LogProb(Tensor.FromArray(mbAct, new Shape(mb, ActionSize)));
                var entropy = dist.Entropy().Mean();
                var sur = PpoLosses.ClippedSurrogate(newLogProb, Tensor.FromArray(mbOld), Tensor.FromArray(mbAdv), Config.ClipCoef);
                var vLoss = PpoLosses.ValueLoss(Net.Value(x), Tensor.FromArray(mbVal), Tensor.FromArray(mbRet),
                    Config.ClipVloss ? Config.ClipCoef : null);
                var loss = sur.Loss - entropy * Config.EntCoef + vLoss * Config.VfCoef;
                Optimizer.ZeroGrad();
                loss.Backward();
                sNorm += Clipping.ClipGradNorm(parameters, Config.MaxGradNorm);
                Optimizer.Step();
                sPg += sur.Loss.Item(); sV += vLoss.Item(); sEnt += entropy.Item();
                sKl += sur.ApproxKl; sOldKl += sur.OldApproxKl; sClip += sur.ClipFraction; count++;
                lastKl = sur.ApproxKl;
            }
            if (Config.TargetKl is float target && lastKl > target) break;
        }
        Iteration++;
        _t = 0;
        return new Dictionary<string, float>
        {
            ["loss/policy"] = (float)(sPg / count),
            ["loss/value"] = (float)(sV / count),
            ["loss/entropy"] = (float)(sEnt / count),
            ["train/approx_kl"] = (float)(sKl / count),
            ["train/old_approx_kl"] = (float)(sOldKl / count),
            ["train/clipfrac"] = (float)(sClip / count),
            ["train/grad_norm"] = (float)(sNorm / count),
            ["train/explained_variance"] = ExplainedVariance(),
            ["train/learning_rate"] = (float)Optimizer.LearningRate,
            ["train/minibatches"] = count,
        };
    }

    private void ComputeAdvantages(ReadOnlySpan<float> nextObs)
    {
        float[] last;
        using (Tensor.Scope())
        using (Tensor.NoGrad())
            last = Net.Value(NormalizedTensor(nextObs, _N, update: false)).ToArray();
        for (int t = 0; t < _T; t++)
            for (int n = 0; n < _N; n++)
            {
                int i = t * _N + n;
                _nextValues[i] = _terminated[i] || _truncated[i] ? _finalValues[i]
                    : t == _T - 1 ? last[n] : _values[i + _N];
            }
        Gae.Compute(_rewards, _values, _nextValues, _terminated, _truncated, _N, Config.Gamma, Config.GaeLambda, _advantages);
        for (int i = 0; i < _returns.Length; i++) _returns[i] = _advantages[i] + _values[i];
    }

    /// <summary>1 − Var(R − V) / Var(R) over the rollout (NaN when the returns are constant), as CleanRL logs it.</summary>
    private float ExplainedVariance()
    {
        static double Var(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        {
            double m = 0;
            for (int i = 0; i < a.Length; i++) m += a[i] - (b.IsEmpty ? 0 : b[i]);
            m /= a.Length;
            double v = 0;
            for (int i = 0; i < a.Length; i++) { double d = a[i] - (b.IsEmpty ? 0 : b[i]) - m; v += d * d; }
            return v / a.Length;
        }
        double vy = Var(_returns, default);
        return vy == 0 ? float.NaN : (float)(1 - Var(_returns, _values) / vy);
    }

    private void Shuffle(int[] a)
    {
        for (int i = a.Length - 1; i > 0; i--)
        {
            int j = _rng.NextInt(i + 1);
            (a[i], a[j]) = (a[j], a[i]);
        }
    }

    /// <summary>The observation rows as a (rows, D) tensor, normalized when NormObs (updating the statistics first when asked).</summary>
    private Tensor NormalizedTensor(ReadOnlySpan<float> obs, int rows, bool update)
    {
        var x = Tensor.FromArray(obs, new Shape(rows, ObsDim));
        if (_obsRms is null) return x;
        if (update) _obsRms.Update(obs);
        _obsRms.Normalize(x.Span, x.Span, Config.ObsClip);
        return x;
    }

    private void ClipToSpace(ReadOnlySpan<float> a, Span<float> dest)
    {
        for (int i = 0; i < a.Length; i++)
        {
            int j = i % ActionSize;
            dest[i] = Math.Clamp(a[i], _low[j], _high[j]);
        }
    }

    private int CheckRows(ReadOnlySpan<float> obs, Span<float> actions, string op)
    {
        if (obs.Length == 0 || obs.Length % ObsDim != 0 || actions.Length != obs.Length / ObsDim * ActionSize)
            throw new ArgumentException($"ppo.{op}: {obs.Length} observation floats and {actions.Length} action floats do not fit rows of {ObsDim} and {ActionSize}");
        return obs.Length / ObsDim;
    }

    /// <summary>
    /// The learner's state between updates: tensors for the weights (<c>net.*</c>) and Adam (<c>opt.*</c>);
    /// metadata for the normalizer statistics (<c>obs_rms.*</c>, <c>ret_rms.*</c>, <c>ret_acc</c>, exact
    /// doubles), the counters and the generator.
    /// A rollout in progress is not included: save right after <see cref="Update"/>.
    /// </summary>
    public LearnerState GetState()
    {
        var s = new LearnerState();
        s.AddTensors("net.", Net.StateDict());
        s.AddTensors("opt.", Optimizer.StateDict());
        _obsRms?.Save(s, "obs_rms.");
        if (_retRms is not null)
        {
            _retRms.Save(s, "ret_rms.");
            s.SetDoubles("ret_acc", _retAcc);
        }
        s.SetLong("iteration", Iteration);
        s.SetLong("env_steps", EnvSteps);
        s.SetRng("rng", _rng);
        return s;
    }

    /// <summary>Restores <see cref="GetState"/>'s output into a learner built with the same config and spaces; empties the rollout.</summary>
    /// <exception cref="ArgumentException">A key is missing or a shape differs.</exception>
    public void LoadState(LearnerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Net.LoadStateDict(state.Sub("net."));
        Optimizer.LoadStateDict(state.Sub("opt."));
        _obsRms?.Load(state, "obs_rms.");
        if (_retRms is not null)
        {
            _retRms.Load(state, "ret_rms.");
            state.GetDoubles("ret_acc", _N).CopyTo(_retAcc, 0);
        }
        Iteration = state.GetLong("iteration");
        EnvSteps = state.GetLong("env_steps");
        state.GetRng("rng", _rng);
        _t = 0;
        _pendingObserve = false;
    }
}

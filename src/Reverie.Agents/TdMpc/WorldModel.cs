// WorldModel: TD-MPC2's implicit world model with paper names: Encode, Next, Reward, Termination, Pi, Q (an ensemble with Polyak targets).
using Reverie.Tensors;
using Reverie.Tensors.Nn;
using Reverie.Tensors.Optim;

namespace Reverie.Agents.TdMpc;

/// <summary>Which value <see cref="WorldModel.Q"/> returns from two ensemble members drawn at random.</summary>
public enum QMode
{
    /// <summary>The smaller of the two (TD targets).</summary>
    Min,
    /// <summary>Their mean (planning's terminal value, the policy loss).</summary>
    Avg,
}

/// <summary>
/// The task of each row of a batch on a multi-task env: <see cref="Ids"/> (one per row of the second-to-last axis
/// of the inputs, broadcast over a leading time axis) and <see cref="Mask"/> (rows, A), 1 on the action dimensions the
/// task uses and 0 on the padding.
/// </summary>
/// <param name="Ids">Task index per row.</param>
/// <param name="Mask">(rows, A) action mask.</param>
public sealed record TaskBatch(int[] Ids, Tensor Mask);

/// <summary>
/// One draw of the policy prior: the squashed sampled <see cref="Action"/> and <see cref="Mean"/> (..., A), the
/// bounded <see cref="LogStd"/>, <see cref="Entropy"/> = −log π(a) and TD-MPC2's <see cref="ScaledEntropy"/>
/// (the entropy rescaled as if it were A times the Gaussian's, (...)).
/// </summary>
public sealed record PolicySample(Tensor Action, Tensor Mean, Tensor LogStd, Tensor Entropy, Tensor ScaledEntropy);

/// <summary>
/// TD-MPC2's world model (tdmpc2/common/world_model.py), state observations:
/// <code>
/// z    = Encode(obs)            SimNorm latent (…, L)
/// z'   = Next(z, a)             latent dynamics, SimNorm
/// r    = Reward(z, a)           head outputs (…, bins); ScalarHead.Decode → reward
/// c    = Termination(z)         logit of "z is terminal" (episodic tasks only)
/// a, … = Pi(z)                  tanh-squashed Gaussian policy prior
/// q    = QAll(z, a) / Q(z, a)   ensemble of Q heads; Q draws two members and returns their min or mean
/// </code>
/// All MLPs are <see cref="TdMlp"/>s (LayerNorm + Mish). On a multi-task env a learned task embedding (rows kept at
/// norm ≤ 1, as nn.Embedding's max_norm) is appended to every network's input and the policy's action dimensions
/// are masked. Target Qs are Polyak copies of the Qs (never trained, always in evaluation mode).
/// Modules: <c>encoder</c>, <c>dynamics</c>, <c>reward</c>, <c>termination</c>, <c>pi</c>, <c>qs.q{k}</c>,
/// <c>target_qs.q{k}</c>; parameter <c>task_emb</c>.
/// </summary>
public sealed class WorldModel : Module, IPlanningModel
{
    private readonly TdMlp _encoder, _dynamics, _reward, _pi;
    private readonly TdMlp? _termination;
    private readonly QEnsemble _qs, _targetQs;
    private readonly Tensor? _taskEmb;
    private readonly float _logStdMin, _logStdMax;

    /// <summary>Observation features.</summary>
    public int ObsDim { get; }
    /// <summary>Action dimensions (the padded maximum on a multi-task env).</summary>
    public int ActionDim { get; }
    /// <summary>Latent size.</summary>
    public int LatentDim { get; }
    /// <summary>Tasks (1 for a single task: no embedding).</summary>
    public int NumTasks { get; }
    /// <summary>Ensemble size.</summary>
    public int NumQ => _qs.Count;
    /// <summary>How reward and Q outputs code scalars.</summary>
    public ScalarHead Head { get; }
    /// <summary>Whether the model has a termination head.</summary>
    public bool Episodic => _termination is not null;

    /// <summary>Builds the model with TD-MPC2's initialization (reward and Q output weights at zero).</summary>
    /// <exception cref="ArgumentException">A size is not positive or the config is invalid.</exception>
    public WorldModel(TdMpc2Config cfg, int obsDim, int actionDim, Rng rng, int numTasks = 1)
    {
        cfg.Validate();
        if (obsDim < 1 || actionDim < 1 || numTasks < 1)
            throw new ArgumentException($"tdmpc2 world model: obsDim {obsDim}, actionDim {actionDim} and numTasks {numTasks} must be >= 1");
        (ObsDim, ActionDim, LatentDim, NumTasks) = (obsDim, actionDim, cfg.LatentDim, numTasks);
        Head = new ScalarHead(cfg.NumBins, cfg.Vmin, cfg.Vmax);
        int task = numTasks > 1 ? cfg.TaskDim : 0, L = cfg.LatentDim, M = cfg.MlpDim, simnorm = cfg.Simnorm ? cfg.SimnormDim : 0;
        int[] mlp = [M, M];
        if (numTasks > 1)
        {
            _taskEmb = RegisterParameter("task_emb", Tensor.Parameter(new Shape(numTasks, task)));
            Init.Uniform(_taskEmb, rng, -0.02f, 0.02f);
        }
        _encoder = RegisterModule("encoder", new TdMlp(obsDim + task, Enumerable.Repeat(cfg.EncDim, Math.Max(cfg.NumEncLayers - 1, 1)).ToArray(), L, rng, simnorm));
        _dynamics = RegisterModule("dynamics", new TdMlp(L + task + actionDim, mlp, L, rng, simnorm));
        _reward = RegisterModule("reward", new TdMlp(L + task + actionDim, mlp, Head.OutputSize, rng, zeroOutput: true));
        if (cfg.Episodic) _termination = RegisterModule("termination", new TdMlp(L + task, mlp, 1, rng));
        _pi = RegisterModule("pi", new TdMlp(L + task, mlp, 2 * actionDim, rng));
        _qs = RegisterModule("qs", new QEnsemble(cfg.NumQ, L + task + actionDim, mlp, Head.OutputSize, cfg.Dropout, rng));
        _targetQs = RegisterModule("target_qs", new QEnsemble(cfg.NumQ, L + task + actionDim, mlp, Head.OutputSize, cfg.Dropout, rng));
        _targetQs.LoadStateDict(_qs.StateDict());
        foreach (var p in _targetQs.Parameters()) p.RequiresGrad = false;
        (_logStdMin, _logStdMax) = (cfg.LogStdMin, cfg.LogStdMax);
        Train(false);
    }

    /// <summary>The Q ensemble.</summary>
    public QEnsemble Qs => _qs;
    /// <summary>The Polyak-averaged target Q ensemble.</summary>
    public QEnsemble TargetQs => _targetQs;

    /// <summary>The world-model optimizer's groups: the encoder at <paramref name="encLrScale"/>, then dynamics, reward, termination, Qs and the task embedding.</summary>
    public IReadOnlyList<ParamGroup> ModelGroups(double encLrScale)
    {
        var rest = _dynamics.NamedParameters("dynamics").Concat(_reward.NamedParameters("reward"))
            .Concat(_termination?.NamedParameters("termination") ?? []).Concat(_qs.NamedParameters("qs")).ToList();
        if (_taskEmb is not null) rest.Add(("task_emb", _taskEmb));
        return [ParamGroup.Of(_encoder.NamedParameters("encoder").ToList(), encLrScale), ParamGroup.Of(rest)];
    }

    /// <summary>The policy prior's parameters (its own optimizer).</summary>
    public IReadOnlyList<(string Name, Tensor Param)> PiParameters() => _pi.NamedParameters("pi").ToList();

    /// <summary>Sets training mode (dropout in the Qs) on everything but the target Qs, which stay in evaluation mode.</summary>
    public void SetTraining(bool on)
    {
        Train(on);
        _targetQs.Eval();
    }

    /// <summary>obs (…, D) → z (…, L).</summary>
    /// <exception cref="ArgumentException">obs does not end in <see cref="ObsDim"/>, or a task batch is missing or does not fit.</exception>
    public Tensor Encode(Tensor obs, TaskBatch? task = null) => _encoder.Forward(WithTask(obs, task, "encode"));

    /// <summary>z (…, L), a (…, A) → z′ (…, L).</summary>
    public Tensor Next(Tensor z, Tensor a, TaskBatch? task = null) => _dynamics.Forward(ZA(z, a, task, "next"));

    /// <summary>z (…, L), a (…, A) → reward head outputs (…, bins) (decode with <see cref="Head"/>).</summary>
    public Tensor Reward(Tensor z, Tensor a, TaskBatch? task = null) => _reward.Forward(ZA(z, a, task, "reward"));

    /// <summary>
    /// Both Next and Reward of the same (z, a) sharing one input (planning): (z′ (…, L), reward outputs (…, bins)).
    /// </summary>
    public (Tensor Next, Tensor Reward) NextAndReward(Tensor z, Tensor a, TaskBatch? task = null)
    {
        var za = ZA(z, a, task, "next");
        return (_dynamics.Forward(za), _reward.Forward(za));
    }

    /// <summary>z (…, L) → the termination logit (…).</summary>
    /// <exception cref="InvalidOperationException">The model was built without a termination head (agent.episodic = false).</exception>
    public Tensor Termination(Tensor z, TaskBatch? task = null)
    {
        if (_termination is null) throw new InvalidOperationException("tdmpc2: no termination head; set agent.episodic=true for tasks that terminate");
        return _termination.Forward(WithTask(z, task, "termination")).Squeeze(-1);
    }

    /// <summary>
    /// A draw of the policy prior at z (…, L) (TD-MPC2's <c>pi</c>): mean and log-std from the network, log-std bounded
    /// smoothly into [log_std_min, log_std_max], a = tanh(mean + σ·ε), ε ~ N(0, I) from <paramref name="rng"/>
    /// (reparameterized: gradients reach the network). On a multi-task env mean, log-std and ε are masked and the
    /// entropy is scaled by each task's action count.
    /// </summary>
    public PolicySample Pi(Tensor z, Rng rng, TaskBatch? task = null)
    {
        var h = _pi.Forward(WithTask(z, task, "pi"));                   // (…, 2A)
        var parts = h.Chunk(2, -1);
        var mean = parts[0];
        var logStd = TdMath.LogStd(parts[1], _logStdMin, _logStdMax);
        var eps = Tensor.Randn(mean.Shape, rng);
        Tensor size;
        if (task is not null)
        {
            mean = mean * task.Mask;
            logStd = logStd * task.Mask;
            eps = eps * task.Mask;
            size = task.Mask.Sum(-1);                                   // (rows,) actions of each task
        }
        else size = Tensor.Scalar(ActionDim);
        var logProb = TdMath.GaussianLogProb(eps, logStd);               // (…)
        var scaledLogProb = logProb * size;
        var action = (mean + eps * logStd.Exp()).Tanh();
        logProb = logProb - TdMath.SquashCorrection(action);
        var entropyScale = scaledLogProb / logProb.Add(1e-8f);
        var scaledEntropy = logProb.Neg() * entropyScale;
        return new PolicySample(action, mean.Tanh(), logStd, logProb.Neg(), scaledEntropy);
    }

    /// <summary>Every Q member's outputs at (z, a): <see cref="NumQ"/> tensors (…, bins).</summary>
    public Tensor[] QAll(Tensor z, Tensor a, TaskBatch? task = null, bool target = false) =>
        (target ? _targetQs : _qs).ForwardAll(ZA(z, a, task, "q"));

    /// <summary>
    /// The decoded value of two members drawn without replacement from <paramref name="rng"/> (the same two for
    /// every row, as TD-MPC2), combined by <paramref name="mode"/>; (…). Only the two drawn members are evaluated.
    /// </summary>
    public Tensor Q(Tensor z, Tensor a, QMode mode, Rng rng, TaskBatch? task = null, bool target = false)
    {
        var (i, j) = DrawPair(NumQ, rng);
        var ens = target ? _targetQs : _qs;
        var za = ZA(z, a, task, "q");
        var qi = Head.Decode(ens[i].Forward(za));
        var qj = Head.Decode(ens[j].Forward(za));
        return mode == QMode.Min ? Tensor.Minimum(qi, qj) : (qi + qj).Mul(0.5f);
    }

    /// <summary>The dropout generators of the Q members by module name (for checkpoints).</summary>
    public IEnumerable<(string Name, Rng Rng)> DropoutGenerators() =>
        NamedModules().Where(m => m.Module is TdMlp { DropoutRng: not null }).Select(m => (m.Name, ((TdMlp)m.Module).DropoutRng!));

    /// <summary>Target Qs ← (1 − τ)·target Qs + τ·Qs.</summary>
    public void SoftUpdateTargets(float tau) => Polyak.Update(_targetQs.ParameterList, _qs.ParameterList, tau);

    (Tensor Next, Tensor Reward) IPlanningModel.Step(Tensor z, Tensor a, TaskBatch? task)
    {
        var (next, reward) = NextAndReward(z, a, task);
        return (next, Head.Decode(reward));
    }

    Tensor IPlanningModel.PolicyAction(Tensor z, Rng rng, TaskBatch? task) => Pi(z, rng, task).Action;

    Tensor IPlanningModel.Value(Tensor z, Tensor a, Rng rng, TaskBatch? task) => Q(z, a, QMode.Avg, rng, task);

    Tensor IPlanningModel.TerminalProbability(Tensor z, TaskBatch? task) => Termination(z, task).Sigmoid();

    /// <summary>Two distinct indices in [0, n), uniformly (torch.randperm(n)[:2]).</summary>
    public static (int, int) DrawPair(int n, Rng rng)
    {
        int i = rng.NextInt(n), j = rng.NextInt(n - 1);
        return (i, j >= i ? j + 1 : j);
    }

    private Tensor ZA(Tensor z, Tensor a, TaskBatch? task, string op)
    {
        if (z.Rank == 0 || z.Shape[-1] != LatentDim || a.Shape.Without(-1) != z.Shape.Without(-1) || a.Shape[-1] != ActionDim)
            throw new ArgumentException($"tdmpc2 {op}: expected z (…, {LatentDim}) and a (…, {ActionDim}) with equal leading axes but got {z.Shape} and {a.Shape}");
        return Tensor.Concat([WithTask(z, task, op), a], -1);
    }

    // x (…, B, F) → x ‖ task_emb[ids] (…, B, F + task_dim), the embedding broadcast over leading axes.
    private Tensor WithTask(Tensor x, TaskBatch? task, string op)
    {
        if (_taskEmb is null)
        {
            if (task is not null) throw new ArgumentException($"tdmpc2 {op}: a task batch was given to a single-task model");
            return x;
        }
        if (task is null) throw new ArgumentException($"tdmpc2 {op}: a multi-task model ({NumTasks} tasks) needs the task of every row");
        int rows = x.Rank >= 2 ? x.Shape[-2] : 1;
        if (task.Ids.Length != rows || task.Mask.Shape != new Shape(rows, ActionDim))
            throw new ArgumentException($"tdmpc2 {op}: input {x.Shape} has {rows} rows but the task batch has {task.Ids.Length} ids and mask {task.Mask.Shape}");
        RenormEmbedding(task.Ids);
        var emb = _taskEmb.IndexSelect(0, task.Ids);                    // (B, task_dim)
        if (x.Rank == 1) emb = emb.Reshape(emb.Shape[1]);
        else if (x.Rank > 2) emb = emb.Expand(x.Shape.With(-1, emb.Shape[1]));
        return Tensor.Concat([x, emb], -1);
    }

    // nn.Embedding(max_norm=1): rows looked up with a norm above 1 are scaled back to norm 1 in place.
    private void RenormEmbedding(int[] ids)
    {
        var w = _taskEmb!.Span;
        int d = _taskEmb.Shape[1];
        foreach (int id in ids.Distinct())
        {
            if ((uint)id >= (uint)NumTasks) throw new ArgumentException($"tdmpc2: task id {id} is outside [0, {NumTasks})");
            var row = w.Slice(id * d, d);
            float norm = System.Numerics.Tensors.TensorPrimitives.Norm(row);
            if (norm > 1f) System.Numerics.Tensors.TensorPrimitives.Multiply(row, 1f / (norm + 1e-7f), row);
        }
    }
}

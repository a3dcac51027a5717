// TdMpc2Learner: TD-MPC2's update (tdmpc2.py _update/update_pi/_td_target), acting through the planner, and its full state.
using Reverie.Agents.Shared;
using Reverie.Tensors;
using Reverie.Tensors.Optim;

namespace Reverie.Agents.TdMpc;

/// <summary>
/// TD-MPC2's learning step on a batch of B sub-trajectories of H + 1 steps, time-major (the letters of the paper):
/// <code>
/// targets (no gradient):  z′_t = Encode(o_{t+1});  y_t = r_t + γ(1 − term_t)·min of 2 target Qs at (z′_t, π(z′_t))
/// rollout:                z_0 = Encode(o_0);  z_{t+1} = Next(z_t, a_t)
/// consistency = Σ_t ρ^t ‖z_{t+1} − z′_t‖²/L / H          (mean over batch and latent)
/// reward      = Σ_t ρ^t CE(Reward(z_t, a_t), r_t) / H     (two-hot cross-entropy, or MSE)
/// value       = Σ_k Σ_t ρ^t CE(Q_k(z_t, a_t), y_t) / (H·K)
/// termination = BCE(Termination(z_{t+1}), term_t)          (episodic only)
/// loss = 20·consistency + 0.1·reward + 0.1·value + 1·termination → clip 20 → Adam (encoder lr × 0.3)
/// policy: a ~ π(sg(z_t)); q = mean of 2 Qs (weights frozen); S ← RunningScale(q_0)
///         L_π = mean_t ρ^t · −mean_B(entropy_coef·scaled_entropy + q/S) → clip 20 → Adam(eps 1e-5)
/// target Qs ← Polyak(τ)
/// </code>
/// Qs use dropout during both losses (training mode) and none in the targets or when planning.
/// </summary>
public sealed class TdMpc2Learner
{
    private readonly Rng _updateRng, _planRng;
    private readonly float[] _discounts;
    private readonly IReadOnlyList<Tensor> _modelParams, _piParams;

    /// <summary>The settings.</summary>
    public TdMpc2Config Config { get; }
    /// <summary>The world model.</summary>
    public WorldModel Model { get; }
    /// <summary>Adam over encoder (lr × enc_lr_scale), dynamics, reward, termination, Qs and task embedding.</summary>
    public Adam Optim { get; }
    /// <summary>Adam over the policy prior (eps 1e-5).</summary>
    public Adam PiOptim { get; }
    /// <summary>The running scale of Q values in the policy loss.</summary>
    public RunningScale Scale { get; }
    /// <summary>The MPPI planner over <see cref="Model"/>.</summary>
    public MppiPlanner Planner { get; }
    /// <summary>Updates done.</summary>
    public long Updates { get; private set; }
    /// <summary>The discount of each task.</summary>
    public IReadOnlyList<float> Discounts => _discounts;

    /// <param name="config">Hyperparameters (validated).</param>
    /// <param name="obsDim">Observation features.</param>
    /// <param name="actionDim">Action dimensions (in [−1, 1]).</param>
    /// <param name="seed">Seeds the weights, the update draws and the planner.</param>
    /// <param name="discounts">γ of each task; its length is the number of tasks (1: single task, no embedding).</param>
    /// <exception cref="ArgumentException">Bad sizes, config or discounts.</exception>
    public TdMpc2Learner(TdMpc2Config config, int obsDim, int actionDim, ulong seed, float[] discounts)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        if (discounts.Length == 0 || discounts.Any(d => !(d >= 0 && d <= 1)))
            throw new ArgumentException($"tdmpc2: needs one discount in [0, 1] per task, got [{string.Join(", ", discounts)}]");
        Config = config;
        _discounts = (float[])discounts.Clone();
        var init = new Rng(seed);
        Model = new WorldModel(config, obsDim, actionDim, init, discounts.Length);
        _updateRng = init.Fork();
        _planRng = init.Fork();
        Optim = new Adam(Model.ModelGroups(config.EncLrScale), lr: config.Lr);
        PiOptim = new Adam(Model.PiParameters(), lr: config.Lr, eps: 1e-5);
        _modelParams = Model.ModelGroups(1).SelectMany(g => g.Params).ToList();
        _piParams = Model.PiParameters().Select(p => p.Param).ToList();
        Scale = new RunningScale(config.Tau);
        Planner = new MppiPlanner(Model, config, _planRng);
    }

    /// <summary>
    /// Chooses the action for one observation row (D floats): plans with MPPI (<see cref="TdMpc2Config.Mpc"/>) or
    /// samples the policy prior (its mean when evaluating). <paramref name="task"/> is a one-row task batch on a
    /// multi-task model.
    /// </summary>
    public void Act(ReadOnlySpan<float> obs, PlanState state, bool evaluate, Span<float> action, TaskBatch? task = null)
    {
        if (obs.Length != Model.ObsDim || action.Length != Model.ActionDim)
            throw new ArgumentException($"tdmpc2 act: expected {Model.ObsDim} observation and {Model.ActionDim} action floats, got {obs.Length} and {action.Length}");
        using var scope = Tensor.Scope();
        using var noGrad = Tensor.NoGrad();
        var z = Model.Encode(Tensor.FromArray(obs, new Shape(1, obs.Length)), task);
        float discount = _discounts[task?.Ids[0] ?? 0];
        if (Config.Mpc) { Planner.Plan(z, state, evaluate, discount, action, task); return; }
        var pi = Model.Pi(z, _planRng, task);
        (evaluate ? pi.Mean : pi.Action).ReadOnlySpan.CopyTo(action);
    }

    /// <summary>
    /// TD targets y = r + γ(1 − terminated)·q, elementwise: <paramref name="reward"/>, <paramref name="terminated"/>
    /// and <paramref name="nextQ"/> (H, B), <paramref name="discount"/> a scalar or (B,) per row.
    /// </summary>
    public static Tensor TdTargets(Tensor reward, Tensor terminated, Tensor discount, Tensor nextQ) =>
        reward + (1f - terminated) * discount * nextQ;

    /// <summary>Σ_t ρ^t·mean_B(x_t) for per-element values x (T, B).</summary>
    public static Tensor RhoWeighted(Tensor x, float rho)
    {
        int T = x.Shape[0];
        var w = new float[T];
        for (int t = 0; t < T; t++) w[t] = MathF.Pow(rho, t);
        return (x.Mean(1) * Tensor.FromArray(w)).Sum();
    }

    /// <summary>
    /// One update on <paramref name="obs"/> (H+1, B, D), <paramref name="action"/> (H, B, A), <paramref name="reward"/>
    /// and <paramref name="terminated"/> (H, B): action a_t was taken at o_t and led to r_t, o_{t+1}, terminated_t.
    /// <paramref name="task"/> holds each sequence's task on a multi-task model. Returns the metrics.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes that do not fit.</exception>
    public Dictionary<string, float> Update(Tensor obs, Tensor action, Tensor reward, Tensor terminated, TaskBatch? task = null)
    {
        int H = Config.Horizon, B = obs.Rank == 3 ? obs.Shape[1] : -1, D = Model.ObsDim, A = Model.ActionDim;
        if (obs.Shape != new Shape(H + 1, B, D) || action.Shape != new Shape(H, B, A) || reward.Shape != new Shape(H, B) || terminated.Shape != reward.Shape)
            throw new ArgumentException($"tdmpc2 update: obs {obs.Shape}, action {action.Shape}, reward {reward.Shape}, terminated {terminated.Shape} do not fit ({H + 1}, B, {D}), ({H}, B, {A}), ({H}, B)");
        using var scope = Tensor.Scope();
        var discount = task is null ? Tensor.Scalar(_discounts[0]) : Tensor.FromArray(task.Ids.Select(i => _discounts[i]).ToArray());
        Tensor nextZ, td;
        using (Tensor.NoGrad())
        {
            nextZ = Model.Encode(obs.Narrow(0, 1, H), task);                                     // (H, B, L)
            var nextA = Model.Pi(nextZ, _updateRng, task).Action;
            td = TdTargets(reward, terminated, discount, Model.Q(nextZ, nextA, QMode.Min, _updateRng, task, target: true));
        }

        Model.SetTraining(true);
        try
        {
            var m = new Dictionary<string, float>();
            var zs = WorldModelStep(obs, action, reward, terminated, nextZ, td, task, m);
            PolicyStep(zs.Detach(), task, m);
            m["train/td_target"] = td.Mean().Item();
            Model.SoftUpdateTargets(Config.Tau);
            Updates++;
            return m;
        }
        finally { Model.SetTraining(false); }
    }

    private Tensor WorldModelStep(Tensor obs, Tensor action, Tensor reward, Tensor terminated, Tensor nextZ, Tensor td, TaskBatch? task, Dictionary<string, float> m)
    {
        int H = Config.Horizon, B = obs.Shape[1];
        float rho = Config.Rho;
        var z = Model.Encode(obs.Narrow(0, 0, 1).Reshape(B, Model.ObsDim), task);              // (B, L)
        var zs = new Tensor[H + 1];
        zs[0] = z;
        Tensor consistency = Tensor.Scalar(0f);
        for (int t = 0; t < H; t++)
        {
            z = Model.Next(z, action.Narrow(0, t, 1).Reshape(B, Model.ActionDim), task);
            consistency = consistency + (z - nextZ.Narrow(0, t, 1).Reshape(B, Model.LatentDim)).Square().Mean() * MathF.Pow(rho, t);
            zs[t + 1] = z;
        }
        var all = Tensor.Stack(zs, 0);                                                          // (H+1, B, L)
        var start = all.Narrow(0, 0, H);                                                        // (H, B, L)
        var rewardLoss = RhoWeighted(Model.Head.Loss(Model.Reward(start, action, task), reward), rho);
        Tensor valueLoss = Tensor.Scalar(0f);
        foreach (var q in Model.QAll(start, action, task))
            valueLoss = valueLoss + RhoWeighted(Model.Head.Loss(q, td), rho);
        consistency = consistency / H;
        rewardLoss = rewardLoss / H;
        valueLoss = valueLoss / (H * Model.NumQ);
        var total = consistency * Config.ConsistencyCoef + rewardLoss * Config.RewardCoef + valueLoss * Config.ValueCoef;
        if (Model.Episodic)
        {
            var logits = Model.Termination(all.Narrow(0, 1, H), task);                          // (H, B)
            var terminationLoss = (logits.Softplus() - logits * terminated).Mean();              // BCE with logits
            total = total + terminationLoss * Config.TerminationCoef;
            m["loss/termination"] = terminationLoss.Item();
        }
        total.Backward();
        float gradNorm = Clipping.ClipGradNorm(_modelParams, Config.GradClipNorm);
        Optim.Step();
        Optim.ZeroGrad();
        m["loss/consistency"] = consistency.Item();
        m["loss/reward"] = rewardLoss.Item();
        m["loss/value"] = valueLoss.Item();
        m["loss/total"] = total.Item();
        m["train/grad_norm"] = gradNorm;
        return all;
    }

    private void PolicyStep(Tensor zs, TaskBatch? task, Dictionary<string, float> m)
    {
        int T = zs.Shape[0], B = zs.Shape[1];
        Model.Qs.SetRequiresGrad(false);                       // gradients reach the action, not the Q weights
        try
        {
            var pi = Model.Pi(zs, _updateRng, task);
            var q = Model.Q(zs, pi.Action, QMode.Avg, _updateRng, task);                         // (H+1, B)
            Scale.Update(q.ReadOnlySpan[..B]);
            var perStep = (pi.ScaledEntropy * Config.EntropyCoef + q / Scale.Value).Mean(1).Neg(); // (H+1,)
            var w = new float[T];
            for (int t = 0; t < T; t++) w[t] = MathF.Pow(Config.Rho, t);
            var loss = (perStep * Tensor.FromArray(w)).Mean();
            loss.Backward();
            float gradNorm = Clipping.ClipGradNorm(_piParams, Config.GradClipNorm);
            PiOptim.Step();
            PiOptim.ZeroGrad();
            m["loss/pi"] = loss.Item();
            m["train/pi_grad_norm"] = gradNorm;
            m["train/pi_entropy"] = pi.Entropy.Mean().Item();
            m["train/pi_scaled_entropy"] = pi.ScaledEntropy.Mean().Item();
            m["train/pi_scale"] = Scale.Value;
        }
        finally { Model.Qs.SetRequiresGrad(true); }
    }

    /// <summary>
    /// Weights (<c>wm.*</c>: every module incl. the target Qs), optimizers (<c>opt.*</c>, <c>pi_opt.*</c>), the running
    /// scale, the update count and every generator (updates, planner, dropout masks).
    /// </summary>
    public LearnerState GetState()
    {
        var s = new LearnerState();
        s.AddTensors("wm.", Model.StateDict());
        s.AddTensors("opt.", Optim.StateDict());
        s.AddTensors("pi_opt.", PiOptim.StateDict());
        s.SetDoubles("scale", [Scale.Value]);
        s.SetLong("updates", Updates);
        s.SetRng("rng.update", _updateRng);
        s.SetRng("rng.plan", _planRng);
        foreach (var (name, rng) in Model.DropoutGenerators()) s.SetRng("rng.dropout." + name, rng);
        return s;
    }

    /// <summary>Restores <see cref="GetState"/>'s output into a learner built with the same config and sizes.</summary>
    /// <exception cref="ArgumentException">A key is missing or a shape differs.</exception>
    public void LoadState(LearnerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Model.LoadStateDict(state.Sub("wm."));
        Optim.LoadStateDict(state.Sub("opt."));
        PiOptim.LoadStateDict(state.Sub("pi_opt."));
        Scale.Value = (float)state.GetDoubles("scale", 1)[0];
        Updates = state.GetLong("updates");
        state.GetRng("rng.update", _updateRng);
        state.GetRng("rng.plan", _planRng);
        foreach (var (name, rng) in Model.DropoutGenerators()) state.GetRng("rng.dropout." + name, rng);
    }
}

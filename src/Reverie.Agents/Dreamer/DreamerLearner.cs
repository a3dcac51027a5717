// DreamerLearner: one Dreamer update — world-model losses, imagination from every posterior state, actor-critic and replay-value losses, optimizer steps.
using Reverie.Agents.Shared;
using Reverie.Tensors;
using Reverie.Tensors.Dist;
using Reverie.Tensors.Nn;
using Reverie.Tensors.Optim;

namespace Reverie.Agents.Dreamer;

/// <summary>
/// Dreamer's training step (danijar/dreamerv3 <c>agent.py</c> <c>loss</c>, <c>imag_loss</c>, <c>repl_loss</c>), one
/// backward pass for all parts as DreamerV3 does. With B·T replayed steps and H = <c>imag_length</c>:
/// <code>
/// world model   losses rec, rew, con, dyn, rep on the batch (WorldModel.Loss)
/// imagine       from all N = B·T posterior states (stop-gradient), a_t ~ π(feat_t), H steps of the prior
/// returns       R_t = r_{t+1} + c_{t+1}·((1 − λ)·v_{t+1} + λ·R_{t+1}),  R_H = v_H      (c: continue prob × discount)
/// weight        w_t = Π_{k≤t} c_k  (stop-gradient)
/// policy        w_t · −(ρ·ln π(a_t)·sg((R_t − v_t) / S) + (1 − ρ)·R_t / S + actent·H[π])   S = max(1, P95 − P5)
/// value         w_t · (−ln p_v(sg(R_t)) − slowreg·ln p_v(sg(v_slow,t)))
/// repval        on the replayed steps, λ-returns of the real rewards bootstrapped with the imagined R_0
/// total         Σ_k scale_k · mean(loss_k)
/// </code>
/// ρ = 1 is DreamerV3's REINFORCE; ρ = 0 backpropagates the returns through the dynamics (v1); v2 mixes them. When
/// ρ &lt; 1 the rollout keeps its graph, and the (1 − ρ) term is backpropagated first with the world model and critic
/// frozen, so only the actor learns from it. Each part (world model, actor, critic) has its own optimizer with the
/// same settings (<see cref="OptConfig"/>); the slow critic follows the critic by EMA (<c>slowvalue</c>).
/// </summary>
public sealed class DreamerLearner
{
    private readonly Rng _rng;
    private readonly Optimizer _wmOpt, _actorOpt, _criticOpt;
    private readonly List<Tensor> _wmParams, _actorParams, _criticParams;
    private readonly Ema _slow;
    private readonly ReturnNormalizer? _retnorm;
    private readonly float _rho;

    /// <summary>The configuration.</summary>
    public DreamerConfig Config { get; }
    /// <summary>The world model.</summary>
    public WorldModel Wm { get; }
    /// <summary>Actor and critic.</summary>
    public ActorCritic Ac { get; }
    /// <summary>The slow (EMA) critic.</summary>
    public Mlp SlowCritic { get; }
    /// <summary>Updates done.</summary>
    public long Updates { get; private set; }
    /// <summary>The learner's generator (samples latents and imagined actions).</summary>
    public Rng Rng => _rng;

    /// <summary>Builds the networks and optimizers.</summary>
    /// <param name="config">Hyperparameters (validated here).</param>
    /// <param name="layout">The observation layout.</param>
    /// <param name="actionSize">Action dimensions, or classes when <paramref name="discrete"/>.</param>
    /// <param name="discrete">Whether actions are one-hot categorical.</param>
    /// <param name="seed">Seeds the weights and every sample.</param>
    /// <exception cref="ArgumentException">A bad config value, named.</exception>
    public DreamerLearner(DreamerConfig config, ObsLayout layout, int actionSize, bool discrete, ulong seed)
    {
        var problems = config.Validate().ToList();
        if (problems.Count > 0) throw new ArgumentException("dreamer config: " + string.Join("; ", problems.Select(p => $"{p.Key} {p.Problem}")));
        Config = config;
        _rng = new Rng(seed);
        var init = _rng.Fork();
        Wm = new WorldModel(config, layout, actionSize, init);
        Ac = new ActorCritic(config, Wm.Dynamics.FeatureSize, actionSize, discrete, init);
        SlowCritic = ActorCritic.NewCritic(config, Wm.Dynamics.FeatureSize, init);
        foreach (var p in SlowCritic.Parameters()) p.RequiresGrad = false;
        _slow = new Ema(Ac.Critic.NamedParameters("critic").ToList(), config.Slowvalue.Rate, config.Slowvalue.Every, SlowCritic.Parameters().ToList());
        if (config.Retnorm.Impl == "perc")
            _retnorm = new ReturnNormalizer(config.Retnorm.Rate, config.Retnorm.Limit, config.Retnorm.Perclo, config.Retnorm.Perchi);
        _rho = config.Actor.Grad switch
        {
            "reinforce" => 1f,
            "dynamics" => 0f,
            "mix" => config.Actor.Rho,
            _ => discrete ? 1f : 0f,                                                 // auto (DreamerV2)
        };
        var wm = Wm.NamedParameters("wm").ToList();
        var actor = Ac.Actor.NamedParameters("actor").ToList();
        var critic = Ac.Critic.NamedParameters("critic").ToList();
        (_wmParams, _actorParams, _criticParams) = (wm.Select(p => p.Parameter).ToList(), actor.Select(p => p.Parameter).ToList(), critic.Select(p => p.Parameter).ToList());
        _wmOpt = MakeOpt(wm, config.Opt.Lr);
        _actorOpt = MakeOpt(actor, config.Opt.ActorLr);
        _criticOpt = MakeOpt(critic, config.Opt.CriticLr);
    }

    /// <summary>ρ, the REINFORCE share of the actor's gradient (1 = REINFORCE, 0 = dynamics backpropagation).</summary>
    public float Rho => _rho;

    private Optimizer MakeOpt(List<(string Name, Tensor Param)> ps, double lr)
    {
        var o = Config.Opt;
        return o.Kind == "dreamer"
            ? new DreamerOptimizer(ps, lr, o.Agc, o.Eps, o.Beta1, o.Beta2, warmup: o.Warmup)
            : new Adam(ps, lr, o.Beta1, o.Beta2, o.Eps);
    }

    /// <summary>
    /// One update on a replayed batch (see the class summary); returns the metrics: <c>loss/{name}</c> for each
    /// loss, and <c>train/*</c> statistics.
    /// </summary>
    /// <exception cref="ArgumentException">The batch does not fit the model.</exception>
    /// <exception cref="InvalidOperationException">A loss is not finite (the update is skipped, nothing changes).</exception>
    public Dictionary<string, float> Train(DreamerBatch batch)
    {
        using var scope = Tensor.Scope();
        var c = Config;
        int B = batch.B, T = batch.T, H = c.ImagLength, N = B * T;
        var m = new Dictionary<string, float>();
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        float Lap() { long t = System.Diagnostics.Stopwatch.GetTimestamp(); float ms = (float)((t - t0) * 1000.0 / System.Diagnostics.Stopwatch.Frequency); t0 = t; return ms; }

        var wm = Wm.Loss(batch, _rng);
        m["time/wm_forward_ms"] = Lap();
        var losses = new Dictionary<string, Tensor>();                                  // name → scalar mean
        foreach (var (name, l) in wm.Losses) losses[name] = l.Mean();
        int D = c.Rssm.Deter, S = c.Rssm.Stoch, K = c.Rssm.Classes, A = Wm.ActionSize;
        var start = new RssmState(wm.Post.Deter.Reshape(N, D).Detach(), wm.Post.Stoch.Reshape(N, S, K).Detach());

        // Imagination. REINFORCE needs no graph through the rollout; dynamics backpropagation does, with the world
        // model and critic frozen so that only the actor learns from the returns' gradient. Everything below is laid
        // out over H + 1 steps (the start and H imagined states); the last step has weight 0 in the losses.
        bool dynGrad = _rho < 1f;
        Tensor imgFeat, imgAct, con, tarval, ret, rew, vOut;
        SetRequiresGrad(_wmParams, !dynGrad);
        SetRequiresGrad(_criticParams, !dynGrad);
        try
        {
            using (dynGrad ? null : (IDisposable)Tensor.NoGrad())
            {
                (imgFeat, imgAct) = Rollout(start, H, dynGrad);                         // (N, H+1, F), (N, H, A)
                rew = Wm.Reward(imgFeat).Mean;                                          // (N, H+1)
                con = Wm.ContProb(imgFeat);                                             // (N, H+1)
                tarval = dynGrad || c.ImagLoss.Slowtar ? Ac.Value(c.ImagLoss.Slowtar ? SlowCritic : Ac.Critic, imgFeat).Mean : null!;
            }
            vOut = null!;
            if (!dynGrad)
            {
                vOut = Ac.Critic.Forward(imgFeat);                                      // critic outputs (N, H+1, ·), trains the critic
                if (tarval is null) using (Tensor.NoGrad()) tarval = Ac.ValueOf(vOut.Detach()).Mean;
            }
            Tensor retG;
            using (dynGrad ? null : (IDisposable)Tensor.NoGrad()) retG = Returns(rew, con, tarval, c.ImagLoss.Lam);   // (N, H)
            ret = retG.Detach();
            m["time/imagine_ms"] = Lap();
            float scale = 1f;
            if (_retnorm is not null) (_, scale) = _retnorm.Call(ret.ReadOnlySpan);
            m["train/ret_scale"] = scale;
            var weight = Weight(con, H);                                                // (N, H+1), last column 0, no gradient
            if (dynGrad)
            {
                var dynLoss = (weight.Narrow(1, 0, H) * retG).Sum() * (-(1f - _rho) * c.LossScales.Policy / (scale * N * H));
                CheckFinite("policy (dynamics)", dynLoss);
                m["loss/policy_dynamics"] = dynLoss.Item() / c.LossScales.Policy;
                _actorOpt.ZeroGrad();
                dynLoss.Backward();                                                     // actor only: the rest is frozen
            }
            else _actorOpt.ZeroGrad();
            SetRequiresGrad(_wmParams, true);
            SetRequiresGrad(_criticParams, true);
            if (dynGrad)
            {
                imgFeat = imgFeat.Detach();
                vOut = Ac.Critic.Forward(imgFeat);
            }

            // Actor (REINFORCE part and entropy) and critic on the detached trajectory.
            var retPad = Tensor.Concat([ret, Tensor.Zeros(new Shape(N, 1))], 1);       // (N, H+1)
            var actPad = Tensor.Concat([imgAct.Detach(), Tensor.Zeros(new Shape(N, 1, A))], 1);   // (N, H+1, A)
            var baseVal = tarval.Detach();                                              // (N, H+1)
            var adv = (retPad - baseVal) / scale;                                       // (N, H+1)
            var pi = Ac.Policy(imgFeat);
            var ent = ActorCritic.Entropy(pi, _rng);                                    // (N, H+1)
            var policy = -(weight * ent * c.ImagLoss.Actent);
            if (_rho > 0f) policy = policy - weight * pi.LogProb(actPad) * adv * _rho;
            float perStep = 1f / (N * H);
            losses["policy"] = policy.Sum() * perStep;
            var vdist = Ac.ValueOf(vOut);
            var vloss = vdist.Loss(retPad);
            if (c.ImagLoss.Slowreg > 0f)
            {
                Tensor slowVal;
                using (Tensor.NoGrad()) slowVal = Ac.Value(SlowCritic, imgFeat).Mean;  // (N, H+1)
                vloss = vloss + vdist.Loss(slowVal) * c.ImagLoss.Slowreg;
            }
            losses["value"] = (weight * vloss).Sum() * perStep;

            m["train/ret"] = ret.Mean().Item();
            m["train/adv_mag"] = (adv * weight).Abs().Sum().Item() * perStep;
            m["train/policy_ent"] = ent.Narrow(1, 0, H).Mean().Item();
            m["train/value"] = baseVal.Narrow(1, 0, H).Mean().Item();
            m["train/imag_reward"] = rew.Detach().Narrow(1, 1, H).Mean().Item();
            m["train/weight"] = weight.Sum().Item() * perStep;
            m["time/actor_critic_forward_ms"] = Lap();
        }
        finally
        {
            SetRequiresGrad(_wmParams, true);
            SetRequiresGrad(_criticParams, true);
        }

        // Replay value loss: λ-returns of the real rewards, bootstrapped from the imagined return at each start.
        if (c.LossScales.Repval > 0f && T >= 2)
        {
            Tensor rret, rslow;
            var rOut = Ac.Critic.Forward(wm.Feat);                                     // (B, T, ·); trains the features too
            using (Tensor.NoGrad())
            {
                var boot = ret.Narrow(1, 0, 1).Reshape(B, T);                           // imagined R_0 of each start
                var r = LambdaReturn.Compute(batch.IsLast, batch.IsTerminal, batch.Reward, boot, c.Discount, c.ImagLoss.Lam);   // (B, T−1)
                rret = Tensor.Concat([r, Tensor.Zeros(new Shape(B, 1))], 1);            // (B, T), last step unused
                rslow = Ac.Value(SlowCritic, wm.Feat.Detach()).Mean;                    // (B, T)
                m["train/repval_ret"] = r.Mean().Item();
            }
            var rdist = Ac.ValueOf(rOut);
            var rl = rdist.Loss(rret);
            if (c.ImagLoss.Slowreg > 0f) rl = rl + rdist.Loss(rslow) * c.ImagLoss.Slowreg;
            // A step that ends its episode has no return in this sequence (the next step starts another episode), so it
            // gets weight 0, as DreamerV3's weight = ~is_last (the mean still counts it, as there).
            var notLast = 1f - batch.IsLast.Narrow(1, 0, T - 1);
            losses["repval"] = (rl.Narrow(1, 0, T - 1) * notLast).Mean();
        }

        m["time/repval_forward_ms"] = Lap();
        Tensor total = Tensor.Scalar(0f);
        foreach (var (name, l) in losses)
        {
            m["loss/" + name] = l.Item();
            total = total + l * ScaleOf(name);
        }
        CheckFinite("total", total);
        _wmOpt.ZeroGrad();
        _criticOpt.ZeroGrad();
        total.Backward();
        m["time/backward_ms"] = Lap();
        if (Config.Opt.Kind == "adam" && Config.Opt.Clip > 0)
        {
            m["train/wm_grad_norm"] = Clipping.ClipGradNorm(_wmParams, Config.Opt.Clip);
            m["train/actor_grad_norm"] = Clipping.ClipGradNorm(_actorParams, Config.Opt.Clip);
            m["train/critic_grad_norm"] = Clipping.ClipGradNorm(_criticParams, Config.Opt.Clip);
        }
        _wmOpt.Step();
        _actorOpt.Step();
        _criticOpt.Step();
        _slow.Update();
        Updates++;
        m["time/optimizer_ms"] = Lap();

        using (Tensor.NoGrad())
        {
            m["train/prior_ent"] = Wm.Dynamics.LatentDist(wm.Post.PriorLogits.Detach()).Entropy().Mean().Item();
            m["train/post_ent"] = Wm.Dynamics.LatentDist(wm.Post.PostLogits.Detach()).Entropy().Mean().Item();
        }
        return m;
    }

    /// <summary>
    /// λ-returns over an imagined trajectory, differentiable (for dynamics backpropagation): rew, con, val (N, H+1)
    /// → (N, H) with R_H = val_H and R_t = rew_{t+1} + con_{t+1}·((1 − λ)·val_{t+1} + λ·R_{t+1}). Equals
    /// <see cref="LambdaReturn.Compute(Tensor, Tensor, Tensor, Tensor, float, float)"/> with last = 0, term = 1 − con, disc = 1.
    /// </summary>
    public static Tensor Returns(Tensor rew, Tensor con, Tensor val, float lam)
    {
        int H = rew.Shape[1] - 1;
        var outs = new Tensor[H];
        var next = Col(val, H);                                                     // (N)
        for (int t = H - 1; t >= 0; t--)
        {
            next = Col(rew, t + 1) + Col(con, t + 1) * (Col(val, t + 1) * (1f - lam) + next * lam);
            outs[t] = next;
        }
        return Tensor.Stack(outs, 1);
    }

    /// <summary>
    /// w_t = Π_{k≤t} con_k for t &lt; H and w_H = 0, con (N, H+1) → (N, H+1), no gradient (DreamerV3's cumulative
    /// continue weight; the last imagined state starts no step).
    /// </summary>
    public static Tensor Weight(Tensor con, int H)
    {
        int N = con.Shape[0], W = con.Shape[1];
        var src = con.ReadOnlySpan;
        var w = Tensor.Zeros(new Shape(N, W));
        var ws = w.Span;
        for (int i = 0; i < N; i++)
        {
            float p = 1f;
            for (int t = 0; t < H; t++) { p *= src[i * W + t]; ws[i * W + t] = p; }
        }
        return w;
    }

    /// <summary>
    /// Imagines H steps from <paramref name="start"/> with the actor: a_t ~ π(feat_t), h_{t+1} = core(h_t, z_t, a_t),
    /// z_{t+1} ~ p(z | h_{t+1}). Returns the features of the start and the H states, (N, H+1, F), and the actions (N, H, A).
    /// With <paramref name="grad"/> the actions are reparameterized (straight-through for discrete) and the graph
    /// through them is kept. The policy always sees detached features, as in Dreamer v1 and v2
    /// (<c>actor(stop_gradient(feat))</c> in both): the returns' gradient reaches the actor through its actions, not
    /// through its input.
    /// </summary>
    private (Tensor Feat, Tensor Action) Rollout(RssmState start, int H, bool grad)
    {
        var feats = new Tensor[H + 1];
        var acts = new Tensor[H];
        var s = start;
        feats[0] = Wm.Features(s);                                                  // (N, F)
        for (int t = 0; t < H; t++)
        {
            var a = ImagineAction(Ac.Policy(feats[t].Detach()), grad);                  // (N, A)
            var deter = Wm.Dynamics.Step(s, a);
            s = new RssmState(deter, Wm.Dynamics.SampleLatent(Wm.Dynamics.Prior(deter), _rng));
            feats[t + 1] = Wm.Features(s);
            acts[t] = a;
        }
        return (Tensor.Stack(feats, 1), Tensor.Stack(acts, 1));
    }

    private Tensor ImagineAction(IDistribution pi, bool grad) => grad && pi.HasRSample ? pi.RSample(_rng) : pi.Sample(_rng);

    private float ScaleOf(string name) => name switch
    {
        "rec" => Config.LossScales.Rec, "rew" => Config.LossScales.Rew, "con" => Config.LossScales.Con,
        "dyn" => Config.LossScales.Dyn, "rep" => Config.LossScales.Rep, "policy" => Config.LossScales.Policy,
        "value" => Config.LossScales.Value, "repval" => Config.LossScales.Repval,
        _ => throw new InvalidOperationException($"dreamer: loss '{name}' has no scale in loss_scales"),
    };

    private static Tensor Col(Tensor x, int t) => x.Narrow(1, t, 1).Squeeze(1);

    private static void SetRequiresGrad(List<Tensor> ps, bool on)
    {
        foreach (var p in ps) p.RequiresGrad = on;
    }

    private static void CheckFinite(string what, Tensor loss)
    {
        float v = loss.Item();
        if (!float.IsFinite(v))
            throw new InvalidOperationException($"dreamer: the {what} loss is {v}; the update was skipped (try a smaller opt.lr, or check the env's observations and rewards for NaN/inf)");
    }

    /// <summary>Weights (<c>wm.*</c>, <c>ac.*</c>, <c>slow_critic.*</c>), optimizers (<c>*_opt.*</c>), return statistics, counters and the generator.</summary>
    public LearnerState GetState()
    {
        var s = new LearnerState();
        s.AddTensors("wm.", Wm.StateDict());
        s.AddTensors("ac.", Ac.StateDict());
        s.AddTensors("slow_critic.", SlowCritic.StateDict());
        s.AddTensors("wm_opt.", _wmOpt.StateDict());
        s.AddTensors("actor_opt.", _actorOpt.StateDict());
        s.AddTensors("critic_opt.", _criticOpt.StateDict());
        s.AddTensors("slow_opt.", _slow.StateDict());
        s.SetLong("updates", Updates);
        if (_retnorm is not null) s.SetDoubles("retnorm", [_retnorm.Lo, _retnorm.Hi]);
        s.SetRng("rng", _rng);
        return s;
    }

    /// <summary>Restores <see cref="GetState"/>'s output into a learner built with the same config and spaces.</summary>
    /// <exception cref="ArgumentException">A key is missing or a shape differs.</exception>
    public void LoadState(LearnerState s)
    {
        Wm.LoadStateDict(s.Sub("wm."));
        Ac.LoadStateDict(s.Sub("ac."));
        SlowCritic.LoadStateDict(s.Sub("slow_critic."));
        _wmOpt.LoadStateDict(s.Sub("wm_opt."));
        _actorOpt.LoadStateDict(s.Sub("actor_opt."));
        _criticOpt.LoadStateDict(s.Sub("critic_opt."));
        _slow.LoadStateDict(s.Sub("slow_opt."));
        Updates = s.GetLong("updates");
        if (_retnorm is not null) { var r = s.GetDoubles("retnorm", 2); (_retnorm.Lo, _retnorm.Hi) = ((float)r[0], (float)r[1]); }
        s.GetRng("rng", _rng);
    }

    /// <summary>The optimizers, for tests and tools: world model, actor, critic.</summary>
    public (Optimizer Wm, Optimizer Actor, Optimizer Critic) Optimizers => (_wmOpt, _actorOpt, _criticOpt);
}

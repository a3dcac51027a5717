// MppiPlanner: TD-MPC2's planning (tdmpc2.py _plan/_estimate_value): MPPI in latent space with policy-prior samples, elites and a learned terminal value.
using Reverie.Tensors;

namespace Reverie.Agents.TdMpc;

/// <summary>What the planner needs from a latent model; <see cref="WorldModel"/> implements it (tests use toy models).</summary>
public interface IPlanningModel
{
    /// <summary>Action dimensions A.</summary>
    int ActionDim { get; }

    /// <summary>z (N, L), a (N, A) → (z′ (N, L), the predicted reward (N,)).</summary>
    (Tensor Next, Tensor Reward) Step(Tensor z, Tensor a, TaskBatch? task);

    /// <summary>z (N, L), a (N, A) → z′ (N, L).</summary>
    Tensor Next(Tensor z, Tensor a, TaskBatch? task);

    /// <summary>A sampled policy-prior action (N, A) at z (N, L).</summary>
    Tensor PolicyAction(Tensor z, Rng rng, TaskBatch? task);

    /// <summary>The value (N,) of taking a (N, A) at z (N, L).</summary>
    Tensor Value(Tensor z, Tensor a, Rng rng, TaskBatch? task);

    /// <summary>Whether <see cref="TerminalProbability"/> is meaningful (episodic tasks).</summary>
    bool Episodic { get; }

    /// <summary>The probability (N,) that z (N, L) is terminal.</summary>
    Tensor TerminalProbability(Tensor z, TaskBatch? task);
}

/// <summary>
/// What a planner remembers of one env between steps: the previous plan's mean (H, A), used to warm-start the
/// next plan shifted by one step (the last step starts at 0). <see cref="Reset"/> at an episode start.
/// </summary>
public sealed class PlanState(int horizon, int actionDim)
{
    /// <summary>The last plan's mean, (H, A) row-major.</summary>
    public float[] Mean { get; } = new float[horizon * actionDim];

    /// <summary>Whether <see cref="Mean"/> holds a plan of the current episode.</summary>
    public bool HasPlan { get; set; }

    /// <summary>Forgets the plan (the next one starts from mean 0).</summary>
    public void Reset()
    {
        Array.Clear(Mean);
        HasPlan = false;
    }
}

/// <summary>
/// Model predictive path integral control in latent space, as TD-MPC2. For one env: encode, then
/// <code>
/// P policy trajectories: roll the policy prior through the dynamics for H steps (fixed for all iterations)
/// μ = previous μ shifted by one step (0 at an episode start), σ = max_std
/// repeat I times:
///   S − P sequences a = clip(μ + σ·ε, −1, 1); G(a) = Σ_t γ^t r_t + γ^H Q(z_H, π(z_H))   (all S in one batch)
///   elites = the E sequences with the largest G; w ∝ exp(temperature·(G − max G))
///   μ = Σ w·a_elite, σ = clip(√(Σ w·(a_elite − μ)²), min_std, max_std)
/// act: exploring, the first action of an elite drawn by w, plus σ_0·ε; evaluating, μ_0 (the plan's mean)
/// </code>
/// Every network call takes all S sequences at once. Returns are cut at predicted terminations on episodic tasks.
/// TD-MPC2 also evaluates with a drawn elite (without noise); acting on the mean is this implementation's
/// deterministic evaluation mode.
/// </summary>
public sealed class MppiPlanner
{
    private readonly IPlanningModel _model;
    private readonly Rng _rng;

    /// <summary>The settings (horizon, iterations, samples, elites, policy trajectories, stds, temperature).</summary>
    public TdMpc2Config Config { get; }

    /// <summary>MPPI iterations per plan (<see cref="TdMpc2Config.IterationsFor"/>).</summary>
    public int Iterations { get; }

    /// <summary>A planner over <paramref name="model"/> drawing from <paramref name="rng"/>.</summary>
    public MppiPlanner(IPlanningModel model, TdMpc2Config config, Rng rng)
    {
        config.Validate();
        (_model, Config, _rng) = (model, config, rng);
        Iterations = config.IterationsFor(model.ActionDim);
    }

    /// <summary>The elite weights of the last plan (diagnostics and tests).</summary>
    public float[] LastScores { get; private set; } = [];

    /// <summary>The sampling std of the last plan, (H, A) row-major.</summary>
    public float[] LastStd { get; private set; } = [];

    /// <summary>
    /// Plans from the latent state <paramref name="z"/> (1, L) and writes the action (A) into <paramref name="action"/>.
    /// <paramref name="discount"/> is the task's γ; <paramref name="task"/> a one-row task batch on a multi-task model.
    /// Updates <paramref name="state"/> with the new plan.
    /// </summary>
    /// <exception cref="ArgumentException">z is not one row or the action span is not A long.</exception>
    public void Plan(Tensor z, PlanState state, bool evaluate, float discount, Span<float> action, TaskBatch? task = null)
    {
        int H = Config.Horizon, S = Config.NumSamples, P = Config.NumPiTrajs, E = Config.NumElites, A = _model.ActionDim;
        if (z.Rank != 2 || z.Shape[0] != 1 || action.Length != A || state.Mean.Length != H * A)
            throw new ArgumentException($"mppi: expected z (1, L), {A} action floats and a plan of {H}x{A}, got {z.Shape}, {action.Length} and {state.Mean.Length}");
        using var noGrad = Tensor.NoGrad();
        using var scope = Tensor.Scope();
        float[]? mask = task?.Mask.ToArray();
        TaskBatch? taskS = Repeat(task, S), taskP = P > 0 ? Repeat(task, P) : null;
        var actions = new float[H * S * A];                          // (H, S, A)
        if (P > 0) PolicyTrajectories(z, taskP, actions);

        var mean = new float[H * A];
        var std = new float[H * A];
        Array.Fill(std, Config.MaxStd);
        if (state.HasPlan) Array.Copy(state.Mean, A, mean, 0, (H - 1) * A);
        var zS = z.Expand(new Shape(S, z.Shape[1]));
        var value = new float[S];
        var elites = new int[E];
        var score = new float[E];
        var eliteActions = new float[H * E * A];                     // (H, E, A)
        for (int it = 0; it < Iterations; it++)
        {
            for (int t = 0; t < H; t++)
                for (int s = P; s < S; s++)
                    for (int j = 0; j < A; j++)
                    {
                        int k = t * A + j;
                        actions[(t * S + s) * A + j] = Math.Clamp(mean[k] + std[k] * _rng.Normal(), -1f, 1f);
                    }
            if (mask is not null)
                for (int i = 0; i < actions.Length; i++) actions[i] *= mask[i % A];
            EstimateValue(zS, actions, discount, taskS, value);
            TopK(value, elites);
            float max = float.NegativeInfinity;
            foreach (int e in elites) max = MathF.Max(max, value[e]);
            float sum = 0;
            for (int e = 0; e < E; e++) sum += score[e] = MathF.Exp(Config.Temperature * (value[elites[e]] - max));
            for (int e = 0; e < E; e++) score[e] /= sum;
            for (int t = 0; t < H; t++)
                for (int e = 0; e < E; e++)
                    Array.Copy(actions, (t * S + elites[e]) * A, eliteActions, (t * E + e) * A, A);
            Refit(eliteActions, score, mean, std, mask);
        }

        if (evaluate) mean.AsSpan(0, A).CopyTo(action);
        else
        {
            int pick = TdMath.SampleIndex(score, _rng);
            for (int j = 0; j < A; j++) action[j] = eliteActions[pick * A + j] + std[j] * _rng.Normal();
        }
        for (int j = 0; j < A; j++) action[j] = Math.Clamp(action[j], -1f, 1f);
        mean.CopyTo(state.Mean, 0);
        state.HasPlan = true;
        LastScores = (float[])score.Clone();
        LastStd = std;
    }

    /// <summary>
    /// G = Σ_t γ^t (1 − term_t) r_t + γ^H (1 − term_H) Q(z_H, π(z_H)) for each of the N sequences of
    /// <paramref name="actions"/> (H, N, A) from the latent states <paramref name="z"/> (N, L); NaN returns become 0.
    /// </summary>
    public void EstimateValue(Tensor z, float[] actions, float discount, TaskBatch? task, Span<float> value)
    {
        int H = Config.Horizon, N = z.Shape[0], A = _model.ActionDim;
        if (actions.Length != H * N * A || value.Length != N)
            throw new ArgumentException($"mppi value: {actions.Length} action floats and {value.Length} values do not fit H {H} x N {N} x A {A}");
        using var scope = Tensor.Scope();
        value.Clear();
        var term = new float[N];
        float disc = 1f;
        for (int t = 0; t < H; t++)
        {
            var a = Tensor.FromArray(actions.AsSpan(t * N * A, N * A), new Shape(N, A));
            var (next, reward) = _model.Step(z, a, task);
            var r = reward.ReadOnlySpan;
            for (int i = 0; i < N; i++) value[i] += disc * (1f - term[i]) * r[i];
            disc *= discount;
            z = next;
            if (_model.Episodic)
            {
                var p = _model.TerminalProbability(z, task).ReadOnlySpan;
                for (int i = 0; i < N; i++) if (p[i] > 0.5f) term[i] = 1f;
            }
        }
        var q = _model.Value(z, _model.PolicyAction(z, _rng, task), _rng, task).ReadOnlySpan;
        for (int i = 0; i < N; i++)
        {
            value[i] += disc * (1f - term[i]) * q[i];
            if (float.IsNaN(value[i])) value[i] = 0f;
        }
    }

    private void PolicyTrajectories(Tensor z, TaskBatch? task, float[] actions)
    {
        int H = Config.Horizon, S = Config.NumSamples, P = Config.NumPiTrajs, A = _model.ActionDim;
        var zp = z.Expand(new Shape(P, z.Shape[1]));
        for (int t = 0; t < H; t++)
        {
            var a = _model.PolicyAction(zp, _rng, task);
            a.ReadOnlySpan.CopyTo(actions.AsSpan(t * S * A, P * A));
            if (t < H - 1) zp = _model.Next(zp, a, task);
        }
    }

    // μ = Σ w·a, σ = √(Σ w·(a − μ)²) clipped, per (t, j); w sums to 1 (TD-MPC2 divides by Σw + 1e-9 once more).
    private void Refit(float[] elite, float[] w, float[] mean, float[] std, float[]? mask)
    {
        int H = Config.Horizon, E = w.Length, A = _model.ActionDim;
        float norm = 1f / (1f + 1e-9f);
        for (int t = 0; t < H; t++)
            for (int j = 0; j < A; j++)
            {
                float m = 0;
                for (int e = 0; e < E; e++) m += w[e] * elite[(t * E + e) * A + j];
                m *= norm;
                float v = 0;
                for (int e = 0; e < E; e++)
                {
                    float d = elite[(t * E + e) * A + j] - m;
                    v += w[e] * d * d;
                }
                float s = Math.Clamp(MathF.Sqrt(v * norm), Config.MinStd, Config.MaxStd);
                float keep = mask is null ? 1f : mask[j];
                mean[t * A + j] = m * keep;
                std[t * A + j] = s * keep;
            }
    }

    // The indices of the k largest values, in descending order of value (ties: lower index first).
    internal static void TopK(ReadOnlySpan<float> values, Span<int> top)
    {
        var idx = new int[values.Length];
        for (int i = 0; i < idx.Length; i++) idx[i] = i;
        var v = values.ToArray();
        Array.Sort(idx, (a, b) => v[b] != v[a] ? v[b].CompareTo(v[a]) : a.CompareTo(b));
        idx.AsSpan(0, top.Length).CopyTo(top);
    }

    private static TaskBatch? Repeat(TaskBatch? task, int n)
    {
        if (task is null) return null;
        var mask = task.Mask.Expand(new Shape(n, task.Mask.Shape[1]));
        return new TaskBatch(Enumerable.Repeat(task.Ids[0], n).ToArray(), mask);
    }
}

// MppiPlannerTests: MPPI on a known linear latent model with a quadratic reward (known optimum), its value estimate, warm start and elites.
using Reverie.Agents.TdMpc;
using Reverie.Tensors;

namespace Reverie.Agents.Tests.TdMpc;

public class MppiPlannerTests
{
    /// <summary>
    /// z′ = z + c·a (z, a in R^A), r = −k·‖z′ − g‖², terminal value Q(z, a) = −q·‖z − g‖²; the policy prior proposes a fixed action.
    /// </summary>
    private sealed class LinearQuadratic(int actionDim, float[] goal, float c = 0.5f, float k = 10f, float q = 0f, float[]? piAction = null, float terminalBelow = float.NaN) : IPlanningModel
    {
        public int ActionDim => actionDim;
        public int Calls { get; private set; }
        public bool Episodic => !float.IsNaN(terminalBelow);

        public Tensor Next(Tensor z, Tensor a, TaskBatch? task) => z + a * c;

        public (Tensor Next, Tensor Reward) Step(Tensor z, Tensor a, TaskBatch? task)
        {
            Calls++;
            var next = Next(z, a, task);
            return (next, Dist(next).Mul(-k));
        }

        public Tensor PolicyAction(Tensor z, Rng rng, TaskBatch? task)
        {
            var a = Tensor.Zeros(new Shape(z.Shape[0], actionDim));
            if (piAction is not null) for (int i = 0; i < z.Shape[0]; i++) piAction.CopyTo(a.Span.Slice(i * actionDim, actionDim));
            return a;
        }

        public Tensor Value(Tensor z, Tensor a, Rng rng, TaskBatch? task) => Dist(z).Mul(-q);

        public Tensor TerminalProbability(Tensor z, TaskBatch? task)
        {
            var p = Tensor.Zeros(new Shape(z.Shape[0]));
            var zs = z.ToArray();
            for (int i = 0; i < p.Size; i++) p.Span[i] = zs[i * actionDim] < terminalBelow ? 1f : 0f;
            return p;
        }

        private Tensor Dist(Tensor z) => (z - Tensor.FromArray(goal)).Square().Sum(-1);
    }

    private static TdMpc2Config Planner(int horizon = 3, int piTrajs = 0) => TdMpc2Config.Size5 with
    {
        Horizon = horizon, NumSamples = 512, NumElites = 64, NumPiTrajs = piTrajs, Iterations = 6, Temperature = 0.5f,
    };

    // From z = 0 with goal 0.8 and steps of 0.5·a, a ∈ [−1, 1]: the best first action is 1 (z₁ = 0.5), then 0.6 (z₂ = 0.8), then 0.
    [Fact]
    public void Finds_the_known_optimum_of_a_linear_quadratic_problem()
    {
        var model = new LinearQuadratic(1, [0.8f], k: 100f);
        var planner = new MppiPlanner(model, Planner(), new Rng(1));
        var state = new PlanState(3, 1);
        var action = new float[1];
        planner.Plan(Tensor.Zeros(new Shape(1, 1)), state, evaluate: true, discount: 1f, action);
        Assert.Equal(1f, action[0], 0.05f);
        Assert.Equal(0.6f, state.Mean[1], 0.15f);
        Assert.Equal(0f, state.Mean[2], 0.3f);
        Assert.Equal(6 * 3, model.Calls);                                   // one batched call per step and iteration
        Assert.All(planner.LastStd, s => Assert.InRange(s, 0.05f, 2f));
        Assert.Equal(1f, planner.LastScores.Sum(), 4);
        Assert.Equal(64, planner.LastScores.Length);
    }

    [Fact]
    public void Solves_each_dimension_of_a_two_dimensional_goal()
    {
        var model = new LinearQuadratic(2, [-0.3f, 0.4f], c: 1f);
        var planner = new MppiPlanner(model, Planner(horizon: 1), new Rng(2));
        var action = new float[2];
        planner.Plan(Tensor.Zeros(new Shape(1, 2)), new PlanState(1, 2), evaluate: true, discount: 1f, action);
        Assert.Equal(-0.3f, action[0], 0.05f);
        Assert.Equal(0.4f, action[1], 0.05f);
    }

    // G = Σ_t γ^t r_t + γ^H Q(z_H, π(z_H)), by hand for two action sequences.
    [Fact]
    public void Value_estimate_is_the_discounted_return_plus_the_terminal_value()
    {
        var model = new LinearQuadratic(1, [1f], c: 0.5f, k: 1f, q: 2f);
        var planner = new MppiPlanner(model, Planner(horizon: 2), new Rng(3));
        float[] actions = [1f, -1f, 0.5f, 0f];                              // (H=2, N=2, A=1): seq0 = (1, 0.5), seq1 = (−1, 0)
        var value = new float[2];
        planner.EstimateValue(Tensor.Zeros(new Shape(2, 1)), actions, 0.9f, null, value);
        static double R(double z) => -(z - 1) * (z - 1);
        Assert.Equal(R(0.5) + 0.9 * R(0.75) + 0.81 * 2 * R(0.75), value[0], 5);
        Assert.Equal(R(-0.5) + 0.9 * R(-0.5) + 0.81 * 2 * R(-0.5), value[1], 5);
    }

    [Fact]
    public void Predicted_terminations_cut_the_return()
    {
        var model = new LinearQuadratic(1, [0f], c: 1f, k: -1f, terminalBelow: -0.5f);   // reward +z², terminal once z < −0.5
        var planner = new MppiPlanner(model, Planner(horizon: 3), new Rng(4));
        float[] actions = [-1f, 0f, 0f];                                     // N=1: z = −1 (terminal), then stays
        var value = new float[1];
        planner.EstimateValue(Tensor.Zeros(new Shape(1, 1)), actions, 1f, null, value);
        Assert.Equal(1f, value[0], 5);                                       // only the first reward counts
    }

    [Fact]
    public void Warm_start_shifts_the_previous_mean()
    {
        var model = new LinearQuadratic(1, [0.8f]);
        var planner = new MppiPlanner(model, Planner(), new Rng(5));
        var state = new PlanState(3, 1);
        var action = new float[1];
        planner.Plan(Tensor.Zeros(new Shape(1, 1)), state, evaluate: false, discount: 1f, action);
        Assert.True(state.HasPlan);
        Assert.InRange(action[0], -1f, 1f);
        var first = (float[])state.Mean.Clone();
        Assert.InRange(first[1], 0.3f, 0.9f);
        // One narrow iteration from the state the first action reached: the search starts at the shifted plan (≈ 0.6), not at 0.
        var narrow = Planner() with { Iterations = 1, MaxStd = 0.05f };
        new MppiPlanner(model, narrow, new Rng(6)).Plan(Tensor.FromArray([0.5f], new Shape(1, 1)), state, evaluate: true, discount: 1f, action);
        Assert.Equal(first[1], action[0], 0.1f);
        state.Reset();
        Assert.False(state.HasPlan);
        Assert.All(state.Mean, v => Assert.Equal(0f, v));
        new MppiPlanner(model, narrow, new Rng(6)).Plan(Tensor.FromArray([0.5f], new Shape(1, 1)), state, evaluate: true, discount: 1f, action);
        Assert.Equal(0f, action[0], 0.1f);                                   // a fresh episode starts from mean 0
    }

    [Fact]
    public void Policy_trajectories_join_the_samples()
    {
        // 24 policy sequences of 0.6 and one sampled sequence near 0: the single elite is a policy sequence.
        var model = new LinearQuadratic(1, [0.8f], piAction: [0.6f]);
        var cfg = Planner(piTrajs: 24) with { NumSamples = 25, NumElites = 1, Iterations = 1, MaxStd = 0.05f };
        var action = new float[1];
        new MppiPlanner(model, cfg, new Rng(8)).Plan(Tensor.Zeros(new Shape(1, 1)), new PlanState(3, 1), evaluate: true, discount: 1f, action);
        Assert.Equal(0.6f, action[0], 5);
    }

    [Fact]
    public void Top_k_orders_by_value_and_rejects_bad_inputs()
    {
        var top = new int[3];
        MppiPlanner.TopK([0.1f, 5f, -2f, 5f, 3f], top);
        Assert.Equal([1, 3, 4], top);
        var planner = new MppiPlanner(new LinearQuadratic(1, [0f]), Planner(), new Rng(7));
        Assert.Throws<ArgumentException>(() => planner.Plan(Tensor.Zeros(new Shape(2, 1)), new PlanState(3, 1), true, 1f, new float[1]));
        Assert.Throws<ArgumentException>(() => planner.Plan(Tensor.Zeros(new Shape(1, 1)), new PlanState(3, 1), true, 1f, new float[2]));
    }
}

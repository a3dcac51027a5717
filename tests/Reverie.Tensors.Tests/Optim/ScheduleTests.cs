// Learning-rate schedules: warmup, constant, linear (PPO anneal), cosine, joins — optax semantics.
using Reverie.Tensors.Optim;

namespace Reverie.Tensors.Tests.Optim;

public class ScheduleTests
{
    [Fact]
    public void Warmup_ramps_linearly_from_zero_and_then_stays_at_one()
    {
        var w = Schedule.Warmup(4);
        Assert.Equal([0, 0.25, 0.5, 0.75, 1, 1, 1], Enumerable.Range(0, 7).Select(s => w.Factor(s)).ToArray());
        Assert.Equal(1, Schedule.Warmup(0).Factor(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.Warmup(-1));
    }

    [Fact]
    public void Constant_linear_and_ppo_anneal()
    {
        Assert.Equal(0.5, Schedule.Constant(0.5).Factor(123));
        var lin = Schedule.Linear(1, 0.1, 10);
        Assert.Equal(1, lin.Factor(0), 12);
        Assert.Equal(0.55, lin.Factor(5), 12);
        Assert.Equal(0.1, lin.Factor(10), 12);
        Assert.Equal(0.1, lin.Factor(1000), 12);
        Assert.Equal(2, Schedule.Linear(2, 0, 0).Factor(5));   // optax: no transition → init value
        // CleanRL PPO: frac = 1 − (iteration − 1) / iterations for iteration = 1..N.
        var ppo = Schedule.Linear(1, 0, 8);
        for (int iteration = 1; iteration <= 8; iteration++)
            Assert.Equal(1.0 - (iteration - 1.0) / 8, ppo.Factor(iteration - 1), 12);
    }

    [Fact]
    public void Cosine_follows_optax_cosine_decay()
    {
        var c = Schedule.Cosine(10, alpha: 0.1);
        Assert.Equal(1, c.Factor(0), 12);
        Assert.Equal(0.9 * 0.5 + 0.1, c.Factor(5), 12);
        Assert.Equal(0.1, c.Factor(10), 12);
        Assert.Equal(0.1, c.Factor(20), 12);
        Assert.Equal(0.9 * 0.5 * (1 + Math.Cos(Math.PI * 0.3)) + 0.1, c.Factor(3), 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.Cosine(0));
    }

    [Fact]
    public void Join_restarts_the_second_schedule_at_the_boundary_as_dreamerv3_does()
    {
        // DreamerV3 'linear': join([linear(0, lr, warmup), linear(lr, 0.1 lr, anneal − warmup)], [warmup]).
        var s = Schedule.WarmupThen(2, Schedule.Linear(1, 0.1, 4));
        double[] expected = [0, 0.5, 1, 0.775, 0.55, 0.325, 0.1, 0.1];
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], s.Factor(i), 12);
    }

    [Fact]
    public void Optimizer_applies_schedule_times_learning_rate()
    {
        var p = Tensor.Parameter(new Shape(1));
        var opt = new Adam([p], lr: 0.5) { Schedule = Schedule.Warmup(4) };
        Assert.Equal(0, opt.CurrentLearningRate);
        p.Grad = Tensor.FromArray(1f);
        opt.Step();
        Assert.Equal(0f, p.Span[0]);                 // lr 0 at the first update
        Assert.Equal(0.125, opt.CurrentLearningRate);
        opt.Step();
        CheckOp.AssertClose(-0.125, p.Span[0], 1e-7, 1e-6, "with a constant gradient Adam moves by lr; here lr·1/4");
    }
}

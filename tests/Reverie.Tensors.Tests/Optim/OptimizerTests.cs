// Optimizer contract: state dict round trips, allocation-free steps, ZeroGrad, naming, and errors.
using Reverie.Tensors.Optim;

namespace Reverie.Tensors.Tests.Optim;

public class OptimizerTests
{
    private static readonly Func<IReadOnlyList<(string, Tensor)>, Optimizer>[] Makers =
    [
        ps => new Adam(ps, lr: 0.01, weightDecay: 0.01),
        ps => new AdamW(ps, lr: 0.01),
        ps => new LaProp(ps, lr: 0.01),
        ps => new DreamerOptimizer(ps, lr: 0.01, warmup: 2, weightDecay: 0.01),
    ];

    private static (string, Tensor)[] Params(ulong seed)
    {
        var rng = new Rng(seed);
        var a = Tensor.Randn(new Shape(5), rng); a.RequiresGrad = true;
        var b = Tensor.Randn(new Shape(3, 20), rng); b.RequiresGrad = true;
        return [("enc.bias", a), ("enc.weight", b)];
    }

    private static void SetGrads((string, Tensor)[] ps, int step)
    {
        var rng = new Rng(1000 + (ulong)step);
        foreach (var (_, p) in ps) p.Grad = Tensor.Randn(p.Shape, rng);
    }

    [Fact]
    public void Continuing_after_save_and_load_equals_never_saving()
    {
        foreach (var make in Makers)
        {
            var a = Params(5);
            var optA = make(a);
            for (int s = 0; s < 3; s++) { SetGrads(a, s); optA.Step(); }
            var saved = optA.StateDict("wm/");
            var weights = a.Select(x => x.Item2.ToArray()).ToArray();

            var b = Params(99);                                      // different values, same names and shapes
            for (int k = 0; k < b.Length; k++) weights[k].CopyTo(b[k].Item2.Span);
            var optB = make(b);
            optB.LoadStateDict(saved, "wm/");
            Assert.Equal(3, optB.StepCount);
            for (int s = 3; s < 6; s++)
            {
                SetGrads(a, s); optA.Step();
                SetGrads(b, s); optB.Step();
            }
            for (int k = 0; k < a.Length; k++)
                Assert.True(a[k].Item2.ToArray().AsSpan().SequenceEqual(b[k].Item2.ToArray()), $"{optA.Kind}: '{a[k].Item1}' differs after reload");
            var sa = optA.StateDict();
            var sb = optB.StateDict();
            Assert.Equal(sa.Keys.Order(), sb.Keys.Order());
            foreach (var key in sa.Keys) Assert.Equal(sa[key].ToArray(), sb[key].ToArray());
        }
    }

    [Fact]
    public void State_keys_are_named_by_kind_state_and_parameter()
    {
        var keys = new Adam(Params(1)).StateDict().Keys.Order().ToArray();
        Assert.Equal(["adam.count.enc.bias", "adam.count.enc.weight", "adam.m.enc.bias", "adam.m.enc.weight",
                      "adam.step", "adam.v.enc.bias", "adam.v.enc.weight"], keys);
        var unnamed = new LaProp([Tensor.Parameter(new Shape(2)), Tensor.Parameter(new Shape(3))]).StateDict().Keys.Order().ToArray();
        Assert.Equal(["laprop.count.0", "laprop.count.1", "laprop.mu.0", "laprop.mu.1", "laprop.nu.0", "laprop.nu.1", "laprop.step"], unnamed);
    }

    [Fact]
    public void Step_counter_survives_values_beyond_float_precision()
    {
        var ps = Params(2);
        var opt = new Adam(ps);
        var state = opt.StateDict();
        long big = (1L << 40) + 12345;
        state["adam.step"] = Tensor.FromArray(big % (1 << 24), big / (1 << 24));
        opt.LoadStateDict(state);
        Assert.Equal(big, opt.StepCount);
        Assert.Equal(state["adam.step"].ToArray(), opt.StateDict()["adam.step"].ToArray());
        state["adam.step"] = Tensor.FromArray(-1f, 0f);
        var e = Assert.Throws<ArgumentException>(() => opt.LoadStateDict(state));
        Assert.Contains("is not a step counter", e.Message);
    }

    [Fact]
    public void Steps_allocate_nothing_in_steady_state()
    {
        var rng = new Rng(4);
        var ps = new[] { new Shape(1000), new Shape(17), new Shape(8, 33) }.Select(s => { var t = Tensor.Randn(s, rng); t.RequiresGrad = true; return t; }).ToArray();
        foreach (var p in ps) p.Grad = Tensor.Randn(p.Shape, rng).Keep();
        var opts = new Optimizer[] { new Adam(ps), new AdamW(ps), new LaProp(ps), new DreamerOptimizer(ps, warmup: 10) { Schedule = Schedule.WarmupThen(10, Schedule.Cosine(100, 0.1)) } };
        var targets = ps.Select(p => p.Clone()).ToArray();
        var ema = new Ema(ps, rate: 0.02);
        void Work()
        {
            foreach (var opt in opts) opt.Step();
            Clipping.ClipGradNorm(ps, 1.0);
            Clipping.AdaptiveGradClip(ps);
            Polyak.Update(targets, ps, 0.01);
            ema.Update();
        }
        for (int i = 0; i < 5; i++) Work();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) Work();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"20 steps allocated {allocated} bytes");
        opts[0].ZeroGrad();
        foreach (var p in ps) Assert.All(p.Grad!.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Parameters_without_gradients_are_skipped_and_ZeroGrad_keeps_null_gradients_null()
    {
        var ps = Params(3);
        var before = ps[0].Item2.ToArray();
        ps[1].Item2.Grad = Tensor.Ones(ps[1].Item2.Shape);
        var opt = new AdamW(ps, weightDecay: 0.5);
        opt.Step();
        Assert.Equal(before, ps[0].Item2.ToArray());   // no decay either: PyTorch skips the parameter entirely
        opt.ZeroGrad();
        Assert.Null(ps[0].Item2.Grad);
        Assert.All(ps[1].Item2.Grad!.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Gradient_with_the_wrong_shape_is_rejected_before_anything_changes()
    {
        var ok = Tensor.Parameter(new Shape(3));
        var bad = Tensor.Parameter(new Shape(3, 4));
        ok.Grad = Tensor.Ones(new Shape(3));
        bad.Grad = Tensor.Ones(new Shape(4, 3));
        var opt = new Adam([ok, bad]);
        var e = Assert.Throws<ArgumentException>(opt.Step);
        Assert.Equal("adam: gradient (4, 3) does not match parameter '1' (3, 4)", e.Message);
        Assert.Equal([0f, 0f, 0f], ok.ToArray());
        Assert.Equal(0, opt.StepCount);
    }

    [Fact]
    public void A_gradient_released_by_its_scope_is_reported_before_anything_changes()
    {
        var ok = Tensor.Parameter(new Shape(3));
        var p = Tensor.Parameter(new Shape(3), "p");
        ok.Grad = Tensor.Ones(new Shape(3));
        using (Tensor.Scope()) p.Grad = Tensor.Ones(new Shape(3));   // scoped: released at the end
        var opt = new LaProp([ok, p]);
        var e = Assert.Throws<ObjectDisposedException>(opt.Step);
        Assert.Contains("laprop: parameter '1' (3,) or its gradient was released", e.Message);
        Assert.Equal([0f, 0f, 0f], ok.ToArray());
    }

    [Fact]
    public void Loading_state_for_different_parameters_fails_with_a_clear_message()
    {
        var saved = new Adam(Params(1)).StateDict();

        var reshaped = new (string, Tensor)[] { ("enc.bias", Tensor.Parameter(new Shape(5))), ("enc.weight", Tensor.Parameter(new Shape(20, 3))) };
        var e = Assert.Throws<ArgumentException>(() => new Adam(reshaped).LoadStateDict(saved));
        Assert.Contains("'adam.m.enc.weight' has shape (3, 20) but (20, 3) is expected", e.Message);

        var renamed = new (string, Tensor)[] { ("enc.bias", Tensor.Parameter(new Shape(5))), ("dec.weight", Tensor.Parameter(new Shape(3, 20))) };
        e = Assert.Throws<ArgumentException>(() => new Adam(renamed).LoadStateDict(saved));
        Assert.Contains("missing 'adam.m.dec.weight' (3, 20)", e.Message);
        Assert.Contains("unexpected key 'adam.m.enc.weight'", e.Message);

        var fewer = new (string, Tensor)[] { ("enc.bias", Tensor.Parameter(new Shape(5))) };
        e = Assert.Throws<ArgumentException>(() => new Adam(fewer).LoadStateDict(saved));
        Assert.Contains("unexpected key", e.Message);

        e = Assert.Throws<ArgumentException>(() => new AdamW(Params(1)).LoadStateDict(saved));
        Assert.Contains("adamw.LoadStateDict: the state has no keys starting with 'adamw.'", e.Message);

        e = Assert.Throws<ArgumentException>(() => new Adam(Params(1)).LoadStateDict(saved, "actor/"));
        Assert.Contains("no keys starting with 'actor/adam.'", e.Message);

        // A failed load changes nothing.
        var target = new Adam(reshaped);
        var stateBefore = target.StateDict();
        Assert.Throws<ArgumentException>(() => target.LoadStateDict(saved));
        Assert.Equal(0, target.StepCount);
        foreach (var key in stateBefore.Keys) Assert.Equal(stateBefore[key].ToArray(), target.StateDict()[key].ToArray());
    }

    [Fact]
    public void Construction_errors()
    {
        var p = Tensor.Parameter(new Shape(2), "p");
        var e = Assert.Throws<ArgumentException>(() => new Adam([p, p]));
        Assert.Contains("parameter '1' (2,) appears twice", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Adam([("a", p), ("a", Tensor.Parameter(new Shape(1)))]));
        Assert.Contains("two parameters are named 'a'", e.Message);
        var computed = Tensor.Mul(p, p);
        e = Assert.Throws<ArgumentException>(() => new LaProp([computed]));
        Assert.Contains("is not a leaf", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([p], lr: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([p], beta1: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW([p], weightDecay: double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DreamerOptimizer([p], pmin: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DreamerOptimizer([p], warmup: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ParamGroup.Of([p], lrScale: -0.1));
    }

    [Fact]
    public void Optimizer_state_created_inside_a_scope_outlives_it()
    {
        var p = Tensor.Parameter(new Shape(40));
        Optimizer opt;
        using (Tensor.Scope()) opt = new LaProp([p]);
        p.Grad = Tensor.Ones(p.Shape);
        opt.Step();
        Dictionary<string, Tensor> state;
        using (Tensor.Scope()) state = opt.StateDict();
        Assert.False(state["laprop.nu.0"].IsReleased);
        Assert.All(state["laprop.nu.0"].ToArray(), v => Assert.Equal(0.001f, v, 6));
    }
}

// Checks of the one-in, one-out modules: Linear, LayerNorm, RmsNorm, Dropout, Mlp.
using Reverie.Tensors;
using Reverie.Tensors.Nn;

namespace Reverie.Tensors.Tests.Nn;

public class LayerTests
{
    [Fact]
    public void Linear_has_PyTorch_layout_and_applies_x_Wt_plus_b()
    {
        var lin = new Linear(3, 2, new Rng(1));
        Assert.Equal(new Shape(2, 3), lin.Weight.Shape);
        Assert.Equal(new Shape(2), lin.Bias!.Shape);
        lin.Weight.CopyFrom(Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], new Shape(2, 3)));
        lin.Bias.CopyFrom(Tensor.FromArray(0.5f, -1f));
        var y = lin.Forward(Tensor.FromArray([1f, 0f, -1f, 2f, 1f, 0f], new Shape(2, 3)));
        Assert.Equal([-1.5f, -3f, 4.5f, 12f], y.ToArray());
        Assert.Null(new Linear(3, 2, new Rng(1), bias: false).Bias);
        Assert.Single(new Linear(3, 2, new Rng(1), bias: false).Parameters());
        Assert.Contains("does not end in 3", Assert.Throws<ArgumentException>(() => lin.Forward(Tensor.Zeros(new Shape(2, 4)))).Message);
        Assert.Contains("unknown init scheme", Assert.Throws<ArgumentException>(() => new Linear(3, 2, new Rng(1), init: "nope")).Message);
        Assert.Contains("outFeatures must be positive", Assert.Throws<ArgumentException>(() => new Linear(3, 0, new Rng(1))).Message);
    }

    [Fact]
    public void Norm_modules_wrap_the_fused_ops()
    {
        var ln = new LayerNorm(5);
        Assert.Equal(["weight", "bias"], ln.NamedParameters().Select(p => p.Name));
        Assert.All(ln.Weight!.ToArray(), v => Assert.Equal(1f, v));
        Assert.All(ln.Bias!.ToArray(), v => Assert.Equal(0f, v));
        var x = Tensor.Randn(new Shape(3, 5), new Rng(2));
        Assert.Equal(Tensor.LayerNorm(x, null, null, 1e-5f).ToArray(), ln.Forward(x).ToArray());
        Assert.Empty(new LayerNorm(5, affine: false).Parameters());

        var rms = new RmsNorm(5, eps: 1e-4f);
        Assert.Equal(["weight"], rms.NamedParameters().Select(p => p.Name));
        Assert.Equal(Tensor.RmsNorm(x, null, 1e-4f).ToArray(), rms.Forward(x).ToArray());
        Assert.Contains("does not end in 5", Assert.Throws<ArgumentException>(() => rms.Forward(Tensor.Zeros(new Shape(5, 3)))).Message);
        Assert.Contains("does not end in 5", Assert.Throws<ArgumentException>(() => ln.Forward(Tensor.Zeros(new Shape(5, 3)))).Message);
    }

    [Fact]
    public void Dropout_scales_kept_values_in_training_and_is_identity_in_eval()
    {
        var drop = new Dropout(0.25f, new Rng(3));
        var x = Tensor.Full(new Shape(100, 100), 2f);
        x.RequiresGrad = true;
        var y = drop.Forward(x);
        var ys = y.ToArray();
        Assert.All(ys, v => Assert.True(v == 0f || Math.Abs(v - 2f / 0.75f) < 1e-6));
        double kept = ys.Count(v => v != 0f) / 10000.0;
        Assert.InRange(kept, 0.73, 0.77);
        Assert.InRange(ys.Average(v => (double)v), 1.9, 2.1);               // the expectation is preserved
        y.Sum().Backward();
        var g = x.Grad!.ToArray();
        for (int i = 0; i < g.Length; i++) Assert.Equal(ys[i] == 0f ? 0f : 1f / 0.75f, g[i], 5);

        drop.Eval();
        Assert.Same(x, drop.Forward(x));
        drop.Train();
        Assert.Same(x, new Dropout(0f, new Rng(1)).Forward(x));
        Assert.All(new Dropout(1f, new Rng(1)).Forward(x).ToArray(), v => Assert.Equal(0f, v));
        Assert.Throws<ArgumentException>(() => new Dropout(1.5f, new Rng(1)));
        // Masks come from the module's Rng: the same seed gives the same mask.
        Assert.Equal(new Dropout(0.5f, new Rng(9)).Forward(x).ToArray(), new Dropout(0.5f, new Rng(9)).Forward(x).ToArray());
    }

    [Fact]
    public void Mlp_builds_named_layers_and_the_right_shapes()
    {
        var mlp = new Mlp(6, [8, 5], 3, new Rng(4), norm: "layer", act: "silu");
        Assert.Equal(["h0.weight", "h0.bias", "h0norm.weight", "h0norm.bias", "h1.weight", "h1.bias",
            "h1norm.weight", "h1norm.bias", "out.weight", "out.bias"], mlp.NamedParameters().Select(p => p.Name));
        Assert.Equal(3, mlp.OutFeatures);
        Assert.Equal(new Shape(2, 4, 3), mlp.Forward(Tensor.Zeros(new Shape(2, 4, 6))).Shape);

        var noOut = new Mlp(6, layers: 3, units: 7, outFeatures: null, new Rng(4), norm: "rms");
        Assert.Equal(7, noOut.OutFeatures);
        Assert.Equal(new Shape(5, 7), noOut.Forward(Tensor.Zeros(new Shape(5, 6))).Shape);
        Assert.Equal(3 * 2 + 3, noOut.NamedParameters().Count());           // 3 × (weight, bias) + 3 rms weights

        var plain = new Mlp(4, [], 2, new Rng(1));
        Assert.Equal(["out.weight", "out.bias"], plain.NamedParameters().Select(p => p.Name));
        Assert.Contains("unknown norm 'batch'", Assert.Throws<ArgumentException>(() => new Mlp(4, [3], 2, new Rng(1), norm: "batch")).Message);
        Assert.Contains("unknown activation 'relu6'", Assert.Throws<ArgumentException>(() => new Mlp(4, [3], 2, new Rng(1), act: "relu6")).Message);
        Assert.Contains("at least one", Assert.Throws<ArgumentException>(() => new Mlp(4, [], null, new Rng(1))).Message);
        Assert.Contains("does not end in 6", Assert.Throws<ArgumentException>(() => mlp.Forward(Tensor.Zeros(new Shape(2, 5)))).Message);
    }

    [Fact]
    public void Mlp_forward_matches_its_layers_and_gradients_reach_every_parameter()
    {
        var rng = new Rng(5);
        var mlp = new Mlp(4, [6, 6], 2, rng, norm: "rms", act: "tanh", dropout: 0.1f);
        Assert.Contains(mlp.NamedModules(), m => m.Name == "h0drop");
        var x = Tensor.Randn(new Shape(3, 4), rng);
        mlp.Eval();
        var sd = mlp.StateDict();
        Tensor Layer(Tensor h, int i) => Tensor.RmsNorm(Tensor.Linear(h, sd[$"h{i}.weight"], sd[$"h{i}.bias"]), sd[$"h{i}norm.weight"], 1e-5f).Tanh();
        var expected = Tensor.Linear(Layer(Layer(x, 0), 1), sd["out.weight"], sd["out.bias"]);
        Assert.Equal(expected.ToArray(), mlp.Forward(x).ToArray());

        mlp.Train();
        mlp.Forward(x).Square().Sum().Backward();
        foreach (var (name, p) in mlp.NamedParameters())
            Assert.True(p.Grad is not null && p.Grad.ToArray().Any(v => v != 0f), $"{name} got no gradient");
    }

    [Fact]
    public void Mlp_zero_output_starts_at_zero()
    {
        var mlp = new Mlp(4, [8], 3, new Rng(6), zeroOutput: true);
        Assert.All(mlp.Forward(Tensor.Randn(new Shape(2, 4), new Rng(1))).ToArray(), v => Assert.Equal(0f, v));
        Assert.Contains(mlp.StateDict()["h0.weight"].ToArray(), v => v != 0f);
    }

    [Fact]
    public void Seeded_Mlp_init_is_bit_for_bit_reproducible()
    {
        Mlp Make(ulong seed) => new(17, [33, 9], 5, new Rng(seed), norm: "layer", act: "mish", init: "trunc_normal_avg");
        var a = Make(123).StateDict(); var b = Make(123).StateDict(); var c = Make(124).StateDict();
        foreach (var (name, t) in a)
        {
            var bitsA = t.ToArray().Select(BitConverter.SingleToInt32Bits);
            Assert.Equal(bitsA, b[name].ToArray().Select(BitConverter.SingleToInt32Bits));
        }
        Assert.NotEqual(a["h0.weight"].ToArray(), c["h0.weight"].ToArray());
    }
}

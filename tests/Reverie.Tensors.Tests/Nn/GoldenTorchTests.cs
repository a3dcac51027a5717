// Golden fixtures from PyTorch 1.13 (Fixtures/torch, made by make_torch_fixtures.py): our modules,
// losses and optimizer must reproduce PyTorch's outputs, gradients and Adam steps to float32 tolerance.
using Reverie.Tensors.Dist;
using Reverie.Tensors.IO;
using Reverie.Tensors.Nn;
using Reverie.Tensors.Optim;

namespace Reverie.Tensors.Tests.Nn;

public class GoldenTorchTests
{
    private static Dictionary<string, Tensor> Load(string name) => SafeTensors.Load(Fixtures.Path("torch", name + ".safetensors"));

    private static void Close(Tensor expected, Tensor actual, string what, double atol = 1e-5, double rtol = 1e-3)
    {
        Assert.True(expected.Shape == actual.Shape, $"{what}: shape {actual.Shape}, expected {expected.Shape}");
        var e = expected.ToArray(); var a = actual.ToArray();
        for (int i = 0; i < e.Length; i++) CheckOp.AssertClose(e[i], a[i], atol, rtol, $"{what}[{i}]");
    }

    /// <summary>Copies fixture tensors `param.{prefix}{name}` into a module's parameters by name.</summary>
    private static void LoadParams(Module m, Dictionary<string, Tensor> f, string prefix)
    {
        foreach (var (name, p) in m.NamedParameters()) p.CopyFrom(f[$"param.{prefix}{name}"]);
    }

    private static void LossAndBackward(Tensor output, Tensor w) => (output * w).Sum().Backward();

    [Fact]
    public void Mlp_with_layernorm_and_silu_matches_pytorch()
    {
        var f = Load("mlp_ln_silu");
        var rng = new Rng(0);
        var l0 = new Linear(7, 16, rng); var n1 = new LayerNorm(16, 1e-5f);
        var l3 = new Linear(16, 16, rng); var n4 = new LayerNorm(16, 1e-5f);
        var l6 = new Linear(16, 3, rng);
        LoadParams(l0, f, "0."); LoadParams(n1, f, "1."); LoadParams(l3, f, "3."); LoadParams(n4, f, "4."); LoadParams(l6, f, "6.");
        var x = f["x"]; x.RequiresGrad = true;
        var a0 = l0.Forward(x); var a1 = n1.Forward(a0); var a2 = a1.Silu();
        var a3 = l3.Forward(a2); var a4 = n4.Forward(a3); var a5 = a4.Silu(); var out6 = l6.Forward(a5);
        var acts = new[] { a0, a1, a2, a3, a4, a5, out6 };
        for (int i = 0; i < acts.Length; i++) Close(f[$"act.{i}"], acts[i], $"act.{i}", 1e-5, 1e-4);
        LossAndBackward(out6, f["w"]);
        Close(f["grad.x"], x.Grad!, "grad.x");
        foreach (var (m, prefix) in new (Module, string)[] { (l0, "0."), (n1, "1."), (l3, "3."), (n4, "4."), (l6, "6.") })
            foreach (var (name, p) in m.NamedParameters()) Close(f[$"grad.param.{prefix}{name}"], p.Grad!, $"grad.{prefix}{name}");
    }

    [Fact]
    public void Gru_cell_matches_pytorch()
    {
        var f = Load("gru_cell");
        var cell = new GruCell(6, 8, new Rng(0));
        LoadParams(cell, f, "");
        var x = f["x"]; x.RequiresGrad = true;
        var h = f["h"]; h.RequiresGrad = true;
        var hn = cell.Forward(x, h);
        Close(f["h_next"], hn, "h_next", 1e-5, 1e-4);
        LossAndBackward(hn, f["w"]);
        Close(f["grad.x"], x.Grad!, "grad.x");
        Close(f["grad.h"], h.Grad!, "grad.h");
        foreach (var (name, p) in cell.NamedParameters()) Close(f[$"grad.param.{name}"], p.Grad!, $"grad.{name}");
    }

    [Fact]
    public void Conv2d_matches_pytorch() =>
        CheckConvLayer("conv2d", new Conv2d(3, 4, 3, new Rng(0), stride: 2, padding: 1));

    [Fact]
    public void ConvTranspose2d_matches_pytorch() =>
        CheckConvLayer("conv_transpose2d", new ConvTranspose2d(4, 3, 4, new Rng(0), stride: 2, padding: 1));

    /// <summary>Loads a conv fixture into a one-in one-out layer with `weight` and `bias`, checks output and all gradients.</summary>
    private static void CheckConvLayer<T>(string fixture, T layer) where T : Module, ILayer
    {
        var f = Load(fixture);
        LoadParams(layer, f, "");
        var x = f["x"]; x.RequiresGrad = true;
        var y = layer.Forward(x);
        Close(f["out"], y, "out", 1e-5, 1e-4);
        LossAndBackward(y, f["w"]);
        Close(f["grad.x"], x.Grad!, "grad.x");
        foreach (var (name, p) in layer.NamedParameters()) Close(f[$"grad.param.{name}"], p.Grad!, $"grad.{name}");
    }

    [Fact]
    public void Twohot_cross_entropy_matches_pytorch()
    {
        var f = Load("twohot_ce");
        var bins = Bins.SymlogLinear(255, -20f, 20f);
        Assert.Equal(f["bins"].ToArray(), bins.Values.ToArray());
        var logits = f["logits"]; logits.RequiresGrad = true;
        var perExample = new TwoHotDist(logits, bins).Loss(f["y"]);
        Close(f["loss_per_example"], perExample, "loss_per_example", 1e-5, 1e-4);
        var loss = perExample.Mean();
        Close(f["loss"], loss, "loss", 1e-5, 1e-4);
        loss.Backward();
        Close(f["grad.logits"], logits.Grad!, "grad.logits");
    }

    [Fact]
    public void Ten_adam_steps_match_pytorch()
    {
        var f = Load("adam10");
        var rng = new Rng(0);
        var l0 = new Linear(4, 8, rng); var l2 = new Linear(8, 2, rng);
        LoadParams(l0, f, "0."); LoadParams(l2, f, "2.");
        var named = l0.NamedParameters().Select(p => ("0." + p.Name, p.Parameter))
            .Concat(l2.NamedParameters().Select(p => ("2." + p.Name, p.Parameter))).ToList();
        var opt = new Adam(named, lr: 1e-2);
        var losses = f["loss"].ToArray();
        for (int step = 1; step <= 10; step++)
        {
            using (Tensor.Scope())
            {
                opt.ZeroGrad();
                var loss = (l2.Forward(l0.Forward(f["x"]).Tanh()) - f["target"]).Square().Mean();
                CheckOp.AssertClose(losses[step - 1], loss.Item(), 1e-6, 1e-4, $"loss at step {step}");
                loss.Backward();
                if (step == 1)
                    foreach (var (name, p) in named) Close(f[$"grad.param.{name}"], p.Grad!, $"step-1 grad {name}");
                opt.Step();
            }
            foreach (var (name, p) in named) Close(f[$"step{step}.param.{name}"], p, $"step {step} {name}", 1e-6, 1e-4);
        }
    }
}

// TorchFixture: reads Fixtures/nn_torch.json (made by Fixtures/make_nn_fixture.py with PyTorch) and
// checks a module against it: load the state dict, run forward, compare outputs and gradients.
using System.Text.Json;
using Reverie.Tensors;
using Reverie.Tensors.Nn;

namespace Reverie.Tensors.Tests.Nn;

internal sealed class TorchFixture
{
    private readonly JsonElement _root;
    private TorchFixture(JsonElement root) { _root = root; }

    public static TorchFixture Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "nn_torch.json");
        return new TorchFixture(JsonDocument.Parse(File.ReadAllText(path)).RootElement);
    }

    private static float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    private static Tensor Read(JsonElement e) =>
        Tensor.FromArray(Floats(e.GetProperty("data")), new Shape(e.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray()));

    /// <summary>Loads the case's PyTorch state dict into <paramref name="module"/> (strict) and compares forward and gradients.</summary>
    public void Check(string name, Module module, Func<Module, Tensor[], Tensor> forward, double tol = 2e-5)
    {
        var c = _root.GetProperty(name);
        var state = c.GetProperty("state").EnumerateObject().ToDictionary(p => p.Name, p => Read(p.Value));
        module.LoadStateDict(state);
        var inputs = c.GetProperty("inputs").EnumerateArray().Select(Read).ToArray();
        foreach (var x in inputs) x.RequiresGrad = true;
        var y = forward(module, inputs);
        var expected = Read(c.GetProperty("y"));
        Assert.Equal(expected.Shape, y.Shape);
        Compare($"{name} forward", expected.ToArray(), y.ToArray(), tol);
        var w = Tensor.FromArray(Floats(c.GetProperty("w")), y.Shape);
        module.ZeroGrad();
        (y * w).Sum().Backward();
        var ig = c.GetProperty("input_grads").EnumerateArray().ToArray();
        for (int i = 0; i < inputs.Length; i++) Compare($"{name} d/d input{i}", Floats(ig[i]), inputs[i].Grad!.ToArray(), tol);
        foreach (var p in c.GetProperty("param_grads").EnumerateObject())
            Compare($"{name} d/d {p.Name}", Floats(p.Value), module.StateDict()[p.Name].Grad!.ToArray(), tol);
    }

    private static void Compare(string what, float[] expected, float[] actual, double tol)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            CheckOp.AssertClose(expected[i], actual[i], tol, tol, $"{what}[{i}]");
    }
}

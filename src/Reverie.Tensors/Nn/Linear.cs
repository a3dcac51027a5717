// Linear: y = x·Wᵀ + b over the last axis, with PyTorch's parameter layout and names.
namespace Reverie.Tensors.Nn;

/// <summary>
/// A fully connected layer: (..., in) → (..., out), y = x·Wᵀ + b (<see cref="Tensor.Linear"/>).
/// Parameters <c>weight</c> (out, in) and <c>bias</c> (out,), as in PyTorch's nn.Linear, so
/// PyTorch state dicts load unchanged.
/// </summary>
public sealed class Linear : Module, ILayer
{
    /// <summary>The weight, (out, in).</summary>
    public Tensor Weight { get; }

    /// <summary>The bias, (out,), or null when built without one.</summary>
    public Tensor? Bias { get; }

    /// <summary>Input features.</summary>
    public int InFeatures { get; }

    /// <summary>Output features.</summary>
    public int OutFeatures { get; }

    /// <summary>
    /// Creates the layer and initializes it with <paramref name="init"/> (an <see cref="Init.Apply"/>
    /// scheme: <c>torch</c> = PyTorch's default, <c>trunc_normal_in</c> = DreamerV3's, ...), the
    /// weight multiplied by <paramref name="scale"/>. Fans are (in, out).
    /// </summary>
    /// <exception cref="ArgumentException">A size is not positive or the scheme is unknown.</exception>
    public Linear(int inFeatures, int outFeatures, Rng rng, bool bias = true, string init = "torch", float scale = 1f)
    {
        Layers.CheckPositive(inFeatures, "inFeatures", "Linear");
        Layers.CheckPositive(outFeatures, "outFeatures", "Linear");
        Init.CheckScheme(init, "Linear");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", Tensor.Parameter(new Shape(outFeatures, inFeatures)));
        if (bias) Bias = RegisterParameter("bias", Tensor.Parameter(new Shape(outFeatures)));
        Init.Apply(init, Weight, Bias, inFeatures, outFeatures, rng, scale);
    }

    /// <summary>x (..., in) → (..., out).</summary>
    /// <exception cref="ArgumentException">x does not end in <see cref="InFeatures"/>.</exception>
    public Tensor Forward(Tensor x) => Tensor.Linear(x, Weight, Bias);
}

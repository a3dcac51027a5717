// ILayer: a module with one tensor in and one out; plus the shared factory for norm layers.
namespace Reverie.Tensors.Nn;

/// <summary>A module that maps one tensor to one tensor (Linear, norms, Dropout, Mlp, ...).</summary>
public interface ILayer
{
    /// <summary>Applies the layer.</summary>
    Tensor Forward(Tensor x);
}

/// <summary>Helpers shared by the composite modules.</summary>
internal static class Layers
{
    /// <summary>The norm kinds composite modules accept.</summary>
    internal static readonly string[] NormKinds = ["none", "layer", "rms"];

    /// <summary>A norm layer of the given kind over the last axis of size <paramref name="dim"/>, or null for "none".</summary>
    internal static Module? Norm(string kind, int dim, float eps, string owner) => kind switch
    {
        "none" => null,
        "layer" => new LayerNorm(dim, eps),
        "rms" => new RmsNorm(dim, eps),
        _ => throw new ArgumentException($"{owner}: unknown norm '{kind}'; expected one of {string.Join(", ", NormKinds)}"),
    };

    /// <summary>
    /// act(norm(x)) (norm may be null): RmsNorm or LayerNorm followed by silu/swish or mish runs as one fused op
    /// (Tensor.NormSilu, Tensor.NormMish), anything else as the two ops.
    /// </summary>
    internal static Tensor NormAct(ILayer? norm, Tensor x, string act)
    {
        if (act is "silu" or "swish")
        {
            if (norm is RmsNorm rn && x.Rank > 0 && x.Shape[-1] == rn.Dim) return Tensor.NormSilu(x, rn.Weight, null, rn.Eps, centered: false);
            if (norm is LayerNorm ln && x.Rank > 0 && x.Shape[-1] == ln.Dim) return Tensor.NormSilu(x, ln.Weight, ln.Bias, ln.Eps, centered: true);
        }
        if (act == "mish")
        {
            if (norm is RmsNorm rn && x.Rank > 0 && x.Shape[-1] == rn.Dim) return Tensor.NormMish(x, rn.Weight, null, rn.Eps, centered: false);
            if (norm is LayerNorm ln && x.Rank > 0 && x.Shape[-1] == ln.Dim) return Tensor.NormMish(x, ln.Weight, ln.Bias, ln.Eps, centered: true);
        }
        return (norm is null ? x : norm.Forward(x)).Activation(act);
    }

    /// <summary>Throws unless <see cref="Tensor.Activation"/> knows <paramref name="name"/>.</summary>
    internal static void CheckActivation(string name, string owner)
    {
        try
        {
            using var _ = Tensor.NoGrad();
            Tensor.Zeros(new Shape(1)).Activation(name);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{owner}: {e.Message}", e);
        }
    }

    internal static void CheckPositive(int value, string what, string owner)
    {
        if (value <= 0) throw new ArgumentException($"{owner}: {what} must be positive, got {value}");
    }
}

// LayerNorm module: the fused layer-norm op with learnable scale (weight) and shift (bias).
namespace Reverie.Tensors.Nn;

/// <summary>
/// Layer normalization over the last axis (<see cref="Tensor.LayerNorm"/>), as PyTorch's
/// nn.LayerNorm(dim, eps, elementwise_affine): biased variance, parameters <c>weight</c>
/// (ones) and <c>bias</c> (zeros), both (dim,), when affine.
/// </summary>
public sealed class LayerNorm : Module, ILayer
{
    /// <summary>The scale γ, (dim,), or null when not affine.</summary>
    public Tensor? Weight { get; }

    /// <summary>The shift β, (dim,), or null when not affine.</summary>
    public Tensor? Bias { get; }

    /// <summary>The normalized size (last axis).</summary>
    public int Dim { get; }

    /// <summary>Added to the variance before the square root.</summary>
    public float Eps { get; }

    /// <exception cref="ArgumentException">dim is not positive or eps is negative.</exception>
    public LayerNorm(int dim, float eps = 1e-5f, bool affine = true)
    {
        Layers.CheckPositive(dim, "dim", "LayerNorm");
        if (!(eps >= 0f) || !float.IsFinite(eps)) throw new ArgumentException($"LayerNorm: eps must be finite and >= 0, got {eps}");
        Dim = dim;
        Eps = eps;
        if (!affine) return;
        Weight = RegisterParameter("weight", Tensor.Parameter(new Shape(dim)));
        Init.Constant(Weight, 1f);
        Bias = RegisterParameter("bias", Tensor.Parameter(new Shape(dim)));
    }

    /// <summary>x (..., dim) → (..., dim).</summary>
    /// <exception cref="ArgumentException">x does not end in <see cref="Dim"/>.</exception>
    public Tensor Forward(Tensor x)
    {
        if (x.Rank == 0 || x.Shape[-1] != Dim)
            throw new ArgumentException($"LayerNorm: input {x.Shape} does not end in {Dim}");
        return Tensor.LayerNorm(x, Weight, Bias, Eps);
    }
}

// RmsNorm module: the fused RMS-norm op with a learnable scale (weight).
namespace Reverie.Tensors.Nn;

/// <summary>
/// RMS normalization over the last axis (<see cref="Tensor.RmsNorm"/>):
/// y = x / √(mean(x²) + eps) · weight, with <c>weight</c> (dim,) initialized to ones when affine
/// (PyTorch's nn.RMSNorm layout; DreamerV3's <c>rms</c> norm).
/// </summary>
public sealed class RmsNorm : Module, ILayer
{
    /// <summary>The scale, (dim,), or null when not affine.</summary>
    public Tensor? Weight { get; }

    /// <summary>The normalized size (last axis).</summary>
    public int Dim { get; }

    /// <summary>Added to mean(x²) before the square root.</summary>
    public float Eps { get; }

    /// <exception cref="ArgumentException">dim is not positive or eps is negative.</exception>
    public RmsNorm(int dim, float eps = 1e-5f, bool affine = true)
    {
        Layers.CheckPositive(dim, "dim", "RmsNorm");
        if (!(eps >= 0f) || !float.IsFinite(eps)) throw new ArgumentException($"RmsNorm: eps must be finite and >= 0, got {eps}");
        Dim = dim;
        Eps = eps;
        if (!affine) return;
        Weight = RegisterParameter("weight", Tensor.Parameter(new Shape(dim)));
        Init.Constant(Weight, 1f);
    }

    /// <summary>x (..., dim) → (..., dim).</summary>
    /// <exception cref="ArgumentException">x does not end in <see cref="Dim"/>.</exception>
    public Tensor Forward(Tensor x)
    {
        if (x.Rank == 0 || x.Shape[-1] != Dim)
            throw new ArgumentException($"RmsNorm: input {x.Shape} does not end in {Dim}");
        return Tensor.RmsNorm(x, Weight, Eps);
    }
}

// Dropout: inverted dropout in training mode, the identity in evaluation mode.
namespace Reverie.Tensors.Nn;

/// <summary>
/// Inverted dropout: in training mode each element is kept with probability 1 − p and scaled by
/// 1 / (1 − p), otherwise zeroed (p = 1 zeroes everything); in evaluation mode, or with p = 0, the
/// input is returned unchanged. The mask is drawn from the module's <see cref="Rng"/>, one
/// uniform per element in row-major order. No parameters.
/// </summary>
public sealed class Dropout : Module, ILayer
{
    private readonly Rng _rng;

    /// <summary>The probability of zeroing an element.</summary>
    public float P { get; }

    /// <exception cref="ArgumentException">p is outside [0, 1].</exception>
    public Dropout(float p, Rng rng)
    {
        if (!(p >= 0f && p <= 1f)) throw new ArgumentException($"Dropout: p must be in [0, 1], got {p}");
        P = p;
        _rng = rng;
    }

    /// <summary>x → x ⊙ mask / (1 − p) in training mode; x in evaluation mode.</summary>
    public Tensor Forward(Tensor x)
    {
        if (!Training || P == 0f) return x;
        var mask = Tensor.Empty(x.Shape);
        var m = mask.Span;
        float keep = P >= 1f ? 0f : 1f / (1f - P);
        for (int i = 0; i < m.Length; i++) m[i] = _rng.NextFloat() >= P ? keep : 0f;
        return Tensor.Mul(x, mask);
    }
}

// Clipping: global-norm gradient clipping (PyTorch clip_grad_norm_) and adaptive gradient clipping (DreamerV3's AGC).
using System.Numerics.Tensors;

namespace Reverie.Tensors.Optim;

/// <summary>In-place gradient clipping over parameters whose <see cref="Tensor.Grad"/> is set (null gradients are skipped).</summary>
public static class Clipping
{
    /// <summary>√(Σ ‖g‖²) over every non-null gradient (0 when there are none); the gradients are not changed.</summary>
    public static float GlobalNorm(IReadOnlyList<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        double sum = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            var g = parameters[i].Grad;
            if (g is null) continue;
            double n = TensorPrimitives.Norm(g.ReadOnlySpan);
            sum += n * n;
        }
        return (float)Math.Sqrt(sum);
    }

    /// <summary>
    /// PyTorch's <c>torch.nn.utils.clip_grad_norm_</c> (L2): with N = <see cref="GlobalNorm"/>, every
    /// gradient is multiplied by <c>maxNorm / (N + 1e-6)</c> when that factor is below 1 (also when N is
    /// NaN, which then spreads, as in PyTorch). Returns N, the norm before clipping.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is negative or NaN.</exception>
    public static float ClipGradNorm(IReadOnlyList<Tensor> parameters, double maxNorm)
    {
        if (!(maxNorm >= 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), $"clip_grad_norm: maxNorm must be >= 0 but is {maxNorm}");
        float total = GlobalNorm(parameters);
        float coef = (float)maxNorm / (total + 1e-6f);
        if (!(coef >= 1f))
            for (int i = 0; i < parameters.Count; i++)
            {
                var g = parameters[i].Grad;
                if (g is not null) TensorPrimitives.Multiply(g.Span, coef, g.Span);
            }
        return total;
    }

    /// <summary>
    /// Adaptive gradient clipping as in DreamerV3 (<c>clip_by_agc</c> in danijar/dreamerv3 embodied/jax/opt.py):
    /// per parameter tensor (not unit-wise as in NFNets), <c>g ← g / max(1, ‖g‖ / (clip · max(pmin, ‖p‖)))</c>,
    /// i.e. a gradient whose norm exceeds <c>clip · max(pmin, ‖p‖)</c> is scaled down to that norm.
    /// Returns how many gradients were scaled. (<see cref="DreamerOptimizer"/> applies the same rule to its
    /// update internally; use this with other optimizers.)
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="clip"/> or <paramref name="pmin"/> is not > 0.</exception>
    /// <exception cref="ArgumentException">A gradient's shape differs from its parameter's.</exception>
    public static int AdaptiveGradClip(IReadOnlyList<Tensor> parameters, double clip = 0.3, double pmin = 1e-3)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(clip > 0) || double.IsInfinity(clip)) throw new ArgumentOutOfRangeException(nameof(clip), $"agc: clip must be finite and > 0 but is {clip}");
        if (!(pmin > 0) || double.IsInfinity(pmin)) throw new ArgumentOutOfRangeException(nameof(pmin), $"agc: pmin must be finite and > 0 but is {pmin}");
        for (int i = 0; i < parameters.Count; i++)
        {
            var (p, g) = (parameters[i], parameters[i].Grad);
            if (g is not null && g.Shape != p.Shape)
                throw new ArgumentException($"agc: gradient {g.Shape} does not match parameter {i}{(p.Name is null ? "" : " '" + p.Name + "'")} {p.Shape}");
        }
        int clipped = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            var g = parameters[i].Grad;
            if (g is null) continue;
            float f = AgcFactor(parameters[i].ReadOnlySpan, g.ReadOnlySpan, (float)clip, (float)pmin);
            if (f < 1f)
            {
                TensorPrimitives.Multiply(g.Span, f, g.Span);
                clipped++;
            }
        }
        return clipped;
    }

    /// <summary>DreamerV3's per-tensor AGC factor, in its float32 order: 1 / max(1, ‖g‖ / (clip · max(pmin, ‖p‖))).</summary>
    internal static float AgcFactor(ReadOnlySpan<float> param, ReadOnlySpan<float> grad, float clip, float pmin)
    {
        float unorm = TensorPrimitives.Norm(grad);
        float pnorm = TensorPrimitives.Norm(param);
        float upper = clip * MathF.Max(pmin, pnorm);
        return 1f / MathF.Max(1f, unorm / upper);
    }
}

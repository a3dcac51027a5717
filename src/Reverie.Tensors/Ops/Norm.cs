// Fused normalization ops over the last axis (LayerNorm and RmsNorm, Kernels/RowNorm.cs) and over the channel axis
// of feature maps (ChannelNorm, Kernels/ChannelNorm.cs), each one forward kernel and one hand-written backward kernel.
using Reverie.Tensors.Kernels;
using ChannelNormKernels = Reverie.Tensors.Kernels.ChannelNorm;

namespace Reverie.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// Layer normalization over the last axis, as PyTorch's <c>layer_norm</c>: for each row r of
    /// x (..., n), y = (x − mean(x)) / √(var(x) + eps) · gamma + beta, with the biased variance
    /// (divided by n). gamma and beta are optional (shape (n,)); without them the scale is 1 and the
    /// shift 0. One fused kernel forward; the backward (dx, dgamma, dbeta) reuses the per-row mean
    /// and 1/√(var + eps) kept from the forward pass.
    /// </summary>
    /// <exception cref="ArgumentException">x is a scalar, gamma or beta is not (n,), or eps is negative or not finite.</exception>
    public static Tensor LayerNorm(Tensor x, Tensor? gamma, Tensor? beta, float eps) =>
        NormCore("layer_norm", x, gamma, beta, eps, centered: true, NormActivation.None);

    /// <summary>
    /// RMS normalization over the last axis: for each row of x (..., n),
    /// y = x / √(mean(x²) + eps) · gamma. gamma is optional (shape (n,)). One fused kernel forward
    /// and one backward (dx, dgamma) that reuses the per-row 1/√(mean(x²) + eps).
    /// </summary>
    /// <exception cref="ArgumentException">x is a scalar, gamma is not (n,), or eps is negative or not finite.</exception>
    public static Tensor RmsNorm(Tensor x, Tensor? gamma, float eps) =>
        NormCore("rms_norm", x, gamma, null, eps, centered: false, NormActivation.None);

    /// <summary>
    /// silu(layer_norm(x)) or silu(rms_norm(x)) as one op (DreamerV3's Linear → norm → SiLU layers): the
    /// normalized values never become a tensor, and the backward recomputes them per row.
    /// </summary>
    internal static Tensor NormSilu(Tensor x, Tensor? gamma, Tensor? beta, float eps, bool centered) =>
        NormCore(centered ? "layer_norm_silu" : "rms_norm_silu", x, gamma, centered ? beta : null, eps, centered, NormActivation.Silu);

    /// <summary>
    /// mish(layer_norm(x)) (or mish(rms_norm(x)) when not <paramref name="centered"/>) as one op, TD-MPC2's
    /// Linear → LayerNorm → Mish layers: one forward pass, and a backward that recomputes the normalized values per row.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="LayerNorm"/>.</exception>
    public static Tensor NormMish(Tensor x, Tensor? gamma, Tensor? beta, float eps, bool centered = true) =>
        NormCore(centered ? "layer_norm_mish" : "rms_norm_mish", x, gamma, centered ? beta : null, eps, centered, NormActivation.Mish);

    private static Tensor NormCore(string op, Tensor x, Tensor? gamma, Tensor? beta, float eps, bool centered, NormActivation act)
    {
        int n = CheckNormArgs(op, x, gamma, beta, eps);
        int rows = n == 0 ? x.Shape.Prod(0, x.Rank - 1) : x.Size / n;
        var y = Empty(x.Shape);
        bool record = NeedsGrad(x) || (gamma is not null && NeedsGrad(gamma)) || (beta is not null && NeedsGrad(beta));
        Tensor? stats = record ? Empty(new Shape(rows, 2)) : null; // (rows, [mean, rstd]), mean 0 when not centered
        RowNorm.Forward(x.Span, gamma is null ? default : gamma.Span, beta is null ? default : beta.Span, y.Span,
            stats is null ? default : stats.Span, rows, n, eps, centered, act);
        if (DebugChecks) CheckFinite(y, op, x);
        if (record)
            Record(y, op, NormInputs(x, gamma, beta), g =>
                NormBackward(x, gamma, beta, stats!, g, rows, n, centered, act));
        return y;
    }

    /// <summary>
    /// Layer normalization over the channel axis of feature maps x (N, C, ...): at every image n and position s,
    /// y[n, c, s] = (x[n, c, s] − mean_c) / √(var_c + eps) · gamma[c] + beta[c] (biased variance over the C channels),
    /// as LayerNorm over C on the channels-last permutation, without the permutes (one kernel each way). With
    /// <paramref name="centered"/> false it is RmsNorm over the channels (beta must then be null). gamma and beta are
    /// optional, (C,).
    /// </summary>
    /// <exception cref="ArgumentException">x has fewer than 2 axes, gamma or beta is not (C,), or eps is negative or not finite.</exception>
    public static Tensor ChannelNorm(Tensor x, Tensor? gamma, Tensor? beta, float eps, bool centered = true) =>
        ChannelNormCore(centered ? "channel_layer_norm" : "channel_rms_norm", x, gamma, beta, eps, centered, silu: false);

    /// <summary>silu(ChannelNorm(x)) as one op (DreamerV3's conv → norm → SiLU stages).</summary>
    /// <exception cref="ArgumentException">As <see cref="ChannelNorm"/>.</exception>
    public static Tensor ChannelNormSilu(Tensor x, Tensor? gamma, Tensor? beta, float eps, bool centered) =>
        ChannelNormCore(centered ? "channel_layer_norm_silu" : "channel_rms_norm_silu", x, gamma, beta, eps, centered, silu: true);

    private static Tensor ChannelNormCore(string op, Tensor x, Tensor? gamma, Tensor? beta, float eps, bool centered, bool silu)
    {
        if (x.Rank < 2) throw new ArgumentException($"{op}: input must be (N, C, ...) with at least 2 axes, got {x.Shape}");
        int N = x.Shape[0], C = x.Shape[1];
        int S = N == 0 || C == 0 ? x.Shape.Prod(2, x.Rank) : x.Size / (N * C);
        if (!centered && beta is not null) throw new ArgumentException($"{op}: takes no beta");
        CheckAffine(op, x, gamma, beta, eps, C, "the channel axis");
        var y = Empty(x.Shape);
        bool record = NeedsGrad(x) || (gamma is not null && NeedsGrad(gamma)) || (beta is not null && NeedsGrad(beta));
        Tensor? stats = record ? Empty(new Shape(N, 2, S)) : null;   // per image: the mean plane, then the rstd plane
        ChannelNormKernels.Forward(x.Span, gamma is null ? default : gamma.Span, beta is null ? default : beta.Span, y.Span,
            stats is null ? default : stats.Span, N, C, S, eps, centered, silu);
        if (DebugChecks) CheckFinite(y, op, x);
        if (record)
            Record(y, op, NormInputs(x, gamma, beta), g =>
            {
                if (y.Size == 0) return;
                float beta0 = 0f;
                var dX = x.RequiresGrad ? x.GradDest(out beta0) : default;
                ChannelNormKernels.Backward(x.Span, gamma is null ? default : gamma.Span, beta is null ? default : beta.Span, stats!.Span,
                    g.Span, dX, gamma is not null && gamma.RequiresGrad ? gamma.GradSpan() : default,
                    beta is not null && beta.RequiresGrad ? beta.GradSpan() : default, N, C, S, centered, beta0 != 0f, silu);
            });
        return y;
    }

    private static int CheckNormArgs(string op, Tensor x, Tensor? gamma, Tensor? beta, float eps)
    {
        if (x.Rank == 0) throw new ArgumentException($"{op}: input must have at least one axis, got a scalar");
        int n = x.Shape[-1];
        CheckAffine(op, x, gamma, beta, eps, n, "the last axis");
        return n;
    }

    // gamma and beta (when given) must be (n,), n the size of the normalized axis; eps finite and >= 0.
    private static void CheckAffine(string op, Tensor x, Tensor? gamma, Tensor? beta, float eps, int n, string axis)
    {
        if (gamma is not null && (gamma.Rank != 1 || gamma.Shape[0] != n))
            throw new ArgumentException($"{op}: gamma {gamma.Shape} does not match {axis} of input {x.Shape}; expected ({n},)");
        if (beta is not null && (beta.Rank != 1 || beta.Shape[0] != n))
            throw new ArgumentException($"{op}: beta {beta.Shape} does not match {axis} of input {x.Shape}; expected ({n},)");
        if (!(eps >= 0f) || float.IsInfinity(eps))
            throw new ArgumentException($"{op}: eps must be a finite value >= 0, got {eps}");
    }

    private static Tensor[] NormInputs(Tensor x, Tensor? gamma, Tensor? beta) => (gamma, beta) switch
    {
        (null, null) => [x],
        (not null, null) => [x, gamma],
        (null, not null) => [x, beta],
        _ => [x, gamma, beta],
    };

    /// <summary>
    /// Backward of both norms, per row with xhat = (x − mean)·rstd (mean = 0 when not centered):
    /// dbeta += g; dgamma += g·xhat; dxhat = g·gamma;
    /// dx += rstd·(dxhat − [centered] mean(dxhat) − xhat·mean(dxhat·xhat)).
    /// </summary>
    private static void NormBackward(Tensor x, Tensor? gamma, Tensor? beta, Tensor stats, Tensor g, int rows, int n, bool centered, NormActivation act)
    {
        if (n == 0 || rows == 0) return;
        float beta0 = 0f;
        var dX = x.RequiresGrad ? x.GradDest(out beta0) : default;
        bool accumulate = beta0 != 0f;
        RowNorm.Backward(x.Span, gamma is null ? default : gamma.Span, stats.Span, g.Span, dX,
            gamma is not null && gamma.RequiresGrad ? gamma.GradSpan() : default,
            beta is not null && beta.RequiresGrad ? beta.GradSpan() : default, rows, n, centered, accumulate,
            beta is null ? default : beta.Span, act);
    }
}

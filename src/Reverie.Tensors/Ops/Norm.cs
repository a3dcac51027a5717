// Fused normalization ops over the last axis: LayerNorm and RmsNorm, each one forward kernel and
// one hand-written backward kernel (SIMD through TensorPrimitives).
using System.Numerics.Tensors;

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
    public static Tensor LayerNorm(Tensor x, Tensor? gamma, Tensor? beta, float eps)
    {
        int n = CheckNormArgs("layer_norm", x, gamma, beta, eps);
        int rows = n == 0 ? x.Shape.Prod(0, x.Rank - 1) : x.Size / n;
        var y = Empty(x.Shape);
        bool record = NeedsGrad(x) || (gamma is not null && NeedsGrad(gamma)) || (beta is not null && NeedsGrad(beta));
        Tensor? stats = record ? Empty(new Shape(rows, 2)) : null; // (rows, [mean, rstd])
        var X = x.Span; var Y = y.Span;
        ReadOnlySpan<float> G = gamma is null ? default : gamma.Span, Bt = beta is null ? default : beta.Span;
        var S = stats is null ? default : stats.Span;
        if (n > 0)
            for (int r = 0; r < rows; r++)
            {
                var xr = X.Slice(r * n, n); var yr = Y.Slice(r * n, n);
                float mean = TensorPrimitives.Sum(xr) / n;
                TensorPrimitives.Subtract(xr, mean, yr);                        // y = x - mean
                float rstd = 1f / MathF.Sqrt(TensorPrimitives.SumOfSquares(yr) / n + eps);
                TensorPrimitives.Multiply(yr, rstd, yr);                        // y = xhat
                if (gamma is not null && beta is not null) TensorPrimitives.MultiplyAdd(yr, G, Bt, yr);
                else if (gamma is not null) TensorPrimitives.Multiply(yr, G, yr);
                else if (beta is not null) TensorPrimitives.Add(yr, Bt, yr);
                if (stats is not null) { S[2 * r] = mean; S[2 * r + 1] = rstd; }
            }
        if (DebugChecks) CheckFinite(y, "layer_norm", x);
        if (record)
            Record(y, "layer_norm", NormInputs(x, gamma, beta), g =>
                NormBackward(x, gamma, beta, stats!, g, rows, n, centered: true));
        return y;
    }

    /// <summary>
    /// RMS normalization over the last axis: for each row of x (..., n),
    /// y = x / √(mean(x²) + eps) · gamma. gamma is optional (shape (n,)). One fused kernel forward
    /// and one backward (dx, dgamma) that reuses the per-row 1/√(mean(x²) + eps).
    /// </summary>
    /// <exception cref="ArgumentException">x is a scalar, gamma is not (n,), or eps is negative or not finite.</exception>
    public static Tensor RmsNorm(Tensor x, Tensor? gamma, float eps)
    {
        int n = CheckNormArgs("rms_norm", x, gamma, null, eps);
        int rows = n == 0 ? x.Shape.Prod(0, x.Rank - 1) : x.Size / n;
        var y = Empty(x.Shape);
        bool record = NeedsGrad(x) || (gamma is not null && NeedsGrad(gamma));
        Tensor? stats = record ? Empty(new Shape(rows, 2)) : null; // (rows, [0, rstd])
        var X = x.Span; var Y = y.Span;
        ReadOnlySpan<float> G = gamma is null ? default : gamma.Span;
        var S = stats is null ? default : stats.Span;
        if (n > 0)
            for (int r = 0; r < rows; r++)
            {
                var xr = X.Slice(r * n, n); var yr = Y.Slice(r * n, n);
                float rstd = 1f / MathF.Sqrt(TensorPrimitives.SumOfSquares(xr) / n + eps);
                TensorPrimitives.Multiply(xr, rstd, yr);
                if (gamma is not null) TensorPrimitives.Multiply(yr, G, yr);
                if (stats is not null) { S[2 * r] = 0f; S[2 * r + 1] = rstd; }
            }
        if (DebugChecks) CheckFinite(y, "rms_norm", x);
        if (record)
            Record(y, "rms_norm", NormInputs(x, gamma, null), g =>
                NormBackward(x, gamma, null, stats!, g, rows, n, centered: false));
        return y;
    }

    private static int CheckNormArgs(string op, Tensor x, Tensor? gamma, Tensor? beta, float eps)
    {
        if (x.Rank == 0) throw new ArgumentException($"{op}: input must have at least one axis, got a scalar");
        int n = x.Shape[-1];
        if (gamma is not null && (gamma.Rank != 1 || gamma.Shape[0] != n))
            throw new ArgumentException($"{op}: gamma {gamma.Shape} does not match the last axis of input {x.Shape}; expected ({n},)");
        if (beta is not null && (beta.Rank != 1 || beta.Shape[0] != n))
            throw new ArgumentException($"{op}: beta {beta.Shape} does not match the last axis of input {x.Shape}; expected ({n},)");
        if (!(eps >= 0f) || float.IsInfinity(eps))
            throw new ArgumentException($"{op}: eps must be a finite value >= 0, got {eps}");
        return n;
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
    private static void NormBackward(Tensor x, Tensor? gamma, Tensor? beta, Tensor stats, Tensor g, int rows, int n, bool centered)
    {
        if (n == 0 || rows == 0) return;
        bool needX = x.RequiresGrad, needG = gamma is not null && gamma.RequiresGrad, needB = beta is not null && beta.RequiresGrad;
        var scratch = Empty(new Shape(2, n));                   // (xhat, dxhat) of one row
        var xh = scratch.Span[..n]; var dxh = scratch.Span.Slice(n, n);
        var X = x.Span; var Gs = g.Span; var S = stats.Span;
        var dX = needX ? x.GradSpan() : default;
        var dGamma = needG ? gamma!.GradSpan() : default;
        var dBeta = needB ? beta!.GradSpan() : default;
        ReadOnlySpan<float> gam = gamma is null ? default : gamma.Span;
        for (int r = 0; r < rows; r++)
        {
            var xr = X.Slice(r * n, n); var gr = Gs.Slice(r * n, n);
            float mean = S[2 * r], rstd = S[2 * r + 1];
            if (needB) TensorPrimitives.Add(dBeta, gr, dBeta);
            if (!needX && !needG) continue;
            TensorPrimitives.Subtract(xr, mean, xh);
            TensorPrimitives.Multiply(xh, rstd, xh);               // xhat
            if (needG) TensorPrimitives.MultiplyAdd(gr, xh, dGamma, dGamma);
            if (!needX) continue;
            if (gamma is not null) TensorPrimitives.Multiply(gr, gam, dxh); else gr.CopyTo(dxh);
            float b = TensorPrimitives.Dot(dxh, xh) / n;
            if (centered) TensorPrimitives.Subtract(dxh, TensorPrimitives.Sum(dxh) / n, dxh);
            TensorPrimitives.MultiplyAdd(xh, -b, dxh, dxh);        // dxhat - a - xhat·b
            var dxr = dX.Slice(r * n, n);
            TensorPrimitives.MultiplyAdd(dxh, rstd, dxr, dxr);
        }
    }
}

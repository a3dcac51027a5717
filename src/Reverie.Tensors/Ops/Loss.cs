// Fused losses: the squared error summed over trailing axes in one pass (forward) and one pass (backward).
using Reverie.Tensors.Kernels;

namespace Reverie.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// Σ over the last <paramref name="eventRank"/> axes of (pred − target)², as
    /// <c>(pred - target).Square().Sum(last axes)</c> in one pass over the data each way (no difference or square
    /// tensors), with rows split over threads: shape pred.Shape without those axes. The gradient is 2·(pred − target)·g
    /// to pred and its negative to target (for whichever requires grad), the same bits as the unfused chain (but for the
    /// sign of zeros: the chain's sum backward turns a −0 upstream gradient into +0); the forward sums in another order,
    /// so the loss may differ from the chain's in the last bits.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes differ, or eventRank is outside [0, rank].</exception>
    public static Tensor SquaredError(Tensor pred, Tensor target, int eventRank = 0)
    {
        const string op = "squared_error";
        if (pred.Shape != target.Shape)
            throw new ArgumentException($"{op}: prediction {pred.Shape} and target {target.Shape} must have the same shape");
        if (eventRank < 0 || eventRank > pred.Rank)
            throw new ArgumentException($"{op}: eventRank {eventRank} is outside [0, {pred.Rank}] for {pred.Shape}");
        var dims = new int[pred.Rank - eventRank];
        for (int i = 0; i < dims.Length; i++) dims[i] = pred.Shape[i];
        var outShape = new Shape(dims);
        int rows = outShape.Size, n = rows == 0 ? 0 : pred.Size / rows;
        var y = Empty(outShape);
        if (rows > 0) SquaredErrorKernel.Forward(pred.Span, target.Span, y.Span, rows, n);
        if (DebugChecks) CheckFinite(y, op, pred, target);
        if (NeedsGrad(pred, target))
            Record(y, op, [pred, target], g =>
            {
                if (rows == 0 || n == 0) return;
                float bp = 1f, bt = 1f;
                var dp = pred.RequiresGrad ? pred.GradDest(out bp) : default;
                var dt = target.RequiresGrad ? target.GradDest(out bt) : default;
                SquaredErrorKernel.Backward(pred.Span, target.Span, g.Span, dp, bp != 0f, dt, bt != 0f, rows, n);
            });
        return y;
    }
}

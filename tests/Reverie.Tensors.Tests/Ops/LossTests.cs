// Checks of Tensor.SquaredError: forward and gradients (both inputs) against a double reference with central
// differences, the bits of the unfused chain's gradient at 1 and 2 threads, fresh and existing gradient buffers, errors.
using Reverie.Tensors;
using Reverie.Tensors.Kernels;

namespace Reverie.Tensors.Tests.Ops;

public class LossTests
{
    // Σ over the last eventRank axes of (p − t)², rows of n = size / rows.
    private static Reference SquaredErrorRef(Shape s, int eventRank) => x =>
    {
        int rows = 1;
        for (int i = 0; i < s.Rank - eventRank; i++) rows *= s[i];
        int n = s.Size / rows;
        var y = new double[rows];
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < n; i++) { double d = x[0][r * n + i] - x[1][r * n + i]; y[r] += d * d; }
        return y;
    };

    [Theory]
    [InlineData(new[] { 3, 2, 5, 7 }, 3)]    // an image-like event (C, H, W): 70 floats per row, a vector tail
    [InlineData(new[] { 4, 33 }, 1)]         // a vector event: two full vectors and one lane
    [InlineData(new[] { 2, 3, 4 }, 0)]       // elementwise
    [InlineData(new[] { 2, 3, 4 }, 3)]       // everything: a scalar
    [InlineData(new[] { 5, 16 }, 1)]         // exactly one vector per row
    public void SquaredError_matches_reference(int[] dims, int eventRank)
    {
        var s = new Shape(dims);
        CheckOp.Run($"squared_error {s} event {eventRank}", x => Tensor.SquaredError(x[0], x[1], eventRank), SquaredErrorRef(s, eventRank), [s, s]);
        // The target alone (the usual case: a detached target) and the prediction alone.
        CheckOp.Run($"squared_error {s} (target only)", x => Tensor.SquaredError(x[0], x[1], eventRank), SquaredErrorRef(s, eventRank), [s, s], differentiable: [false, true]);
        CheckOp.Run($"squared_error {s} (pred only)", x => Tensor.SquaredError(x[0], x[1], eventRank), SquaredErrorRef(s, eventRank), [s, s], differentiable: [true, false]);
    }

    [Fact]
    public void SquaredError_gradient_has_the_bits_of_the_unfused_chain_at_any_thread_count()
    {
        // 64 images of 3x16x16 (enough work for 2 threads); pred is an intermediate that feeds two losses, so the first
        // backward writes its fresh gradient buffer and the second adds to it; the pool first holds NaN buffers of its
        // size, so adding into a fresh buffer would show.
        var rng = new Rng(5);
        var s = new Shape(64, 3, 16, 16);
        var a0 = Tensor.Randn(s, rng).ToArray(); var t0 = Tensor.Randn(s, rng).ToArray(); var u0 = Tensor.Randn(s, rng).ToArray();
        var w = Tensor.Randn(new Shape(64), rng); var v = Tensor.Randn(new Shape(64), rng);
        (float[] grad, float[] loss) Run(bool fused, int threads)
        {
            using (Tensor.Scope())
                for (int k = 0; k < 4; k++) Tensor.Zeros(s).Span.Fill(float.NaN);
            int saved = Gemm.MaxThreads;
            Gemm.MaxThreads = threads;
            try
            {
                using var scope = Tensor.Scope();
                var a = Tensor.FromArray(a0, s); a.RequiresGrad = true;
                var t = Tensor.FromArray(t0, s); var u = Tensor.FromArray(u0, s);
                var pred = a * 1.5f;
                Tensor Loss(Tensor target) => fused ? Tensor.SquaredError(pred, target, 3) : (pred - target).Square().Flatten(1).Sum(-1);
                var loss = Loss(t);
                (Tensor.Mul(loss, w).Sum() + Tensor.Mul(Loss(u), v).Sum()).Backward();
                return (a.Grad!.ToArray(), loss.ToArray());
            }
            finally { Gemm.MaxThreads = saved; }
        }
        var chain = Run(false, 1);
        var one = Run(true, 1); var two = Run(true, 2);
        Assert.Equal(chain.grad, one.grad);
        Assert.Equal(one.grad, two.grad);
        Assert.Equal(one.loss, two.loss);
        for (int i = 0; i < chain.loss.Length; i++) CheckOp.AssertClose(chain.loss[i], one.loss[i], 1e-4, 1e-5, $"loss[{i}]");
    }

    [Fact]
    public void SquaredError_errors_name_the_shapes()
    {
        var p = Tensor.Zeros(new Shape(2, 3)); var t = Tensor.Zeros(new Shape(2, 4));
        var e = Assert.Throws<ArgumentException>(() => Tensor.SquaredError(p, t, 1));
        Assert.Contains("(2, 3)", e.Message); Assert.Contains("(2, 4)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.SquaredError(p, p, 3));
        Assert.Contains("eventRank 3", e.Message);
        Assert.Equal(new Shape(0), Tensor.SquaredError(Tensor.Zeros(new Shape(0, 5)), Tensor.Zeros(new Shape(0, 5)), 1).Shape);
    }
}

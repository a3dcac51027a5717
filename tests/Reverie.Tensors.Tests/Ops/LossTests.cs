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

    [Theory]
    [InlineData(new[] { 64, 3, 16, 16 }, 3)]   // images: rows of 768 floats, enough work for 2 threads
    [InlineData(new[] { 512, 40 }, 1)]         // vectors with a tail
    [InlineData(new[] { 96, 400 }, 0)]         // elementwise (rows of one element)
    public void SquaredError_gradient_has_the_bits_of_the_unfused_chain_at_any_thread_count(int[] dims, int eventRank)
    {
        // pred = 1.5·a and target = 0.5·b are intermediates that each feed two losses, so the first backward writes their
        // fresh gradient buffers and the second adds to them; the pool first holds NaN buffers of their size, so adding
        // into a fresh buffer would show. Gradients to both inputs, against the chain sub → square → sum.
        var rng = new Rng(5);
        var s = new Shape(dims);
        var a0 = Tensor.Randn(s, rng).ToArray(); var b0 = Tensor.Randn(s, rng).ToArray(); var u0 = Tensor.Randn(s, rng).ToArray();
        int outRank = s.Rank - eventRank;
        var outShape = new Shape(dims[..outRank]);
        var w = Tensor.Randn(outShape, rng); var v = Tensor.Randn(outShape, rng);
        var axes = Enumerable.Range(outRank, eventRank).ToArray();
        (float[] ga, float[] gb, float[] loss) Run(bool fused, int threads)
        {
            using (Tensor.Scope())
                for (int k = 0; k < 6; k++) Tensor.Zeros(s).Span.Fill(float.NaN);
            int saved = Gemm.MaxThreads;
            Gemm.MaxThreads = threads;
            try
            {
                using var scope = Tensor.Scope();
                var a = Tensor.FromArray(a0, s); a.RequiresGrad = true;
                var b = Tensor.FromArray(b0, s); b.RequiresGrad = true;
                var u = Tensor.FromArray(u0, s);
                var pred = a * 1.5f; var target = b * 0.5f;
                Tensor Loss(Tensor p, Tensor t) =>
                    fused ? Tensor.SquaredError(p, t, eventRank) : eventRank == 0 ? (p - t).Square() : (p - t).Square().Sum(axes);
                var loss = Loss(pred, target);
                (Tensor.Mul(loss, w).Sum() + Tensor.Mul(Loss(pred, u), v).Sum() + Tensor.Mul(Loss(u, target), v).Sum()).Backward();
                return (a.Grad!.ToArray(), b.Grad!.ToArray(), loss.ToArray());
            }
            finally { Gemm.MaxThreads = saved; }
        }
        var chain = Run(false, 1);
        var one = Run(true, 1); var two = Run(true, 2);
        Assert.Equal(chain.ga, one.ga); Assert.Equal(chain.gb, one.gb);
        Assert.Equal(one.ga, two.ga); Assert.Equal(one.gb, two.gb);
        Assert.Equal(one.loss, two.loss);
        for (int i = 0; i < chain.loss.Length; i++) CheckOp.AssertClose(chain.loss[i], one.loss[i], 1e-4, 1e-5, $"loss[{i}]");
    }

    [Fact]
    public void SquaredError_of_a_tensor_with_itself_and_of_empty_tensors()
    {
        // Both inputs the same tensor: the loss and its gradient are zero (the same buffer is written, then added to).
        var x = Tensor.Randn(new Shape(4, 20), new Rng(9)); x.RequiresGrad = true;
        var loss = Tensor.SquaredError(x, x, 1);
        Assert.All(loss.ToArray(), v => Assert.Equal(0f, v));
        loss.Sum().Backward();
        Assert.All(x.Grad!.ToArray(), v => Assert.Equal(0f, v));
        // Empty batches and empty events: shapes, and a backward that has nothing to do.
        var e = Tensor.Zeros(new Shape(0, 5)); e.RequiresGrad = true;
        var le = Tensor.SquaredError(e, Tensor.Zeros(new Shape(0, 5)), 1);
        Assert.Equal(new Shape(0), le.Shape);
        var z = Tensor.Zeros(new Shape(3, 0)); z.RequiresGrad = true;
        var lz = Tensor.SquaredError(z, Tensor.Zeros(new Shape(3, 0)), 1);
        Assert.Equal(new float[3], lz.ToArray());
        lz.Sum().Backward();
    }

    [Fact]
    public void SquaredError_errors_name_the_shapes()
    {
        var p = Tensor.Zeros(new Shape(2, 3)); var t = Tensor.Zeros(new Shape(2, 4));
        var e = Assert.Throws<ArgumentException>(() => Tensor.SquaredError(p, t, 1));
        Assert.Contains("(2, 3)", e.Message); Assert.Contains("(2, 4)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.SquaredError(p, p, 3));
        Assert.Contains("eventRank 3", e.Message);
    }
}

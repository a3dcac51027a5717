// Checks of the fused group softmax (TD-MPC2's SimNorm): forward against a double reference, gradients against
// central differences, group sizes 1..n, every length up to past the SIMD tails, large inputs and errors.
using Reverie.Tensors;

namespace Reverie.Tensors.Tests.Ops;

public class GroupSoftmaxTests
{
    private static Reference GroupRef(int g) => inp =>
    {
        var x = inp[0];
        var y = new double[x.Length];
        for (int j = 0; j < x.Length / g; j++)
        {
            double m = double.NegativeInfinity, s = 0;
            for (int k = 0; k < g; k++) m = Math.Max(m, x[j * g + k]);
            for (int k = 0; k < g; k++) s += Math.Exp(x[j * g + k] - m);
            for (int k = 0; k < g; k++) y[j * g + k] = Math.Exp(x[j * g + k] - m) / s;
        }
        return y;
    };

    [Theory]
    [InlineData(new[] { 3, 16 }, 8)]
    [InlineData(new[] { 2, 3, 24 }, 8)]
    [InlineData(new[] { 5, 7 }, 7)]
    [InlineData(new[] { 4, 6 }, 1)]
    [InlineData(new[] { 9 }, 3)]
    [InlineData(new[] { 1, 1, 10 }, 2)]
    public void Matches_reference_and_finite_differences(int[] dims, int g)
    {
        CheckOp.Run($"group_softmax g={g}", x => x[0].GroupSoftmax(g), GroupRef(g), [new Shape(dims)]);
    }

    [Fact]
    public void Equals_a_reshaped_softmax_at_every_length_forward_and_backward()
    {
        var rng = new Rng(4);
        for (int groups = 1; groups <= 70; groups++)
            foreach (int g in new[] { 1, 3, 8 })
            {
                // Forward and backward of the fused op (its vectorized path for g = 8) against reshape → softmax → reshape.
                var x = Tensor.Randn(new Shape(2, groups * g), rng).Mul(5f);
                var w = Tensor.Randn(x.Shape, rng);
                x.RequiresGrad = true;
                var fusedY = x.GroupSoftmax(g);
                (fusedY * w).Sum().Backward();
                var fused = fusedY.ToArray(); var fusedGrad = x.Grad!.ToArray();
                x.Grad = null;
                var plainY = x.Reshape(2, groups, g).Softmax(-1).Reshape(x.Shape);
                (plainY * w).Sum().Backward();
                var plain = plainY.ToArray(); var plainGrad = x.Grad!.ToArray();
                for (int i = 0; i < fused.Length; i++)
                {
                    Assert.Equal(plain[i], fused[i], 2e-6f);
                    Assert.Equal(plainGrad[i], fusedGrad[i], 1e-5f);
                }
            }
    }

    [Fact]
    public void Large_inputs_stay_finite_and_groups_sum_to_one()
    {
        var y = Tensor.FromArray([1000f, 999f, -1000f, 0f, 88f, 88f, 88f, 88f], new Shape(2, 4)).GroupSoftmax(4).ToArray();
        Assert.All(y, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(1f, y[..4].Sum(), 6);
        Assert.Equal([0.25f, 0.25f, 0.25f, 0.25f], y[4..]);
    }

    [Fact]
    public void Bad_group_sizes_name_the_shape()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros(new Shape(2, 12)).GroupSoftmax(8));
        Assert.Contains("(2, 12)", e.Message);
        Assert.Contains("group size 8", e.Message);
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(new Shape(4)).GroupSoftmax(0));
        Assert.Throws<ArgumentException>(() => Tensor.Scalar(1f).GroupSoftmax(1));
    }
}

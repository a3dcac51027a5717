// PpoLossesTests: the clipped surrogate and the clipped value loss on toy numbers, values and gradients.
using Reverie.Agents.ModelFree;
using Reverie.Tensors;

namespace Reverie.Agents.Tests.ModelFree;

public class PpoLossesTests
{
    private static Tensor Param(params float[] v)
    {
        var p = Tensor.Parameter(new Shape(v.Length));
        v.CopyTo(p.Span);
        return p;
    }

    // r = [1.5, 0.5, 1.1, 0.7], A = [1, 1, −1, −1], ε = 0.2:
    //  i0: max(−1.5, −1.2) = −1.2 (clipped, gradient 0)     i1: max(−0.5, −0.8) = −0.5 (unclipped, d/dlogp = −A·r/4 = −0.125)
    //  i2: max(1.1, 1.1) = 1.1 (inside, d/dlogp = 1.1/4)       i3: max(0.7, 0.8) = 0.8 (clipped, 0)
    //  L = (−1.2 − 0.5 + 1.1 + 0.8)/4 = 0.05; clipfrac = 3/4 (|r − 1| > 0.2 at i0, i1, i3).
    [Fact]
    public void Clipped_surrogate_on_toy_numbers()
    {
        float[] r = [1.5f, 0.5f, 1.1f, 0.7f];
        var newLogProb = Param(r.Select(x => MathF.Log(x)).ToArray());
        var old = Tensor.Zeros(new Shape(4));
        var adv = Tensor.FromArray(1f, 1f, -1f, -1f);
        var res = PpoLosses.ClippedSurrogate(newLogProb, old, adv, 0.2f);
        Assert.Equal(0.05f, res.Loss.Item(), 6);
        Assert.Equal(0.75f, res.ClipFraction);
        double kl = r.Average(x => (x - 1.0) - Math.Log(x)), oldKl = r.Average(x => -Math.Log(x));
        Assert.Equal(kl, res.ApproxKl, 5);
        Assert.Equal(oldKl, res.OldApproxKl, 5);
        res.Loss.Backward();
        var g = newLogProb.Grad!.ToArray();
        Assert.Equal(0f, g[0], 6);
        Assert.Equal(-0.125f, g[1], 6);
        Assert.Equal(0.275f, g[2], 6);
        Assert.Equal(0f, g[3], 6);
    }

    [Fact]
    public void Surrogate_at_ratio_one_is_the_policy_gradient()
    {
        var newLogProb = Param(-0.3f, -1.2f, -2f);
        var adv = Tensor.FromArray(2f, -1f, 0.5f);
        var res = PpoLosses.ClippedSurrogate(newLogProb, Tensor.FromArray(-0.3f, -1.2f, -2f), adv, 0.2f);
        Assert.Equal(-(2f - 1f + 0.5f) / 3f, res.Loss.Item(), 6);
        Assert.Equal(0f, res.ClipFraction);
        res.Loss.Backward();
        Assert.Equal(new[] { -2f / 3, 1f / 3, -0.5f / 3 }, newLogProb.Grad!.ToArray().Select(x => MathF.Round(x, 6)).ToArray(),
            new FloatComparer(1e-6f));
    }

    // V = [1, 2, 1], V_old = [0, 2.5, 0], R = [0.5, 3, 2], ε = 0.2:
    //  unclipped (V − R)² = [0.25, 1, 1]; clipped V = [0.2, 2.3, 0.2] → [0.09, 0.49, 3.24]
    //  max = [0.25, 1, 3.24] → L = ½·4.49/3; dL/dV = [(1 − 0.5)/3, (2 − 3)/3, 0] (the third is clipped and saturated).
    [Fact]
    public void Clipped_value_loss_on_toy_numbers()
    {
        var v = Param(1f, 2f, 1f);
        var loss = PpoLosses.ValueLoss(v, Tensor.FromArray(0f, 2.5f, 0f), Tensor.FromArray(0.5f, 3f, 2f), 0.2f);
        Assert.Equal(0.5f * 4.49f / 3f, loss.Item(), 5);
        loss.Backward();
        var g = v.Grad!.ToArray();
        Assert.Equal(0.5f / 3f, g[0], 6);
        Assert.Equal(-1f / 3f, g[1], 6);
        Assert.Equal(0f, g[2], 6);
    }

    [Fact]
    public void Unclipped_value_loss_is_half_mse()
    {
        var v = Param(1f, 2f, 1f);
        var loss = PpoLosses.ValueLoss(v, Tensor.FromArray(0f, 2.5f, 0f), Tensor.FromArray(0.5f, 3f, 2f), null);
        Assert.Equal(0.5f * (0.25f + 1f + 1f) / 3f, loss.Item(), 6);
    }

    [Fact]
    public void Advantage_normalization_uses_the_unbiased_std()
    {
        float[] a = [1, 2, 3, 4];
        PpoLosses.NormalizeAdvantages(a);
        double std = Math.Sqrt(5.0 / 3);                             // Σ(a − 2.5)² = 5, n − 1 = 3
        Assert.Equal((float)(-1.5 / std), a[0], 5);
        Assert.Equal((float)(1.5 / std), a[3], 5);
        float[] one = [7];
        PpoLosses.NormalizeAdvantages(one);
        Assert.Equal(0f, one[0]);
    }

    [Fact]
    public void Shape_mismatch_names_the_input()
    {
        var e = Assert.Throws<ArgumentException>(() => PpoLosses.ClippedSurrogate(Tensor.Zeros(new Shape(3)), Tensor.Zeros(new Shape(4)), Tensor.Zeros(new Shape(3)), 0.2f));
        Assert.Contains("'oldLogProb' (4", e.Message);
    }

    private sealed class FloatComparer(float tol) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => MathF.Abs(x - y) <= tol;
        public int GetHashCode(float obj) => 0;
    }
}

// TdMath: TD-MPC2's pure math helpers (tdmpc2/common/math.py): SimNorm, the bounded log-std, the squashed Gaussian, percentiles.
using Reverie.Tensors;

namespace Reverie.Agents.TdMpc;

/// <summary>
/// The small functions TD-MPC2 composes its model from, each given only the numbers it needs. All tensor
/// functions are differentiable compositions of engine ops.
/// </summary>
public static class TdMath
{
    /// <summary>log √(2π), the Gaussian log-density constant per dimension.</summary>
    public const float HalfLog2Pi = 0.9189385175704956f;

    /// <summary>
    /// Simplicial normalization (Lavoie et al. 2022, TD-MPC2's SimNorm): the last axis of x (..., n) is cut into
    /// groups of <paramref name="groupSize"/> and each group goes through a softmax, so every group is a point on a
    /// simplex. Shape unchanged. One fused engine op (<see cref="Tensor.GroupSoftmax"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The last axis is not a multiple of the group size.</exception>
    public static Tensor SimNorm(Tensor x, int groupSize)
    {
        if (groupSize < 1 || x.Rank == 0 || x.Shape[-1] % groupSize != 0)
            throw new ArgumentException($"simnorm: the last axis of {x.Shape} is not a multiple of the group size {groupSize}");
        return x.GroupSoftmax(groupSize);
    }

    /// <summary>A raw head output mapped smoothly into [min, max]: min + ½(max − min)(tanh(x) + 1).</summary>
    public static Tensor LogStd(Tensor x, float min, float max) => x.Tanh().Add(1f).Mul(0.5f * (max - min)).Add(min);

    /// <summary>
    /// log N(mean + σ·eps; mean, σ) summed over the last axis, from the standard-normal draw eps and log σ:
    /// Σ (−½ eps² − log σ − ½ log 2π). (..., A) → (...). eps carries no gradient.
    /// </summary>
    public static Tensor GaussianLogProb(Tensor eps, Tensor logStd)
    {
        var residual = eps.Detach().Square().Mul(-0.5f) - logStd;
        return residual.Add(-HalfLog2Pi).Sum(-1);
    }

    /// <summary>
    /// The log-density change of a = tanh(u), as TD-MPC2's <c>squash</c>: Σ log(relu(1 − a²) + 1e-6) over the
    /// last axis, subtracted from the Gaussian log-density. a (..., A) → (...).
    /// </summary>
    public static Tensor SquashCorrection(Tensor action) => action.Square().Neg().Add(1f).Relu().Add(1e-6f).Log().Sum(-1);

    /// <summary>
    /// The q-th percentiles (q in [0, 100]) of the values, with linear interpolation between the two nearest
    /// order statistics (torch.quantile's default; TD-MPC2's RunningScale). Each q gives one number.
    /// </summary>
    /// <exception cref="ArgumentException">No values, or a percentile outside [0, 100].</exception>
    public static float[] Percentiles(ReadOnlySpan<float> values, ReadOnlySpan<float> q)
    {
        if (values.Length == 0) throw new ArgumentException("percentiles: no values");
        var sorted = values.ToArray();
        Array.Sort(sorted);
        int n = sorted.Length;
        var result = new float[q.Length];
        for (int i = 0; i < q.Length; i++)
        {
            if (!(q[i] >= 0 && q[i] <= 100)) throw new ArgumentException($"percentiles: {q[i]} is outside [0, 100]");
            float pos = q[i] * (n - 1) / 100f;
            int lo = (int)MathF.Floor(pos), hi = Math.Min(lo + 1, n - 1);
            float w = pos - lo;
            result[i] = sorted[lo] * (1f - w) + sorted[hi] * w;
        }
        return result;
    }

    /// <summary>
    /// Index drawn from the categorical distribution with (unnormalized, non-negative) weights <paramref name="p"/>;
    /// what TD-MPC2's <c>gumbel_softmax_sample</c> of the elite scores amounts to. Falls back to the largest weight
    /// when the weights do not sum to a positive finite number.
    /// </summary>
    public static int SampleIndex(ReadOnlySpan<float> p, Rng rng)
    {
        double total = 0;
        int best = 0;
        for (int i = 0; i < p.Length; i++)
        {
            total += p[i];
            if (p[i] > p[best]) best = i;
        }
        if (!(total > 0) || double.IsInfinity(total)) return best;
        double u = rng.NextDouble() * total, acc = 0;
        for (int i = 0; i < p.Length; i++)
        {
            acc += p[i];
            if (u < acc) return i;
        }
        return p.Length - 1;
    }
}

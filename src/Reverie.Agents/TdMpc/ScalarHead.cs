// ScalarHead: how the reward and Q heads code a scalar: symlog two-hot (TD-MPC2), MSE in symlog space, or plain MSE (TD-MPC).
using Reverie.Tensors;
using Reverie.Tensors.Dist;

namespace Reverie.Agents.TdMpc;

/// <summary>
/// The output coding of TD-MPC2's reward and Q heads, from <c>num_bins</c> (tdmpc2/common/math.py):
/// <list type="bullet">
/// <item>K ≥ 2: K logits over a linear grid in symlog space [vmin, vmax]; the prediction is
/// symexp(Σ softmax·bins) and the loss the cross-entropy with the two-hot code of symlog(target) (<see cref="Bins.TdMpc2"/>).</item>
/// <item>K = 1: one output in symlog space; prediction symexp(y), loss (y − symlog(target))².</item>
/// <item>K = 0: one raw output; prediction y, loss (y − target)² (TD-MPC v1's MSE heads).</item>
/// </list>
/// </summary>
public sealed class ScalarHead
{
    private readonly Bins? _bins;

    /// <summary>The coding for <paramref name="numBins"/> bins over [<paramref name="vmin"/>, <paramref name="vmax"/>].</summary>
    /// <exception cref="ArgumentException">A negative count, or K ≥ 2 with vmin ≥ vmax.</exception>
    public ScalarHead(int numBins, float vmin = -10f, float vmax = 10f)
    {
        if (numBins < 0) throw new ArgumentException($"scalar head: num_bins must be >= 0, got {numBins}");
        NumBins = numBins;
        if (numBins >= 2) _bins = Bins.TdMpc2(numBins, vmin, vmax);
    }

    /// <summary>The configured bin count (0, 1 or K).</summary>
    public int NumBins { get; }

    /// <summary>Outputs of a head: max(K, 1).</summary>
    public int OutputSize => Math.Max(NumBins, 1);

    /// <summary>The bins for K ≥ 2, else null.</summary>
    public Bins? Bins => _bins;

    /// <summary>The predicted scalars of head outputs (..., OutputSize) → (...); differentiable.</summary>
    /// <exception cref="ArgumentException">The last axis is not <see cref="OutputSize"/>.</exception>
    public Tensor Decode(Tensor logits)
    {
        Check(logits, "decode");
        if (_bins is not null) return TwoHot.Decode(logits, _bins);
        var y = logits.Squeeze(-1);
        return NumBins == 1 ? y.SymExp() : y;
    }

    /// <summary>The per-element loss of head outputs (..., OutputSize) against targets (...) → (...); no gradient reaches the target.</summary>
    /// <exception cref="ArgumentException">Shapes do not fit.</exception>
    public Tensor Loss(Tensor logits, Tensor target)
    {
        Check(logits, "loss");
        if (_bins is not null) return TwoHot.SoftCe(logits, target.Detach(), _bins);
        var y = logits.Squeeze(-1);
        if (y.Shape != target.Shape) throw new ArgumentException($"scalar head loss: prediction {y.Shape} and target {target.Shape} differ");
        var t = NumBins == 1 ? target.Detach().SymLog() : target.Detach();
        return (y - t).Square();
    }

    private void Check(Tensor logits, string op)
    {
        if (logits.Rank == 0 || logits.Shape[-1] != OutputSize)
            throw new ArgumentException($"scalar head {op}: expected outputs (..., {OutputSize}) but got {logits.Shape}");
    }
}

// RunningScale: TD-MPC2's running trimmed scale of Q values (tdmpc2/common/scale.py), which normalizes the policy loss.
namespace Reverie.Agents.TdMpc;

/// <summary>
/// S ← S + τ·(max(P95 − P5, 1) − S) over each batch of Q values (percentiles by linear interpolation); starts at 1.
/// The policy loss divides Q by S, so its size does not depend on the task's reward scale.
/// </summary>
public sealed class RunningScale
{
    private static readonly float[] Quantiles = [5f, 95f];

    /// <summary>The Polyak rate τ.</summary>
    public float Tau { get; }

    /// <summary>The current scale S (≥ 1 once updated; 1 at the start).</summary>
    public float Value { get; set; } = 1f;

    /// <summary>A scale that moves by <paramref name="tau"/> per update.</summary>
    /// <exception cref="ArgumentOutOfRangeException">tau outside [0, 1].</exception>
    public RunningScale(float tau)
    {
        if (!(tau >= 0 && tau <= 1)) throw new ArgumentOutOfRangeException(nameof(tau), $"running scale: tau must be in [0, 1], got {tau}");
        Tau = tau;
    }

    /// <summary>Moves the scale toward max(P95 − P5, 1) of <paramref name="values"/>.</summary>
    /// <exception cref="ArgumentException">No values.</exception>
    public void Update(ReadOnlySpan<float> values)
    {
        var p = TdMath.Percentiles(values, Quantiles);
        float target = MathF.Max(p[1] - p[0], 1f);
        Value += Tau * (target - Value);
    }
}

// Polyak: in-place soft target updates, target = (1 − tau)·target + tau·source.
namespace Reverie.Tensors.Optim;

/// <summary>Polyak averaging of parameter lists (soft target networks: TD-MPC2, SAC; DreamerV3's slow critic).</summary>
public static class Polyak
{
    /// <summary>
    /// For each pair, <c>target ← (1 − tau)·target + tau·source</c> in place (tau = 1 copies, tau = 0
    /// leaves the target alone). Outside autograd; allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The lists differ in length or a pair differs in shape (nothing is changed then).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tau"/> is outside [0, 1].</exception>
    public static void Update(IReadOnlyList<Tensor> targets, IReadOnlyList<Tensor> sources, double tau)
    {
        CheckPairs(targets, sources, "polyak");
        if (!(tau >= 0 && tau <= 1)) throw new ArgumentOutOfRangeException(nameof(tau), $"polyak: tau must be in [0, 1] but is {tau}");
        if (tau == 0) return;
        for (int i = 0; i < targets.Count; i++)
        {
            if (tau == 1) sources[i].ReadOnlySpan.CopyTo(targets[i].Span);
            else OptimKernels.Polyak(targets[i].Span, sources[i].ReadOnlySpan, (float)tau);
        }
    }

    internal static void CheckPairs(IReadOnlyList<Tensor> targets, IReadOnlyList<Tensor> sources, string who)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(sources);
        if (targets.Count != sources.Count)
            throw new ArgumentException($"{who}: {targets.Count} targets but {sources.Count} sources");
        for (int i = 0; i < targets.Count; i++)
            if (targets[i].Shape != sources[i].Shape)
                throw new ArgumentException($"{who}: target {i} {targets[i].Shape} and source {i} {sources[i].Shape} differ in shape");
    }
}

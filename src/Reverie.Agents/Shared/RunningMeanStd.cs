// RunningMeanStd: streaming mean and variance of vectors (observation and return normalization).
namespace Reverie.Agents.Shared;

/// <summary>
/// Per-feature running mean and (population) variance, merged batch by batch with Chan et al.'s
/// parallel formula, as Gymnasium's <c>RunningMeanStd</c>: it starts at mean 0, variance 1 and a
/// count of <c>1e-4</c>. State is kept in double precision.
/// </summary>
public sealed class RunningMeanStd
{
    private readonly double[] _mean, _var;

    /// <summary>Features per row.</summary>
    public int Dim { get; }

    /// <summary>Rows seen so far plus the initial 1e-4.</summary>
    public double Count { get; private set; } = 1e-4;

    /// <summary>The running means.</summary>
    public ReadOnlySpan<double> Mean => _mean;

    /// <summary>The running population variances.</summary>
    public ReadOnlySpan<double> Variance => _var;

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dim"/> is not positive.</exception>
    public RunningMeanStd(int dim)
    {
        if (dim < 1) throw new ArgumentOutOfRangeException(nameof(dim), $"running_mean_std: dim must be >= 1, got {dim}");
        Dim = dim;
        _mean = new double[dim];
        _var = new double[dim];
        Array.Fill(_var, 1.0);
    }

    /// <summary>Merges a batch of rows (rows × <see cref="Dim"/> values, row-major).</summary>
    /// <exception cref="ArgumentException">The length is not a positive multiple of <see cref="Dim"/>.</exception>
    public void Update(ReadOnlySpan<float> batch)
    {
        if (batch.Length == 0 || batch.Length % Dim != 0)
            throw new ArgumentException($"running_mean_std: a batch of {batch.Length} values is not a positive multiple of dim {Dim}");
        int rows = batch.Length / Dim;
        for (int j = 0; j < Dim; j++)
        {
            double m = 0;
            for (int i = 0; i < rows; i++) m += batch[i * Dim + j];
            m /= rows;
            double v = 0;
            for (int i = 0; i < rows; i++) { double d = batch[i * Dim + j] - m; v += d * d; }
            v /= rows;
            double delta = m - _mean[j], total = Count + rows;
            double m2 = _var[j] * Count + v * rows + delta * delta * Count * rows / total;
            _mean[j] += delta * rows / total;
            _var[j] = m2 / total;
        }
        Count += rows;
    }

    /// <summary>dest = clip((x − mean) / √(var + eps), ±clip), row by row; x and dest may be the same span.</summary>
    /// <exception cref="ArgumentException">Lengths differ or are not a multiple of <see cref="Dim"/>.</exception>
    public void Normalize(ReadOnlySpan<float> x, Span<float> dest, float clip = 10f, double eps = 1e-8)
    {
        if (x.Length != dest.Length || x.Length % Dim != 0)
            throw new ArgumentException($"running_mean_std: cannot normalize {x.Length} values into {dest.Length} with dim {Dim}");
        for (int i = 0; i < x.Length; i++)
        {
            int j = i % Dim;
            double z = (x[i] - _mean[j]) / Math.Sqrt(_var[j] + eps);
            dest[i] = (float)Math.Clamp(z, -clip, clip);
        }
    }

    /// <summary>Saves the exact state into <paramref name="state"/>'s metadata: <c>{prefix}mean</c>, <c>{prefix}var</c>, <c>{prefix}count</c>.</summary>
    public void Save(LearnerState state, string prefix)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.SetDoubles(prefix + "mean", _mean);
        state.SetDoubles(prefix + "var", _var);
        state.SetDoubles(prefix + "count", [Count]);
    }

    /// <summary>Restores what <see cref="Save"/> wrote.</summary>
    /// <exception cref="ArgumentException">A key is missing or has the wrong length.</exception>
    public void Load(LearnerState state, string prefix)
    {
        ArgumentNullException.ThrowIfNull(state);
        var mean = state.GetDoubles(prefix + "mean", Dim);
        var var_ = state.GetDoubles(prefix + "var", Dim);
        var count = state.GetDoubles(prefix + "count", 1);
        mean.CopyTo(_mean, 0);
        var_.CopyTo(_var, 0);
        Count = count[0];
    }
}

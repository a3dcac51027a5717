// RunningMeanStd: streaming mean and variance of vectors (observation and return normalization).
using Reverie.Tensors;

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

    /// <summary>The state as tensors <c>{prefix}mean</c>, <c>{prefix}var</c> (Dim,) and <c>{prefix}count</c> (1,) (float32: a checkpoint, not an exact copy).</summary>
    public Dictionary<string, Tensor> StateDict(string prefix)
    {
        var mean = new float[Dim];
        var var_ = new float[Dim];
        for (int j = 0; j < Dim; j++) { mean[j] = (float)_mean[j]; var_[j] = (float)_var[j]; }
        using var _ = Tensor.NoGrad();
        return new()
        {
            [prefix + "mean"] = Tensor.FromArray(mean).Keep(),
            [prefix + "var"] = Tensor.FromArray(var_).Keep(),
            [prefix + "count"] = Tensor.FromArray((float)Count).Keep(),
        };
    }

    /// <summary>Loads what <see cref="StateDict"/> wrote.</summary>
    /// <exception cref="ArgumentException">A key is missing or a shape differs.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, string prefix)
    {
        Tensor Get(string key, int size)
        {
            if (!state.TryGetValue(prefix + key, out var t)) throw new ArgumentException($"running_mean_std: missing '{prefix + key}'");
            if (t.Size != size) throw new ArgumentException($"running_mean_std: '{prefix + key}' has {t.Shape} but needs {size} values");
            return t;
        }
        var mean = Get("mean", Dim).ReadOnlySpan;
        var var_ = Get("var", Dim).ReadOnlySpan;
        float count = Get("count", 1).ReadOnlySpan[0];
        for (int j = 0; j < Dim; j++) { _mean[j] = mean[j]; _var[j] = var_[j]; }
        Count = count;
    }
}

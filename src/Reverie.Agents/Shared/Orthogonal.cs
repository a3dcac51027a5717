// Orthogonal: PyTorch's orthogonal_ initializer (PPO's layer_init), drawn from an explicit Rng.
using Reverie.Tensors;

namespace Reverie.Agents.Shared;

/// <summary>Orthogonal weight initialization, as <c>torch.nn.init.orthogonal_</c>.</summary>
public static class Orthogonal
{
    /// <summary>
    /// Fills a weight (rows, cols) (more axes are flattened into cols) with a (semi-)orthogonal
    /// matrix times <paramref name="gain"/>: rows ≤ cols gives W·Wᵀ = gain²·I, rows ≥ cols gives
    /// Wᵀ·W = gain²·I. As PyTorch: a standard normal matrix (transposed when rows &lt; cols) is
    /// factored A = QR with R's diagonal made positive, and Q is kept. The factorization here is
    /// modified Gram–Schmidt in double precision, which yields that same Q. The random numbers come
    /// from <paramref name="rng"/> in row-major order, so values differ from PyTorch's.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor has rank below 2.</exception>
    public static void Fill(Tensor weight, Rng rng, float gain = 1f)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(rng);
        if (weight.Rank < 2)
            throw new ArgumentException($"orthogonal: needs a weight of rank >= 2, got {weight.Shape}");
        int rows = weight.Shape[0], cols = weight.Size / rows;
        // Work on A (n, k) with n >= k: the matrix itself, or its transpose when rows < cols.
        bool transposed = rows < cols;
        int n = transposed ? cols : rows, k = transposed ? rows : cols;
        var a = new double[n * k];
        for (int i = 0; i < a.Length; i++) a[i] = rng.Normal();
        // The draw fills the (rows, cols) matrix row-major; view it as A = flat or flatᵀ.
        double At(int r, int c) => transposed ? a[c * n + r] : a[r * k + c];
        var q = new double[n * k];                                   // columns of Q, column-major (k, n)
        for (int c = 0; c < k; c++)
        {
            var col = q.AsSpan(c * n, n);
            for (int r = 0; r < n; r++) col[r] = At(r, c);
            for (int p = 0; p < c; p++)
            {
                var prev = q.AsSpan(p * n, n);
                double dot = 0;
                for (int r = 0; r < n; r++) dot += prev[r] * col[r];
                for (int r = 0; r < n; r++) col[r] -= dot * prev[r];
            }
            double norm = 0;
            for (int r = 0; r < n; r++) norm += col[r] * col[r];
            norm = Math.Sqrt(norm);
            for (int r = 0; r < n; r++) col[r] /= norm;
        }
        var w = weight.Span;
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                w[i * cols + j] = (float)(gain * (transposed ? q[i * n + j] : q[j * n + i]));
    }

    /// <summary>PPO's <c>layer_init</c>: an orthogonal weight with <paramref name="gain"/> and a constant bias.</summary>
    public static void InitLayer(Reverie.Tensors.Nn.Linear layer, Rng rng, float gain, float bias = 0f)
    {
        ArgumentNullException.ThrowIfNull(layer);
        Fill(layer.Weight, rng, gain);
        layer.Bias?.Span.Fill(bias);
    }
}

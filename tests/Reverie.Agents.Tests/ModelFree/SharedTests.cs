// SharedTests: the orthogonal initializer and the running mean/std.
using Reverie.Agents.Shared;
using Reverie.Tensors;

namespace Reverie.Agents.Tests.ModelFree;

public class SharedTests
{
    [Theory]
    [InlineData(64, 4, 1.4142135f)]
    [InlineData(2, 64, 0.01f)]
    [InlineData(7, 7, 1f)]
    [InlineData(1, 5, 2f)]
    public void Orthogonal_rows_or_columns_are_orthonormal_times_gain(int rows, int cols, float gain)
    {
        var w = Tensor.Zeros(new Shape(rows, cols));
        Orthogonal.Fill(w, new Rng(1), gain);
        var v = w.ToArray();
        bool byRows = rows <= cols;
        int n = byRows ? rows : cols, len = byRows ? cols : rows;
        double At(int vec, int k) => byRows ? v[vec * cols + k] : v[k * cols + vec];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double dot = 0;
                for (int k = 0; k < len; k++) dot += At(i, k) * At(j, k);
                Assert.Equal(i == j ? gain * gain : 0.0, dot, 5);
            }
    }

    [Fact]
    public void Running_mean_std_matches_the_batch_statistics()
    {
        var rms = new RunningMeanStd(2);
        var rnd = new Random(1);
        var all = new List<float[]>();
        for (int b = 0; b < 5; b++)
        {
            var batch = Enumerable.Range(0, 2 * (b + 1)).Select(_ => (float)(rnd.NextDouble() * 4 - 1)).ToArray();
            all.Add(batch);
            rms.Update(batch);
        }
        var flat = all.SelectMany(x => x).ToArray();
        for (int j = 0; j < 2; j++)
        {
            var col = flat.Where((_, i) => i % 2 == j).Select(x => (double)x).ToArray();
            double mean = col.Average(), var = col.Select(x => (x - mean) * (x - mean)).Average();
            // The 1e-4 prior count (mean 0, var 1) shifts the result by ~1e-5.
            Assert.Equal(mean, rms.Mean[j], 3);
            Assert.Equal(var, rms.Variance[j], 3);
        }
        Assert.Equal(15 + 1e-4, rms.Count, 9);
        var saved = new LearnerState();
        rms.Save(saved, "obs.");
        var copy = new RunningMeanStd(2);
        copy.Load(saved, "obs.");
        Assert.Equal(rms.Mean.ToArray(), copy.Mean.ToArray());
        Assert.Equal(rms.Variance.ToArray(), copy.Variance.ToArray());
        Assert.Equal(rms.Count, copy.Count);
        var z = new float[2];
        rms.Normalize([1e6f, -1e6f], z);
        Assert.Equal([10f, -10f], z);
    }
}

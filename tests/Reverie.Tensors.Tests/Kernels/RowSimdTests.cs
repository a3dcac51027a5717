// The row helpers (bias broadcast and bias-gradient column sums) against plain loops at every width 0..70 and wider.
using Reverie.Tensors;
using Reverie.Tensors.Kernels;

namespace Reverie.Tensors.Tests.Kernels;

public class RowSimdTests
{
    [Fact]
    public void Fill_rows_and_add_rows_match_plain_loops()
    {
        foreach (int n in Enumerable.Range(0, 71).Concat([130, 257, 300]))
            foreach (int rows in new[] { 0, 1, 5 })
            {
                var rng = new Rng((ulong)(n * 7 + rows));
                var row = new float[n]; rng.FillNormal(row);
                var dst = new float[rows * n + 3]; dst[^1] = 42f;
                RowSimd.FillRows(row, dst, rows);
                for (int r = 0; r < rows; r++) Assert.Equal(row, dst.AsSpan(r * n, n).ToArray());
                Assert.Equal(42f, dst[^1]);

                var src = new float[rows * n]; rng.FillNormal(src);
                var acc = new float[n]; rng.FillNormal(acc);
                var expected = new double[n];
                for (int j = 0; j < n; j++) { expected[j] = acc[j]; for (int r = 0; r < rows; r++) expected[j] += src[r * n + j]; }
                RowSimd.AddRows(src, rows, acc);
                for (int j = 0; j < n; j++) CheckOp.AssertClose(expected[j], acc[j], 1e-5, 1e-5, $"add_rows n={n} rows={rows} [{j}]");
            }
        Assert.Throws<ArgumentException>(() => RowSimd.FillRows(new float[4], new float[7], 2));
        Assert.Throws<ArgumentException>(() => RowSimd.AddRows(new float[7], 2, new float[4]));
    }
}

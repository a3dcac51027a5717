// Checks of Tensor.FromImageBytes: the (N, H, W, C) → (N, C, H, W) layout and scaling against a scalar loop, at 1 and
// 2 threads, and its errors.
using Reverie.Tensors;
using Reverie.Tensors.Kernels;

namespace Reverie.Tensors.Tests.Ops;

public class ImagesTests
{
    [Theory]
    [InlineData(3, 5, 7, 3)]      // odd sizes, RGB
    [InlineData(2, 4, 4, 1)]      // gray
    [InlineData(40, 32, 32, 3)]   // enough work for 2 threads
    public void FromImageBytes_transposes_and_scales(int n, int h, int w, int c)
    {
        var rng = new Rng(3);
        var bytes = new byte[n * h * w * c];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)(rng.NextULong() & 255);
        var expected = new float[bytes.Length];
        for (int k = 0; k < n; k++)
            for (int p = 0; p < h * w; p++)
                for (int ch = 0; ch < c; ch++)
                    expected[(k * c + ch) * h * w + p] = bytes[(k * h * w + p) * c + ch] * (1f / 255f) - 0.5f;
        foreach (int threads in new[] { 1, 2 })
        {
            int saved = Gemm.MaxThreads;
            Gemm.MaxThreads = threads;
            try
            {
                var x = Tensor.FromImageBytes(bytes, n, h, w, c, 1f / 255f, -0.5f);
                Assert.Equal(new Shape(n, c, h, w), x.Shape);
                Assert.Equal(expected, x.ToArray());
            }
            finally { Gemm.MaxThreads = saved; }
        }
    }

    [Fact]
    public void FromImageBytes_errors_name_the_sizes()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.FromImageBytes(new byte[10], 1, 2, 2, 3, 1f, 0f));
        Assert.Contains("10 bytes", e.Message); Assert.Contains("2x2x3", e.Message);
        Assert.Throws<ArgumentException>(() => Tensor.FromImageBytes(new byte[10], -1, 2, 2, 3, 1f, 0f));
        Assert.Equal(new Shape(0, 3, 2, 2), Tensor.FromImageBytes([], 0, 2, 2, 3, 1f, 0f).Shape);
    }
}

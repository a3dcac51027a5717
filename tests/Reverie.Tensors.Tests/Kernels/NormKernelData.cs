// Shared helpers of the norm kernel tests (RowNormTests, ChannelNormTests): seeded normal data and a relative check.
using Reverie.Tensors;

namespace Reverie.Tensors.Tests.Kernels;

internal static class NormKernelData
{
    /// <summary>len normal floats (seeded), times scale plus shift.</summary>
    public static float[] Data(int len, ulong seed, float scale = 2f, float shift = 0f)
    {
        var r = new Rng(seed);
        var a = new float[len];
        for (int i = 0; i < len; i++) a[i] = r.Normal() * scale + shift;
        return a;
    }

    /// <summary>Every element within tol·(1 + |expected|), naming the first one that is not.</summary>
    public static void Close(float[] expected, float[] actual, string what, float tol)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol + tol * Math.Abs(expected[i]),
                $"{what}[{i}] of {expected.Length}: expected {expected[i]}, got {actual[i]}");
    }
}

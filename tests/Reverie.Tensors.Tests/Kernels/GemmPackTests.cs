// Tests of sgemm's packing routines (16x16 register transposes, A slivers, B panels) against scalar references.
using Reverie.Tensors.Kernels;

namespace Reverie.Tensors.Tests.KernelTests;

public unsafe class GemmPackTests
{
    private const float Sentinel = -12345f;

    private static float[] Source(int n, ulong seed)
    {
        var x = new float[n];
        new Rng(seed).FillUniform(x, -1f, 1f);
        return x;
    }

    [Fact]
    public void Transpose_block_matches_scalar_transpose_for_every_rows_cols_and_stride()
    {
        const int ld = 21;
        var src = Source(16 * ld, 1);
        foreach (int stride in new[] { 1, 5, 13, 14, 16, 32 })
            for (int rows = 0; rows <= Math.Min(16, stride); rows++)
                for (int cols = 1; cols <= 16; cols++)
                {
                    // Only rows×cols source elements exist (the rest of the array is past its end).
                    var s = new float[(rows == 0 ? 0 : (rows - 1) * ld) + cols];
                    Array.Copy(src, s, s.Length);
                    var dst = new float[16 * stride + 32];
                    Array.Fill(dst, Sentinel);
                    fixed (float* ps = s, pd = dst) GemmTranspose.Block(rows == 0 ? null : ps, ld, rows, cols, pd, stride);
                    int lanes = Math.Min(16, stride);
                    for (int i = 0; i < dst.Length; i++)
                    {
                        int c = i / stride, r = i % stride;
                        float want = c < cols && r < lanes ? (r < rows ? s[r * ld + c] : 0f) : Sentinel;
                        Assert.True(want == dst[i], $"rows={rows} cols={cols} stride={stride}: dst[{c}*{stride}+{r}] = {dst[i]}, want {want}");
                    }
                }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_slivers_match_scalar_packing(bool transA)
    {
        const int M = 40, K = 70, ld = 75;
        var a = Source(ld * Math.Max(M, K), 2);
        foreach (int mr in new[] { 1, 3, 13, 14 })
            foreach (var (p0, kc) in new[] { (0, 1), (0, 16), (3, 17), (5, 33), (0, 70), (1, 69) })
            {
                int i0 = M - mr - 1;
                var dst = new float[mr * kc + 64];
                Array.Fill(dst, Sentinel);
                fixed (float* pa = a, pd = dst) GemmPack.ASliver(transA, pa, ld, i0, mr, p0, kc, pd);
                for (int k = 0; k < kc; k++)
                    for (int r = 0; r < mr; r++)
                    {
                        float want = transA ? a[(p0 + k) * ld + i0 + r] : a[(i0 + r) * ld + p0 + k];
                        Assert.True(want == dst[k * mr + r], $"transA={transA} mr={mr} p0={p0} kc={kc}: ({r},{k})");
                    }
                for (int i = mr * kc; i < dst.Length; i++) Assert.Equal(Sentinel, dst[i]);
            }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void B_panels_match_scalar_packing_with_zero_padding(bool transB)
    {
        const int N = 70, K = 60, ld = 73;
        var b = Source(ld * Math.Max(N, K), 3);
        foreach (int nr in new[] { 1, 7, 16, 17, 31, 32 })
            foreach (var (p0, kc) in new[] { (0, 1), (0, 16), (2, 17), (4, 33), (0, 60), (1, 59) })
            {
                int j0 = N - nr - 2;
                var dst = new float[32 * kc + 64];
                Array.Fill(dst, Sentinel);
                fixed (float* pb = b, pd = dst) GemmPack.BPanel(transB, pb, ld, p0, kc, j0, nr, pd);
                for (int k = 0; k < kc; k++)
                    for (int j = 0; j < 32; j++)
                    {
                        float want = j >= nr ? 0f : transB ? b[(j0 + j) * ld + p0 + k] : b[(p0 + k) * ld + j0 + j];
                        Assert.True(want == dst[k * 32 + j], $"transB={transB} nr={nr} p0={p0} kc={kc}: ({k},{j})");
                    }
                for (int i = 32 * kc; i < dst.Length; i++) Assert.Equal(Sentinel, dst[i]);
            }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Consecutive_B_panels_match_one_panel_at_a_time(bool transB)
    {
        const int N = 110, K = 40, ld = 113;
        var b = Source(ld * Math.Max(N, K), 4);
        foreach (int n in new[] { 1, 31, 32, 33, 64, 95, 100 })
            foreach (var (p0, kc) in new[] { (0, 1), (3, 17), (0, 40) })
            {
                int j0 = N - n - 1, panels = (n + 31) / 32;
                var got = new float[panels * 32 * kc + 64];
                var want = new float[got.Length];
                Array.Fill(got, Sentinel); Array.Fill(want, Sentinel);
                fixed (float* pb = b, pg = got, pw = want)
                {
                    GemmPack.BPanels(transB, pb, ld, p0, kc, j0, n, pg);
                    for (int q = 0; q < panels; q++)
                        GemmPack.BPanel(transB, pb, ld, p0, kc, j0 + 32 * q, Math.Min(32, n - 32 * q), pw + q * 32 * kc);
                }
                Assert.True(want.AsSpan().SequenceEqual(got), $"transB={transB} n={n} p0={p0} kc={kc}");
            }
    }
}

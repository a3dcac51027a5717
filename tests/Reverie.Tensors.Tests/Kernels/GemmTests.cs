// Tests of the fast sgemm against Gemm.Reference: every path, transpose, edge tile, block boundary, thread count.
using Reverie.Tensors.Kernels;
using GemmPath = Reverie.Tensors.Kernels.GemmFast.Path;

// (Namespace is not ...Tests.Kernels: that would shadow Reverie.Tensors.Kernels for the other tests.)
namespace Reverie.Tensors.Tests.KernelTests;

public class GemmTests
{
    private static readonly (bool TA, bool TB)[] Transposes = [(false, false), (false, true), (true, false), (true, true)];
    private static readonly GemmPath[] Paths = [GemmPath.Auto, GemmPath.Packed, GemmPath.Rows, GemmPath.Dot, GemmPath.Tall, GemmPath.Deep];

    /// <summary>One sgemm problem: op(A) M×K, op(B) K×N, C M×N, with optional padding of the leading dimensions.</summary>
    private sealed class Problem
    {
        public readonly bool TA, TB;
        public readonly int M, N, K, Lda, Ldb, Ldc;
        public readonly float[] A, B, C0;

        public Problem(bool ta, bool tb, int m, int n, int k, ulong seed, int pad = 0, float cFill = float.NaN)
        {
            TA = ta; TB = tb; M = m; N = n; K = k;
            Lda = Math.Max(1, ta ? m : k) + pad; Ldb = Math.Max(1, tb ? k : n) + pad; Ldc = Math.Max(1, n) + pad;
            var rng = new Rng(seed);
            A = Fill(rng, (ta ? k : m) * Lda); B = Fill(rng, (tb ? n : k) * Ldb);
            C0 = new float[m * Ldc];
            if (float.IsNaN(cFill)) rng.FillUniform(C0, -1f, 1f); else Array.Fill(C0, cFill);
        }

        private static float[] Fill(Rng rng, int n) { var x = new float[n]; rng.FillUniform(x, -1f, 1f); return x; }

        public float[] Run(float alpha, float beta, GemmPath path = GemmPath.Auto, int threads = 0)
        {
            var c = (float[])C0.Clone();
            var (savedPath, savedThreads) = (GemmFast.ForcePath, Gemm.MaxThreads);
            GemmFast.ForcePath = path;
            if (threads > 0) Gemm.MaxThreads = threads;
            try { Gemm.Sgemm(TA, TB, M, N, K, alpha, A, Lda, B, Ldb, beta, c, Ldc); }
            finally { GemmFast.ForcePath = savedPath; Gemm.MaxThreads = savedThreads; }
            return c;
        }

        /// <summary>
        /// Reference result and the error scale |alpha|·Σ|a||b| + |beta·c| per element (with
        /// <paramref name="cheap"/>, the bound K·max|a|·max|b| replaces Σ|a||b|: the reference is slow).
        /// </summary>
        public (float[] Ref, float[] Scale) Expected(float alpha, float beta, bool cheap = false)
        {
            var r = (float[])C0.Clone();
            Gemm.Reference(TA, TB, M, N, K, alpha, A, Lda, B, Ldb, beta, r, Ldc);
            var s = new float[C0.Length];
            for (int i = 0; i < s.Length; i++) s[i] = beta == 0f ? 0f : Math.Abs(beta * C0[i]);
            if (cheap)
            {
                float bound = Math.Abs(alpha) * K * A.Append(0f).Max(Math.Abs) * B.Append(0f).Max(Math.Abs);
                for (int i = 0; i < s.Length; i++) s[i] += bound;
                return (r, s);
            }
            var absA = (float[])A.Clone(); var absB = (float[])B.Clone();
            for (int i = 0; i < absA.Length; i++) absA[i] = Math.Abs(absA[i]);
            for (int i = 0; i < absB.Length; i++) absB[i] = Math.Abs(absB[i]);
            Gemm.Reference(TA, TB, M, N, K, Math.Abs(alpha), absA, Lda, absB, Ldb, 1f, s, Ldc);
            return (r, s);
        }

        public void AssertClose(float[] got, float[] expected, float[] scale, string what)
        {
            float rel = 2e-7f * K + 2e-6f;
            for (int i = 0; i < M; i++)
            {
                for (int j = 0; j < N; j++)
                {
                    int x = i * Ldc + j;
                    float err = Math.Abs(got[x] - expected[x]);
                    if (!(err <= rel * scale[x] + 1e-30f))
                        Assert.Fail($"{what}: C[{i},{j}] = {got[x]} but reference {expected[x]} (scale {scale[x]})");
                }
                for (int j = N; j < Ldc && i * Ldc + j < got.Length; j++) // padding is never written
                    Assert.Equal(BitConverter.SingleToInt32Bits(C0[i * Ldc + j]), BitConverter.SingleToInt32Bits(got[i * Ldc + j]));
            }
        }

        public void Check(float alpha, float beta, GemmPath[] paths, bool cheap = false)
        {
            var (r, s) = Expected(alpha, beta, cheap);
            foreach (var p in paths)
                AssertClose(Run(alpha, beta, p), r, s, $"{Name} path={p} alpha={alpha} beta={beta}");
        }

        public string Name => $"sgemm(transA={TA}, transB={TB}, M={M}, N={N}, K={K}, lda={Lda}, ldb={Ldb}, ldc={Ldc})";
    }

    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    public void Every_M_and_N_up_to_70_matches_reference_on_every_path(int K)
    {
        // Every M against N values around the tile widths (16, 32, 6-blocks), and every N against such M values.
        int[] across = [1, 5, 14, 15, 16, 29, 32, 33, 47, 70];
        if (K > 1) across = [1, 15, 16, 17, 32, 33, 70];
        foreach (var (ta, tb) in Transposes)
            for (int x = 0; x <= 70; x++)
                foreach (int y in across)
                {
                    new Problem(ta, tb, x, y, K, (ulong)(x * 1000 + y)).Check(1f, 0f, Paths, cheap: true);
                    new Problem(ta, tb, y, x, K, (ulong)(y * 1000 + x + 7)).Check(1f, 0f, Paths, cheap: true);
                }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(33)]
    [InlineData(513)]
    [InlineData(1100)]
    public void Awkward_K_with_padded_leading_dimensions(int K)
    {
        foreach (var (ta, tb) in Transposes)
            foreach (var (m, n) in K > 600 ? new[] { (5, 3), (14, 32), (29, 47) } : new[] { (5, 3), (37, 45), (70, 65), (14, 32), (29, 97) })
                new Problem(ta, tb, m, n, K, (ulong)(K + m + n), pad: 3).Check(-1.5f, 0.5f, Paths);
    }

    [Fact]
    public void RowsPathInAlignedCopyOfCMatchesReferenceAndThreadCounts()
    {
        // K >= 128 with ldc not a multiple of 16: the Rows path works in a 64-byte aligned copy of C.
        foreach (var (m, n, k) in new[] { (1, 16, 128), (5, 53, 129), (16, 100, 300), (20, 47, 143), (3, 15, 200) })
        {
            var p = new Problem(false, false, m, n, k, (ulong)(m * 1000 + n * 7 + k), pad: 3);
            var (r, sc) = p.Expected(0.75f, 0.5f);
            var one = p.Run(0.75f, 0.5f, GemmPath.Rows, 1);
            p.AssertClose(one, r, sc, $"rows copy {m}x{n}x{k}");
            Assert.Equal(one, p.Run(0.75f, 0.5f, GemmPath.Rows, 2));
        }
    }

    [Fact]
    public void RowsPathIsOneKOrderedFmaChainPerElementWhicheverKernelTakesTheElement()
    {
        // The rows path mixes 16×16 and 8×32 register tiles, the 16-column Rank16 kernel (rows past a multiple of 8, a unit's odd
        // last chunk), Rank1 (K mod 16) and the scalar tail (N mod 16), in an aligned copy of C when C is misaligned and
        // K ≥ 128, after transposing B when B is transposed; each must give C + Σ_k (alpha·a)·b as one FMA chain in k
        // order, so the bits cannot depend on M, N, the units or the thread count. (Only the AVX-512 kernels promise
        // this: the portable fallback need not fuse.)
        if (!GemmFast.IsSupported) return;
        int saved = GemmRowsJob.UnitsPerThread;
        bool savedTile16 = GemmRowsJob.Tile16;
        try
        {
            // With the 16×16 tile (the default) and with 8×32 tiles only (then 2 threads split rows into 8-row groups).
            foreach (bool tile16 in new[] { true, false })
            {
                GemmRowsJob.Tile16 = tile16;
                foreach (var (m, n, k, tb) in new[]
                {
                    (8, 32, 16, false), (16, 96, 64, false), (9, 48, 37, false), (17, 80, 130, false), (20, 100, 143, false),
                    (7, 64, 32, false), (32, 112, 48, false), (24, 33, 200, false), (13, 277, 150, false), (32, 112, 130, false),
                    (16, 149, 128, false), (8, 272, 130, false), (16, 7, 40, false), (9, 15, 130, false), (8, 48, 5, false),
                    (16, 144, 64, true), (13, 277, 150, true), (9, 48, 37, true),
                    // Past the 2-thread threshold (2^18 multiply-adds): 2 threads split columns (rows too with 8×32 tiles only).
                    (16, 160, 130, false), (17, 150, 130, false), (24, 200, 131, false), (31, 90, 100, false), (16, 144, 130, true),
                    // Two 16-row slivers: 2 threads split the rows into 16-row groups (with the N mod 16 tail; K < 128 works in C
                    // itself, K ≥ 128 in the aligned copy), and an odd number of 16-column chunks.
                    (32, 150, 131, false), (32, 150, 131, true), (32, 160, 64, false), (32, 170, 64, false),
                    // ldc = 509 + 3 = 512: a 2 KB row stride, so C goes through the padded copy; transposed, B's copy is padded.
                    (16, 509, 130, false), (16, 509, 130, true),
                })
                    foreach (bool ta in new[] { false, true })
                    {
                        var p = new Problem(ta, tb, m, n, k, (ulong)(m * 131 + n * 7 + k), pad: 3);
                        var expected = (float[])p.C0.Clone();
                        for (int i = 0; i < m; i++)
                            for (int j = 0; j < n; j++)
                            {
                                float x = expected[i * p.Ldc + j];
                                for (int t = 0; t < k; t++)
                                    x = MathF.FusedMultiplyAdd(0.75f * (ta ? p.A[t * p.Lda + i] : p.A[i * p.Lda + t]),
                                        tb ? p.B[j * p.Ldb + t] : p.B[t * p.Ldb + j], x);
                                expected[i * p.Ldc + j] = x;
                            }
                        foreach (var (threads, perThread) in new[] { (1, 2), (2, 1), (2, 2), (2, 3) })
                        {
                            GemmRowsJob.UnitsPerThread = perThread;
                            Assert.True(expected.AsSpan().SequenceEqual(p.Run(0.75f, 1f, GemmPath.Rows, threads)),
                                $"rows {m}x{n}x{k} transA={ta} transB={tb}, {threads} thread(s), {perThread} units per thread: " +
                                $"bits differ from the k-ordered FMA chain (16x16 tiles: {tile16})");
                        }
                    }
            }
        }
        finally { GemmRowsJob.UnitsPerThread = saved; GemmRowsJob.Tile16 = savedTile16; }
    }

    [Fact]
    public void Beta_zero_ignores_NaN_in_C_and_beta_one_accumulates()
    {
        foreach (var (ta, tb) in Transposes)
            foreach (var (m, n, k) in new[] { (9, 40, 20), (40, 9, 20), (50, 70, 300) })
            {
                var nan = new Problem(ta, tb, m, n, k, 7, pad: 2, cFill: float.NaN);
                Array.Fill(nan.C0, float.NaN);
                var zeroC = new Problem(ta, tb, m, n, k, 7, pad: 2, cFill: 0f);
                var (r, s) = zeroC.Expected(2f, 0f);
                foreach (var p in Paths)
                {
                    var got = nan.Run(2f, 0f, p);
                    for (int i = 0; i < m; i++)
                        for (int j = 0; j < n; j++) Assert.False(float.IsNaN(got[i * nan.Ldc + j]), $"{nan.Name} path={p}: NaN leaked from C");
                    nan.AssertClose(got, r, s, $"{nan.Name} path={p} beta=0");
                }
                new Problem(ta, tb, m, n, k, 8, pad: 1).Check(1f, 1f, Paths);
                new Problem(ta, tb, m, n, k, 9).Check(0f, 0.25f, Paths);
            }
    }

    [Fact]
    public void Shapes_crossing_block_boundaries_and_the_thread_threshold()
    {
        var shapes = new (bool, bool, int, int, int)[]
        {
            (false, false, 337, 45, 40),   // MC = 336 rows
            (true, false, 30, 70, 1030),   // K in 3 balanced KC blocks
            (false, true, 20, 4100, 9),    // NC = 4096 columns
            (true, true, 64, 64, 64),      // exactly the parallel threshold
            (false, false, 63, 64, 64),    // just below it
            (false, true, 15, 300, 530),
            (false, true, 200, 255, 64),   // tall: four 64-column panels, the last one ragged
            (false, false, 1030, 64, 640), // tall: many 7-row tiles and units
            (true, false, 100, 130, 2000), // deep: 64-row k-chunks, ragged 7-row tiles and 64-column strips
        };
        foreach (var (ta, tb, m, n, k) in shapes)
            new Problem(ta, tb, m, n, k, (ulong)(m + n + k), pad: 1).Check(0.75f, 0f, Paths);
    }

    [Fact]
    public void Results_are_bitwise_repeatable_and_equal_for_one_and_two_threads()
    {
        var shapes = new (bool, bool, int, int, int)[]
        {
            (false, false, 150, 130, 90), (true, true, 101, 77, 600), (false, false, 16, 300, 200),
            (true, false, 30, 257, 100), (false, true, 20, 200, 100), (false, true, 300, 5, 300),
        };
        foreach (var (ta, tb, m, n, k) in shapes)
        {
            var p = new Problem(ta, tb, m, n, k, 11);
            var one = p.Run(1f, 0.5f, threads: 1);
            var two = p.Run(1f, 0.5f, threads: 2);
            var again = p.Run(1f, 0.5f, threads: 2);
            Assert.Equal(one, two);
            Assert.Equal(two, again);
        }
    }

    [Fact]
    public void Warm_calls_do_not_allocate()
    {
        var shapes = new (bool, bool, int, int, int)[]
        {
            (false, false, 128, 96, 64), (false, true, 16, 256, 128), (false, false, 16, 100, 128),
            (true, false, 64, 64, 16), (false, true, 200, 3, 64),
        };
        foreach (var (ta, tb, m, n, k) in shapes)
        {
            var p = new Problem(ta, tb, m, n, k, 3);
            var c = (float[])p.C0.Clone();
            void Call() => Gemm.Sgemm(ta, tb, m, n, k, 1f, p.A, p.Lda, p.B, p.Ldb, 0f, c, p.Ldc);
            Call(); Call();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 5; i++) Call();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated == 0, $"sgemm {m}x{n}x{k} allocated {allocated} bytes in 5 warm calls");
        }
    }

    [Fact]
    public void Sgemm_with_a_bias_row_equals_the_bias_plus_the_product_on_every_path()
    {
        foreach (var (ta, tb) in Transposes)
            foreach (var (m, n, k) in new[] { (100, 64, 40), (70, 255, 17), (65, 33, 1), (9, 20, 30), (80, 5, 0), (130, 200, 64) })
            {
                var p = new Problem(ta, tb, m, n, k, (ulong)(m + n + k), pad: 2);
                var bias = new float[n + 1];
                new Rng(3).FillUniform(bias, -1f, 1f);
                var withBias = new Problem(ta, tb, m, n, k, (ulong)(m + n + k), pad: 2);
                for (int i = 0; i < m; i++) bias.AsSpan(0, n).CopyTo(withBias.C0.AsSpan(i * withBias.Ldc, n));
                var (r, sc) = withBias.Expected(1f, 1f);
                foreach (var path in Paths)
                {
                    var c = (float[])p.C0.Clone();
                    for (int i = 0; i < m; i++) c.AsSpan(i * p.Ldc, n).Fill(float.NaN);   // C is never read
                    var saved = GemmFast.ForcePath;
                    GemmFast.ForcePath = path;
                    try { Gemm.SgemmBias(ta, tb, m, n, k, p.A, p.Lda, p.B, p.Ldb, bias, c, p.Ldc); }
                    finally { GemmFast.ForcePath = saved; }
                    p.AssertClose(c, r, sc, $"{p.Name} bias path={path}");
                }
            }
        var e = Assert.Throws<ArgumentException>(() => Gemm.SgemmBias(false, false, 2, 3, 4, new float[8], 4, new float[12], 3, new float[2], new float[6], 3));
        Assert.Contains("bias has 2 elements", e.Message);
    }

    [Fact]
    public void Bad_arguments_throw_with_the_sizes_named()
    {
        var e = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 4, 5, 6, 1f, new float[24], 6, new float[30], 5, 0f, new float[19], 5));
        Assert.Contains("C has 19 elements", e.Message);
        e = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, true, 4, 5, 6, 1f, new float[24], 6, new float[30], 5, 0f, new float[20], 5));
        Assert.Contains("ldb=5", e.Message);
    }
}

// Tests of sgemm's dynamic multi-threading: bit equality for 1 and 2 threads on every path, and a busy second core.
using Reverie.Tensors.Kernels;
using GemmPath = Reverie.Tensors.Kernels.GemmFast.Path;

namespace Reverie.Tensors.Tests.KernelTests;

public class GemmThreadsTests
{
    private static float[] Random(Rng rng, int n) { var x = new float[n]; rng.FillUniform(x, -1f, 1f); return x; }

    private static float[] Run(bool ta, bool tb, int m, int n, int k, float[] a, float[] b, float[] c0, GemmPath path, int threads)
    {
        var c = (float[])c0.Clone();
        var (savedPath, savedThreads) = (GemmFast.ForcePath, Gemm.MaxThreads);
        GemmFast.ForcePath = path;
        Gemm.MaxThreads = threads;
        try { Gemm.Sgemm(ta, tb, m, n, k, 0.75f, a, ta ? m : k, b, tb ? k : n, 0.5f, c, n); }
        finally { GemmFast.ForcePath = savedPath; Gemm.MaxThreads = savedThreads; }
        return c;
    }

    private static readonly (int M, int N, int K)[] Shapes =
    [
        (64, 64, 64), (65, 97, 70), (150, 130, 90), (33, 257, 40), (200, 33, 513), (14, 300, 64),
        (29, 64, 1100), (300, 5, 300), (100, 17, 200), (70, 4100, 8), (256, 512, 512 / 8), (1000, 200, 64), (70, 300, 1500),
    ];

    [Fact]
    public void Every_path_gives_identical_bits_for_one_and_two_threads()
    {
        var rng = new Rng(5);
        foreach (var (m, n, k) in Shapes)
            foreach (var (ta, tb) in new[] { (false, false), (false, true), (true, false), (true, true) })
            {
                var a = Random(rng, m * k); var b = Random(rng, k * n); var c0 = Random(rng, m * n);
                foreach (var path in new[] { GemmPath.Packed, GemmPath.Rows, GemmPath.Dot, GemmPath.Tall, GemmPath.Deep, GemmPath.Auto })
                {
                    if ((long)m * n * k < GemmFast.ParallelMacs && path != GemmPath.Auto) continue; // would run single-threaded anyway
                    var one = Run(ta, tb, m, n, k, a, b, c0, path, 1);
                    for (int rep = 0; rep < 2; rep++)
                    {
                        var two = Run(ta, tb, m, n, k, a, b, c0, path, 2);
                        Assert.True(one.AsSpan().SequenceEqual(two), $"{path} {(ta ? "T" : "N")}{(tb ? "T" : "N")} {m}x{n}x{k}: 2 threads differ from 1");
                    }
                }
            }
    }

    // The packed path's chunk of B panels only reorders tiles, never a C element's k-order: bits equal Chunk = 1's.
    [Fact]
    public void The_packed_paths_panel_chunk_does_not_change_bits()
    {
        var rng = new Rng(11);
        int saved = GemmPackedJob.Chunk;
        try
        {
            foreach (var (m, n, k) in new[] { (150, 130, 90), (65, 1000, 600), (300, 97, 1100) })
                foreach (var (ta, tb) in new[] { (false, false), (true, true) })
                {
                    var a = Random(rng, m * k); var b = Random(rng, k * n); var c0 = Random(rng, m * n);
                    GemmPackedJob.Chunk = 1;
                    var baseline = Run(ta, tb, m, n, k, a, b, c0, GemmPath.Packed, 1);
                    foreach (int chunk in new[] { 3, 8, 64 })
                    {
                        GemmPackedJob.Chunk = chunk;
                        foreach (int threads in new[] { 1, 2 })
                            Assert.True(baseline.AsSpan().SequenceEqual(Run(ta, tb, m, n, k, a, b, c0, GemmPath.Packed, threads)),
                                $"chunk {chunk}, {threads} thread(s), {m}x{n}x{k}: bits differ from chunk 1");
                    }
                }
        }
        finally { GemmPackedJob.Chunk = saved; }
    }

    // A thread that finds a B panel being packed by another packs its own copy instead of waiting: the same floats in
    // another buffer, so the same bits (the hook makes the calling thread do so for every panel; a worker still shares).
    [Fact]
    public void Private_copies_of_B_panels_give_the_same_bits_as_the_shared_ones()
    {
        var rng = new Rng(13);
        foreach (var (m, n, k) in new[] { (150, 130, 90), (65, 1000, 600), (300, 97, 1100), (1000, 200, 64), (200, 33, 513) })
            foreach (var (ta, tb) in new[] { (false, false), (false, true), (true, true) })
                foreach (var path in new[] { GemmPath.Packed, GemmPath.Tall })
                {
                    if (path == GemmPath.Tall && ta) continue; // the tall path reads A in place, untransposed
                    var a = Random(rng, m * k); var b = Random(rng, k * n); var c0 = Random(rng, m * n);
                    var shared = Run(ta, tb, m, n, k, a, b, c0, path, 1);
                    GemmArgsJob.ForcePrivatePacking = true;
                    try
                    {
                        foreach (int threads in new[] { 1, 2 })
                            Assert.True(shared.AsSpan().SequenceEqual(Run(ta, tb, m, n, k, a, b, c0, path, threads)),
                                $"{path} {(ta ? "T" : "N")}{(tb ? "T" : "N")} {m}x{n}x{k}, {threads} thread(s): private panels change bits");
                    }
                    finally { GemmArgsJob.ForcePrivatePacking = false; }
                }
    }

    [Fact]
    public void Two_threads_finish_correctly_while_another_thread_keeps_a_core_busy()
    {
        var rng = new Rng(9);
        const int m = 160, n = 200, k = 150;
        var a = Random(rng, m * k); var b = Random(rng, k * n); var c0 = Random(rng, m * n);
        var expected = Run(false, false, m, n, k, a, b, c0, GemmPath.Packed, 1);
        var expectedRows = Run(false, false, 20, n, k, a, b, c0, GemmPath.Rows, 1);
        var expectedDot = Run(false, true, m, 10, k, a, b, c0, GemmPath.Dot, 1);
        int stop = 0;
        var spinners = new Thread[Environment.ProcessorCount];
        for (int i = 0; i < spinners.Length; i++)
        {
            spinners[i] = new Thread(() => { while (Volatile.Read(ref stop) == 0) Thread.SpinWait(50); }) { IsBackground = true };
            spinners[i].Start();
        }
        try
        {
            for (int rep = 0; rep < 20; rep++)
            {
                Assert.Equal(expected, Run(false, false, m, n, k, a, b, c0, GemmPath.Packed, 2));
                Assert.Equal(expectedRows, Run(false, false, 20, n, k, a, b, c0, GemmPath.Rows, 2));
                Assert.Equal(expectedDot, Run(false, true, m, 10, k, a, b, c0, GemmPath.Dot, 2));
            }
        }
        finally
        {
            Volatile.Write(ref stop, 1);
            foreach (var t in spinners) t.Join();
        }
    }
}

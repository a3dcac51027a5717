// gemm workload: GFLOP/s per shape, same shapes and names as ../shared/peers/sgemm_openblas.c.
using System.Diagnostics;
using Reverie.Tensors.Kernels;

namespace Reverie.Bench;

public static class GemmWorkload
{
    private static readonly (string Name, int M, int K, int N, bool TransB)[] Shapes =
    [
        ("sq64", 64, 64, 64, false), ("sq128", 128, 128, 128, false),
        ("sq256", 256, 256, 256, false), ("sq512", 512, 512, 512, false),
        ("sq1024", 1024, 1024, 1024, false), ("sq2048", 2048, 2048, 2048, false),
        ("256x512@512x512", 256, 512, 512, false),
        ("1024x512@512x512", 1024, 512, 512, false),
        ("16x1024@1024x3072", 16, 1024, 3072, false),
        ("256x512@(512x512)^T", 256, 512, 512, true),
        ("1024x512@(512x512)^T", 1024, 512, 512, true),
        ("16x1024@(3072x1024)^T", 16, 1024, 3072, true),
    ];

    public static void Run(BenchOptions o)
    {
        Gemm.MaxThreads = o.Threads;
        int samples = o.Iters > 0 ? o.Iters : 15;
        foreach (var (name, M, K, N, tb) in Shapes)
        {
            var A = new float[M * K]; var B = new float[K * N]; var C = new float[M * N];
            for (int i = 0; i < A.Length; i++) A[i] = (i * 7919 % 1000) / 1000f - 0.5f;
            for (int i = 0; i < B.Length; i++) B[i] = (i * 104729 % 1000) / 1000f - 0.5f;
            int ldb = tb ? K : N;
            void Call() => Gemm.Sgemm(false, tb, M, N, K, 1f, A, K, B, ldb, 0f, C, N);
            int reps = 1;
            for (; ; reps *= 2)
            {
                var sw = Stopwatch.StartNew();
                for (int r = 0; r < reps; r++) Call();
                if (sw.Elapsed.TotalSeconds >= 0.02) break;
            }
            var g = new double[samples];
            for (int s = 0; s < samples; s++)
            {
                var sw = Stopwatch.StartNew();
                for (int r = 0; r < reps; r++) Call();
                g[s] = 2.0 * M * N * K * reps / sw.Elapsed.TotalSeconds * 1e-9;
            }
            Array.Sort(g);
            Report.Line(new { Workload = "gemm", Shape = name, Threads = o.Threads, Gflops = Math.Round(g[samples / 2], 1),
                MinGflops = Math.Round(g[0], 1), MaxGflops = Math.Round(g[^1], 1) });
        }
    }
}

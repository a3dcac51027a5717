// smallgemm workload: per-call time of small GEMMs (RL acting and small-MLP shapes) per kernel path, after a long warm-up.
using System.Diagnostics;
using Reverie.Tensors.Kernels;
namespace Reverie.Bench;
public static class SmallGemmProbe
{
    public static void Run(BenchOptions o)
    {
        Gemm.MaxThreads = o.Threads;
        foreach (var n in new[] { 32, 64, 96, 128 })
        foreach (var path in new[] { GemmFast.Path.Auto, GemmFast.Path.Packed, GemmFast.Path.Dot, GemmFast.Path.Rows })
        {
            GemmFast.ForcePath = path;
            var A = new float[n * n]; var B = new float[n * n]; var C = new float[n * n];
            for (int i = 0; i < A.Length; i++) { A[i] = i % 7 * 0.1f; B[i] = i % 5 * 0.1f; }
            for (int i = 0; i < 20000; i++) Gemm.Sgemm(false, false, n, n, n, 1f, A, n, B, n, 0f, C, n);
            var sw = Stopwatch.StartNew(); int reps = 20000;
            for (int i = 0; i < reps; i++) Gemm.Sgemm(false, false, n, n, n, 1f, A, n, B, n, 0f, C, n);
            double us = sw.Elapsed.TotalMilliseconds * 1000 / reps;
            Console.WriteLine($"n={n} {path}: {us:F2} us  {2.0 * n * n * n / us * 1e-3:F1} GFLOP/s");
        }
        GemmFast.ForcePath = GemmFast.Path.Auto;
        foreach (var (m, k, n) in new[] { (1, 64, 64), (16, 64, 64), (32, 64, 64), (1, 256, 256), (16, 256, 256), (32, 256, 256), (64, 64, 64), (128, 64, 64), (256, 256, 256) })
        {
            var A = new float[m * k]; var B = new float[n * k]; var C = new float[m * n];
            for (int i = 0; i < 20000; i++) Gemm.Sgemm(false, true, m, n, k, 1f, A, k, B, k, 0f, C, n);
            var sw = Stopwatch.StartNew(); int reps = 20000;
            for (int i = 0; i < reps; i++) Gemm.Sgemm(false, true, m, n, k, 1f, A, k, B, k, 0f, C, n);
            double us = sw.Elapsed.TotalMilliseconds * 1000 / reps;
            Console.WriteLine($"x·Wt {m}x{k}·({n}x{k})T: {us:F2} us  {2.0 * m * n * k / us * 1e-3:F1} GFLOP/s  path {GemmFast.Choose(false, true, m, n, k)}");
        }
    }
}

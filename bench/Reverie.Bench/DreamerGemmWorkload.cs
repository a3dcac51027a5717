// dreamer-gemm workload: GFLOP/s of the GEMM shapes of one dreamerv3_1m training step (with the strides the
// layers use), timed like gemmcpu: thread CPU time at 1 thread, best-of-samples wall time at more. GEMM_ONLY
// filters by name; GEMM_PEER=/path/to/libopenblas.so.0 interleaves OpenBLAS samples for comparison.
using System.Diagnostics;
using System.Runtime.InteropServices;
using Reverie.Tensors.Kernels;

namespace Reverie.Bench;

public static class DreamerGemmWorkload
{
    // (name, transA, transB, M, N, K, lda, ldb, ldc, beta, calls per dreamerv3_1m step)
    private static readonly (string Name, bool TA, bool TB, int M, int N, int K, int Lda, int Ldb, int Ldc, float Beta, int Calls)[] Shapes =
    [
        ("gru_block_fwd 1024x192x64", false, false, 1024, 192, 64, 512, 192, 1536, 1f, 120),
        ("head_dw 64x640x15360 TN", true, false, 64, 640, 15360, 64, 640, 640, 1f, 2),
        ("head_fwd 16384x64x640 NT", false, true, 16384, 64, 640, 640, 640, 64, 1f, 3),
        ("shared_block 1024x64x192", false, false, 1024, 64, 192, 192, 64, 512, 1f, 120),
        ("deter_in 1024x64x512 NT", false, true, 1024, 64, 512, 512, 512, 64, 1f, 31),
        ("hid_block 1024x64x64", false, false, 1024, 64, 64, 512, 64, 512, 1f, 125),
        ("dw64 64x64x15360 TN", true, false, 64, 64, 15360, 64, 64, 64, 1f, 4),
        ("bins_fwd 16384x255x64 NT", false, true, 16384, 255, 64, 64, 64, 255, 1f, 2),
        ("dx64 15360x64x64 NN", false, false, 15360, 64, 64, 64, 64, 64, 0f, 4),
        ("fwd64 15360x64x64 NT", false, true, 15360, 64, 64, 64, 64, 64, 1f, 6),
        ("bins_dw 255x64x15360 TN", true, false, 255, 64, 15360, 255, 64, 64, 1f, 1),
        ("bins_dx 15360x64x255 NN", false, false, 15360, 64, 255, 255, 64, 64, 0f, 1),
        ("wm_dw 64x640x1024 TN", true, false, 64, 640, 1024, 64, 640, 640, 1f, 3),
        ("dx640 1024x640x64 NN", false, false, 1024, 640, 64, 64, 640, 640, 0f, 3),
        ("fwd128 1024x128x64 NT", false, true, 1024, 128, 64, 64, 64, 128, 1f, 16),
        ("obs_dshared 16x192x64 NT", false, true, 16, 192, 64, 1536, 64, 192, 1f, 512),
        ("obs_dx 16x64x192 NT", false, true, 16, 64, 192, 1536, 192, 512, 1f, 512),
        ("obs_dw 192x64x16 TN", true, false, 192, 64, 16, 192, 1536, 192, 1f, 512),
        ("obs_k6 16x64x6 NT", false, true, 16, 64, 6, 6, 6, 64, 1f, 64),
        ("obs_fwd 16x64x64 NT", false, true, 16, 64, 64, 64, 64, 64, 1f, 504),
        ("obs_fwd 16x64x512 NT", false, true, 16, 64, 512, 512, 512, 64, 1f, 64),
        ("12m shared 1024x256x768", false, false, 1024, 256, 768, 768, 256, 2048, 1f, 120),
        ("12m head_dw 256x2560x15360 TN", true, false, 256, 2560, 15360, 256, 2560, 2560, 1f, 2),
        ("12m obs NT 16x256x768", false, true, 16, 256, 768, 6144, 768, 2048, 1f, 512),
        ("12m obs NN 16x256x768", false, false, 16, 256, 768, 768, 256, 2048, 1f, 512),
        ("12m wm_dw 256x2560x1024 TN", true, false, 256, 2560, 1024, 256, 2560, 2560, 1f, 3),
        ("narrow 15360x12x64 NT", false, true, 15360, 12, 64, 64, 64, 12, 1f, 1),
    ];

    public static void Run(BenchOptions o)
    {
        Gemm.MaxThreads = o.Threads;
        int samples = o.Iters > 0 ? o.Iters : 9;
        string? only = Environment.GetEnvironmentVariable("GEMM_ONLY");
        string? peer = Environment.GetEnvironmentVariable("GEMM_PEER");
        nint sgemm = 0;
        if (peer != null)
        {
            nint lib = NativeLibrary.Load(peer);
            sgemm = NativeLibrary.GetExport(lib, "cblas_sgemm");
            unsafe { ((delegate* unmanaged<int, void>)NativeLibrary.GetExport(lib, "openblas_set_num_threads"))(o.Threads); }
        }
        bool cpu = o.Threads == 1;
        if (Environment.GetEnvironmentVariable("GEMM_PATH") is { } forced) GemmFast.ForcePath = Enum.Parse<GemmFast.Path>(forced);
        double totalMs = 0, totalPeerMs = 0;
        foreach (var (name, ta, tb, M, N, K, lda, ldb, ldc, beta, calls) in Shapes)
        {
            if (only != null && !name.Contains(only)) continue;
            var A = new float[(ta ? K : M) * lda]; var B = new float[(tb ? N : K) * ldb]; var C = new float[M * ldc];
            for (int i = 0; i < A.Length; i++) A[i] = (i * 7919 % 1000) / 1000f - 0.5f;
            for (int i = 0; i < B.Length; i++) B[i] = (i * 104729 % 1000) / 1000f - 0.5f;
            bool usePeer = false;
            void Call()
            {
                if (!usePeer) { Gemm.Sgemm(ta, tb, M, N, K, 1f, A, lda, B, ldb, beta, C, ldc); return; }
                unsafe
                {
                    fixed (float* pa = A, pb = B, pc = C)
                        ((delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)sgemm)(
                            101, ta ? 112 : 111, tb ? 112 : 111, M, N, K, 1f, pa, lda, pb, ldb, beta, pc, ldc);
                }
            }
            int reps = 1;
            for (; ; reps *= 2)
            {
                var sw = Stopwatch.StartNew();
                for (int r = 0; r < reps; r++) Call();
                if (sw.Elapsed.TotalSeconds >= 0.02 && reps >= 4) break;
            }
            int sides = sgemm != 0 ? 2 : 1;
            var g = new double[sides, samples];
            for (int s = 0; s < samples; s++)
                for (int c = 0; c < sides; c++)
                {
                    usePeer = c == 1;
                    Call();
                    double t0 = cpu ? GemmCpuWorkload.ThreadCpuSeconds() : Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
                    for (int r = 0; r < reps; r++) Call();
                    double t1 = cpu ? GemmCpuWorkload.ThreadCpuSeconds() : Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
                    g[c, s] = 2.0 * M * N * K / ((t1 - t0) / reps) * 1e-9;
                }
            var line = $"{name,-28} th={o.Threads}";
            for (int c = 0; c < sides; c++)
            {
                var row = Enumerable.Range(0, samples).Select(s => g[c, s]).Order().ToArray();
                double ms = 2.0 * M * N * K * calls / (row[samples / 2] * 1e9) * 1e3;
                if (c == 0) totalMs += ms; else totalPeerMs += ms;
                line += $" {(c == 0 ? "ours" : "openblas")} best={row[^1],6:F1} med={row[samples / 2],6:F1} ms/step={ms,6:F2}";
            }
            Console.WriteLine(line);
        }
        Console.WriteLine($"total ms/step (median rates): ours {totalMs:F1}{(sgemm != 0 ? $" openblas {totalPeerMs:F1}" : "")}");
    }
}

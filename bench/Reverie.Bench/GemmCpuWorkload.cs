// gemmcpu workload: GFLOP/s of the mlp step's GEMM shapes and the gemm shapes, timed by thread CPU time
// on 1 thread (robust on a shared machine) and best-of-samples wall time on more. With GEMM_AB set to
// settings separated by '|' (for temporary tuning hooks in Apply), the samples alternate between them.
// With GEMM_PEER=/path/to/libopenblas.so.0, OpenBLAS's cblas_sgemm is loaded and its samples alternate
// with ours in the same process (the fairest comparison on a noisy shared machine); each of our lines then also gives
// `pair`, the median over rounds of our sample / the peer's sample beside it, and `quiet_pair`, the same over the rounds
// where the peer reached >= 90% of its best sample, or GEMM_QUIET GFLOP/s when set (n of them): moments when the host
// was quiet.
using System.Diagnostics;
using System.Runtime.InteropServices;
using Reverie.Tensors.Kernels;

namespace Reverie.Bench;

public static partial class GemmCpuWorkload
{
    private static readonly (string Name, bool TA, bool TB, int M, int N, int K, float Beta)[] Shapes =
    [
        ("mlp_fwd", false, true, 256, 512, 512, 0f), ("mlp_dx", false, false, 256, 512, 512, 0f),
        ("mlp_dw", true, false, 512, 512, 256, 1f),
        ("sq64", false, false, 64, 64, 64, 0f), ("sq128", false, false, 128, 128, 128, 0f),
        ("sq256", false, false, 256, 256, 256, 0f), ("sq512", false, false, 512, 512, 512, 0f),
        ("sq1024", false, false, 1024, 1024, 1024, 0f), ("sq2048", false, false, 2048, 2048, 2048, 0f),
        ("16x1024@1024x3072", false, false, 16, 3072, 1024, 0f), ("16x1024@(3072x1024)^T", false, true, 16, 3072, 1024, 0f),
        ("24x1024@1024x3072", false, false, 24, 3072, 1024, 0f), ("31x1024@1024x3072", false, false, 31, 3072, 1024, 0f),
        ("1024x512@512x512", false, false, 1024, 512, 512, 0f),
    ];

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec { public long Sec, Nsec; }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec ts);

    /// <summary>Seconds of CPU time the calling thread has used (CLOCK_THREAD_CPUTIME_ID).</summary>
    public static double ThreadCpuSeconds() { ClockGetTime(3, out var ts); return ts.Sec + ts.Nsec * 1e-9; }

    /// <summary>The library's settings as shipped, read before any setting is applied (so they are never restated here).</summary>
    private static readonly (int Kc, int Mc, int Chunk, int RowsUnits, bool SplitRows, bool RowsPad, bool RowsTile16) Defaults =
        (GemmPackedJob.KC, GemmPackedJob.MC, GemmPackedJob.Chunk, GemmRowsJob.UnitsPerThread, GemmRowsJob.SplitRows, GemmRowsJob.PadStrides, GemmRowsJob.Tile16);

    /// <summary>
    /// Hook for A/B experiments: apply one GEMM_AB setting, e.g. "kc=256,mc=168" (the packed path's blocks, its panel
    /// chunk, "rowsunits=n", the rows path's units per thread at 2+ threads, "rowsplit=1" to make that path split
    /// columns only, "rowspad=1" to keep its copies' row strides unpadded, or "rows8=1" to give it 8×32 tiles only);
    /// empty: defaults.
    /// </summary>
    private static void Apply(string setting)
    {
        (GemmPackedJob.KC, GemmPackedJob.MC, GemmPackedJob.Chunk, GemmRowsJob.UnitsPerThread, GemmRowsJob.SplitRows, GemmRowsJob.PadStrides, GemmRowsJob.Tile16) = Defaults;
        foreach (var kv in setting.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = kv.Split('=');
            int v = parts.Length == 2 && int.TryParse(parts[1], out int x) && x > 0 ? x : throw new ArgumentException($"gemmcpu: bad GEMM_AB setting '{kv}'");
            switch (parts[0])
            {
                case "kc": GemmPackedJob.KC = v; break;
                case "mc": GemmPackedJob.MC = v; break;
                case "chunk": GemmPackedJob.Chunk = v; break;
                case "rowsunits": GemmRowsJob.UnitsPerThread = v; break;
                case "rowsplit": GemmRowsJob.SplitRows = v != 1; break;
                case "rowspad": GemmRowsJob.PadStrides = v != 1; break;
                case "rows8": GemmRowsJob.Tile16 = v != 1; break;
                default: throw new ArgumentException($"gemmcpu: unknown GEMM_AB key '{parts[0]}' (kc, mc, chunk, rowsunits, rowsplit, rowspad, rows8)");
            }
        }
    }

    private static unsafe void Micro()
    {
        foreach (int kc in new[] { 64, 128, 256, 512 })
        {
            var a = GC.AllocateArray<float>(14 * kc + 64, pinned: true);
            var b = GC.AllocateArray<float>(32 * kc + 64, pinned: true);
            var c = GC.AllocateArray<float>(14 * 32 + 64, pinned: true);
            fixed (float* pa = a, pb = b, pc = c)
            {
                float* ab = (float*)(((nint)pb + 63) & ~(nint)63), cc = (float*)(((nint)pc + 63) & ~(nint)63);
                int reps = 2_000_000 / kc;
                double best = 0;
                for (int s = 0; s < 7; s++)
                {
                    double t0 = ThreadCpuSeconds();
                    for (int r = 0; r < reps; r++) GemmMicro.Tile(14, 32, kc, pa, ab, 32, cc, 32, 1e-9f);
                    double t1 = ThreadCpuSeconds();
                    best = Math.Max(best, 2.0 * 14 * 32 * kc * reps / (t1 - t0) * 1e-9);
                }
                Console.WriteLine($"micro 14x32 kc={kc}: {best:F1} GFLOP/s");
            }
        }
    }

    public static void Run(BenchOptions o)
    {
        Gemm.MaxThreads = o.Threads;
        int samples = o.Iters > 0 ? o.Iters : 15;
        string? only = Environment.GetEnvironmentVariable("GEMM_ONLY");
        string[] settings = (Environment.GetEnvironmentVariable("GEMM_AB") ?? "").Split('|');
        string? peer = Environment.GetEnvironmentVariable("GEMM_PEER");
        nint sgemm = 0;
        if (peer != null)
        {
            nint lib = NativeLibrary.Load(peer);
            sgemm = NativeLibrary.GetExport(lib, "cblas_sgemm");
            unsafe { ((delegate* unmanaged<int, void>)NativeLibrary.GetExport(lib, "openblas_set_num_threads"))(o.Threads); }
            settings = [.. settings, "openblas"];
        }
        bool cpu = o.Threads == 1;
        if (only == "micro") { Micro(); return; }
        foreach (var (name, ta, tb, M, N, K, beta) in Shapes)
        {
            if (only != null && !name.Contains(only)) continue;
            // GEMM_PAD=p pads every row of A, B and C by p floats (a probe for 4 KB aliasing of power-of-two strides).
            int pad = int.TryParse(Environment.GetEnvironmentVariable("GEMM_PAD"), out int pd) ? pd : 0;
            int lda = (ta ? M : K) + pad, ldb = (tb ? K : N) + pad, ldc = N + pad;
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
            Apply(settings[0]);
            int reps = 1;
            for (; ; reps *= 2)
            {
                var sw = Stopwatch.StartNew();
                for (int r = 0; r < reps; r++) Call();
                if (sw.Elapsed.TotalSeconds >= 0.01) break;
            }
            var g = new double[settings.Length, samples];
            for (int s = 0; s < samples; s++)
                for (int c = 0; c < settings.Length; c++)
                {
                    usePeer = settings[c] == "openblas";
                    if (!usePeer) Apply(settings[c]);
                    Call();
                    double t0 = cpu ? ThreadCpuSeconds() : Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
                    for (int r = 0; r < reps; r++) Call();
                    double t1 = cpu ? ThreadCpuSeconds() : Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
                    g[c, s] = 2.0 * M * N * K / ((t1 - t0) / reps) * 1e-9;
                }
            int pc = Array.IndexOf(settings, "openblas");
            double peerBest = pc < 0 ? 0 : Enumerable.Range(0, samples).Max(s => g[pc, s]);
            // GEMM_QUIET=x: the peer's GFLOP/s that marks a quiet round (default: 90% of its best sample in this run).
            double quietAt = double.TryParse(Environment.GetEnvironmentVariable("GEMM_QUIET"), out double qa) ? qa : 0.9 * peerBest;
            for (int c = 0; c < settings.Length; c++)
            {
                var row = Enumerable.Range(0, samples).Select(s => g[c, s]).Order().ToArray();
                string pairs = "";
                if (pc >= 0 && c != pc)
                {
                    // Per-round ratios to the peer's sample taken right beside it (robust to the host's slow swings), and
                    // the same over the rounds where the peer ran at >= quietAt (the host quiet at that moment).
                    var all = Enumerable.Range(0, samples).Select(s => g[c, s] / g[pc, s]).Order().ToArray();
                    var quiet = Enumerable.Range(0, samples).Where(s => g[pc, s] >= quietAt).Select(s => g[c, s] / g[pc, s]).Order().ToArray();
                    pairs = $" pair={all[samples / 2]:F2} quiet_pair={(quiet.Length > 0 ? quiet[quiet.Length / 2] : double.NaN):F2} (n={quiet.Length})";
                }
                Console.WriteLine($"{name,-24} th={o.Threads} best={row[^1],6:F1} med={row[samples / 2],6:F1}{pairs} {settings[c]}");
            }
        }
    }
}

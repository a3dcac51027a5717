// GemmFast: picks sgemm's fast path for a shape (packed, B in place, dot products) and its thread count.
using System.Runtime.Intrinsics.X86;

namespace Reverie.Tensors.Kernels;

public static partial class Gemm
{
    static partial void SgemmAccumulateFast(bool transA, bool transB, int M, int N, int K, float alpha,
        ReadOnlySpan<float> A, int lda, ReadOnlySpan<float> B, int ldb, Span<float> C, int ldc, ref bool handled)
    {
        if (!GemmFast.IsSupported) return;
        unsafe
        {
            fixed (float* a = A, b = B, c = C)
                GemmFast.Run(transA, transB, M, N, K, alpha, a, lda, b, ldb, c, ldc);
        }
        handled = true;
    }
}

/// <summary>
/// The managed fast sgemm (Vector512 + FMA). Which path runs depends on the shape only, never on the
/// thread count, and every path computes each C element with one fixed k-order, so results are
/// bit-for-bit repeatable and equal for 1 or more threads (threads only claim different work units).
/// Every method of the paths that loops over data (micro-kernels, packing, the unit loops) is marked
/// AggressiveOptimization, so it is compiled optimized on its first call instead of waiting for tiered
/// compilation: in a process calling sq64 in a tight loop no method ever reached tier 1 (0 of 105 after 300
/// samples), and the tall path's B packing, left at tier 0, took a third of each call.
/// </summary>
internal static unsafe class GemmFast
{
    /// <summary>The kernels this class can run.</summary>
    internal enum Path { Auto, Packed, Rows, Dot, Tall, Deep }

    /// <summary>
    /// True when AVX-512F is available. (Not Vector512.IsHardwareAccelerated: .NET reports false on
    /// Skylake-X/Cascade Lake, where it prefers 256-bit vectors, yet Vector512 code still runs as zmm.)
    /// </summary>
    public static bool IsSupported => Avx512F.IsSupported && Avx2.IsSupported && Fma.IsSupported;

    /// <summary>Forces a path on the calling thread (tests and benchmarks); Auto picks by shape.</summary>
    [ThreadStatic] internal static Path ForcePath;

    /// <summary>Problems with fewer multiply-adds (M·N·K) than this run on the calling thread alone.</summary>
    internal const long ParallelMacs = 1L << 18;
    /// <summary>At most this many rows: B streams by rows (or dot products when B is transposed).</summary>
    internal const int SmallM = 32;
    /// <summary>Fewer columns than this: dot products (a 32-column tile would be mostly padding).</summary>
    internal const int NarrowN = 16;
    /// <summary>
    /// Few rows with B transposed: B is transposed for the rows kernel while the copy fits in L2 (dreamer-gemm,
    /// 1 thread: 16x192x64 NT 15 -> 33 GFLOP/s, 16x64x64 16 -> 48, 16x64x6 2 -> 13, 16x64x512 30 -> 43);
    /// larger B stays with the dot-product kernel (16x1024·(3072x1024)ᵀ: 24 GFLOP/s there, 12 transposed). Measured
    /// with the rows kernel before its 8×32 tiles; not re-measured since.
    /// </summary>
    internal const long RowsMaxTransposed = 1L << 18;
    /// <summary>
    /// Tall, narrow products (A not transposed, N ≤ 256, M ≥ 64): A read in place, B packed in 64-column
    /// panels (GemmTall.cs). dreamer-gemm, 1 thread, GFLOP/s packed -> tall: 16384x64x640 NT 70 -> 95,
    /// 1024x64x512 NT 91-98 -> 117, 1024x64x64 (strided) 76 -> 95, 16384x255x64 NT 58 -> 78, 15360x64x64
    /// NN 47-51 -> 61-71; 1024x192x64 about equal.
    /// </summary>
    internal const int TallMaxN = 256, TallMinM = 64;
    /// <summary>Deep products Aᵀ·B (weight gradients over a batch): A and B read in place in k-chunks (GemmDeep.cs).</summary>
    internal const int DeepMinK = 1024, DeepMaxMN = 1024;

    /// <summary>The path Auto takes for a shape.</summary>
    internal static Path Choose(bool transA, bool transB, int M, int N, int K)
    {
        if (N < NarrowN) return Path.Dot;
        if (M <= SmallM) return transB && (long)N * K > RowsMaxTransposed ? Path.Dot : Path.Rows;
        if (!transA && N <= TallMaxN && M >= TallMinM) return Path.Tall;
        if (transA && !transB && K >= DeepMinK && M <= DeepMaxMN && N <= DeepMaxMN) return Path.Deep;
        return Path.Packed;
    }

    /// <summary>Whether the tall path takes this product (which can then write C without reading it).</summary>
    internal static bool TakesTall(bool transA, bool transB, int M, int N, int K) =>
        IsSupported && !transA && (ForcePath == Path.Auto ? Choose(transA, transB, M, N, K) == Path.Tall : ForcePath == Path.Tall);

    /// <summary>
    /// The tall path: C (+)= alpha·A·op(B) (+ bias); with <paramref name="overwrite"/> C is written without being read
    /// and the bias row (N floats, or null) is added. Arguments checked, M, N, K &gt; 0, pointers pinned.
    /// </summary>
    public static void RunTall(bool transB, int M, int N, int K, float alpha, float* A, nint lda, float* B, nint ldb,
        float* C, nint ldc, bool overwrite, float* bias)
    {
        int parts = (long)M * N * K >= ParallelMacs ? GemmPool.MaxParts : 1;
        var bufs = GemmBuffers.Current;
        var job = bufs.Tall;
        job.Set(false, transB, M, N, K, alpha, A, lda, B, ldb, C, ldc);
        job.Overwrite = overwrite;
        job.Bias = bias;
        job.Bp = bufs.B(GemmTallJob.BFloats(N, K));
        job.Prepare(parts);
        GemmPool.Run(job, parts);
    }

    /// <summary>C += alpha·op(A)·op(B); arguments checked, M, N, K &gt; 0, pointers pinned.</summary>
    public static void Run(bool transA, bool transB, int M, int N, int K, float alpha,
        float* A, nint lda, float* B, nint ldb, float* C, nint ldc)
    {
        var path = ForcePath == Path.Auto ? Choose(transA, transB, M, N, K) : ForcePath;
        int parts = (long)M * N * K >= ParallelMacs ? GemmPool.MaxParts : 1;
        var bufs = GemmBuffers.Current;
        switch (path)
        {
            case Path.Packed:
            {
                var job = bufs.Packed;
                job.Set(transA, transB, M, N, K, alpha, A, lda, B, ldb, C, ldc);
                job.Kc = GemmArgsJob.BalancedBlock(K, GemmPackedJob.KC);
                job.Bp = bufs.B(GemmPackedJob.BFloats(N, K));
                job.Prepare(parts);
                GemmPool.Run(job, parts);
                break;
            }
            case Path.Tall when !transA:
                RunTall(transB, M, N, K, alpha, A, lda, B, ldb, C, ldc, overwrite: false, bias: null);
                break;
            case Path.Deep when transA && !transB:
            {
                var job = bufs.Deep;
                job.Set(transA, transB, M, N, K, alpha, A, lda, B, ldb, C, ldc);
                job.Prepare(parts);
                GemmPool.Run(job, parts);
                break;
            }
            case Path.Rows:
            {
                var job = bufs.Rows;
                if (transB)
                {
                    // B (N×K) as a K×N copy: the rows kernel then streams it by rows.
                    nint ldt = GemmRowsJob.PaddedLd(N);
                    float* bt = bufs.B((long)K * ldt);
                    GemmTranspose.Matrix(B, ldb, N, K, bt, ldt);
                    B = bt; ldb = ldt; transB = false;
                }
                job.Set(transA, transB, M, N, K, alpha, A, lda, B, ldb, C, ldc);
                job.As = bufs.A(GemmRowsJob.AFloats(M, K));
                job.Asl = job.As + (nint)M * K;
                job.Cs = null;
                if (GemmRowsJob.WantsCopy(C, ldc, K))
                {
                    job.LdCs = GemmRowsJob.PaddedLd(N);
                    job.Cs = bufs.T((long)M * job.LdCs);
                }
                job.Prepare(parts);
                job.PackA();
                GemmPool.Run(job, parts);
                break;
            }
            default:
            {
                var job = bufs.Dot;
                job.Set(transA, transB, M, N, K, alpha, A, lda, B, ldb, C, ldc);
                job.Ar = A; job.LdAr = lda;
                if (transA)
                {
                    job.Ar = bufs.T((long)M * K); job.LdAr = K;
                    GemmDotJob.Transpose(A, lda, K, M, job.Ar);
                }
                job.Br = B; job.LdBr = ldb;
                if (!transB)
                {
                    job.Br = bufs.B((long)N * K); job.LdBr = K;
                    GemmDotJob.Transpose(B, ldb, K, N, job.Br);
                }
                job.Prepare(parts);
                GemmPool.Run(job, parts);
                break;
            }
        }
    }
}

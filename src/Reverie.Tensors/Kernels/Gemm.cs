// Gemm: single-precision matrix multiply, row-major, all four transpose variants.
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Reverie.Tensors.Kernels;

/// <summary>
/// C = alpha · op(A) · op(B) + beta · C for row-major float matrices, where op(A) is M×K and op(B)
/// is K×N. With transA, A is stored K×M (leading dimension lda ≥ M); otherwise M×K (lda ≥ K).
/// With transB, B is stored N×K (ldb ≥ K); otherwise K×N (ldb ≥ N). C is M×N (ldc ≥ N).
/// When beta is 0, C is overwritten without being read (NaNs in C do not propagate).
/// </summary>
public static partial class Gemm
{
    /// <summary>Most threads a single sgemm call may use (default: all cores).</summary>
    public static int MaxThreads { get; set; } = Environment.ProcessorCount;

    /// <summary>Validates the arguments of an sgemm call and throws a message that names them.</summary>
    internal static void Check(bool transA, bool transB, int M, int N, int K, int aLen, int lda, int bLen, int ldb, int cLen, int ldc)
    {
        if (M < 0 || N < 0 || K < 0) throw new ArgumentException($"sgemm: negative size M={M} N={N} K={K}");
        int aRows = transA ? K : M, aCols = transA ? M : K;
        int bRows = transB ? N : K, bCols = transB ? K : N;
        if (lda < Math.Max(1, aCols)) throw new ArgumentException($"sgemm: lda={lda} is smaller than A's row length {aCols}");
        if (ldb < Math.Max(1, bCols)) throw new ArgumentException($"sgemm: ldb={ldb} is smaller than B's row length {bCols}");
        if (ldc < Math.Max(1, N)) throw new ArgumentException($"sgemm: ldc={ldc} is smaller than C's row length {N}");
        if (aRows > 0 && aCols > 0 && aLen < (long)(aRows - 1) * lda + aCols) throw new ArgumentException($"sgemm: A has {aLen} elements, needs {(aRows - 1) * lda + aCols} for {aRows}x{aCols} with lda={lda}");
        if (bRows > 0 && bCols > 0 && bLen < (long)(bRows - 1) * ldb + bCols) throw new ArgumentException($"sgemm: B has {bLen} elements, needs {(bRows - 1) * ldb + bCols} for {bRows}x{bCols} with ldb={ldb}");
        if (M > 0 && N > 0 && cLen < (long)(M - 1) * ldc + N) throw new ArgumentException($"sgemm: C has {cLen} elements, needs {(M - 1) * ldc + N} for {M}x{N} with ldc={ldc}");
    }

    /// <summary>C = alpha · op(A) · op(B) + beta · C (see the class remarks for layouts).</summary>
    public static void Sgemm(bool transA, bool transB, int M, int N, int K, float alpha,
        ReadOnlySpan<float> A, int lda, ReadOnlySpan<float> B, int ldb, float beta, Span<float> C, int ldc)
    {
        Check(transA, transB, M, N, K, A.Length, lda, B.Length, ldb, C.Length, ldc);
        if (M == 0 || N == 0) return;
        if (beta == 0f && K > 0 && alpha != 0f && GemmFast.TakesTall(transA, transB, M, N, K))
        {
            Tall(transB, M, N, K, alpha, A, lda, B, ldb, default, C, ldc);   // writes C without clearing it first
            return;
        }
        ScaleC(M, N, beta, C, ldc);
        if (K == 0 || alpha == 0f) return;
        SgemmAccumulate(transA, transB, M, N, K, alpha, A, lda, B, ldb, C, ldc);
    }

    /// <summary>
    /// C = op(A) · op(B) + bias, the bias row (N floats) added to every row of C (a linear layer's forward);
    /// C is not read. Where the tall kernel takes the shape, the bias is folded into its stores (no separate
    /// pass over C); elsewhere C is filled with the bias first.
    /// </summary>
    /// <exception cref="ArgumentException">The sizes do not fit, or the bias is shorter than N.</exception>
    public static void SgemmBias(bool transA, bool transB, int M, int N, int K,
        ReadOnlySpan<float> A, int lda, ReadOnlySpan<float> B, int ldb, ReadOnlySpan<float> bias, Span<float> C, int ldc)
    {
        Check(transA, transB, M, N, K, A.Length, lda, B.Length, ldb, C.Length, ldc);
        if (bias.Length < N) throw new ArgumentException($"sgemm: bias has {bias.Length} elements, needs N = {N}");
        if (M == 0 || N == 0) return;
        if (K > 0 && GemmFast.TakesTall(transA, transB, M, N, K))
        {
            Tall(transB, M, N, K, 1f, A, lda, B, ldb, bias, C, ldc);
            return;
        }
        if (ldc == N) RowSimd.FillRows(bias[..N], C, M);
        else for (int i = 0; i < M; i++) bias[..N].CopyTo(C.Slice(i * ldc, N));
        if (K == 0) return;
        SgemmAccumulate(transA, transB, M, N, K, 1f, A, lda, B, ldb, C, ldc);
    }

    private static unsafe void Tall(bool transB, int M, int N, int K, float alpha, ReadOnlySpan<float> A, int lda,
        ReadOnlySpan<float> B, int ldb, ReadOnlySpan<float> bias, Span<float> C, int ldc)
    {
        fixed (float* a = A, b = B, c = C, bi = bias)
            GemmFast.RunTall(transB, M, N, K, alpha, a, lda, b, ldb, c, ldc, overwrite: true, bias: bias.IsEmpty ? null : bi);
    }

    /// <summary>C *= beta (C = 0 when beta is 0, without reading C).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ScaleC(int M, int N, float beta, Span<float> C, int ldc)
    {
        if (beta == 1f) return;
        for (int i = 0; i < M; i++)
        {
            var row = C.Slice(i * ldc, N);
            if (beta == 0f) row.Clear(); else TensorPrimitives.Multiply(row, beta, row);
        }
    }

    /// <summary>C += alpha · op(A) · op(B), arguments already checked.</summary>
    static partial void SgemmAccumulateFast(bool transA, bool transB, int M, int N, int K, float alpha,
        ReadOnlySpan<float> A, int lda, ReadOnlySpan<float> B, int ldb, Span<float> C, int ldc, ref bool handled);

    private static void SgemmAccumulate(bool transA, bool transB, int M, int N, int K, float alpha,
        ReadOnlySpan<float> A, int lda, ReadOnlySpan<float> B, int ldb, Span<float> C, int ldc)
    {
        bool handled = false;
        SgemmAccumulateFast(transA, transB, M, N, K, alpha, A, lda, B, ldb, C, ldc, ref handled);
        if (handled) return;
        // Simple row-oriented kernels (TensorPrimitives does the SIMD): rank-1 updates of C's rows
        // when B's rows are contiguous, dot products when B is transposed.
        if (!transB)
        {
            for (int i = 0; i < M; i++)
            {
                var crow = C.Slice(i * ldc, N);
                for (int k = 0; k < K; k++)
                {
                    float a = alpha * (transA ? A[k * lda + i] : A[i * lda + k]);
                    if (a != 0f) TensorPrimitives.MultiplyAdd(B.Slice(k * ldb, N), a, crow, crow);
                }
            }
        }
        else if (!transA)
        {
            for (int i = 0; i < M; i++)
            {
                var arow = A.Slice(i * lda, K);
                for (int j = 0; j < N; j++) C[i * ldc + j] += alpha * TensorPrimitives.Dot(arow, B.Slice(j * ldb, K));
            }
        }
        else
        {
            Span<float> acol = K <= 4096 ? stackalloc float[K] : new float[K];
            for (int i = 0; i < M; i++)
            {
                for (int k = 0; k < K; k++) acol[k] = A[k * lda + i];
                for (int j = 0; j < N; j++) C[i * ldc + j] += alpha * TensorPrimitives.Dot(acol, B.Slice(j * ldb, K));
            }
        }
    }

    /// <summary>Reference twin: the textbook triple loop (double accumulation). Tests compare against it.</summary>
    public static void Reference(bool transA, bool transB, int M, int N, int K, float alpha,
        ReadOnlySpan<float> A, int lda, ReadOnlySpan<float> B, int ldb, float beta, Span<float> C, int ldc)
    {
        Check(transA, transB, M, N, K, A.Length, lda, B.Length, ldb, C.Length, ldc);
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++)
            {
                double s = 0;
                for (int k = 0; k < K; k++)
                    s += (double)(transA ? A[k * lda + i] : A[i * lda + k]) * (transB ? B[j * ldb + k] : B[k * ldb + j]);
                float c = beta == 0f ? 0f : beta * C[i * ldc + j];
                C[i * ldc + j] = c + alpha * (float)s;
            }
    }
}

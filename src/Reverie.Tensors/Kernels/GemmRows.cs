// GemmRows: sgemm for few rows with B not transposed (dy·W in nn.Linear's backward): streams B row by row.
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Reverie.Tensors.Kernels;

/// <summary>
/// C += alpha·op(A)·B for small M: 16 rows of B (16 columns wide) stay in registers while the M rows of
/// C stream past, so B is read once, row by row in long sequential runs that the prefetchers follow
/// (a packed 32-column panel would walk B with a stride of ldb and miss the caches at every row).
/// Every C element is updated by one FMA chain in k order (alpha is folded into a copy of op(A)).
/// Parts split N in 16-column chunks; the last part also takes the N mod 16 tail columns.
/// </summary>
internal sealed unsafe class GemmRowsJob : GemmArgsJob
{
    /// <summary>alpha·op(A) as an M×K row-major copy.</summary>
    public float* As;

    /// <summary>Fills <see cref="As"/> (call on the calling thread before running).</summary>
    public void PackA()
    {
        for (int i = 0; i < M; i++)
        {
            var dst = new Span<float>(As + (nint)i * K, K);
            if (!TransA) TensorPrimitives.Multiply(new ReadOnlySpan<float>(A + i * Lda, K), Alpha, dst);
            else for (int k = 0; k < K; k++) dst[k] = Alpha * A[k * Lda + i];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Run(int part, int parts)
    {
        int chunks = N / 16;
        int j0 = chunks * part / parts * 16, j1 = chunks * (part + 1) / parts * 16;
        bool tail = part == parts - 1 && j1 < N;
        int k = 0;
        for (; k + 16 <= K; k += 16)
        {
            Rank16(As + k, K, B + k * Ldb, Ldb, C, Ldc, M, j0, j1);
            if (tail) Tail(k, 16, j1);
        }
        for (; k < K; k++)
        {
            Rank1(As + k, K, B + k * Ldb, C, Ldc, M, j0, j1);
            if (tail) Tail(k, 1, j1);
        }
    }

    // Columns j1..N (fewer than 16), rows k..k+n of B, in scalar with the same k-ordered FMA chain.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Tail(int k, int n, int j1)
    {
        for (int i = 0; i < M; i++)
            for (int j = j1; j < N; j++)
            {
                float x = C[i * Ldc + j];
                for (int t = k; t < k + n; t++) x = MathF.FusedMultiplyAdd(As[(nint)i * K + t], B[t * Ldb + j], x);
                C[i * Ldc + j] = x;
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rank1(float* a, nint lda, float* b, float* c, nint ldc, int M, int j0, int j1)
    {
        for (int j = j0; j < j1; j += 16)
        {
            var b0 = Vector512.Load(b + j);
            float* ai = a, ci = c + j;
            for (int i = 0; i < M; i++, ai += lda, ci += ldc)
                Vector512.Store(Avx512F.FusedMultiplyAdd(Vector512.Create(ai[0]), b0, Vector512.Load(ci)), ci);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rank16(float* a, nint lda, float* b, nint ldb, float* c, nint ldc, int M, int j0, int j1)
    {
        for (int j = j0; j < j1; j += 16)
        {
            float* bj = b + j;
            var b0 = Vector512.Load(bj + 0 * ldb);
            var b1 = Vector512.Load(bj + 1 * ldb);
            var b2 = Vector512.Load(bj + 2 * ldb);
            var b3 = Vector512.Load(bj + 3 * ldb);
            var b4 = Vector512.Load(bj + 4 * ldb);
            var b5 = Vector512.Load(bj + 5 * ldb);
            var b6 = Vector512.Load(bj + 6 * ldb);
            var b7 = Vector512.Load(bj + 7 * ldb);
            var b8 = Vector512.Load(bj + 8 * ldb);
            var b9 = Vector512.Load(bj + 9 * ldb);
            var b10 = Vector512.Load(bj + 10 * ldb);
            var b11 = Vector512.Load(bj + 11 * ldb);
            var b12 = Vector512.Load(bj + 12 * ldb);
            var b13 = Vector512.Load(bj + 13 * ldb);
            var b14 = Vector512.Load(bj + 14 * ldb);
            var b15 = Vector512.Load(bj + 15 * ldb);
            float* ai = a, ci = c + j;
            int i = 0;
            // Two rows at a time: two independent FMA chains side by side for the out-of-order core.
            for (; i + 2 <= M; i += 2, ai += 2 * lda, ci += 2 * ldc)
            {
                var x = Vector512.Load(ci);
                var y = Vector512.Load(ci + ldc);
                float* ak = ai + lda;
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[0]), b0, x); y = Avx512F.FusedMultiplyAdd(Vector512.Create(ak[0]), b0, y);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[1]), b1, x); y = Avx512F.FusedMultiplyAdd(Vector512.Create(ak[1]), b1, y);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[2]), b2, x); y = Avx512F.FusedMultiplyAdd(Vector512.Create(ak[2]), b2, y);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[3]), b3, x); y = Avx512F.FusedMultiplyAdd(Vector512.Create(ak[3]), b3, y);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[4]), b4, x); y = Avx512F.FusedMultiplyAdd(Vector512.Create(ak[4]), b4, y);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[5]), b5, x); y = Avx512F.FusedMultiplyAdd(Vector512.Create(ak[5]), b5, y);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[6]), b6, x); y = Avx512F.FusedMultiplyAdd(Vector512.Create(ak[6]), b6, y);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[7]), b7, x); y = Avx512F.FusedMultiplyAdd(Vector512.Create(ak[7]), b7, y);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[8]), b8, x); y = Avx512F.FusedMultiplyAdd(Vector512.Create(ak[8]), b8, y);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[9]), b9, x); y = Avx512F.FusedMultiplyAdd(Vector512.Create(ak[9]), b9, y);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[10]), b10, x); y = Avx512F.FusedMultiplyAdd(Vector512.Create(ak[10]), b10, y);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[11]), b11, x); y = Avx512F.FusedMultiplyAdd(Vector512.Create(ak[11]), b11, y);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[12]), b12, x); y = Avx512F.FusedMultiplyAdd(Vector512.Create(ak[12]), b12, y);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[13]), b13, x); y = Avx512F.FusedMultiplyAdd(Vector512.Create(ak[13]), b13, y);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[14]), b14, x); y = Avx512F.FusedMultiplyAdd(Vector512.Create(ak[14]), b14, y);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[15]), b15, x); y = Avx512F.FusedMultiplyAdd(Vector512.Create(ak[15]), b15, y);
                Vector512.Store(x, ci);
                Vector512.Store(y, ci + ldc);
            }
            if (i < M)
            {
                var x = Vector512.Load(ci);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[0]), b0, x);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[1]), b1, x);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[2]), b2, x);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[3]), b3, x);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[4]), b4, x);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[5]), b5, x);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[6]), b6, x);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[7]), b7, x);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[8]), b8, x);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[9]), b9, x);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[10]), b10, x);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[11]), b11, x);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[12]), b12, x);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[13]), b13, x);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[14]), b14, x);
                x = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[15]), b15, x);
                Vector512.Store(x, ci);
            }
        }
    }
}

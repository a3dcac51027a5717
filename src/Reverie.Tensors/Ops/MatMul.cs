// Matrix products: MatMul (2-D and batched, all transpose variants) and Linear (x·Wᵀ + b).
using System.Numerics.Tensors;
using Reverie.Tensors.Kernels;

namespace Reverie.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// op(a) · op(b) over the last two axes, where op transposes when asked. Shapes: a (..., M, K)
    /// or (..., K, M) with <paramref name="transA"/>; b (..., K, N) or (..., N, K) with
    /// <paramref name="transB"/>. Leading (batch) axes must be equal, or one operand may be 2-D and
    /// is then shared by every batch. Result (..., M, N).
    /// </summary>
    /// <exception cref="ArgumentException">Rank below 2, mismatched inner sizes or batch axes; the message gives both shapes.</exception>
    public static Tensor MatMul(Tensor a, Tensor b, bool transA = false, bool transB = false)
    {
        if (a.Rank < 2 || b.Rank < 2)
            throw new ArgumentException($"matmul: both operands need rank >= 2, got {a.Shape} and {b.Shape}");
        int M = transA ? a.Shape[-1] : a.Shape[-2], Ka = transA ? a.Shape[-2] : a.Shape[-1];
        int Kb = transB ? b.Shape[-1] : b.Shape[-2], N = transB ? b.Shape[-2] : b.Shape[-1];
        if (Ka != Kb)
            throw new ArgumentException($"matmul: inner sizes differ ({Ka} vs {Kb}) for shapes {a.Shape}{(transA ? "ᵀ" : "")} and {b.Shape}{(transB ? "ᵀ" : "")}");
        int K = Ka;
        int batchA = a.Shape.Prod(0, a.Rank - 2), batchB = b.Shape.Prod(0, b.Rank - 2);
        Shape outShape;
        if (a.Rank == 2 && b.Rank == 2) outShape = new Shape(M, N);
        else if (b.Rank == 2) outShape = a.Shape.With(-2, M).With(-1, N);
        else if (a.Rank == 2) outShape = b.Shape.With(-2, M).With(-1, N);
        else
        {
            if (a.Rank != b.Rank || !SameLeading(a.Shape, b.Shape))
                throw new ArgumentException($"matmul: batch axes differ for shapes {a.Shape} and {b.Shape}");
            outShape = a.Shape.With(-2, M).With(-1, N);
        }
        int batch = Math.Max(batchA, batchB);
        var y = Empty(outShape);
        int lda = a.Shape[-1], ldb = b.Shape[-1];
        int sa = batchA == 1 ? 0 : M * K, sb = batchB == 1 ? 0 : K * N, sc = M * N;
        var As = a.Span; var Bs = b.Span; var Cs = y.Span;
        if (batchB == 1 && !transA && batch > 1)
            Gemm.Sgemm(false, transB, batch * M, N, K, 1f, As, lda, Bs, ldb, 0f, Cs, N);
        else
            for (int t = 0; t < batch; t++)
                Gemm.Sgemm(transA, transB, M, N, K, 1f, As.Slice(t * sa), lda, Bs.Slice(t * sb), ldb, 0f, Cs.Slice(t * sc), N);

        if (NeedsGrad(a, b))
            Record(y, "matmul", [a, b], g =>
            {
                var G = g.Span; var Av = a.Span; var Bv = b.Span;
                if (a.RequiresGrad)
                {
                    var dA = a.GradSpan();
                    if (batchB == 1 && !transA && batch > 1)
                        Gemm.Sgemm(false, !transB, batch * M, K, N, 1f, G, N, Bv, ldb, 1f, dA, lda);
                    else
                        for (int t = 0; t < batch; t++)
                        {
                            if (!transA) Gemm.Sgemm(false, !transB, M, K, N, 1f, G.Slice(t * sc), N, Bv.Slice(t * sb), ldb, 1f, dA.Slice(t * sa), lda);
                            else Gemm.Sgemm(transB, true, K, M, N, 1f, Bv.Slice(t * sb), ldb, G.Slice(t * sc), N, 1f, dA.Slice(t * sa), lda);
                        }
                }
                if (b.RequiresGrad)
                {
                    var dB = b.GradSpan();
                    if (batchB == 1 && !transA && batch > 1)
                    {
                        if (!transB) Gemm.Sgemm(true, false, K, N, batch * M, 1f, Av, lda, G, N, 1f, dB, ldb);
                        else Gemm.Sgemm(true, false, N, K, batch * M, 1f, G, N, Av, lda, 1f, dB, ldb);
                    }
                    else
                        for (int t = 0; t < batch; t++)
                        {
                            if (!transB) Gemm.Sgemm(!transA, false, K, N, M, 1f, Av.Slice(t * sa), lda, G.Slice(t * sc), N, 1f, dB.Slice(t * sb), ldb);
                            else Gemm.Sgemm(true, transA, N, K, M, 1f, G.Slice(t * sc), N, Av.Slice(t * sa), lda, 1f, dB.Slice(t * sb), ldb);
                        }
                }
            });
        return y;
    }

    private static bool SameLeading(Shape a, Shape b)
    {
        for (int i = 0; i < a.Rank - 2; i++) if (a[i] != b[i]) return false;
        return true;
    }

    /// <summary>
    /// x · Wᵀ + b over the last axis of x, with W stored (out, in) as in PyTorch. x (..., in) → (..., out).
    /// </summary>
    /// <exception cref="ArgumentException">Mismatched sizes; the message gives the shapes.</exception>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null)
    {
        if (weight.Rank != 2) throw new ArgumentException($"linear: weight must be (out, in), got {weight.Shape}");
        int outF = weight.Shape[0], inF = weight.Shape[1];
        if (x.Rank == 0 || x.Shape[-1] != inF)
            throw new ArgumentException($"linear: input {x.Shape} does not end in {inF} (weight {weight.Shape})");
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != outF))
            throw new ArgumentException($"linear: bias {bias.Shape} does not match weight {weight.Shape}; expected ({outF},)");
        int R = x.Size / Math.Max(inF, 1);
        if (inF == 0) R = x.Shape.Prod(0, x.Rank - 1);
        var y = Empty(x.Shape.With(-1, outF));
        var Y = y.Span;
        if (bias is not null) Gemm.SgemmBias(false, true, R, outF, inF, x.Span, inF, weight.Span, inF, bias.Span, Y, outF);
        else Gemm.Sgemm(false, true, R, outF, inF, 1f, x.Span, inF, weight.Span, inF, 0f, Y, outF);
        if (NeedsGrad(bias is null ? [x, weight] : [x, weight, bias]))
            Record(y, "linear", bias is null ? [x, weight] : [x, weight, bias], g =>
            {
                var G = g.Span;
                if (x.RequiresGrad)
                {
                    var gx = x.GradDest(out float beta);
                    Gemm.Sgemm(false, false, R, inF, outF, 1f, G, outF, weight.Span, inF, beta, gx, inF);
                }
                if (weight.RequiresGrad) Gemm.Sgemm(true, false, outF, inF, R, 1f, G, outF, x.Span, inF, 1f, weight.GradSpan(), inF);
                if (bias is not null && bias.RequiresGrad) RowSimd.AddRows(G, R, bias.GradSpan());
            });
        return y;
    }
}

// Gates: the internal ops the recurrent modules are built from — split and concatenate along the
// last axis, and the block-diagonal linear map (with a shared input) of DreamerV3's block GRU.
using System.Numerics.Tensors;
using Reverie.Tensors.Kernels;

namespace Reverie.Tensors.Nn;

internal static class Gates
{
    /// <summary>Splits x (..., n) along the last axis into parts of the given sizes (summing to n); each part is a copy with its own backward.</summary>
    internal static Tensor[] SplitLast(Tensor x, params int[] sizes)
    {
        if (x.Rank == 0) throw new ArgumentException("split_last: cannot split a scalar");
        int n = x.Shape[-1], total = 0;
        foreach (int s in sizes)
        {
            if (s < 0) throw new ArgumentException($"split_last: negative part size {s} for input {x.Shape}");
            total += s;
        }
        if (total != n)
            throw new ArgumentException($"split_last: part sizes ({string.Join(", ", sizes)}) sum to {total}, but input {x.Shape} ends in {n}");
        int rows = x.Shape.Prod(0, x.Rank - 1);
        var parts = new Tensor[sizes.Length];
        var X = x.Span;
        int off = 0;
        for (int p = 0; p < sizes.Length; p++)
        {
            int w = sizes[p], o = off;
            var y = Tensor.Empty(x.Shape.With(-1, w));
            var Y = y.Span;
            for (int r = 0; r < rows; r++) X.Slice(r * n + o, w).CopyTo(Y.Slice(r * w, w));
            if (Tensor.NeedsGrad(x))
                Tensor.Record(y, "split_last", [x], g =>
                {
                    var G = g.Span; var dX = x.GradSpan();
                    for (int r = 0; r < rows; r++)
                    {
                        var d = dX.Slice(r * n + o, w);
                        TensorPrimitives.Add(d, G.Slice(r * w, w), d);
                    }
                });
            parts[p] = y;
            off += w;
        }
        return parts;
    }

    /// <summary>Splits x (..., n) into <paramref name="count"/> equal parts along the last axis.</summary>
    internal static Tensor[] SplitLast(Tensor x, int count)
    {
        if (count <= 0) throw new ArgumentException($"split_last: part count must be positive, got {count}");
        int n = x.Rank == 0 ? 0 : x.Shape[-1];
        if (x.Rank == 0 || n % count != 0)
            throw new ArgumentException($"split_last: input {x.Shape} cannot be split into {count} equal parts along its last axis");
        var sizes = new int[count];
        Array.Fill(sizes, n / count);
        return SplitLast(x, sizes);
    }

    /// <summary>Concatenates tensors (..., nᵢ) with equal leading axes along the last axis → (..., Σnᵢ).</summary>
    internal static Tensor ConcatLast(params Tensor[] xs)
    {
        if (xs.Length == 0) throw new ArgumentException("concat_last: needs at least one tensor");
        var first = xs[0].Shape;
        if (first.Rank == 0) throw new ArgumentException("concat_last: cannot concatenate scalars");
        int total = 0;
        foreach (var t in xs)
        {
            if (t.Rank != first.Rank || t.Shape.With(-1, 0) != first.With(-1, 0))
                throw new ArgumentException($"concat_last: shapes {first} and {t.Shape} differ outside the last axis");
            total += t.Shape[-1];
        }
        int rows = first.Prod(0, first.Rank - 1);
        var y = Tensor.Empty(first.With(-1, total));
        var Y = y.Span;
        int off = 0;
        foreach (var t in xs)
        {
            int w = t.Shape[-1];
            var X = t.Span;
            for (int r = 0; r < rows; r++) X.Slice(r * w, w).CopyTo(Y.Slice(r * total + off, w));
            off += w;
        }
        if (Tensor.NeedsGrad(xs))
            Tensor.Record(y, "concat_last", (Tensor[])xs.Clone(), g =>
            {
                var G = g.Span;
                int o = 0;
                foreach (var t in xs)
                {
                    int w = t.Shape[-1];
                    if (t.RequiresGrad)
                    {
                        var dX = t.GradSpan();
                        for (int r = 0; r < rows; r++)
                        {
                            var d = dX.Slice(r * w, w);
                            TensorPrimitives.Add(d, G.Slice(r * total + o, w), d);
                        }
                    }
                    o += w;
                }
            });
        return y;
    }

    /// <summary>
    /// DreamerV3's GRU gate as one op: gates (..., 3D) in the block layout (..., g, [reset, cand, update], D/g)
    /// and deter (..., D) → h' = u·c + (1 − u)·h with r = σ(reset), c = tanh(r·cand), u = σ(update − 1)
    /// (Kernels/GruGateKernel.cs; the backward recomputes r, c, u instead of keeping them).
    /// </summary>
    internal static Tensor GruGates(Tensor gates, Tensor deter, int blocks)
    {
        const string op = "gru_gate";
        if (deter.Rank == 0 || gates.Rank != deter.Rank || gates.Shape.With(-1, 0) != deter.Shape.With(-1, 0) || gates.Shape[-1] != 3 * deter.Shape[-1])
            throw new ArgumentException($"{op}: gates {gates.Shape} must be deter {deter.Shape} with a last axis three times as long");
        int D = deter.Shape[-1], R = deter.Shape.Prod(0, deter.Rank - 1);
        if (blocks <= 0 || D % blocks != 0) throw new ArgumentException($"{op}: deter {deter.Shape} does not split into {blocks} blocks");
        var y = Tensor.Empty(deter.Shape);                                   // (..., D)
        GruGateKernel.Forward(gates.Span, deter.Span, y.Span, R, D, blocks);
        if (Tensor.NeedsGrad(gates, deter))
            Tensor.Record(y, op, [gates, deter], g =>
            {
                float bg = 0f, bh = 0f;
                var dG = gates.RequiresGrad ? gates.GradDest(out bg) : default;
                var dH = deter.RequiresGrad ? deter.GradDest(out bh) : default;
                GruGateKernel.Backward(gates.Span, deter.Span, g.Span, dG, bg != 0f, dH, bh != 0f, R, D, blocks);
            });
        return y;
    }

    /// <summary>
    /// Block-diagonal linear map with an optional input shared by every block (DreamerV3's
    /// BlockLinear applied to [x's block k, shared]): x (..., g·i), shared (..., s) or null,
    /// weight (g, i + s, o), bias (g·o,) or null → y (..., g·o) with
    /// y[.., k·o : (k+1)·o] = x[.., k·i : (k+1)·i] · W[k, :i] + shared · W[k, i:] + bias[k·o : (k+1)·o].
    /// Each block is one strided GEMM over all rows (no repeat or transpose is materialized).
    /// </summary>
    internal static Tensor BlockLinear(Tensor x, Tensor? shared, Tensor weight, Tensor? bias)
    {
        const string op = "block_linear";
        if (weight.Rank != 3) throw new ArgumentException($"{op}: weight must be (blocks, in, out), got {weight.Shape}");
        if (shared is not null && shared.Rank == 0) throw new ArgumentException($"{op}: the shared input must have at least one axis");
        int g = weight.Shape[0], ik = weight.Shape[1], o = weight.Shape[2];
        int s = shared is null ? 0 : shared.Shape[-1], i = ik - s;
        if (x.Rank == 0 || x.Shape[-1] != g * i || i < 0)
            throw new ArgumentException($"{op}: input {x.Shape} does not end in {g}·{i} = {g * i} for weight {weight.Shape}{(shared is null ? "" : $" and shared input {shared.Shape}")}");
        if (shared is not null && (shared.Rank != x.Rank || shared.Shape.With(-1, 0) != x.Shape.With(-1, 0)))
            throw new ArgumentException($"{op}: shared input {shared.Shape} and input {x.Shape} differ outside the last axis");
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != g * o))
            throw new ArgumentException($"{op}: bias {bias.Shape} does not match weight {weight.Shape}; expected ({g * o},)");
        int R = x.Shape.Prod(0, x.Rank - 1), gi = g * i, go = g * o;
        var y = Tensor.Empty(x.Shape.With(-1, go));
        var Y = y.Span; var X = x.Span; var W = weight.Span;
        ReadOnlySpan<float> Sh = shared is null ? default : shared.Span;
        if (R > 0 && go > 0)
            for (int k = 0; k < g; k++)
            {
                var Wk = W.Slice(k * ik * o, ik * o);                         // (i + s, o)
                var Yk = Y.Slice(k * o);                                      // rows of stride g·o
                if (bias is not null) Gemm.SgemmBias(false, false, R, o, i, X.Slice(k * i), Math.Max(gi, 1), Wk, o, bias.Span.Slice(k * o, o), Yk, go);
                else if (i > 0) Gemm.Sgemm(false, false, R, o, i, 1f, X.Slice(k * i), gi, Wk, o, 0f, Yk, go);
                else Gemm.ScaleC(R, o, 0f, Yk, go);
                if (s > 0) Gemm.Sgemm(false, false, R, o, s, 1f, Sh, s, Wk.Slice(i * o), o, 1f, Yk, go);
            }
        Tensor[] inputs = (shared, bias) switch
        {
            (null, null) => [x, weight],
            (not null, null) => [x, weight, shared],
            (null, not null) => [x, weight, bias],
            _ => [x, weight, shared, bias],
        };
        if (Tensor.NeedsGrad(inputs))
            Tensor.Record(y, op, inputs, gr =>
            {
                var G = gr.Span; var Xv = x.Span; var Wv = weight.Span;
                if (R == 0 || go == 0) return;
                for (int k = 0; k < g; k++)
                {
                    var Wk = Wv.Slice(k * ik * o, ik * o);
                    var Gk = G.Slice(k * o);
                    if (x.RequiresGrad && i > 0)                              // dx_k += G_k · W[k, :i]ᵀ
                        Gemm.Sgemm(false, true, R, i, o, 1f, Gk, go, Wk, o, 1f, x.GradSpan().Slice(k * i), gi);
                    if (shared is not null && shared.RequiresGrad)            // dshared += G_k · W[k, i:]ᵀ
                        Gemm.Sgemm(false, true, R, s, o, 1f, Gk, go, Wk.Slice(i * o), o, 1f, shared.GradSpan(), s);
                    if (weight.RequiresGrad)
                    {
                        var dW = weight.GradSpan().Slice(k * ik * o, ik * o);
                        if (i > 0) Gemm.Sgemm(true, false, i, o, R, 1f, Xv.Slice(k * i), gi, Gk, go, 1f, dW, o);
                        if (shared is not null) Gemm.Sgemm(true, false, s, o, R, 1f, shared.Span, s, Gk, go, 1f, dW.Slice(i * o), o);
                    }
                }
                if (bias is not null && bias.RequiresGrad) RowSimd.AddRows(G, R, bias.GradSpan());
            });
        return y;
    }
}

// GruGateKernel: DreamerV3's GRU gate in one pass over the gate pre-activations in the block layout
// (R, g, [reset, cand, update], D/g) and the state (R, D), forward and backward, with a scalar twin.
using System.Runtime.Intrinsics;
using V = System.Runtime.Intrinsics.Vector512<float>;

namespace Reverie.Tensors.Kernels;

/// <summary>
/// With per block k and unit j: r = σ(gates[·, k, 0, j]), c = tanh(r · gates[·, k, 1, j]),
/// u = σ(gates[·, k, 2, j] − 1); h' = u·c + (1 − u)·h. The backward recomputes r, c, u from the gates.
/// </summary>
public static unsafe class GruGateKernel
{
    private static void Check(string op, int rows, int D, int blocks, int gLen, int hLen, int oLen)
    {
        if (rows < 0 || D < 0 || blocks <= 0 || D % blocks != 0)
            throw new ArgumentException($"{op}: rows={rows}, deter={D} must be non-negative and deter a multiple of blocks={blocks}");
        if (gLen < 3L * rows * D || hLen < (long)rows * D || oLen < (long)rows * D)
            throw new ArgumentException($"{op}: spans ({gLen}, {hLen}, {oLen}) are shorter than gates (rows, 3·{D}) and state (rows, {D}) for rows = {rows}");
    }

    /// <summary>h' (R, D) from gates (R, 3D) in the block layout and h (R, D).</summary>
    public static void Forward(ReadOnlySpan<float> gates, ReadOnlySpan<float> h, Span<float> output, int rows, int D, int blocks)
    {
        Check("gru_gate", rows, D, blocks, gates.Length, h.Length, output.Length);
        if (rows == 0 || D == 0) return;
        if (!RowSimd.Enabled) { Reference.Forward(gates, h, output, rows, D, blocks); return; }
        fixed (float* pg = gates, ph = h, po = output)
        {
            var job = RowJob.Current;
            job.Body = &ForwardRows;
            job.P0 = pg; job.P1 = ph; job.P2 = po; job.N = D / blocks;
            job.Run(rows * blocks, 4L * (D / blocks));                    // one (row, block) at a time
        }
    }

    private static void ForwardRows(RowJob j, int rb0, int rb1)
    {
        int dg = j.N;
        for (int rb = rb0; rb < rb1; rb++)
        {
            float* gr = j.P0 + (nint)rb * 3 * dg, hr = j.P1 + (nint)rb * dg, or = j.P2 + (nint)rb * dg;
            for (int k = 0; k < dg; k += 16)
            {
                var mask = k + 16 <= dg ? V.AllBitsSet : RowSimd.Mask(dg - k);
                var (_, c, u) = Gates(gr + k, dg, mask);
                var hv = RowSimd.Load(hr + k, mask, V.Zero);
                RowSimd.Store(or + k, mask, hv + u * (c - hv));
            }
        }
    }

    /// <summary>
    /// Backward from the gradient of h' (R, D): into dGates (R, 3D) and dH (R, D), each added when its
    /// accumulate flag is set, else written; an empty span skips that input.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> gates, ReadOnlySpan<float> h, ReadOnlySpan<float> gOut,
        Span<float> dGates, bool accumulateGates, Span<float> dH, bool accumulateH, int rows, int D, int blocks)
    {
        Check("gru_gate_backward", rows, D, blocks, gates.Length, h.Length, gOut.Length);
        if ((!dGates.IsEmpty && dGates.Length < 3L * rows * D) || (!dH.IsEmpty && dH.Length < (long)rows * D))
            throw new ArgumentException($"gru_gate_backward: gradient spans ({dGates.Length}, {dH.Length}) are shorter than (rows, 3·{D}) and (rows, {D})");
        if (rows == 0 || D == 0) return;
        if (!RowSimd.Enabled) { Reference.Backward(gates, h, gOut, dGates, accumulateGates, dH, accumulateH, rows, D, blocks); return; }
        fixed (float* pg = gates, ph = h, pgo = gOut, pdg = dGates, pdh = dH)
        {
            var job = RowJob.Current;
            job.Body = &BackwardRows;
            job.P0 = pg; job.P1 = ph; job.P2 = pgo; job.P3 = pdg; job.P4 = pdh; job.N = D / blocks;
            job.B0 = accumulateGates; job.B1 = accumulateH;
            job.Run(rows * blocks, 8L * (D / blocks));
        }
    }

    private static void BackwardRows(RowJob j, int rb0, int rb1)
    {
        int dg = j.N;
        bool needG = j.P3 != null, needH = j.P4 != null, accumulateGates = j.B0, accumulateH = j.B1;
        float* pg = j.P0, ph = j.P1, pgo = j.P2, pdg = j.P3, pdh = j.P4;
        for (int rb = rb0; rb < rb1; rb++)
        {
            nint og = (nint)rb * 3 * dg, oh = (nint)rb * dg;
            for (int k = 0; k < dg; k += 16)
            {
                var mask = k + 16 <= dg ? V.AllBitsSet : RowSimd.Mask(dg - k);
                var go = RowSimd.Load(pgo + oh + k, mask, V.Zero);
                var (r, c, u) = Gates(pg + og + k, dg, mask);
                if (needH)
                {
                    var d = go * (V.One - u);
                    if (accumulateH) d += RowSimd.Load(pdh + oh + k, mask, V.Zero);
                    RowSimd.Store(pdh + oh + k, mask, d);
                }
                if (!needG) continue;
                var hv = RowSimd.Load(ph + oh + k, mask, V.Zero);
                var dt = go * u * (V.One - c * c);                           // through tanh
                var cc = RowSimd.Load(pg + og + dg + k, mask, V.Zero);
                var dr = dt * cc * r * (V.One - r);
                var dc = dt * r;
                var du = go * (c - hv) * u * (V.One - u);
                float* d0 = pdg + og + k;
                if (accumulateGates)
                {
                    dr += RowSimd.Load(d0, mask, V.Zero);
                    dc += RowSimd.Load(d0 + dg, mask, V.Zero);
                    du += RowSimd.Load(d0 + 2 * dg, mask, V.Zero);
                }
                RowSimd.Store(d0, mask, dr);
                RowSimd.Store(d0 + dg, mask, dc);
                RowSimd.Store(d0 + 2 * dg, mask, du);
            }
        }
    }

    // (reset, candidate, update) of 16 units from the three gate rows of one block.
    private static (V R, V C, V U) Gates(float* g, int dg, V mask)
    {
        var r = Ew.Sigmoid(RowSimd.Load(g, mask, V.Zero));
        var c = Ew.Tanh.Invoke(r * RowSimd.Load(g + dg, mask, V.Zero));
        var u = Ew.Sigmoid(RowSimd.Load(g + 2 * dg, mask, V.Zero) - V.One);
        return (r, c, u);
    }

    /// <summary>Plain scalar twins in double; the tests compare the Vector512 paths against them.</summary>
    public static class Reference
    {
        private static double Sig(double x) => 1 / (1 + Math.Exp(-x));

        public static void Forward(ReadOnlySpan<float> gates, ReadOnlySpan<float> h, Span<float> output, int rows, int D, int blocks)
        {
            int dg = D / blocks;
            for (int rb = 0; rb < rows * blocks; rb++)
                for (int j = 0; j < dg; j++)
                {
                    int og = rb * 3 * dg + j, oh = rb * dg + j;
                    double r = Sig(gates[og]), c = Math.Tanh(r * gates[og + dg]), u = Sig(gates[og + 2 * dg] - 1.0);
                    output[oh] = (float)(u * c + (1 - u) * h[oh]);
                }
        }

        public static void Backward(ReadOnlySpan<float> gates, ReadOnlySpan<float> h, ReadOnlySpan<float> gOut,
            Span<float> dGates, bool accumulateGates, Span<float> dH, bool accumulateH, int rows, int D, int blocks)
        {
            int dg = D / blocks;
            for (int rb = 0; rb < rows * blocks; rb++)
                for (int j = 0; j < dg; j++)
                {
                    int og = rb * 3 * dg + j, oh = rb * dg + j;
                    double r = Sig(gates[og]), cc = gates[og + dg], c = Math.Tanh(r * cc), u = Sig(gates[og + 2 * dg] - 1.0), go = gOut[oh];
                    if (!dH.IsEmpty) dH[oh] = (float)((accumulateH ? dH[oh] : 0.0) + go * (1 - u));
                    if (dGates.IsEmpty) continue;
                    double dt = go * u * (1 - c * c);
                    double dr = dt * cc * r * (1 - r), dc = dt * r, du = go * (c - h[oh]) * u * (1 - u);
                    dGates[og] = (float)((accumulateGates ? dGates[og] : 0.0) + dr);
                    dGates[og + dg] = (float)((accumulateGates ? dGates[og + dg] : 0.0) + dc);
                    dGates[og + 2 * dg] = (float)((accumulateGates ? dGates[og + 2 * dg] : 0.0) + du);
                }
        }
    }
}

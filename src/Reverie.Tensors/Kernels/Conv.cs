// Conv2d and ConvTranspose2d forward/backward kernels: im2col over groups of images into pooled
// scratch, one GEMM per group, col2im for the adjoint. Span-in, span-out; shapes checked by the ops.
//   conv2d:           y_g (O, G·P) = W (O, C·kH·kW) · col(x_g) (C·kH·kW, G·P)
//   conv_transpose2d: y   = col2im(Wᵀ · x_g), the adjoint of conv2d with the roles of x and y swapped
// Kernel 4x4, stride 2, padding 1 on even sizes (the world-model CNN layer) skips all of this: ConvDirect.cs.
using System.Numerics.Tensors;

namespace Reverie.Tensors.Kernels;

internal static class ConvKernels
{
    private const int TargetCols = 4096;        // GEMM width worth batching images for
    private const int MaxScratch = 1 << 21;     // floats in one column buffer (8 MiB)

    /// <summary>Whether 4x4 / stride-2 / padding-1 convolutions take the direct kernel (ConvDirect.cs); tests and benchmarks turn it off to compare.</summary>
    [ThreadStatic] internal static bool NoDirect;
    private static bool UseDirect => !NoDirect;

    /// <summary>When positive, caps the images per GEMM on this thread (tests use it to exercise grouping).</summary>
    [ThreadStatic] internal static int MaxGroupOverride;

    /// <summary>Images per GEMM: enough to make the GEMM wide when images are small, bounded in memory.</summary>
    internal static int GroupSize(int N, int rows, int P)
    {
        if (MaxGroupOverride > 0) N = Math.Min(N, MaxGroupOverride);
        int byCols = Math.Max(1, TargetCols / Math.Max(P, 1));
        int byMem = Math.Max(1, MaxScratch / Math.Max(rows * P, 1));
        return Math.Max(1, Math.Min(N, Math.Min(byCols, byMem)));
    }

    private static void AddBias(Span<float> y, ReadOnlySpan<float> b, int N, int O, int P)
    {
        for (int n = 0; n < N; n++)
            for (int o = 0; o < O; o++)
            {
                var row = y.Slice((n * O + o) * P, P);
                TensorPrimitives.Add(row, b[o], row);
            }
    }

    // db[o] += Σ_n Σ_p gy[n, o, p]: one channel per row of a RowJob (channels split over threads), each adding its
    // images' plane sums in image order, so the bits do not depend on the thread count.
    private static unsafe void SumBias(ReadOnlySpan<float> gy, Span<float> db, int N, int O, int P)
    {
        if (N == 0 || O == 0) return;
        fixed (float* pg = gy, pd = db)
        {
            var job = RowJob.Current;
            job.Body = &SumBiasRows;
            job.P0 = pg; job.P1 = pd;
            job.N = N; job.I0 = O; job.I1 = P;
            job.Run(O, (long)N * P);
        }
    }

    private static unsafe void SumBiasRows(RowJob j, int o0, int o1)
    {
        int N = j.N, O = j.I0, P = j.I1;
        for (int o = o0; o < o1; o++)
        {
            float acc = j.P1[o];
            for (int n = 0; n < N; n++) acc += TensorPrimitives.Sum(new ReadOnlySpan<float>(j.P0 + ((nint)n * O + o) * P, P));
            j.P1[o] = acc;
        }
    }

    /// <summary>y (N, O, Ho, Wo) = conv2d(x (N, C, H, W), w (O, C, kH, kW)) + b; b may be empty (no bias).</summary>
    public static void Conv2dForward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> y, int N, int O, in ConvGeom g)
    {
        if (UseDirect && ConvDirect.Takes(g)) { ConvDirect.Forward(x, w, b, y, N, O, g, accumulate: false); return; }
        int rows = g.Rows, P = g.P, G = GroupSize(N, rows, P);
        var col = BufferPool.Rent(rows * G * P);
        var tmp = G > 1 ? BufferPool.Rent(O * G * P) : null;
        try
        {
            for (int n0 = 0; n0 < N; n0 += G)
            {
                int gn = Math.Min(G, N - n0), cols = gn * P;
                for (int i = 0; i < gn; i++) Im2Col.Forward(x.Slice((n0 + i) * g.ImageSize, g.ImageSize), g, col, cols, i * P);
                if (gn == 1) Gemm.Sgemm(false, false, O, P, rows, 1f, w, rows, col, cols, 0f, y.Slice(n0 * O * P, O * P), P);
                else
                {
                    Gemm.Sgemm(false, false, O, cols, rows, 1f, w, rows, col, cols, 0f, tmp!, cols);
                    Im2Col.Unpack(tmp!, n0, gn, O, P, y, accumulate: false);
                }
            }
        }
        finally
        {
            BufferPool.Return(col);
            if (tmp is not null) BufferPool.Return(tmp);
        }
        if (!b.IsEmpty) AddBias(y, b, N, O, P);
    }

    /// <summary>
    /// Gradients of <see cref="Conv2dForward"/> given gy (N, O, Ho, Wo): dx += ..., dw += ..., db += ...
    /// for those whose flag is set.
    /// </summary>
    public static void Conv2dBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> gy,
        bool wantDx, Span<float> dx, bool wantDw, Span<float> dw, bool wantDb, Span<float> db, int N, int O, in ConvGeom g, bool dxAccumulate = true)
    {
        int rows = g.Rows, P = g.P, G = GroupSize(N, rows, P);
        if (wantDb) SumBias(gy, db, N, O, P);
        if (UseDirect && ConvDirect.Takes(g))
        {
            if (wantDx) ConvDirect.TransposeForward(gy, w, default, dx, N, O, g, accumulate: dxAccumulate);   // dx (+)= conv_transpose2d(gy, W)
            if (wantDw) ConvDirect.WeightGrad(gy, x, dw, N, O, g.C, g);                              // dW += Σ gy · taps of x
            return;
        }
        if (!wantDx && !wantDw) return;
        if (wantDx && !dxAccumulate) dx[..(N * g.ImageSize)].Clear();   // col2im adds into dx
        var col = BufferPool.Rent(rows * G * P);
        var tmp = G > 1 ? BufferPool.Rent(O * G * P) : null;
        try
        {
            for (int n0 = 0; n0 < N; n0 += G)
            {
                int gn = Math.Min(G, N - n0), cols = gn * P;
                ReadOnlySpan<float> gyg;                                   // (O, gn·P)
                if (gn == 1) gyg = gy.Slice(n0 * O * P, O * P);
                else { Im2Col.Pack(gy, n0, gn, O, P, tmp!); gyg = tmp!.AsSpan(0, O * cols); }
                if (wantDw)
                {
                    for (int i = 0; i < gn; i++) Im2Col.Forward(x.Slice((n0 + i) * g.ImageSize, g.ImageSize), g, col, cols, i * P);
                    Gemm.Sgemm(false, true, O, rows, cols, 1f, gyg, cols, col, cols, 1f, dw, rows);   // dW += gy · colᵀ
                }
                if (wantDx)
                {
                    Gemm.Sgemm(true, false, rows, cols, O, 1f, w, rows, gyg, cols, 0f, col, cols);    // dcol = Wᵀ · gy
                    for (int i = 0; i < gn; i++) Im2Col.Backward(col, cols, i * P, g, dx.Slice((n0 + i) * g.ImageSize, g.ImageSize));
                }
            }
        }
        finally
        {
            BufferPool.Return(col);
            if (tmp is not null) BufferPool.Return(tmp);
        }
    }

    /// <summary>
    /// y (N, Cout, Ho, Wo) = conv_transpose2d(x (N, Cin, H, W), w (Cin, Cout, kH, kW)) + b, where
    /// <paramref name="g"/> is the geometry of the matching conv2d from y (C = Cout, H = Ho, W = Wo) to
    /// x (its Ho, Wo are x's H, W). b may be empty.
    /// </summary>
    public static void ConvTranspose2dForward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> y, int N, int Cin, in ConvGeom g)
    {
        if (UseDirect && ConvDirect.Takes(g)) { ConvDirect.TransposeForward(x, w, b, y, N, Cin, g, accumulate: false); return; }
        int rows = g.Rows, P = g.P, G = GroupSize(N, rows, P);
        y.Clear();
        var col = BufferPool.Rent(rows * G * P);
        var tmp = G > 1 ? BufferPool.Rent(Cin * G * P) : null;
        try
        {
            for (int n0 = 0; n0 < N; n0 += G)
            {
                int gn = Math.Min(G, N - n0), cols = gn * P;
                ReadOnlySpan<float> xg;                                     // (Cin, gn·P)
                if (gn == 1) xg = x.Slice(n0 * Cin * P, Cin * P);
                else { Im2Col.Pack(x, n0, gn, Cin, P, tmp!); xg = tmp!.AsSpan(0, Cin * cols); }
                Gemm.Sgemm(true, false, rows, cols, Cin, 1f, w, rows, xg, cols, 0f, col, cols);      // col = Wᵀ · x
                for (int i = 0; i < gn; i++) Im2Col.Backward(col, cols, i * P, g, y.Slice((n0 + i) * g.ImageSize, g.ImageSize));
            }
        }
        finally
        {
            BufferPool.Return(col);
            if (tmp is not null) BufferPool.Return(tmp);
        }
        if (!b.IsEmpty) AddBias(y, b, N, g.C, g.H * g.W);
    }

    /// <summary>Gradients of <see cref="ConvTranspose2dForward"/> given gy (N, Cout, Ho, Wo), accumulated.</summary>
    public static void ConvTranspose2dBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> gy,
        bool wantDx, Span<float> dx, bool wantDw, Span<float> dw, bool wantDb, Span<float> db, int N, int Cin, in ConvGeom g, bool dxAccumulate = true)
    {
        int rows = g.Rows, P = g.P, G = GroupSize(N, rows, P);
        if (wantDb) SumBias(gy, db, N, g.C, g.H * g.W);
        if (UseDirect && ConvDirect.Takes(g))
        {
            if (wantDx) ConvDirect.Forward(gy, w, default, dx, N, Cin, g, accumulate: dxAccumulate);   // dx (+)= conv2d(gy, W)
            if (wantDw) ConvDirect.WeightGrad(x, gy, dw, N, Cin, g.C, g);                    // dW += Σ x · taps of gy
            return;
        }
        if (!wantDx && !wantDw) return;
        if (wantDx && !dxAccumulate) dx[..(N * Cin * P)].Clear();   // the GEMMs below add into dx
        var col = BufferPool.Rent(rows * G * P);
        var tmp = G > 1 ? BufferPool.Rent(Cin * G * P) : null;
        try
        {
            for (int n0 = 0; n0 < N; n0 += G)
            {
                int gn = Math.Min(G, N - n0), cols = gn * P;
                for (int i = 0; i < gn; i++) Im2Col.Forward(gy.Slice((n0 + i) * g.ImageSize, g.ImageSize), g, col, cols, i * P);
                if (wantDx)                                                 // dx_g (Cin, gn·P) += W · col(gy)
                {
                    if (gn == 1) Gemm.Sgemm(false, false, Cin, P, rows, 1f, w, rows, col, cols, 1f, dx.Slice(n0 * Cin * P, Cin * P), P);
                    else
                    {
                        Gemm.Sgemm(false, false, Cin, cols, rows, 1f, w, rows, col, cols, 0f, tmp!, cols);
                        Im2Col.Unpack(tmp!, n0, gn, Cin, P, dx, accumulate: true);
                    }
                }
                if (wantDw)                                                 // dW += x_g · col(gy)ᵀ
                {
                    ReadOnlySpan<float> xg;
                    if (gn == 1) xg = x.Slice(n0 * Cin * P, Cin * P);
                    else { Im2Col.Pack(x, n0, gn, Cin, P, tmp!); xg = tmp!.AsSpan(0, Cin * cols); }
                    Gemm.Sgemm(false, true, Cin, rows, cols, 1f, xg, cols, col, cols, 1f, dw, rows);
                }
            }
        }
        finally
        {
            BufferPool.Return(col);
            if (tmp is not null) BufferPool.Return(tmp);
        }
    }
}

// GemmPacked: the Goto/BLIS blocked sgemm (packed A and B) and the small-M variant that reads B in place.
namespace Reverie.Tensors.Kernels;

/// <summary>Arguments of one sgemm call as raw pointers (the caller keeps them pinned during the run).</summary>
internal abstract unsafe class GemmArgsJob : GemmJob
{
    public bool TransA, TransB;
    public int M, N, K;
    public float Alpha;
    public float* A, B, C;
    public nint Lda, Ldb, Ldc;

    public void Set(bool transA, bool transB, int m, int n, int k, float alpha, float* a, nint lda, float* b, nint ldb, float* c, nint ldc)
    {
        TransA = transA; TransB = transB; M = m; N = n; K = k; Alpha = alpha;
        A = a; Lda = lda; B = b; Ldb = ldb; C = c; Ldc = ldc;
    }

    /// <summary>Splits K into ceil(K/max) nearly equal blocks (a shape-only choice, so bits never depend on threads).</summary>
    public static int BalancedBlock(int K, int max)
    {
        int blocks = (K + max - 1) / max;
        return (K + blocks - 1) / blocks;
    }
}

/// <summary>
/// C += alpha·op(A)·op(B), Goto/BLIS loop order: for each NC×KC block of op(B) the parts pack its
/// 32-column panels together into one shared buffer, then each part packs MC×KC blocks of its own
/// rows of op(A) and runs the micro-kernel over them. Parts split M in whole 14-row slivers.
/// </summary>
internal sealed unsafe class GemmPackedJob : GemmArgsJob
{
    public const int KC = 512, MC = 336, NC = 4096;

    /// <summary>The shared packed-B buffer (from the calling thread's buffers).</summary>
    public float* Bp;
    public int Kc;

    /// <summary>Floats the shared packed-B buffer needs for this shape.</summary>
    public static long BFloats(int N, int K) =>
        (long)BalancedBlock(K, KC) * ((Math.Min(N, NC) + GemmMicro.NR - 1) / GemmMicro.NR * GemmMicro.NR);

    public override void Run(int part, int parts)
    {
        const int MR = GemmMicro.MR, NR = GemmMicro.NR;
        float* Ap = GemmBuffers.Current.A((long)MC * Kc);
        int slivers = (M + MR - 1) / MR;
        int m0 = slivers * part / parts * MR, m1 = Math.Min(M, slivers * (part + 1) / parts * MR);
        for (int jc = 0; jc < N; jc += NC)
        {
            int nc = Math.Min(NC, N - jc), panels = (nc + NR - 1) / NR;
            for (int pc = 0; pc < K; pc += Kc)
            {
                int kc = Math.Min(Kc, K - pc);
                for (int p = panels * part / parts, pe = panels * (part + 1) / parts; p < pe; p++)
                    GemmPack.BPanel(TransB, B, Ldb, pc, kc, jc + p * NR, Math.Min(NR, nc - p * NR), Bp + (nint)p * kc * NR);
                Barrier.Wait(parts);
                for (int ic = m0; ic < m1; ic += MC)
                {
                    int mc = Math.Min(MC, m1 - ic);
                    for (int ir = 0; ir < mc; ir += MR)
                        GemmPack.ASliver(TransA, A, Lda, ic + ir, Math.Min(MR, mc - ir), pc, kc, Ap + (nint)ir * kc);
                    for (int p = 0; p < panels; p++)
                    {
                        float* bp = Bp + (nint)p * kc * NR, c = C + ic * Ldc + jc + p * NR;
                        int nr = Math.Min(NR, nc - p * NR);
                        for (int ir = 0; ir < mc; ir += MR)
                            GemmMicro.Tile(Math.Min(MR, mc - ir), nr, kc, Ap + (nint)ir * kc, bp, NR, c + ir * Ldc, Ldc, Alpha);
                    }
                }
                Barrier.Wait(parts); // nobody repacks B while another part still reads it
            }
        }
    }
}

/// <summary>
/// C += alpha·op(A)·B for small M with B not transposed: op(A) is packed once (by the caller) into
/// balanced strips of ≤ 14 rows (M = 16 runs as 2×8), B is read in place, parts split N in 32-column
/// panels. The ragged last panel is copied into a zero-padded K×32 strip first.
/// </summary>
internal sealed unsafe class GemmInPlaceJob : GemmArgsJob
{
    public const int KC = 512;
    /// <summary>op(A) packed over all of K: strip s (rows RowStart(s)..RowStart(s+1)) at RowStart(s)*K.</summary>
    public float* Ap;
    public int Strips, Kc;

    public int RowStart(int s) => (int)((long)M * s / Strips);

    /// <summary>Packs all of op(A) into <see cref="Ap"/> (call on the calling thread before running).</summary>
    public void PackA()
    {
        Strips = (M + GemmMicro.MR - 1) / GemmMicro.MR;
        for (int s = 0; s < Strips; s++)
        {
            int r0 = RowStart(s), mr = RowStart(s + 1) - r0;
            GemmPack.ASliver(TransA, A, Lda, r0, mr, 0, K, Ap + (nint)r0 * K);
        }
    }

    public override void Run(int part, int parts)
    {
        const int NR = GemmMicro.NR;
        int panels = (N + NR - 1) / NR;
        for (int p = panels * part / parts, pe = panels * (part + 1) / parts; p < pe; p++)
        {
            int j0 = p * NR, nr = Math.Min(NR, N - j0);
            float* b = B + j0;
            nint ldb = Ldb;
            if (nr < NR)
            {
                b = GemmBuffers.Current.Tail((long)K * NR);
                GemmPack.BPanel(false, B, Ldb, 0, K, j0, nr, b);
                ldb = NR;
            }
            for (int pc = 0; pc < K; pc += Kc)
            {
                int kc = Math.Min(Kc, K - pc);
                for (int s = 0; s < Strips; s++)
                {
                    int r0 = RowStart(s), mr = RowStart(s + 1) - r0;
                    GemmMicro.Tile(mr, nr, kc, Ap + (nint)r0 * K + (nint)pc * mr, b + pc * ldb, ldb, C + r0 * Ldc + j0, Ldc, Alpha);
                }
            }
        }
    }
}

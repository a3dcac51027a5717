// GemmPacked: the Goto/BLIS blocked sgemm (packed A and B panels, 14x32 micro-tiles).
using System.Runtime.CompilerServices;

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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
                int pb = panels * part / parts, pe = panels * (part + 1) / parts;
                if (pe > pb)
                    GemmPack.BPanels(TransB, B, Ldb, pc, kc, jc + pb * NR, Math.Min(nc, pe * NR) - pb * NR, Bp + (nint)pb * kc * NR);
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

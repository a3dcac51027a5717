// GemmPacked: the Goto/BLIS blocked sgemm (packed A and B panels, 14x32 micro-tiles), scheduled dynamically.
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

    /// <summary>What <see cref="ClaimPacking"/> found: the part is ready, the caller claimed it, or another thread is packing it.</summary>
    protected enum Packing { Ready, Mine, Busy }

    /// <summary>
    /// Test hook for the calling thread: every part counts as being packed by another thread, so this thread packs
    /// private copies (the results must not change by a bit). Thread-static, so tests running beside it are untouched.
    /// </summary>
    [ThreadStatic] internal static bool ForcePrivatePacking;

    /// <summary>
    /// Lazy packing of a shared buffer part (a B panel) by whichever thread needs it first; its flag is 0 (not packed),
    /// 1 (being packed) or 2 (ready). Mine: the caller claimed it and must pack it, then call <see cref="MarkPacked"/>.
    /// Busy: another thread is packing it right now; the caller packs a private copy instead of waiting, since the
    /// other thread may have lost its core (a wait for a descheduled packer measured 20 ms on a busy host). So no
    /// thread ever waits for another.
    /// </summary>
    protected static Packing ClaimPacking(ref int flag)
    {
        if (ForcePrivatePacking) return Packing.Busy;
        if (Volatile.Read(ref flag) == 2) return Packing.Ready;
        if (Interlocked.CompareExchange(ref flag, 1, 0) == 0) return Packing.Mine;
        return Volatile.Read(ref flag) == 2 ? Packing.Ready : Packing.Busy;
    }

    /// <summary>Publishes a part claimed with <see cref="ClaimPacking"/> as packed.</summary>
    protected static void MarkPacked(ref int flag) => Volatile.Write(ref flag, 2);

    /// <summary>Items per unit so that <paramref name="items"/> make about 4 units per thread (at least 1, at most <paramref name="max"/>).</summary>
    public static int UnitSize(int items, int threads, int max) => Math.Clamp(items / (4 * threads), 1, max);
}

/// <summary>
/// C += alpha·op(A)·op(B) in Goto/BLIS blocks. op(B) is packed whole, as 32-column panels per
/// (NC column block, KC depth block), into one shared buffer; each panel is packed by the first thread
/// that needs it (another needing it meanwhile packs its own copy), so no thread ever waits for one
/// that has no core. A unit is a group of 14-row slivers within one NC block; it
/// runs the K blocks in order, packing its rows of op(A) and calling the micro-kernel per panel.
/// Every C element gets the same k-order whichever thread runs its unit, so bits never depend on threads.
/// </summary>
internal sealed unsafe class GemmPackedJob : GemmArgsJob
{
    public const int NC = 4096;
    /// <summary>Depth and row blocks (fields, not constants, so the gemmcpu bench can A/B them).</summary>
    internal static int KC = 512, MC = 336;
    /// <summary>
    /// Panels per chunk: a unit runs each A sliver over a chunk of B panels before the next sliver, so the sliver stays
    /// in L1 while the chunk stays in L2 (4 measured best: sq1024 +3.5% at 1 thread, sq2048 +2% at 2, against 1).
    /// </summary>
    internal static int Chunk = 4;
    /// <summary>Most panels per chunk (the size of a thread's private panel buffer, see <see cref="GemmArgsJob.ClaimPacking"/>).</summary>
    private const int MaxChunk = 16;
    /// <summary>Packed-B column blocks beyond this many floats (half of a 1 MB L2) do not stay cached between units.</summary>
    private const long BigBlockFloats = 1L << 17;

    /// <summary>The shared packed-B buffer (from the calling thread's buffers).</summary>
    public float* Bp;
    public int Kc;
    private int _nc, _kBlocks, _panelsMax, _sliverGroup, _groups, _threads;
    // Per panel (jBlock, kBlock, panel): the ClaimPacking flags.
    private int[] _ready = [];

    /// <summary>Floats the shared packed-B buffer needs for this shape (all of op(B), in panels).</summary>
    public static long BFloats(int N, int K) => (long)(N + NC - 1) / NC * K * NcPadded(N);

    private static int NcPadded(int N) => (Math.Min(N, NC) + GemmMicro.NR - 1) / GemmMicro.NR * GemmMicro.NR;

    /// <summary>Sets up the units and panel flags for the current arguments (after Set, Kc and Bp).</summary>
    public void Prepare(int threads)
    {
        const int MR = GemmMicro.MR;
        _nc = NcPadded(N);
        _threads = Math.Max(1, threads);
        _panelsMax = _nc / GemmMicro.NR;
        _kBlocks = (K + Kc - 1) / Kc;
        int jBlocks = (N + NC - 1) / NC, slivers = (M + MR - 1) / MR;
        int flags = jBlocks * _kBlocks * _panelsMax;
        if (_ready.Length < flags) _ready = new int[Math.Max(flags, _ready.Length * 2)];
        else Array.Clear(_ready, 0, flags);
        _sliverGroup = UnitSize(slivers * jBlocks, threads, MC / MR);
        // Every unit streams all K·nc packed floats of its column block. When that block outgrows L2 and
        // the rows are few (weight gradients: K = batch rows), split the rows only as far as the threads
        // need (finer units measured better for 2 threads on larger problems, so those keep them).
        if ((long)K * _nc > BigBlockFloats && slivers * jBlocks <= MC / MR * threads)
            _sliverGroup = Math.Min(slivers, (slivers * jBlocks + threads - 1) / threads);
        _groups = (slivers + _sliverGroup - 1) / _sliverGroup;
        Begin(jBlocks * _groups);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Work()
    {
        float* Ap = GemmBuffers.Current.A((long)_sliverGroup * GemmMicro.MR * Kc);
        int u;
        while ((u = Claim()) >= 0) RunUnit(u, Ap);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunUnit(int unit, float* Ap)
    {
        const int MR = GemmMicro.MR, NR = GemmMicro.NR;
        int jb = unit / _groups, g = unit % _groups;
        int jc = jb * NC, nc = Math.Min(NC, N - jc), panels = (nc + NR - 1) / NR;
        int i0 = g * _sliverGroup * MR, mc = Math.Min(M, i0 + _sliverGroup * MR) - i0;
        float* bBlock = Bp + (nint)jb * K * _nc;
        float** panel = stackalloc float*[MaxChunk];
        float* mine = null;
        for (int kb = 0; kb < _kBlocks; kb++)
        {
            int pc = kb * Kc, kc = Math.Min(Kc, K - pc);
            for (int ir = 0; ir < mc; ir += MR)
                GemmPack.ASliver(TransA, A, Lda, i0 + ir, Math.Min(MR, mc - ir), pc, kc, Ap + (nint)ir * kc);
            float* bk = bBlock + (nint)pc * _nc;
            int flag0 = (jb * _kBlocks + kb) * _panelsMax;
            // Threads starting together begin at different chunks, so they pack different panels instead of both packing
            // the same ones (the order of panels does not change any C element's arithmetic).
            int chunk = Math.Min(Math.Min(Chunk, MaxChunk), panels), chunks = (panels + chunk - 1) / chunk;
            int start = unit % _threads * chunks / _threads;
            for (int q = 0; q < chunks; q++)
            {
                int p0 = (start + q) % chunks * chunk, p1 = Math.Min(panels, p0 + chunk);
                for (int p = p0; p < p1; p++)
                {
                    ref int flag = ref _ready[flag0 + p];
                    var state = ClaimPacking(ref flag);
                    if (state == Packing.Busy && mine == null) mine = GemmBuffers.Current.T((long)MaxChunk * Kc * NR);
                    // Busy: the same panel, packed into this thread's own buffer (identical floats).
                    float* dst = panel[p - p0] = state == Packing.Busy ? mine + (nint)(p - p0) * kc * NR : bk + (nint)p * kc * NR;
                    if (state == Packing.Ready) continue;
                    GemmPack.BPanels(TransB, B, Ldb, pc, kc, jc + p * NR, Math.Min(NR, nc - p * NR), dst);
                    if (state == Packing.Mine) MarkPacked(ref flag);
                }
                // The chunk's panels stay in L2 while each A sliver, reused across them, stays in L1.
                for (int ir = 0; ir < mc; ir += MR)
                {
                    float* a = Ap + (nint)ir * kc, c = C + (i0 + ir) * Ldc + jc;
                    for (int p = p0; p < p1; p++)
                        GemmMicro.Tile(Math.Min(MR, mc - ir), Math.Min(NR, nc - p * NR), kc, a, panel[p - p0], NR, c + p * NR, Ldc, Alpha);
                }
            }
        }
    }
}

// GemmRows: sgemm for few rows with B not transposed (dy·W in nn.Linear's backward): streams B row by row.
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Reverie.Tensors.Kernels;

/// <summary>
/// C += alpha·op(A)·B for small M, one 16-row block of B at a time, so B is read once, row by row in long
/// sequential runs that the prefetchers follow (a packed 32-column panel would walk B with a stride of ldb and
/// miss the caches at every row). Within a block, a 16×16 tile of C stays in 16 registers over the block's 16 k
/// (one B load and sixteen broadcasts per 16 FMAs) for each 16 rows of a row group, then an 8×32 tile (two B loads
/// and eight broadcasts per 16 FMAs) for the next 8; rows past those, and an 8-row sliver's last 16-column
/// chunk when the unit has an odd number of them, keep the 16 B rows in registers while C streams past instead.
/// Every C element is updated by one FMA chain in k order (alpha is folded into a copy of op(A)), whichever
/// kernel touches it, so the result does not depend on M, the units or the thread count.
/// Units are (row group, column block) pairs (see <see cref="Prepare"/>); the last column block also takes the N mod 16 tail columns.
/// </summary>
internal sealed unsafe class GemmRowsJob : GemmArgsJob
{
    /// <summary>alpha·op(A) as an M×K row-major copy.</summary>
    public float* As;

    /// <summary>
    /// Each row group's rows of <see cref="As"/> again as slivers for the register tiles: from the group's first row,
    /// slivers of 16 rows (for the 16×16 tiles) while 16 remain, then one of 8 (for the 8×32 tiles) if 8 remain; the
    /// rows left after that are read from <see cref="As"/>. A sliver of h rows starting at row i holds element (r, k)
    /// at i·K + k·h + r, inside its own rows' [i·K, (i+h)·K), so slivers never overlap and all fit in (M − M mod 8)·K floats.
    /// </summary>
    public float* Asl;

    /// <summary>Whether row groups of 16+ rows use the 16×16 tile (a field so the gemmcpu bench can A/B it against 8×32 tiles only).</summary>
    internal static bool Tile16 = true;

    // Tile16 as Prepare read it: PackA and the units of this call use the same sliver layout even if the static changes meanwhile.
    private bool _tile16;

    /// <summary>Floats <see cref="As"/> and <see cref="Asl"/> need together.</summary>
    internal static long AFloats(int M, int K) => (long)(M + (M & ~7)) * K;

    /// <summary>Fills <see cref="As"/> and <see cref="Asl"/> (call on the calling thread after <see cref="Prepare"/>, before running).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PackA()
    {
        for (int i = 0; i < M; i++)
        {
            var dst = new Span<float>(As + (nint)i * K, K);
            if (!TransA) TensorPrimitives.Multiply(new ReadOnlySpan<float>(A + i * Lda, K), Alpha, dst);
            else for (int k = 0; k < K; k++) dst[k] = Alpha * A[k * Lda + i];
        }
        for (int g = 0; g < _groups; g++)
        {
            int i = g * _groupRows, r1 = g == _groups - 1 ? M : i + _groupRows;
            for (int h; (h = SliverRows(i, r1)) > 0; i += h)
                for (int k = 0; k < K; k++)
                    for (int r = 0; r < h; r++)
                        Asl[(nint)i * K + (nint)k * h + r] = As[(nint)(i + r) * K + k];
        }
    }

    // The height of the sliver at row i of a group ending at r1: 16, 8, or 0 for rows that go through Rank16.
    private int SliverRows(int i, int r1) => _tile16 && i + 16 <= r1 ? 16 : i + 8 <= r1 ? 8 : 0;

    /// <summary>
    /// A 64-byte aligned copy of C (M×LdCs) that the units work in, or null to work in C directly: misaligned
    /// zmm loads and stores of C split cache lines, and C is read and written once per 16-k block.
    /// </summary>
    public float* Cs;
    public nint LdCs;

    /// <summary>
    /// Whether a shape works in an aligned copy of C: K long enough to repay the two copies, and C misaligned or its
    /// row stride a multiple of 2 KB (see <see cref="PaddedLd"/>).
    /// </summary>
    internal static bool WantsCopy(float* c, nint ldc, int K) =>
        K >= 128 && (((nint)c & 63) != 0 || (ldc & 15) != 0 || (PadStrides && (ldc & 511) == 0));

    /// <summary>Whether the copies this path makes (C, and B when transposed) get padded row strides (a field so the gemmcpu bench can A/B it).</summary>
    internal static bool PadStrides = true;

    /// <summary>
    /// The row stride, in floats, of a copy of n columns: a multiple of 16 (64-byte rows), plus 16 when that is a
    /// multiple of 512 (2 KB). Rows whose stride is a multiple of 2 KB fall into one or two of the L1's 64 sets, so
    /// the 8 C rows of a tile and the 16 B rows of a block evict each other; 64 bytes more spreads them over
    /// consecutive sets. C model of 16x1024·1024x3072 at 1 thread (quiet host): 48.7–51.7 GFLOP/s with both strides at
    /// 3072, 57.5–65.9 with C's padded by 16 or 32 floats, 67–70 with both padded.
    /// </summary>
    internal static nint PaddedLd(int n)
    {
        nint ld = (n + 15) & ~15;
        return PadStrides && (ld & 511) == 0 ? ld + 16 : ld;
    }

    private int _chunksPerUnit, _groups, _groupRows;

    /// <summary>
    /// Units per thread when more than one thread runs (a field, not a constant, so the gemmcpu bench can A/B it). One:
    /// two per thread (narrower column blocks, to leave units to hand over when a thread loses its core) measured
    /// 3–8% slower with the row split (in process, 2 threads, medians 96.7 / 68.3 / 91.9 against 100.1 / 70.4 / 99.1
    /// GFLOP/s on 16x1024·1024x3072), and a thread that never gets to run leaves its unit to the caller anyway.
    /// </summary>
    internal static int UnitsPerThread = 1;

    /// <summary>Whether more than one thread splits rows before columns (a field so the gemmcpu bench can A/B it).</summary>
    internal static bool SplitRows = true;

    /// <summary>At most this many floats of C (a unit's rows × its block's width) per column block: 512 KB, half of L2.</summary>
    internal const long MaxStripFloats = 1L << 17;

    /// <summary>
    /// Sets up the units: (row group, column block) pairs. Column blocks are runs of whole 16-column chunks (the last
    /// one also takes the N mod 16 tail), wide rather than fine: each 16-row block of B is then read in runs as long as
    /// the block's width, and narrow runs cost more than a fine split saves (16x1024·1024x3072 at 1 thread in the C
    /// model bench/models/gemm_rows_model.c: 67 GFLOP/s in one 3072-column block, 61 in two, 50 in four, 37–45 in
    /// eight). At 1 thread there is one unit. With more threads and at least two 16-row slivers (8-row ones without
    /// <see cref="Tile16"/>), the rows are split first, into one group of slivers per thread (the last group also
    /// takes the rows past the last whole sliver), so every thread
    /// walks the same rows of B at the same time, in runs as wide as the block, and one thread's misses bring in the
    /// lines the other reads next. In the 2-thread model bench/models/gemm_rows_2t_model.c that split ran at 143–154
    /// GFLOP/s, against 103–110 for two column halves and 91–100 for four column quarters (this path's split before);
    /// in C#, in process, 2 threads: medians 100.1 / 70.4 / 99.1 against 85.6 / 65.9 / 82.6 for the quarters. Then
    /// columns are split into about <see cref="UnitsPerThread"/> units per thread. Units of one column block are
    /// numbered together, so threads starting together take the same columns. A unit's strip of C is capped at
    /// <see cref="MaxStripFloats"/> so it stays in L2 between B's blocks. Why 16-row slivers decide the row split:
    /// with fewer than 32 rows, splitting rows would leave each thread 8-row tiles, and the 16×16 tile over column
    /// halves is faster (16x1024·1024x3072, 2 threads, in process, 25 samples interleaved with OpenBLAS: median
    /// 143.9 GFLOP/s, 1.80x OpenBLAS, against 134.1, 1.53x, for rows split into 8-row groups).
    /// </summary>
    public void Prepare(int threads)
    {
        _tile16 = Tile16;
        int h = _tile16 ? 16 : 8, chunks = N / 16, slivers = M / h;
        if (threads > 1 && slivers >= 2 && SplitRows)
        {
            _groupRows = h * Math.Max(1, slivers / threads);
            _groups = slivers / (_groupRows / h);
        }
        else { _groupRows = M; _groups = 1; }
        int widest = M - (_groups - 1) * _groupRows; // the last group's rows (it takes the rows past the last whole sliver)
        int blocks = threads == 1 ? 1 : Math.Max(1, threads * UnitsPerThread / _groups);
        _chunksPerUnit = Math.Clamp(chunks / blocks, 1, Math.Max(1, (int)(MaxStripFloats / (16L * widest))));
        Begin(Math.Max(1, (chunks + _chunksPerUnit - 1) / _chunksPerUnit) * _groups);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Work()
    {
        int u;
        while ((u = Claim()) >= 0)
        {
            int b = u / _groups, g = u % _groups, blocks = Units / _groups;
            int r0 = g * _groupRows, r1 = g == _groups - 1 ? M : r0 + _groupRows;
            int j0 = b * _chunksPerUnit * 16, j1 = Math.Min(N / 16, (b + 1) * _chunksPerUnit) * 16;
            bool tail = b == blocks - 1 && j1 < N;
            if (Cs == null) { RunColumns(C, Ldc, r0, r1, j0, j1, tail); continue; }
            int width = (tail ? N : j1) - j0;
            for (int i = r0; i < r1; i++) Buffer.MemoryCopy(C + i * Ldc + j0, Cs + i * LdCs + j0, width * 4L, width * 4L);
            RunColumns(Cs, LdCs, r0, r1, j0, j1, tail);
            for (int i = r0; i < r1; i++) Buffer.MemoryCopy(Cs + i * LdCs + j0, C + i * Ldc + j0, width * 4L, width * 4L);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunColumns(float* c, nint ldc, int r0, int r1, int j0, int j1, bool tail)
    {
        int k = 0;
        for (; k + 16 <= K; k += 16)
        {
            Block16(k, c, ldc, r0, r1, j0, j1);
            if (tail) Tail(c, ldc, r0, r1, k, 16, j1);
        }
        for (; k < K; k++)
        {
            Rank1(As + (nint)r0 * K + k, K, B + k * Ldb, c + r0 * ldc, ldc, r1 - r0, j0, j1);
            if (tail) Tail(c, ldc, r0, r1, k, 1, j1);
        }
    }

    // Rows k..k+16 of B into rows r0..r1 (a row group), columns j0..j1 of C, sliver by sliver (see Asl): 16×16 tiles,
    // then 8×32 tiles where they fit, the rest by Rank16.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Block16(int k, float* c, nint ldc, int r0, int r1, int j0, int j1)
    {
        float* b = B + k * Ldb;
        int i = r0;
        for (; SliverRows(i, r1) == 16; i += 16)
            for (int j = j0; j < j1; j += 16)
                Tile16x16(Asl + ((nint)i * K + (nint)k * 16), b + j, Ldb, c + i * ldc + j, ldc);
        if (SliverRows(i, r1) == 8)
        {
            int j = j0;
            for (; j + 32 <= j1; j += 32)
                Tile8x32(Asl + ((nint)i * K + (nint)k * 8), b + j, Ldb, c + i * ldc + j, ldc);
            if (j < j1) Rank16(As + (nint)i * K + k, K, b, Ldb, c + i * ldc, ldc, 8, j, j1);
            i += 8;
        }
        if (i < r1) Rank16(As + (nint)i * K + k, K, b, Ldb, c + i * ldc, ldc, r1 - i, j0, j1);
    }

    // C[0..16, 0..16) += Σ_{k<16} a[k·16 + r] · b[k·ldb + 0..16), the tile held in 16 registers across the 16 k: one B
    // load and sixteen broadcasts per 16 FMAs. Against two 8×32 tiles over the same 16 rows it reads each B vector once
    // instead of twice (the 16 B rows of a block are 3·4 KB apart in the usual shapes, so they share one L1 set).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile16x16(float* a, float* b, nint ldb, float* c, nint ldc)
    {
        var x0 = Vector512.Load(c); var x1 = Vector512.Load(c + ldc); var x2 = Vector512.Load(c + 2 * ldc); var x3 = Vector512.Load(c + 3 * ldc);
        var x4 = Vector512.Load(c + 4 * ldc); var x5 = Vector512.Load(c + 5 * ldc); var x6 = Vector512.Load(c + 6 * ldc); var x7 = Vector512.Load(c + 7 * ldc);
        var x8 = Vector512.Load(c + 8 * ldc); var x9 = Vector512.Load(c + 9 * ldc); var x10 = Vector512.Load(c + 10 * ldc); var x11 = Vector512.Load(c + 11 * ldc);
        var x12 = Vector512.Load(c + 12 * ldc); var x13 = Vector512.Load(c + 13 * ldc); var x14 = Vector512.Load(c + 14 * ldc); var x15 = Vector512.Load(c + 15 * ldc);
        for (int k = 0; k < 16; k++, a += 16, b += ldb)
        {
            var bv = Vector512.Load(b);
            x0 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[0]), bv, x0); x1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[1]), bv, x1);
            x2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[2]), bv, x2); x3 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[3]), bv, x3);
            x4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[4]), bv, x4); x5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[5]), bv, x5);
            x6 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[6]), bv, x6); x7 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[7]), bv, x7);
            x8 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[8]), bv, x8); x9 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[9]), bv, x9);
            x10 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[10]), bv, x10); x11 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[11]), bv, x11);
            x12 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[12]), bv, x12); x13 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[13]), bv, x13);
            x14 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[14]), bv, x14); x15 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[15]), bv, x15);
        }
        Vector512.Store(x0, c); Vector512.Store(x1, c + ldc); Vector512.Store(x2, c + 2 * ldc); Vector512.Store(x3, c + 3 * ldc);
        Vector512.Store(x4, c + 4 * ldc); Vector512.Store(x5, c + 5 * ldc); Vector512.Store(x6, c + 6 * ldc); Vector512.Store(x7, c + 7 * ldc);
        Vector512.Store(x8, c + 8 * ldc); Vector512.Store(x9, c + 9 * ldc); Vector512.Store(x10, c + 10 * ldc); Vector512.Store(x11, c + 11 * ldc);
        Vector512.Store(x12, c + 12 * ldc); Vector512.Store(x13, c + 13 * ldc); Vector512.Store(x14, c + 14 * ldc); Vector512.Store(x15, c + 15 * ldc);
    }

    // C[0..8, 0..32) += Σ_{k<16} a[k·8 + r] · b[k·ldb + 0..32), the tile held in 16 registers across the 16 k.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile8x32(float* a, float* b, nint ldb, float* c, nint ldc)
    {
        float* c1 = c + ldc, c2 = c + 2 * ldc, c3 = c + 3 * ldc, c4 = c + 4 * ldc, c5 = c + 5 * ldc, c6 = c + 6 * ldc, c7 = c + 7 * ldc;
        var x0 = Vector512.Load(c); var y0 = Vector512.Load(c + 16);
        var x1 = Vector512.Load(c1); var y1 = Vector512.Load(c1 + 16);
        var x2 = Vector512.Load(c2); var y2 = Vector512.Load(c2 + 16);
        var x3 = Vector512.Load(c3); var y3 = Vector512.Load(c3 + 16);
        var x4 = Vector512.Load(c4); var y4 = Vector512.Load(c4 + 16);
        var x5 = Vector512.Load(c5); var y5 = Vector512.Load(c5 + 16);
        var x6 = Vector512.Load(c6); var y6 = Vector512.Load(c6 + 16);
        var x7 = Vector512.Load(c7); var y7 = Vector512.Load(c7 + 16);
        for (int k = 0; k < 16; k++, a += 8, b += ldb)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var av = Vector512.Create(a[0]); x0 = Avx512F.FusedMultiplyAdd(av, b0, x0); y0 = Avx512F.FusedMultiplyAdd(av, b1, y0);
            av = Vector512.Create(a[1]); x1 = Avx512F.FusedMultiplyAdd(av, b0, x1); y1 = Avx512F.FusedMultiplyAdd(av, b1, y1);
            av = Vector512.Create(a[2]); x2 = Avx512F.FusedMultiplyAdd(av, b0, x2); y2 = Avx512F.FusedMultiplyAdd(av, b1, y2);
            av = Vector512.Create(a[3]); x3 = Avx512F.FusedMultiplyAdd(av, b0, x3); y3 = Avx512F.FusedMultiplyAdd(av, b1, y3);
            av = Vector512.Create(a[4]); x4 = Avx512F.FusedMultiplyAdd(av, b0, x4); y4 = Avx512F.FusedMultiplyAdd(av, b1, y4);
            av = Vector512.Create(a[5]); x5 = Avx512F.FusedMultiplyAdd(av, b0, x5); y5 = Avx512F.FusedMultiplyAdd(av, b1, y5);
            av = Vector512.Create(a[6]); x6 = Avx512F.FusedMultiplyAdd(av, b0, x6); y6 = Avx512F.FusedMultiplyAdd(av, b1, y6);
            av = Vector512.Create(a[7]); x7 = Avx512F.FusedMultiplyAdd(av, b0, x7); y7 = Avx512F.FusedMultiplyAdd(av, b1, y7);
        }
        Vector512.Store(x0, c); Vector512.Store(y0, c + 16);
        Vector512.Store(x1, c1); Vector512.Store(y1, c1 + 16);
        Vector512.Store(x2, c2); Vector512.Store(y2, c2 + 16);
        Vector512.Store(x3, c3); Vector512.Store(y3, c3 + 16);
        Vector512.Store(x4, c4); Vector512.Store(y4, c4 + 16);
        Vector512.Store(x5, c5); Vector512.Store(y5, c5 + 16);
        Vector512.Store(x6, c6); Vector512.Store(y6, c6 + 16);
        Vector512.Store(x7, c7); Vector512.Store(y7, c7 + 16);
    }

    // Rows r0..r1 of C, columns j1..N (fewer than 16), rows k..k+n of B, in scalar with the same k-ordered FMA chain.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Tail(float* c, nint ldc, int r0, int r1, int k, int n, int j1)
    {
        for (int i = r0; i < r1; i++)
            for (int j = j1; j < N; j++)
            {
                float x = c[i * ldc + j];
                for (int t = k; t < k + n; t++) x = MathF.FusedMultiplyAdd(As[(nint)i * K + t], B[t * Ldb + j], x);
                c[i * ldc + j] = x;
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
            // Eight rows at a time: eight independent FMA chains keep both FMA ports busy (two chains of
            // 4-cycle FMAs would leave three quarters of them idle when B is cache-resident); then pairs, then a last single row.
            for (; i + 8 <= M; i += 8, ai += 8 * lda, ci += 8 * ldc)
            {
                float* a1 = ai + lda, a2 = ai + 2 * lda, a3 = ai + 3 * lda, a4 = ai + 4 * lda, a5 = ai + 5 * lda, a6 = ai + 6 * lda, a7 = ai + 7 * lda;
                var x0 = Vector512.Load(ci + 0 * ldc);
                var x1 = Vector512.Load(ci + 1 * ldc);
                var x2 = Vector512.Load(ci + 2 * ldc);
                var x3 = Vector512.Load(ci + 3 * ldc);
                var x4 = Vector512.Load(ci + 4 * ldc);
                var x5 = Vector512.Load(ci + 5 * ldc);
                var x6 = Vector512.Load(ci + 6 * ldc);
                var x7 = Vector512.Load(ci + 7 * ldc);
                x0 = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[0]), b0, x0); x1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[0]), b0, x1); x2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[0]), b0, x2); x3 = Avx512F.FusedMultiplyAdd(Vector512.Create(a3[0]), b0, x3); x4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a4[0]), b0, x4); x5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a5[0]), b0, x5); x6 = Avx512F.FusedMultiplyAdd(Vector512.Create(a6[0]), b0, x6); x7 = Avx512F.FusedMultiplyAdd(Vector512.Create(a7[0]), b0, x7);
                x0 = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[1]), b1, x0); x1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[1]), b1, x1); x2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[1]), b1, x2); x3 = Avx512F.FusedMultiplyAdd(Vector512.Create(a3[1]), b1, x3); x4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a4[1]), b1, x4); x5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a5[1]), b1, x5); x6 = Avx512F.FusedMultiplyAdd(Vector512.Create(a6[1]), b1, x6); x7 = Avx512F.FusedMultiplyAdd(Vector512.Create(a7[1]), b1, x7);
                x0 = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[2]), b2, x0); x1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[2]), b2, x1); x2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[2]), b2, x2); x3 = Avx512F.FusedMultiplyAdd(Vector512.Create(a3[2]), b2, x3); x4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a4[2]), b2, x4); x5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a5[2]), b2, x5); x6 = Avx512F.FusedMultiplyAdd(Vector512.Create(a6[2]), b2, x6); x7 = Avx512F.FusedMultiplyAdd(Vector512.Create(a7[2]), b2, x7);
                x0 = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[3]), b3, x0); x1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[3]), b3, x1); x2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[3]), b3, x2); x3 = Avx512F.FusedMultiplyAdd(Vector512.Create(a3[3]), b3, x3); x4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a4[3]), b3, x4); x5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a5[3]), b3, x5); x6 = Avx512F.FusedMultiplyAdd(Vector512.Create(a6[3]), b3, x6); x7 = Avx512F.FusedMultiplyAdd(Vector512.Create(a7[3]), b3, x7);
                x0 = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[4]), b4, x0); x1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[4]), b4, x1); x2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[4]), b4, x2); x3 = Avx512F.FusedMultiplyAdd(Vector512.Create(a3[4]), b4, x3); x4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a4[4]), b4, x4); x5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a5[4]), b4, x5); x6 = Avx512F.FusedMultiplyAdd(Vector512.Create(a6[4]), b4, x6); x7 = Avx512F.FusedMultiplyAdd(Vector512.Create(a7[4]), b4, x7);
                x0 = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[5]), b5, x0); x1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[5]), b5, x1); x2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[5]), b5, x2); x3 = Avx512F.FusedMultiplyAdd(Vector512.Create(a3[5]), b5, x3); x4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a4[5]), b5, x4); x5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a5[5]), b5, x5); x6 = Avx512F.FusedMultiplyAdd(Vector512.Create(a6[5]), b5, x6); x7 = Avx512F.FusedMultiplyAdd(Vector512.Create(a7[5]), b5, x7);
                x0 = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[6]), b6, x0); x1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[6]), b6, x1); x2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[6]), b6, x2); x3 = Avx512F.FusedMultiplyAdd(Vector512.Create(a3[6]), b6, x3); x4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a4[6]), b6, x4); x5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a5[6]), b6, x5); x6 = Avx512F.FusedMultiplyAdd(Vector512.Create(a6[6]), b6, x6); x7 = Avx512F.FusedMultiplyAdd(Vector512.Create(a7[6]), b6, x7);
                x0 = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[7]), b7, x0); x1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[7]), b7, x1); x2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[7]), b7, x2); x3 = Avx512F.FusedMultiplyAdd(Vector512.Create(a3[7]), b7, x3); x4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a4[7]), b7, x4); x5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a5[7]), b7, x5); x6 = Avx512F.FusedMultiplyAdd(Vector512.Create(a6[7]), b7, x6); x7 = Avx512F.FusedMultiplyAdd(Vector512.Create(a7[7]), b7, x7);
                x0 = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[8]), b8, x0); x1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[8]), b8, x1); x2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[8]), b8, x2); x3 = Avx512F.FusedMultiplyAdd(Vector512.Create(a3[8]), b8, x3); x4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a4[8]), b8, x4); x5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a5[8]), b8, x5); x6 = Avx512F.FusedMultiplyAdd(Vector512.Create(a6[8]), b8, x6); x7 = Avx512F.FusedMultiplyAdd(Vector512.Create(a7[8]), b8, x7);
                x0 = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[9]), b9, x0); x1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[9]), b9, x1); x2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[9]), b9, x2); x3 = Avx512F.FusedMultiplyAdd(Vector512.Create(a3[9]), b9, x3); x4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a4[9]), b9, x4); x5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a5[9]), b9, x5); x6 = Avx512F.FusedMultiplyAdd(Vector512.Create(a6[9]), b9, x6); x7 = Avx512F.FusedMultiplyAdd(Vector512.Create(a7[9]), b9, x7);
                x0 = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[10]), b10, x0); x1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[10]), b10, x1); x2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[10]), b10, x2); x3 = Avx512F.FusedMultiplyAdd(Vector512.Create(a3[10]), b10, x3); x4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a4[10]), b10, x4); x5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a5[10]), b10, x5); x6 = Avx512F.FusedMultiplyAdd(Vector512.Create(a6[10]), b10, x6); x7 = Avx512F.FusedMultiplyAdd(Vector512.Create(a7[10]), b10, x7);
                x0 = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[11]), b11, x0); x1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[11]), b11, x1); x2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[11]), b11, x2); x3 = Avx512F.FusedMultiplyAdd(Vector512.Create(a3[11]), b11, x3); x4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a4[11]), b11, x4); x5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a5[11]), b11, x5); x6 = Avx512F.FusedMultiplyAdd(Vector512.Create(a6[11]), b11, x6); x7 = Avx512F.FusedMultiplyAdd(Vector512.Create(a7[11]), b11, x7);
                x0 = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[12]), b12, x0); x1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[12]), b12, x1); x2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[12]), b12, x2); x3 = Avx512F.FusedMultiplyAdd(Vector512.Create(a3[12]), b12, x3); x4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a4[12]), b12, x4); x5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a5[12]), b12, x5); x6 = Avx512F.FusedMultiplyAdd(Vector512.Create(a6[12]), b12, x6); x7 = Avx512F.FusedMultiplyAdd(Vector512.Create(a7[12]), b12, x7);
                x0 = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[13]), b13, x0); x1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[13]), b13, x1); x2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[13]), b13, x2); x3 = Avx512F.FusedMultiplyAdd(Vector512.Create(a3[13]), b13, x3); x4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a4[13]), b13, x4); x5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a5[13]), b13, x5); x6 = Avx512F.FusedMultiplyAdd(Vector512.Create(a6[13]), b13, x6); x7 = Avx512F.FusedMultiplyAdd(Vector512.Create(a7[13]), b13, x7);
                x0 = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[14]), b14, x0); x1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[14]), b14, x1); x2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[14]), b14, x2); x3 = Avx512F.FusedMultiplyAdd(Vector512.Create(a3[14]), b14, x3); x4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a4[14]), b14, x4); x5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a5[14]), b14, x5); x6 = Avx512F.FusedMultiplyAdd(Vector512.Create(a6[14]), b14, x6); x7 = Avx512F.FusedMultiplyAdd(Vector512.Create(a7[14]), b14, x7);
                x0 = Avx512F.FusedMultiplyAdd(Vector512.Create(ai[15]), b15, x0); x1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[15]), b15, x1); x2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[15]), b15, x2); x3 = Avx512F.FusedMultiplyAdd(Vector512.Create(a3[15]), b15, x3); x4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a4[15]), b15, x4); x5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a5[15]), b15, x5); x6 = Avx512F.FusedMultiplyAdd(Vector512.Create(a6[15]), b15, x6); x7 = Avx512F.FusedMultiplyAdd(Vector512.Create(a7[15]), b15, x7);
                Vector512.Store(x0, ci + 0 * ldc);
                Vector512.Store(x1, ci + 1 * ldc);
                Vector512.Store(x2, ci + 2 * ldc);
                Vector512.Store(x3, ci + 3 * ldc);
                Vector512.Store(x4, ci + 4 * ldc);
                Vector512.Store(x5, ci + 5 * ldc);
                Vector512.Store(x6, ci + 6 * ldc);
                Vector512.Store(x7, ci + 7 * ldc);
            }
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

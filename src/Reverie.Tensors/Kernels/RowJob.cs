// RowJob: runs a row kernel over blocks of rows on the sgemm worker pool, for inputs large enough to pay.
namespace Reverie.Tensors.Kernels;

/// <summary>
/// A row-wise kernel split into fixed blocks of rows that the calling thread and the sgemm pool's workers claim
/// (<see cref="GemmPool"/>). The kernel's arguments travel in the job's fields (pinned pointers and scalars), its
/// body is a static function over a row range. Rows are independent, and block boundaries depend only on the
/// shape, so results are the same for any number of threads.
/// </summary>
internal sealed unsafe class RowJob : GemmJob
{
    /// <summary>Inputs of at least this many floats are split (smaller ones run on the calling thread in one block).</summary>
    public const long ParallelFloats = 1L << 16;

    public delegate*<RowJob, int, int, void> Body;
    public float* P0, P1, P2, P3, P4, P5, P6;
    public int N, I0, I1, I2, I3, I4;
    public float F0, F1;
    /// <summary>The coefficients of an Adam step (OptimKernels.AdamParallel).</summary>
    public Optim.AdamCoefficients Adam;
    public bool B0, B1, B2;
    private int _rows, _rowsPerUnit;

    /// <summary>This thread's job (reused call after call; set the fields, then <see cref="Run"/>).</summary>
    public static RowJob Current => GemmBuffers.Current.RowJob;

    /// <summary>Runs <see cref="Body"/> over rows [0, rows) of <paramref name="floatsPerRow"/> floats each.</summary>
    public void Run(int rows, long floatsPerRow)
    {
        long total = rows * floatsPerRow;
        int threads = total >= ParallelFloats ? GemmPool.MaxParts : 1;
        if (threads <= 1 || rows < 2) { Body(this, 0, rows); return; }
        // About 16 KB of rows per block (at least 1 row): fine enough to balance, coarse enough to amortize claiming.
        _rows = rows;
        _rowsPerUnit = (int)Math.Max(1, Math.Min(rows, 4096 / Math.Max(1, floatsPerRow)));
        Begin((rows + _rowsPerUnit - 1) / _rowsPerUnit);
        GemmPool.Run(this, threads);
    }

    public override void Work()
    {
        int u;
        while ((u = Claim()) >= 0)
        {
            int r0 = u * _rowsPerUnit;
            Body(this, r0, Math.Min(_rows, r0 + _rowsPerUnit));
        }
    }
}

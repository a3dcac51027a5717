// GemmBuffers: per-thread, 64-byte aligned, pinned packing buffers for sgemm (grown once, then reused).
using System.Runtime.CompilerServices;

namespace Reverie.Tensors.Kernels;

/// <summary>
/// Scratch memory of one thread: packed A slivers, transposed copies, and (for the thread that calls
/// sgemm) the packed B block shared with the workers. Buffers only grow, so steady-state calls do
/// not allocate. Arrays live on the pinned object heap, so raw pointers into them stay valid.
/// </summary>
internal sealed unsafe class GemmBuffers
{
    [ThreadStatic] private static GemmBuffers? _current;

    /// <summary>This thread's buffers.</summary>
    public static GemmBuffers Current => _current ??= new GemmBuffers();

    private Slot _a, _b, _t;

    /// <summary>Packed A (the packed path's slivers of up to 14 rows; the rows path's alpha·op(A) and its 16- and 8-row slivers).</summary>
    public float* A(long floats) => _a.Get(floats);
    /// <summary>Packed B (panels of 32 columns), shared by all parts of one call.</summary>
    public float* B(long floats) => _b.Get(floats);
    /// <summary>A transposed copy (the dot-product path's A^T or B^T).</summary>
    public float* T(long floats) => _t.Get(floats);

    /// <summary>Jobs cached per calling thread (one of each kind, reused call after call).</summary>
    public readonly GemmPackedJob Packed = new();
    public readonly GemmRowsJob Rows = new();
    public readonly GemmDotJob Dot = new();
    public readonly GemmTallJob Tall = new();
    public readonly GemmDeepJob Deep = new();
    public readonly RowJob RowJob = new();

    private struct Slot
    {
        private float[]? _array;
        private float* _ptr;
        private long _len;

        public float* Get(long floats)
        {
            floats += 32; // kernels may write a few floats past a sliver's end
            if (floats > _len)
            {
                long n = Math.Max(floats, _len + _len / 2);
                if (n > Array.MaxLength - 16) throw new OutOfMemoryException($"sgemm: packing buffer of {n} floats is too large");
                _array = GC.AllocateUninitializedArray<float>((int)n + 16, pinned: true);
                nint p = (nint)Unsafe.AsPointer(ref _array[0]);
                _ptr = (float*)((p + 63) & ~(nint)63);
                _len = n;
            }
            return _ptr;
        }
    }
}

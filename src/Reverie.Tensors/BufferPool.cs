// BufferPool: size-classed pool of float arrays behind every scoped tensor.
namespace Reverie.Tensors;

/// <summary>
/// A pool of float arrays in power-of-two size classes. Arrays are not cleared on rent.
/// Thread-safe; renting and returning allocate nothing once the pool is warm.
/// </summary>
public static class BufferPool
{
    private const int MinClass = 4;   // 16 floats
    private const int MaxClass = 31;
    private static readonly Stack<float[]>[] Free = CreateClasses();
    private static long _rented, _returned, _allocated;

    private static Stack<float[]>[] CreateClasses()
    {
        var s = new Stack<float[]>[MaxClass + 1];
        for (int i = 0; i < s.Length; i++) s[i] = new Stack<float[]>();
        return s;
    }

    private static int ClassOf(int n)
    {
        int c = n <= 1 ? 0 : 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)(n - 1));
        return Math.Max(c, MinClass);
    }

    /// <summary>Rents an array of at least <paramref name="n"/> floats (contents undefined).</summary>
    public static float[] Rent(int n)
    {
        int c = ClassOf(n);
        var stack = Free[c];
        lock (stack)
        {
            Interlocked.Increment(ref _rented);
            if (stack.Count > 0) return stack.Pop();
        }
        Interlocked.Increment(ref _allocated);
        return GC.AllocateUninitializedArray<float>(1 << c);
    }

    /// <summary>Returns an array obtained from <see cref="Rent"/>.</summary>
    public static void Return(float[] a)
    {
        int c = ClassOf(a.Length);
        if (a.Length != 1 << c) return; // not one of ours: let the GC have it
        var stack = Free[c];
        lock (stack)
        {
            stack.Push(a);
            _returned++;
        }
    }

    /// <summary>Counters for diagnostics: rents, returns, and fresh allocations so far.</summary>
    public static (long Rented, long Returned, long Allocated) Stats =>
        (Interlocked.Read(ref _rented), Interlocked.Read(ref _returned), Interlocked.Read(ref _allocated));

    /// <summary>Drops every pooled array (lets the GC reclaim the memory).</summary>
    public static void Trim()
    {
        foreach (var s in Free) lock (s) s.Clear();
    }
}

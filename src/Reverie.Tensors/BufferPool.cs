// BufferPool: size-classed pool of float arrays behind every scoped tensor (per-thread caches over a shared pool).
namespace Reverie.Tensors;

/// <summary>
/// A pool of float arrays in power-of-two size classes. Arrays are not cleared on rent.
/// Thread-safe; renting and returning allocate nothing once the pool is warm. Each thread keeps a
/// bounded cache per size class that it rents from and returns to without locks or interlocked
/// operations (a training step rents and returns thousands of arrays on one thread); arrays beyond
/// the cache, and rents the cache cannot serve, go through a shared pool with one lock per class.
/// </summary>
public static class BufferPool
{
    private const int MinClass = 4;   // 16 floats
    private const int MaxClass = 31;
    // Arrays a thread keeps per class: a training step rents and returns its whole working set (thousands of
    // tensors, hundreds of large ones) on one thread, so the caches hold it all; the caps only bound a thread
    // that keeps returning arrays another thread rented (the excess goes to the shared pool).
    private static int Cap(int c) => c < 20 ? 1 << 16 : 1024;
    private static readonly Stack<float[]>[] Shared = CreateClasses();
    private static readonly List<WeakReference<Local>> Locals = [];   // for Stats; a dead thread's cache goes with it
    private static long _allocated;
    private static long _sharedRents;

    /// <summary>Rents the calling thread's cache could not serve (diagnostics: 0 per step in a warm training loop).</summary>
    internal static long SharedRents => Interlocked.Read(ref _sharedRents);
    private static int _trimGeneration;

    [ThreadStatic] private static Local? _local;

    /// <summary>One thread's cache and counters (read by <see cref="Stats"/> from other threads).</summary>
    private sealed class Local
    {
        public readonly float[]?[]?[] Free = new float[]?[]?[MaxClass + 1];
        public readonly int[] Count = new int[MaxClass + 1];
        public long Rented, Returned;
        public int Generation;
    }

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

    private static Local Current()
    {
        var l = _local;
        if (l is not null && l.Generation == Volatile.Read(ref _trimGeneration)) return l;
        return Refresh(l);
    }

    // First use on this thread, or a Trim since: (re)starts the cache empty.
    private static Local Refresh(Local? l)
    {
        if (l is null)
        {
            l = new Local();
            lock (Locals)
            {
                Locals.RemoveAll(w => !w.TryGetTarget(out _));
                Locals.Add(new WeakReference<Local>(l));
            }
            _local = l;
        }
        Array.Clear(l.Free);
        Array.Clear(l.Count);
        l.Generation = Volatile.Read(ref _trimGeneration);
        return l;
    }

    /// <summary>Rents an array of at least <paramref name="n"/> floats (contents undefined).</summary>
    public static float[] Rent(int n)
    {
        int c = ClassOf(n);
        var l = Current();
        l.Rented++;
        int k = l.Count[c];
        if (k > 0)
        {
            var slots = l.Free[c]!;
            var a = slots[--k]!;
            slots[k] = null;
            l.Count[c] = k;
            return a;
        }
        var stack = Shared[c];
        Interlocked.Increment(ref _sharedRents);
        lock (stack)
            if (stack.Count > 0) return stack.Pop();
        Interlocked.Increment(ref _allocated);
        return GC.AllocateUninitializedArray<float>(1 << c);
    }

    /// <summary>Returns an array obtained from <see cref="Rent"/>.</summary>
    public static void Return(float[] a)
    {
        int c = ClassOf(a.Length);
        if (a.Length != 1 << c) return; // not one of ours: let the GC have it
        var l = Current();
        l.Returned++;
        int k = l.Count[c];
        var slots = l.Free[c];
        if (slots is null || k == slots.Length)
        {
            int cap = Cap(c);
            if (k < cap)
            {
                Array.Resize(ref slots, Math.Min(cap, Math.Max(16, 2 * k)));
                l.Free[c] = slots;
            }
        }
        if (k < slots!.Length)
        {
            slots[k] = a;
            l.Count[c] = k + 1;
            return;
        }
        var stack = Shared[c];
        lock (stack) stack.Push(a);
    }

    /// <summary>
    /// Counters for diagnostics: rents and returns so far on the threads still alive, and fresh allocations so
    /// far on all threads.
    /// </summary>
    public static (long Rented, long Returned, long Allocated) Stats
    {
        get
        {
            long rented = 0, returned = 0;
            lock (Locals)
                foreach (var w in Locals)
                    if (w.TryGetTarget(out var l)) { rented += Volatile.Read(ref l.Rented); returned += Volatile.Read(ref l.Returned); }
            return (rented, returned, Interlocked.Read(ref _allocated));
        }
    }

    /// <summary>Drops every pooled array (lets the GC reclaim the memory); each thread's cache empties on its next use.</summary>
    public static void Trim()
    {
        Interlocked.Increment(ref _trimGeneration);
        foreach (var s in Shared) lock (s) s.Clear();
    }
}

// BufferPool: per-thread caches over the shared pool — reuse, overflow, other threads, Trim and the counters.
using Reverie.Tensors;

namespace Reverie.Tensors.Tests;

public class BufferPoolTests
{
    [Fact]
    public void Arrays_come_back_from_the_thread_cache_then_from_the_shared_pool()
    {
        var a = BufferPool.Rent(1000);
        Assert.Equal(1024, a.Length);
        BufferPool.Return(a);
        Assert.Same(a, BufferPool.Rent(1000));                     // the cache hands back the last return
        BufferPool.Return(a);

        // More arrays than the cache keeps: the rest overflow to the shared pool and are found again.
        var many = Enumerable.Range(0, 600).Select(_ => BufferPool.Rent(3000)).ToArray();
        var set = new HashSet<float[]>(many, ReferenceEqualityComparer.Instance);
        Assert.Equal(600, set.Count);
        foreach (var x in many) BufferPool.Return(x);
        var again = Enumerable.Range(0, 600).Select(_ => BufferPool.Rent(3000)).ToArray();
        Assert.All(again, x => Assert.Contains(x, set));
        foreach (var x in again) BufferPool.Return(x);
    }

    [Fact]
    public void Arrays_returned_on_another_thread_are_reused_there_and_counted()
    {
        float[]? rented = null;
        var t = new Thread(() => rented = BufferPool.Rent(70_000));
        t.Start(); t.Join();
        var (r0, ret0, _) = BufferPool.Stats;
        BufferPool.Return(rented!);                                 // returned here, rented elsewhere
        Assert.Same(rented, BufferPool.Rent(70_000));
        BufferPool.Return(rented!);
        var (r1, ret1, _) = BufferPool.Stats;
        Assert.True(r1 >= r0 + 1 && ret1 >= ret0 + 2, $"counters did not advance: rented {r0} -> {r1}, returned {ret0} -> {ret1}");
        BufferPool.Return(new float[100]);                          // not a pool size: ignored
    }

    [Fact]
    public void Trim_empties_the_caches()
    {
        var a = BufferPool.Rent(5000);
        BufferPool.Return(a);
        BufferPool.Trim();
        Assert.NotSame(a, BufferPool.Rent(5000));
    }
}

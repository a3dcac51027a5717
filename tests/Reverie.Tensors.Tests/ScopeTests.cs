// Memory scopes, the buffer pool, and autograd bookkeeping.
using Reverie.Tensors;

namespace Reverie.Tensors.Tests;

public class ScopeTests
{
    [Fact]
    public void Tensors_created_in_a_scope_are_released_at_its_end()
    {
        Tensor inner;
        using (Tensor.Scope())
        {
            inner = Tensor.Ones(new Shape(100));
            Assert.False(inner.IsReleased);
        }
        Assert.True(inner.IsReleased);
        var e = Assert.Throws<ObjectDisposedException>(() => inner.Span[0]);
        Assert.Contains("Keep()", e.Message);
    }

    [Fact]
    public void Kept_tensors_and_views_of_kept_tensors_survive()
    {
        Tensor kept, view;
        using (Tensor.Scope())
        {
            var t = Tensor.Full(new Shape(4, 5), 2f);
            view = t.Reshape(20).Keep();
            kept = Tensor.Ones(new Shape(3)).Keep();
        }
        Assert.Equal(3f, kept.Sum().Item());
        Assert.Equal(40f, view.Sum().Item());
    }

    [Fact]
    public void Views_of_released_tensors_report_release()
    {
        Tensor v;
        using (Tensor.Scope())
        {
            var t = Tensor.Ones(new Shape(2, 3));
            v = t.Reshape(6);
        }
        Assert.True(v.IsReleased);
        Assert.Throws<ObjectDisposedException>(() => v.Span[0]);
    }

    [Fact]
    public void Nested_scopes_release_in_order_and_reuse_memory()
    {
        using var outer = Tensor.Scope();
        var a = Tensor.Ones(new Shape(1000));
        using (Tensor.Scope())
        {
            var b = Tensor.Ones(new Shape(1000));
            Assert.False(a.IsReleased);
        }
        Assert.False(a.IsReleased);
        var before = BufferPool.Stats.Allocated;
        for (int i = 0; i < 10; i++)
            using (Tensor.Scope()) { _ = Tensor.Zeros(new Shape(1000)); }
        Assert.Equal(before, BufferPool.Stats.Allocated); // every rent after the first came from the pool
    }

    [Fact]
    public void Tensors_outside_scopes_are_never_released()
    {
        var t = Tensor.Ones(new Shape(3));
        using (Tensor.Scope()) { _ = t * t; }
        Assert.False(t.IsReleased);
    }

    [Fact]
    public void Parameter_gradients_outlive_the_step_scope()
    {
        var w = Tensor.Parameter(new Shape(3), "w");
        w.Span.Fill(2f);
        for (int step = 1; step <= 2; step++)
        {
            using (Tensor.Scope())
            {
                var x = Tensor.FromArray(1f, 2f, 3f);
                (w * x).Sum().Backward();
            }
            Assert.Equal(new[] { 1f, 2f, 3f }.Select(v => v * step).ToArray(), w.Grad!.ToArray()); // accumulates
        }
    }

    [Fact]
    public void NoGrad_records_nothing()
    {
        var w = Tensor.Parameter(new Shape(2));
        using (Tensor.NoGrad())
        {
            var y = w * w;
            Assert.False(y.RequiresGrad);
            Assert.Null(y.Node);
        }
        Assert.True((w * w).RequiresGrad);
    }

    [Fact]
    public void Backward_needs_a_scalar_or_a_seed()
    {
        var w = Tensor.Parameter(new Shape(2));
        var y = w * 2f;
        Assert.Throws<InvalidOperationException>(() => y.Backward());
        y.Backward(Tensor.FromArray(1f, 1f));
        Assert.Equal(new[] { 2f, 2f }, w.Grad!.ToArray());
        Assert.Throws<InvalidOperationException>(() => Tensor.Ones(new Shape(1)).Backward());
    }

    [Fact]
    public void Shared_subexpressions_get_summed_gradients()
    {
        var x = Tensor.Parameter(new Shape(1)); x.Span[0] = 3f;
        var y = x * x;              // 2x
        var z = (y + y * x).Sum();  // x² + x³ → 2x + 3x² = 6 + 27
        z.Backward();
        Assert.Equal(33f, x.Grad!.Span[0], 4);
    }

    [Fact]
    public void Shape_basics()
    {
        var s = new Shape(2, 3, 4);
        Assert.Equal(24, s.Size);
        Assert.Equal(4, s[-1]);
        Assert.Equal("(2, 3, 4)", s.ToString());
        Assert.Equal("()", default(Shape).ToString());
        Assert.Equal(1, default(Shape).Size);
        Assert.Equal(new Shape(2, 1, 3, 4), s.Insert(1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => s[3]);
        Assert.Throws<ArgumentException>(() => new Shape(1, 2, 3, 4, 5, 6, 7));
        Assert.Throws<ArgumentException>(() => new Shape(2, -1));
    }

    [Fact]
    public void Reshape_infers_and_validates()
    {
        var t = Tensor.Zeros(new Shape(4, 6));
        Assert.Equal(new Shape(2, 12), t.Reshape(2, -1).Shape);
        var e = Assert.Throws<ArgumentException>(() => t.Reshape(5, -1));
        Assert.Contains("(4, 6)", e.Message);
    }

    [Fact]
    public void Rng_is_deterministic_and_restorable()
    {
        var a = new Rng(42); var b = new Rng(42);
        for (int i = 0; i < 5; i++) Assert.Equal(a.NextULong(), b.NextULong());
        _ = a.Normal();
        var state = a.GetState();
        var x = Enumerable.Range(0, 5).Select(_ => a.Normal()).ToArray();
        var c = new Rng(0); c.SetState(state);
        Assert.Equal(x, Enumerable.Range(0, 5).Select(_ => c.Normal()).ToArray());
        var counts = new int[10];
        for (int i = 0; i < 10000; i++) counts[a.NextInt(10)]++;
        Assert.All(counts, k => Assert.InRange(k, 850, 1150));
    }
}

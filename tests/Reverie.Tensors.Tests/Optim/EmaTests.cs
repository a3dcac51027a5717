// Polyak averaging and the Ema shadow (DreamerV3's SlowModel: rate, every-N updates, initial copy).
using Reverie.Tensors.Optim;

namespace Reverie.Tensors.Tests.Optim;

public class EmaTests
{
    private static Tensor T(params float[] v)
    {
        var t = Tensor.Parameter(new Shape(v.Length));
        v.CopyTo(t.Span);
        return t;
    }

    [Fact]
    public void Polyak_mixes_target_toward_source()
    {
        var target = T(1, 2, 3);
        var source = T(3, 2, -1);
        Polyak.Update([target], [source], 0.25);
        // 0.75·t + 0.25·s
        Assert.Equal([1.5f, 2f, 2f], target.ToArray());
        Assert.Equal([3f, 2f, -1f], source.ToArray());
        Polyak.Update([target], [source], 1);
        Assert.Equal(source.ToArray(), target.ToArray());
        var keep = T(7);
        Polyak.Update([keep], [T(100)], 0);
        Assert.Equal([7f], keep.ToArray());
    }

    [Fact]
    public void Polyak_on_a_long_vector_matches_double_math()
    {
        var rng = new Rng(11);
        var t = Tensor.Randn(new Shape(3, 23), rng);
        var s = Tensor.Randn(new Shape(3, 23), rng);
        var (t0, s0) = (t.ToArray(), s.ToArray());
        Polyak.Update([t], [s], 0.02);
        for (int i = 0; i < t0.Length; i++)
            CheckOp.AssertClose(0.98 * t0[i] + 0.02 * s0[i], t.Span[i], 1e-7, 1e-6, $"polyak[{i}]");
    }

    [Fact]
    public void Polyak_errors()
    {
        var e = Assert.Throws<ArgumentException>(() => Polyak.Update([T(1, 2)], [T(1, 2, 3)], 0.1));
        Assert.Contains("target 0 (2,) and source 0 (3,) differ in shape", e.Message);
        Assert.Throws<ArgumentException>(() => Polyak.Update([T(1)], [], 0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Polyak.Update([T(1)], [T(1)], 1.5));
    }

    [Fact]
    public void Ema_starts_as_a_copy_and_mixes_every_n_updates_starting_with_the_first()
    {
        var src = T(0, 10);
        var ema = new Ema([src], rate: 0.5, every: 2);
        Assert.Equal([0f, 10f], ema.Shadow[0].ToArray());
        Assert.False(ReferenceEquals(ema.Shadow[0], src));
        src.Span[0] = 8; src.Span[1] = 2;
        ema.Update();                                  // count 0: mixes
        Assert.Equal([4f, 6f], ema.Shadow[0].ToArray());
        ema.Update();                                  // count 1: skipped
        Assert.Equal([4f, 6f], ema.Shadow[0].ToArray());
        ema.Update();                                  // count 2: mixes
        Assert.Equal([6f, 4f], ema.Shadow[0].ToArray());
        Assert.Equal(3, ema.Count);

        var dest = T(0, 0);
        ema.CopyTo([dest]);
        Assert.Equal([6f, 4f], dest.ToArray());
        ema.Reset();
        Assert.Equal([8f, 2f], ema.Shadow[0].ToArray());
    }

    [Fact]
    public void Ema_can_average_into_given_tensors_such_as_a_slow_critic()
    {
        var src = T(1, 2);
        var slow = T(-5, -5);
        var ema = new Ema([("critic.w", src)], rate: 0.02, shadow: [slow]);
        Assert.Same(slow, ema.Shadow[0]);
        Assert.Equal([1f, 2f], slow.ToArray());        // initialized from the source
        src.Span[0] = 2;
        ema.Update();
        Assert.Equal(0.98f * 1f + 0.02f * 2f, slow.Span[0]);
        Assert.Throws<ArgumentException>(() => new Ema([src], 0.1, shadow: [src]));
        Assert.Throws<ArgumentException>(() => new Ema([src], 0.1, shadow: [T(1, 2, 3)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Ema([src], 0.1, every: 0));
    }

    [Fact]
    public void Ema_state_round_trip()
    {
        var src = T(1, 2, 3);
        var a = new Ema([src], rate: 0.1, every: 3);
        src.Span[1] = 20;
        a.Update(); a.Update();
        var state = a.StateDict("slow/");
        Assert.Equal(["slow/ema.count", "slow/ema.shadow.0"], state.Keys.Order().ToArray());
        var b = new Ema([src], rate: 0.1, every: 3);
        b.LoadStateDict(state, "slow/");
        Assert.Equal(2, b.Count);
        Assert.Equal(a.Shadow[0].ToArray(), b.Shadow[0].ToArray());
        src.Span[2] = -7;
        a.Update(); b.Update(); a.Update(); b.Update();
        Assert.Equal(a.Shadow[0].ToArray(), b.Shadow[0].ToArray());

        var other = new Ema([T(1, 2)], rate: 0.1);
        var e = Assert.Throws<ArgumentException>(() => other.LoadStateDict(state, "slow/"));
        Assert.Contains("'slow/ema.shadow.0' has shape (3,) but (2,) is expected", e.Message);
    }
}

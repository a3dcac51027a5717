// Spaces, observations and the env's generator.
namespace Reverie.Envs.Tests;

public class SpacesTests
{
    [Fact]
    public void BoxSamplesStayInBoundsAndContainsChecksThem()
    {
        var box = new BoxSpace([-2f, 0f, -1f], [2f, 0.5f, 1f]);
        var rng = new EnvRng(1);
        var a = new float[3];
        for (int i = 0; i < 1000; i++)
        {
            box.Sample(rng, a);
            Assert.True(box.Contains(a), string.Join(", ", a));
        }
        Assert.False(box.Contains([0f, 0.6f, 0f]));
        Assert.False(box.Contains([0f, float.NaN, 0f]));
        Assert.False(box.Contains([0f, 0f]));
        Assert.Equal("Box([-2, 0, -1], [2, 0.5, 1], (3,))", box.ToString());
        Assert.Equal("Box(-1, 1, (2, 3))", new BoxSpace(-1, 1, 2, 3).ToString());
        Assert.Equal("Box(uint8, 0, 255, (64, 64, 3))", BoxSpace.Image(64, 64).ToString());
    }

    [Fact]
    public void UnboundedBoxesSampleFiniteValues()
    {
        var box = new BoxSpace([float.NegativeInfinity, 0f, float.NegativeInfinity], [float.PositiveInfinity, float.PositiveInfinity, 3f]);
        var rng = new EnvRng(2);
        var a = new float[3];
        for (int i = 0; i < 200; i++)
        {
            box.Sample(rng, a);
            Assert.All(a, v => Assert.True(float.IsFinite(v)));
            Assert.True(box.Contains(a));
        }
        Assert.Equal("Box([-inf, 0, -inf], [inf, inf, 3], (3,))", box.ToString());
    }

    [Fact]
    public void BadBoxesAreRejected()
    {
        Assert.Contains("low 1, high -1", Assert.Throws<ArgumentException>(() => new BoxSpace([1f], [-1f])).Message);
        Assert.Contains("needs 6 bounds", Assert.Throws<ArgumentException>(() => new BoxSpace(new float[5], new float[5], [2, 3], DType.Float32)).Message);
        Assert.Contains("positive dimensions", Assert.Throws<ArgumentException>(() => new BoxSpace(0, 1, 0)).Message);
    }

    [Fact]
    public void DiscreteSamplesEveryIndex()
    {
        var d = new DiscreteSpace(3);
        var rng = new EnvRng(3);
        var seen = new int[3];
        var a = new float[1];
        for (int i = 0; i < 300; i++) { d.Sample(rng, a); seen[(int)a[0]]++; Assert.True(d.Contains(a)); }
        Assert.All(seen, c => Assert.InRange(c, 60, 140));
        Assert.False(d.Contains([1.5f]));
        Assert.False(d.Contains([3f]));
        Assert.False(d.Contains([-1f]));
        Assert.Equal("Discrete(3)", d.ToString());
    }

    [Fact]
    public void DictSpaceKeepsOrderAndNamesMissingEntries()
    {
        var s = new DictSpace(("state", new BoxSpace(-1, 1, 3)), ("image", BoxSpace.Image(8, 8)));
        Assert.Equal(["state", "image"], s.Keys);
        Assert.Equal("{state: Box(-1, 1, (3,)), image: Box(uint8, 0, 255, (8, 8, 3))}", s.ToString());
        var e = Assert.Throws<KeyNotFoundException>(() => s["depth"]);
        Assert.Equal("observation has no entry 'depth'; it has state, image", e.Message);
        Assert.Contains("given twice", Assert.Throws<ArgumentException>(() => new DictSpace(("a", new BoxSpace(0, 1, 1)), ("a", new BoxSpace(0, 1, 1)))).Message);
        Assert.Equal(["image"], s.Without("state").Keys);
        Assert.True(s.SameAs(s.Without("image").With("image", BoxSpace.Image(8, 8))));
    }

    [Fact]
    public void ObservationsCopyByRowAndCheckTheirTypes()
    {
        var space = new DictSpace(("state", new BoxSpace(-1, 1, 2)), ("image", BoxSpace.Image(2, 2)));
        var one = new Observation(space);
        one.State[0] = 0.5f; one.State[1] = -0.5f; one.Image[11] = 7;
        var batch = new Observation(space, 3);
        one.CopyRowTo(0, batch, 2);
        Assert.Equal([0, 0, 0, 0, 0.5f, -0.5f], batch.State);
        Assert.Equal(7, batch.Image[2 * 12 + 11]);
        var clone = one.Clone();
        one.State[0] = 0;
        Assert.Equal(0.5f, clone.State[0]);
        Assert.Equal("observation entry 'image' holds bytes, not floats", Assert.Throws<InvalidOperationException>(() => one.Floats("image")).Message);
        Assert.Throws<ArgumentException>(() => one.CopyTo(batch));
    }

    [Fact]
    public void EnvRngIsReproducibleAndRoundTripsItsState()
    {
        var a = new EnvRng(42); var b = new EnvRng(42);
        for (int i = 0; i < 10; i++) Assert.Equal(a.NextULong(), b.NextULong());
        var state = a.GetState();
        double x = a.NextDouble();
        b.SetState(state);
        Assert.Equal(x, b.NextDouble());
        a.Seed(42); var c = new EnvRng(42);
        Assert.Equal(c.NextULong(), a.NextULong());
        for (int i = 0; i < 1000; i++) Assert.InRange(a.Uniform(-0.05, 0.05), -0.05, 0.05);
        Assert.Throws<ArgumentException>(() => a.SetState([0, 0, 0, 0]));
    }
}

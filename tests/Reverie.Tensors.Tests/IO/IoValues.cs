// IoValues: the closed-form values that Fixtures/make_io_fixtures.py writes, recomputed in C#.
namespace Reverie.Tensors.Tests.IO;

internal static class IoValues
{
    /// <summary>v[i] = (i % 11 - 5) * 0.25 + i / 1024 (exact in float32).</summary>
    public static float[] Grid(int n) => Enumerable.Range(0, n).Select(i => (float)((i % 11 - 5) * 0.25 + i / 1024.0)).ToArray();

    /// <summary>v[i] = (i + 1) / 3 - 2 computed in double, rounded to float32.</summary>
    public static float[] Thirds(int n) => Enumerable.Range(0, n).Select(i => (float)((i + 1) / 3.0 - 2)).ToArray();

    /// <summary>v[i] = (7 i) mod 256.</summary>
    public static byte[] U8(int n) => Enumerable.Range(0, n).Select(i => (byte)(7 * i % 256)).ToArray();

    /// <summary>v[i] = (5 i) mod 3 == 0.</summary>
    public static bool[] Flags(int n) => Enumerable.Range(0, n).Select(i => 5 * i % 3 == 0).ToArray();

    public static readonly int[] Int32s = [int.MinValue, -1, 0, 1, 2, 1000000, int.MaxValue];
    public static readonly int[] Int64sAsInt = [int.MinValue, -5, 0, 3, 77, int.MaxValue];

    /// <summary>Asserts that <paramref name="action"/> throws InvalidDataException whose message contains every fragment.</summary>
    public static InvalidDataException ThrowsData(Action action, params string[] fragments)
    {
        var e = Assert.Throws<InvalidDataException>(action);
        foreach (var f in fragments) Assert.Contains(f, e.Message);
        return e;
    }
}

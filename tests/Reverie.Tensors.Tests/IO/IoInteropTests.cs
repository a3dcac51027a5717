// IoInteropTests: writes the files that make_io_fixtures.py --verify checks with NumPy (set REVERIE_IO_EXPORT_DIR).
using Reverie.Tensors.IO;
using static Reverie.Tensors.Tests.IO.IoValues;

namespace Reverie.Tensors.Tests.IO;

public class IoInteropTests
{
    /// <summary>
    /// Writes one file per format. With REVERIE_IO_EXPORT_DIR set, they go there, for
    /// <c>/usr/bin/python3 tests/Reverie.Tensors.Tests/Fixtures/make_io_fixtures.py --verify $REVERIE_IO_EXPORT_DIR</c>
    /// to load with NumPy; either way they are read back here.
    /// </summary>
    [Fact]
    public void Export_files_for_numpy()
    {
        using var temp = new TempDir();
        string dir = Environment.GetEnvironmentVariable("REVERIE_IO_EXPORT_DIR") is { Length: > 0 } d
            ? Directory.CreateDirectory(d).FullName : temp.Root;
        string P(string name) => Path.Combine(dir, name);

        Npy.Write(P("reverie_f4.npy"), NpyArray.Of(Grid(30), 2, 3, 5));
        Npy.Write(P("reverie_i4.npy"), NpyArray.Of(Int32s, 7));
        Npy.Write(P("reverie_u1.npy"), NpyArray.Of(U8(48), 4, 4, 3));
        Npy.Write(P("reverie_b1.npy"), NpyArray.Of(Flags(9), 3, 3));
        Npy.Write(P("reverie_scalar.npy"), NpyArray.Of([3.5f]));
        var arrays = new Dictionary<string, NpyArray>
        {
            ["obs"] = NpyArray.Of(Grid(30), 2, 3, 5),
            ["image"] = NpyArray.Of(U8(48), 4, 4, 3),
            ["done"] = NpyArray.Of(Flags(9), 3, 3),
        };
        Npz.Write(P("reverie_stored.npz"), arrays, compress: false);
        Npz.Write(P("reverie_deflated.npz"), arrays, compress: true);
        SafeTensors.Save(P("reverie.safetensors"), new Dictionary<string, Tensor>
        {
            ["a"] = Tensor.FromArray(Grid(6), new Shape(2, 3)),
            ["b.weight"] = Tensor.FromArray(Thirds(4), new Shape(4)),
            ["c"] = Tensor.Scalar(-1.25f),
        }, new Dictionary<string, string> { ["format"] = "pt", ["step"] = "10" });

        Assert.Equal(Grid(30), Npy.Read(P("reverie_f4.npy")).Floats);
        Assert.Empty(Npy.Read(P("reverie_scalar.npy")).Shape);
        foreach (var z in new[] { "reverie_stored.npz", "reverie_deflated.npz" })
            Assert.Equal(Flags(9), Npz.Read(P(z))["done"].Bools);
        Assert.Equal(-1.25f, SafeTensors.Load(P("reverie.safetensors"))["c"].Item());
    }
}

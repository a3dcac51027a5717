// Npz tests: archives from numpy.savez / savez_compressed read exactly; ours round-trip; bad archives fail clearly.
using System.IO.Compression;
using Reverie.Tensors.IO;
using static Reverie.Tensors.Tests.IO.IoValues;

namespace Reverie.Tensors.Tests.IO;

public class NpzTests
{
    [Theory]
    [InlineData("npz_stored.npz")]
    [InlineData("npz_deflated.npz")]
    public void Reads_numpy_archives_stored_and_deflated(string name)
    {
        var z = Npz.Read(Fixtures.Path("io", name));
        Assert.Equal(["obs", "action", "image", "done", "reward"], z.Keys);
        Assert.Equal([2, 3, 5], z["obs"].Shape);
        Assert.Equal(Grid(30), z["obs"].Floats);
        Assert.Equal(Int32s, z["action"].Ints);
        Assert.Equal(U8(48), z["image"].Bytes);
        Assert.Equal(Flags(9), z["done"].Bools);
        Assert.Equal("<f8", z["reward"].Descr);
        Assert.Equal(Thirds(12), z["reward"].Floats);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Round_trips_with_the_chosen_compression(bool compress)
    {
        using var dir = new TempDir();
        string p = dir.File("replay.npz");
        var arrays = new Dictionary<string, NpyArray>
        {
            ["obs"] = NpyArray.Of(new float[4096], 64, 64),     // compressible
            ["action"] = NpyArray.Of(Int32s, 7),
            ["image"] = NpyArray.Of(U8(48), 4, 4, 3),
            ["is_first"] = NpyArray.Of(Flags(3), 3),
        };
        Npz.Write(p, arrays, compress);
        Assert.False(File.Exists(p + ".tmp"));

        using (var zip = ZipFile.OpenRead(p))
        {
            Assert.Equal(["obs.npy", "action.npy", "image.npy", "is_first.npy"], zip.Entries.Select(e => e.FullName));
            var obs = zip.GetEntry("obs.npy")!;
            Assert.Equal(compress, obs.CompressedLength < obs.Length);
        }
        var back = Npz.Read(p);
        Assert.Equal(arrays.Keys, back.Keys);
        Assert.Equal(arrays["obs"].Floats, back["obs"].Floats);
        Assert.Equal(Int32s, back["action"].Ints);
        Assert.Equal(U8(48), back["image"].Bytes);
        Assert.Equal(Flags(3), back["is_first"].Bools);
    }

    [Fact]
    public void Writes_tensors_as_float32_arrays()
    {
        using var dir = new TempDir();
        string p = dir.File("t.npz");
        Npz.Write(p, new Dictionary<string, Tensor> { ["w"] = Tensor.FromArray(Grid(6), new Shape(3, 2)) });
        var w = Npz.Read(p)["w"];
        Assert.Equal([3, 2], w.Shape);
        Assert.Equal(Grid(6), w.Floats);
    }

    [Fact]
    public void Rejects_bad_names_on_write()
    {
        using var dir = new TempDir();
        var a = NpyArray.Of(Grid(1), 1);
        Assert.Contains("path separator", Assert.Throws<ArgumentException>(() =>
            Npz.Write(dir.File("x.npz"), [KeyValuePair.Create("a/b", a)])).Message);
        Assert.Contains("'a' appears twice", Assert.Throws<ArgumentException>(() =>
            Npz.Write(dir.File("x.npz"), [KeyValuePair.Create("a", a), KeyValuePair.Create("a", a)])).Message);
        Assert.False(File.Exists(dir.File("x.npz")));
    }

    [Fact]
    public void Bad_archives_name_the_file_and_the_entry()
    {
        using var dir = new TempDir();
        string p = dir.File("bad.npz");
        File.WriteAllBytes(p, "this is not a zip file at all, just text"u8.ToArray());
        ThrowsData(() => Npz.Read(p), "bad.npz", "not a readable zip archive");
        File.Delete(p);

        using (var zip = ZipFile.Open(p, ZipArchiveMode.Create))
        {
            using (var s = zip.CreateEntry("good.npy").Open()) Npy.Write(s, NpyArray.Of(Grid(2), 2));
            using (var s = zip.CreateEntry("broken.npy").Open()) s.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        }
        ThrowsData(() => Npz.Read(p), "bad.npz", "entry 'broken.npy'", "truncated");

        File.Delete(p);
        using (var zip = ZipFile.Open(p, ZipArchiveMode.Create))
        {
            using (var s = zip.CreateEntry("x.npy").Open()) Npy.Write(s, NpyArray.Of(Grid(2), 2));
            using (var s = zip.CreateEntry("x").Open()) Npy.Write(s, NpyArray.Of(Grid(2), 2));
        }
        ThrowsData(() => Npz.Read(p), "bad.npz", "the name 'x' appears twice");
    }

    [Fact]
    public void Every_truncation_of_an_archive_is_an_InvalidDataException()
    {
        using var dir = new TempDir();
        foreach (var name in new[] { "npz_stored.npz", "npz_deflated.npz" })
        {
            byte[] good = File.ReadAllBytes(Fixtures.Path("io", name));
            string p = dir.File("cut.npz");
            for (int n = 0; n < good.Length; n += 7)
            {
                File.WriteAllBytes(p, good[..n]);
                ThrowsData(() => Npz.Read(p), "cut.npz");
            }
        }
    }
}

// SafeTensors tests: spec-exact files from PyTorch's layout, byte-identical writes, LoadInto, and corrupt files.
using System.Buffers.Binary;
using System.Text;
using Reverie.Tensors.IO;
using static Reverie.Tensors.Tests.IO.IoValues;

namespace Reverie.Tensors.Tests.IO;

public class SafeTensorsTests
{
    private static Dictionary<string, Tensor> Reference() => new()
    {
        ["a"] = Tensor.FromArray(Grid(6), new Shape(2, 3)),
        ["b.weight"] = Tensor.FromArray(Thirds(4), new Shape(4)),
        ["c"] = Tensor.Scalar(-1.25f),
    };

    private static readonly Dictionary<string, string> RefMeta = new() { ["step"] = "10", ["format"] = "pt" };

    [Fact]
    public void Reads_every_float_dtype_in_a_torch_style_file()
    {
        var t = SafeTensors.Load(Fixtures.Path("io", "st_torch_style.safetensors"), out var meta);
        Assert.Equal(new Dictionary<string, string> { ["format"] = "pt", ["source"] = "make_io_fixtures.py" }, meta);
        Assert.Equal(["double_f64", "emb_bf16_expected", "empty", "scalar", "weight_f32", "bias_f16", "emb_bf16"], t.Keys);
        Assert.Equal(Thirds(4), t["double_f64"].ToArray());
        Assert.Equal(new Shape(0, 4), t["empty"].Shape);
        Assert.Equal(new Shape(), t["scalar"].Shape);
        Assert.Equal(2.5f, t["scalar"].Item());
        Assert.Equal(Grid(12), t["weight_f32"].ToArray());
        Assert.Equal(new Shape(3, 4), t["weight_f32"].Shape);
        Assert.Equal(new[] { -2f, -0.5f, 0f, 0.333984375f, 65504f }, t["bias_f16"].ToArray());
        Assert.Equal(t["emb_bf16_expected"].ToArray(), t["emb_bf16"].ToArray());
        Assert.Equal("weight_f32", t["weight_f32"].Name);
    }

    [Fact]
    public void Writes_the_reference_layout_byte_for_byte()
    {
        using var dir = new TempDir();
        string p = dir.File("ref.safetensors");
        SafeTensors.Save(p, Reference(), RefMeta);
        Assert.Equal(File.ReadAllBytes(Fixtures.Path("io", "st_f32_reference.safetensors")), File.ReadAllBytes(p));
        Assert.False(File.Exists(p + ".tmp"));
    }

    [Fact]
    public void Round_trips_names_shapes_values_and_metadata()
    {
        using var dir = new TempDir();
        string p = dir.File("rt.safetensors");
        var rng = new Rng(3);
        var src = new Dictionary<string, Tensor>
        {
            ["wm.rssm.gru.weight"] = Tensor.Randn(new Shape(5, 7), rng),
            ["scalar"] = Tensor.Scalar(0.5f),
            ["empty"] = Tensor.Zeros(new Shape(3, 0)),
            ["rank6"] = Tensor.Randn(new Shape(1, 2, 1, 3, 1, 2), rng),
            ["ünï cödé"] = Tensor.Randn(new Shape(3), rng),
        };
        SafeTensors.Save(p, src, new Dictionary<string, string> { ["note"] = "quote \" and ünïcode" });
        byte[] bytes = File.ReadAllBytes(p);
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes) % 8);
        var back = SafeTensors.Load(p, out var meta);
        Assert.Equal("quote \" and ünïcode", meta["note"]);
        Assert.Equal(src.Keys, back.Keys);
        foreach (var (k, v) in src)
        {
            Assert.Equal(v.Shape, back[k].Shape);
            Assert.Equal(v.ToArray(), back[k].ToArray());
        }
        Assert.Equal(src.Keys, SafeTensors.ReadEntries(p).Select(e => e.Name));
        Assert.Equal("quote \" and ünïcode", SafeTensors.ReadMetadata(p)["note"]);
    }

    [Fact]
    public void Loaded_tensors_outlive_the_scope_they_were_loaded_in()
    {
        using var dir = new TempDir();
        string p = dir.File("w.safetensors");
        SafeTensors.Save(p, Reference());
        Dictionary<string, Tensor> w;
        using (Tensor.Scope()) w = SafeTensors.Load(p);
        Assert.Equal(Grid(6), w["a"].ToArray());
    }

    [Fact]
    public void Save_rejects_bad_names_and_released_tensors_before_touching_the_file()
    {
        using var dir = new TempDir();
        string p = dir.File("s.safetensors");
        SafeTensors.Save(p, Reference());
        byte[] before = File.ReadAllBytes(p);
        Assert.Contains("reserved", Assert.Throws<ArgumentException>(() =>
            SafeTensors.Save(p, new Dictionary<string, Tensor> { ["__metadata__"] = Tensor.Scalar(1) })).Message);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() =>
            SafeTensors.Save(p, new Dictionary<string, Tensor> { [""] = Tensor.Scalar(1) })).Message);
        Assert.Contains("'x' appears twice", Assert.Throws<ArgumentException>(() =>
            SafeTensors.Save(p, [KeyValuePair.Create("x", Tensor.Scalar(1)), KeyValuePair.Create("x", Tensor.Scalar(2))])).Message);
        Tensor released;
        using (Tensor.Scope()) released = Tensor.Zeros(new Shape(2));
        Assert.Throws<ObjectDisposedException>(() =>
            SafeTensors.Save(p, new Dictionary<string, Tensor> { ["ok"] = Tensor.Scalar(1), ["gone"] = released }));
        Assert.Equal(before, File.ReadAllBytes(p));
        Assert.False(File.Exists(p + ".tmp"));
    }

    [Fact]
    public void Unreadable_dtypes_are_listed_but_not_loaded()
    {
        string p = Fixtures.Path("io", "st_i64.safetensors");
        var entries = SafeTensors.ReadEntries(p);
        Assert.Equal(("ids", "I64", 0L, 24L), (entries[0].Name, entries[0].Dtype, entries[0].Begin, entries[0].End));
        ThrowsData(() => SafeTensors.Load(p), "st_i64.safetensors", "tensor 'ids' has dtype I64");
        var target = new Dictionary<string, Tensor> { ["w"] = Tensor.Zeros(new Shape(2)) };
        var report = SafeTensors.LoadInto(target, p, strict: false);   // 'ids' is only unexpected
        Assert.Equal(["ids"], report.Unexpected);
        Assert.Equal(Grid(2), target["w"].ToArray());
    }

    [Fact]
    public void LoadInto_copies_by_name_when_everything_matches()
    {
        using var dir = new TempDir();
        string p = dir.File("m.safetensors");
        SafeTensors.Save(p, Reference());
        var param = Tensor.Parameter(new Shape(2, 3), "a");
        var target = new Dictionary<string, Tensor>
        {
            ["a"] = param, ["b.weight"] = Tensor.Zeros(new Shape(4)), ["c"] = Tensor.Zeros(new Shape()),
        };
        var report = SafeTensors.LoadInto(target, p);
        Assert.True(report.IsExact);
        Assert.Equal(["a", "b.weight", "c"], report.Loaded);
        Assert.Equal(Grid(6), param.ToArray());
        Assert.True(param.RequiresGrad);
        Assert.Equal(-1.25f, target["c"].Item());
    }

    [Fact]
    public void LoadInto_reports_missing_unexpected_and_mismatched_names()
    {
        using var dir = new TempDir();
        string p = dir.File("m.safetensors");
        SafeTensors.Save(p, Reference());
        var target = new Dictionary<string, Tensor>
        {
            ["a"] = Tensor.Zeros(new Shape(3, 2)),          // wrong shape
            ["b.weight"] = Tensor.Zeros(new Shape(4)),      // ok
            ["d"] = Tensor.Zeros(new Shape(1)),             // not in the file
        };                                                  // "c" is unexpected

        var e = ThrowsData(() => SafeTensors.LoadInto(target, p, strict: true),
            "m.safetensors", "nothing copied", "missing from the file (1): d", "unexpected in the file (1): c",
            "a: file (2, 3) vs target (3, 2)");
        Assert.All(target.Values, t => Assert.All(t.ToArray(), v => Assert.Equal(0f, v)));

        var report = SafeTensors.LoadInto(target, p, strict: false);
        Assert.Equal(["b.weight"], report.Loaded);
        Assert.Equal(["d"], report.Missing);
        Assert.Equal(["c"], report.Unexpected);
        Assert.Equal(["a: file (2, 3) vs target (3, 2)"], report.ShapeMismatched);
        Assert.Equal(Thirds(4), target["b.weight"].ToArray());
        Assert.All(target["a"].ToArray(), v => Assert.Equal(0f, v));
    }

    // ------------------------------------------------------------------ corrupt files

    private static byte[] Build(string json, int dataBytes, bool pad = true)
    {
        var h = Encoding.UTF8.GetBytes(json);
        if (pad) h = [.. h, .. Enumerable.Repeat((byte)' ', (8 - h.Length % 8) % 8)];
        var b = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(b, (ulong)h.Length);
        h.CopyTo(b, 8);
        return b;
    }

    public static IEnumerable<object[]> CorruptCases() => new (byte[], string)[]
    {
        (new byte[5], "too short for the 8-byte header length"),
        (Build("{}", 0)[..8].Concat(new byte[] { (byte)'{' }).ToArray(), "header length 8 runs past the end of the file (9 bytes)"),
        (BitConverter.GetBytes(ulong.MaxValue).Concat(new byte[16]).ToArray(), "runs past the end of the file"),
        (Build("[1,2]", 0), "does not start with '{'"),
        (Build("{\"a\":", 0), "not valid JSON"),
        (Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4), "run past the end of the data section (4 bytes)"),
        (Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8), "needs 12 bytes but data_offsets [0, 8] span 8"),
        (Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "names 'a' twice"),
        (Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "leave a hole of 4 bytes"),
        (Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "overlap"),
        (Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 12), "trailing bytes are not allowed"),
        (Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4), "end before they begin"),
        (Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,0]}}", 0), "shape entry -1"),
        (Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[65536,65536],\"data_offsets\":[0,0]}}", 0), "more than 2^31-1 elements"),
        (Build("{\"a\":{\"dtype\":\"Q8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1), "unknown dtype 'Q8'"),
        (Build("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "missing or non-string 'dtype'"),
        (Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4), "'data_offsets' must be an array [begin, end]"),
        (Build("{\"__metadata__\":{\"k\":1}}", 0), "value of 'k' is a JSON Number"),
        (Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1],\"data_offsets\":[0,4]}}", 4), "rank 7"),
    }.Select(c => new object[] { c.Item1, c.Item2 });

    [Theory]
    [MemberData(nameof(CorruptCases))]
    public void Corrupt_files_give_an_InvalidDataException_naming_file_and_problem(byte[] bytes, string problem)
    {
        using var dir = new TempDir();
        string p = dir.File("corrupt.safetensors");
        File.WriteAllBytes(p, bytes);
        ThrowsData(() => SafeTensors.Load(p), "corrupt.safetensors", problem);
    }

    [Fact]
    public void Every_truncation_and_every_header_byte_flip_fails_cleanly()
    {
        using var dir = new TempDir();
        byte[] good = File.ReadAllBytes(Fixtures.Path("io", "st_torch_style.safetensors"));
        string p = dir.File("fuzz.safetensors");
        for (int n = 0; n < good.Length; n++)
        {
            File.WriteAllBytes(p, good[..n]);
            ThrowsData(() => SafeTensors.Load(p), "fuzz.safetensors");
        }
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(good);
        var rng = new Rng(7);
        for (int i = 0; i < headerEnd; i++)
        {
            var b = (byte[])good.Clone();
            b[i] ^= (byte)(1 + rng.NextInt(255));
            File.WriteAllBytes(p, b);
            try { SafeTensors.Load(p); }    // a flip inside a name or metadata value may still be valid
            catch (InvalidDataException e) { Assert.Contains("fuzz.safetensors", e.Message); }
        }
    }
}

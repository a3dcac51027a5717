// Npy tests: NumPy-written files read exactly, our files byte-identical to numpy.save, and clear errors on bad files.
using Reverie.Tensors.IO;
using static Reverie.Tensors.Tests.IO.IoValues;

namespace Reverie.Tensors.Tests.IO;

public class NpyTests
{
    private static string Fx(string name) => Fixtures.Path("io", name);

    [Fact]
    public void Reads_every_supported_dtype_written_by_numpy()
    {
        var f4 = Npy.Read(Fx("npy_f4.npy"));
        Assert.Equal([2, 3, 5], f4.Shape);
        Assert.Equal(NpyDtype.Float32, f4.Dtype);
        Assert.Equal("<f4", f4.Descr);
        Assert.Equal(Grid(30), f4.Floats);

        var f8 = Npy.Read(Fx("npy_f8.npy"));
        Assert.Equal([4, 3], f8.Shape);
        Assert.Equal((NpyDtype.Float32, "<f8"), (f8.Dtype, f8.Descr));
        Assert.Equal(Thirds(12), f8.Floats);

        var i4 = Npy.Read(Fx("npy_i4.npy"));
        Assert.Equal([7], i4.Shape);
        Assert.Equal(Int32s, i4.Ints);

        var i8 = Npy.Read(Fx("npy_i8.npy"));
        Assert.Equal([2, 3], i8.Shape);
        Assert.Equal((NpyDtype.Int32, "<i8"), (i8.Dtype, i8.Descr));
        Assert.Equal(Int64sAsInt, i8.Ints);

        var u1 = Npy.Read(Fx("npy_u1.npy"));
        Assert.Equal([4, 4, 3], u1.Shape);
        Assert.Equal(U8(48), u1.Bytes);

        var b1 = Npy.Read(Fx("npy_b1.npy"));
        Assert.Equal([3, 3], b1.Shape);
        Assert.Equal(Flags(9), b1.Bools);
    }

    [Fact]
    public void Reads_scalars_empty_arrays_other_ranks_and_format_2_0()
    {
        var s = Npy.Read(Fx("npy_scalar.npy"));
        Assert.Empty(s.Shape);
        Assert.Equal(new[] { 3.5f }, s.Floats);

        var e = Npy.Read(Fx("npy_empty.npy"));
        Assert.Equal([0, 3], e.Shape);
        Assert.Empty(e.Floats!);

        var r4 = Npy.Read(Fx("npy_f4_rank4.npy"));
        Assert.Equal([2, 1, 3, 2], r4.Shape);
        Assert.Equal(Grid(12), r4.Floats);

        var v2 = Npy.Read(Fx("npy_v2.npy"));
        Assert.Equal([3, 4], v2.Shape);
        Assert.Equal(Grid(12), v2.Floats);
    }

    [Theory]
    [InlineData("npy_f4.npy")]
    [InlineData("npy_i4.npy")]
    [InlineData("npy_u1.npy")]
    [InlineData("npy_b1.npy")]
    [InlineData("npy_scalar.npy")]
    [InlineData("npy_empty.npy")]
    [InlineData("npy_f4_1d.npy")]
    [InlineData("npy_f4_rank4.npy")]
    public void Writes_the_same_bytes_as_numpy_save(string name)
    {
        // numpy.save wrote the fixture; reading it and writing it back must reproduce every byte,
        // so NumPy reads our files exactly as it reads its own.
        using var dir = new TempDir();
        var a = Npy.Read(Fx(name));
        Npy.Write(dir.File(name), a);
        Assert.Equal(File.ReadAllBytes(Fx(name)), File.ReadAllBytes(dir.File(name)));
        Assert.False(File.Exists(dir.File(name) + ".tmp"));
    }

    [Fact]
    public void Round_trips_every_dtype_and_large_first_axes()
    {
        using var dir = new TempDir();
        var cases = new[]
        {
            NpyArray.Of(Grid(123456), 123456),
            NpyArray.Of(Grid(24), 1, 2, 3, 4, 1, 1, 1),
            NpyArray.Of(Int32s, 7, 1),
            NpyArray.Of(U8(6), 2, 3),
            NpyArray.Of(Flags(5), 5),
            NpyArray.Of(new float[0], 0),
        };
        foreach (var a in cases)
        {
            string p = dir.File("a.npy");
            Npy.Write(p, a);
            Assert.Equal(0, (new FileInfo(p).Length - DataBytes(a)) % 64); // data starts 64-byte aligned
            var b = Npy.Read(p);
            Assert.Equal(a.Shape, b.Shape);
            Assert.Equal(a.Dtype, b.Dtype);
            Assert.Equal(a.Floats, b.Floats);
            Assert.Equal(a.Ints, b.Ints);
            Assert.Equal(a.Bytes, b.Bytes);
            Assert.Equal(a.Bools, b.Bools);
        }
    }

    private static long DataBytes(NpyArray a) => (long)a.Count * (a.Dtype is NpyDtype.Float32 or NpyDtype.Int32 ? 4 : 1);

    [Fact]
    public void Reads_from_a_non_seekable_stream_and_stops_after_the_data()
    {
        var ms = new MemoryStream();
        Npy.Write(ms, NpyArray.Of(Grid(5), 5));
        Npy.Write(ms, NpyArray.Of(Int32s, 7));
        var s = new ForwardOnly(new MemoryStream(ms.ToArray()));
        Assert.Equal(Grid(5), Npy.Read(s).Floats);
        Assert.Equal(Int32s, Npy.Read(s).Ints);
    }

    [Fact]
    public void Tensor_conversions_copy_values_and_shape()
    {
        var t = Tensor.FromArray(Grid(6), new Shape(2, 3));
        var a = NpyArray.FromTensor(t);
        Assert.Equal([2, 3], a.Shape);
        Assert.Equal(Grid(6), a.Floats);
        var back = a.ToTensor();
        Assert.Equal(new Shape(2, 3), back.Shape);
        Assert.Equal(Grid(6), back.ToArray());
        Assert.Equal(new float[] { 0, 7, 14 }, NpyArray.Of(U8(3), 3).ToTensor().ToArray());
        Assert.Equal(new float[] { 1, 0, 0, 1 }, NpyArray.Of(Flags(4), 4).ToTensor().ToArray());
        Assert.Equal(new float[] { -1, 0, 1 }, NpyArray.Of(new[] { -1, 0, 1 }, 3).ToTensor().ToArray());
        var e = Assert.Throws<InvalidOperationException>(() => NpyArray.Of(new float[1], 1, 1, 1, 1, 1, 1, 1).ToTensor());
        Assert.Contains("rank 7", e.Message);
    }

    [Fact]
    public void Of_rejects_data_that_does_not_fill_the_shape()
    {
        var e = Assert.Throws<ArgumentException>(() => NpyArray.Of(new float[5], 2, 3));
        Assert.Contains("5 values cannot fill shape (2, 3)", e.Message);
        Assert.Throws<ArgumentException>(() => NpyArray.Of(new int[0], -1));
    }

    [Fact]
    public void Refuses_unsupported_files_naming_the_file_and_the_reason()
    {
        ThrowsData(() => Npy.Read(Fx("npy_fortran.npy")), "npy_fortran.npy", "fortran_order is True");
        ThrowsData(() => Npy.Read(Fx("npy_i8_big.npy")), "npy_i8_big.npy", "int64 element 1 = 1099511627776 does not fit in int32");
        ThrowsData(() => Npy.Read(Fx("npy_f2.npy")), "npy_f2.npy", "dtype '<f2' is not supported");
        ThrowsData(() => Npy.Read(Fx("npy_big_endian.npy")), "npy_big_endian.npy", "big-endian dtype '>f4'");
    }

    [Fact]
    public void Corrupt_headers_give_clear_errors()
    {
        using var dir = new TempDir();
        byte[] good = File.ReadAllBytes(Fx("npy_f4.npy"));
        string p = dir.File("bad.npy");

        void Check(byte[] bytes, string fragment)
        {
            File.WriteAllBytes(p, bytes);
            ThrowsData(() => Npy.Read(p), "bad.npy", fragment);
        }

        Check([(byte)'P', (byte)'K', 3, 4, 0, 0, 0, 0, 0, 0, 0, 0], "magic");
        var v = (byte[])good.Clone(); v[6] = 4; Check(v, "format version 4.0");
        var h = (byte[])good.Clone(); h[8] = 0xFF; h[9] = 0xFF; Check(h, "header length 65535 runs past the end");
        Check(Patch(good, "'shape': (2, 3, 5)", "'shape': (2, 3, 9)"), "only 120 remain; the file is truncated");
        Check(Patch(good, "'shape': (2, 3, 5)", "'shape': (2,-3, 5)"), "shape entry 1");
        Check(Patch(good, "'descr'", "'DESCR'"), "no 'descr'");
        Check(Patch(good, "False", "Maybe"), "unexpected character 'M'");
        Check(Patch(good, "{'descr'", "['descr'"), "expected ',' or ']'");
        Check(good[..100], "header length 118 runs past the end");
        Check(good[..5], "truncated");
    }

    [Fact]
    public void Every_truncation_of_a_valid_file_is_an_InvalidDataException()
    {
        using var dir = new TempDir();
        byte[] good = File.ReadAllBytes(Fx("npy_f8.npy"));
        string p = dir.File("cut.npy");
        for (int n = 0; n < good.Length; n++)
        {
            File.WriteAllBytes(p, good[..n]);
            ThrowsData(() => Npy.Read(p), "cut.npy");
            ThrowsData(() => Npy.Read(new ForwardOnly(new MemoryStream(good[..n]))), "npy stream");
        }
    }

    // Replaces text inside the header (same length keeps the layout).
    internal static byte[] Patch(byte[] bytes, string from, string to)
    {
        var s = System.Text.Encoding.Latin1.GetString(bytes);
        int i = s.IndexOf(from, StringComparison.Ordinal);
        Assert.True(i >= 0, $"'{from}' not found");
        return System.Text.Encoding.Latin1.GetBytes(s[..i] + to + s[(i + from.Length)..]);
    }
}

/// <summary>A read-only stream that cannot seek or report its length (like a zip entry stream).</summary>
internal sealed class ForwardOnly(Stream inner) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 7));
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

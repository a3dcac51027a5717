// Npy: read and write NumPy .npy files (read versions 1.0-3.0, write 1.0), C order, six dtypes.
using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Reverie.Tensors.IO;

/// <summary>
/// NumPy's <c>.npy</c> format (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
/// magic <c>\x93NUMPY</c>, a version, a header length (2 bytes in 1.0, 4 in 2.0/3.0), a Python dict
/// literal header with <c>descr</c>, <c>fortran_order</c>, <c>shape</c>, then the raw elements. Reads
/// <c>&lt;f4</c>, <c>&lt;f8</c> (as float32), <c>&lt;i4</c>, <c>&lt;i8</c> (as int32, range-checked),
/// <c>|u1</c> and <c>|b1</c>, C order only. Writes version 1.0 byte-identical to <c>numpy.save</c>.
/// </summary>
public static class Npy
{
    /// <summary>Reads a .npy file.</summary>
    /// <exception cref="InvalidDataException">Not a .npy file, a truncated or malformed header, truncated data,
    /// an unsupported dtype, Fortran order, or an int64 value outside int32. The message names the file.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static NpyArray Read(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(fs, $"npy file '{path}'", fs.Length);
    }

    /// <summary>
    /// Reads one array from <paramref name="stream"/>, leaving it positioned just after the data.
    /// <paramref name="name"/> names the source in error messages.
    /// </summary>
    /// <exception cref="InvalidDataException">As for <see cref="Read(string)"/>.</exception>
    public static NpyArray Read(Stream stream, string name = "npy stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Read(stream, name, stream.CanSeek ? stream.Length - stream.Position : -1);
    }

    /// <summary>Reads one array; <paramref name="available"/> is the number of bytes left in the stream, or -1 if unknown.</summary>
    internal static NpyArray Read(Stream s, string source, long available)
    {
        InvalidDataException Bad(string problem) => new($"{source}: {problem}");
        try
        {
            Span<byte> pre = stackalloc byte[8];
            s.ReadExactly(pre);
            if (!pre[..6].SequenceEqual(NpyHeader.Magic)) throw Bad("it does not start with the .npy magic \\x93NUMPY");
            int major = pre[6], minor = pre[7];
            if (major is < 1 or > 3 || minor != 0) throw Bad($"format version {major}.{minor} is not supported (1.0, 2.0 and 3.0 are)");
            long hlen;
            if (major == 1) { Span<byte> b = stackalloc byte[2]; s.ReadExactly(b); hlen = BinaryPrimitives.ReadUInt16LittleEndian(b); }
            else { Span<byte> b = stackalloc byte[4]; s.ReadExactly(b); hlen = BinaryPrimitives.ReadUInt32LittleEndian(b); }
            long prefix = major == 1 ? 10 : 12;
            if (hlen > NpyHeader.MaxHeaderBytes) throw Bad($"the header length {hlen} exceeds the limit of {NpyHeader.MaxHeaderBytes} bytes");
            if (available >= 0 && prefix + hlen > available)
                throw Bad($"the header length {hlen} runs past the end of the data ({available} bytes)");
            var hb = new byte[hlen];
            s.ReadExactly(hb);
            string text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(hb);
            var h = NpyHeader.Parse(text, Bad);
            if (h.FortranOrder) throw Bad("fortran_order is True; only C-ordered arrays are supported (save np.ascontiguousarray(a))");
            var (dtype, itemSize) = Describe(h.Descr, Bad);
            long count = 1;
            foreach (int d in h.Shape)
            {
                count *= d;
                if (count > Array.MaxLength) throw Bad($"shape ({string.Join(", ", h.Shape)}) is too large");
            }
            long bytes = count * itemSize;
            if (available >= 0 && prefix + hlen + bytes > available)
                throw Bad($"shape ({string.Join(", ", h.Shape)}) of {h.Descr} needs {bytes} data bytes but only {available - prefix - hlen} remain; the file is truncated");
            Array data = ReadData(s, h.Descr, (int)count, Bad);
            return NpyArray.Read(h.Shape, dtype, h.Descr, data);
        }
        catch (EndOfStreamException)
        {
            throw Bad("the data ended early; the file is truncated");
        }
    }

    private static (NpyDtype, int) Describe(string descr, Func<string, Exception> fail) => descr switch
    {
        "<f4" => (NpyDtype.Float32, 4),
        "<f8" => (NpyDtype.Float32, 8),
        "<i4" => (NpyDtype.Int32, 4),
        "<i8" => (NpyDtype.Int32, 8),
        "|u1" or "<u1" or ">u1" or "u1" => (NpyDtype.UInt8, 1),
        "|b1" or "<b1" or ">b1" or "b1" => (NpyDtype.Bool, 1),
        _ when descr.StartsWith('>') => throw fail($"big-endian dtype '{descr}' is not supported; save arr.astype('<{descr[1..]}')"),
        _ => throw fail($"dtype '{descr}' is not supported (supported: <f4, <f8, <i4, <i8, |u1, |b1)"),
    };

    private static Array ReadData(Stream s, string descr, int count, Func<string, Exception> fail)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Npy: big-endian machines are not supported");
        switch (descr)
        {
            case "<f4": { var a = new float[count]; s.ReadExactly(MemoryMarshal.AsBytes(a.AsSpan())); return a; }
            case "<i4": { var a = new int[count]; s.ReadExactly(MemoryMarshal.AsBytes(a.AsSpan())); return a; }
            case "<f8":
            {
                var a = new float[count];
                ReadChunked(s, count, 8, (src, start) =>
                {
                    for (int i = 0; i < src.Length / 8; i++) a[start + i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(src[(8 * i)..]);
                });
                return a;
            }
            case "<i8":
            {
                var a = new int[count];
                ReadChunked(s, count, 8, (src, start) =>
                {
                    for (int i = 0; i < src.Length / 8; i++)
                    {
                        long v = BinaryPrimitives.ReadInt64LittleEndian(src[(8 * i)..]);
                        if (v < int.MinValue || v > int.MaxValue) throw fail($"int64 element {start + i} = {v} does not fit in int32");
                        a[start + i] = (int)v;
                    }
                });
                return a;
            }
            default:
                if (descr.EndsWith("u1")) { var a = new byte[count]; s.ReadExactly(a); return a; }
                else
                {
                    var raw = new byte[count];
                    s.ReadExactly(raw);
                    var a = new bool[count];
                    for (int i = 0; i < count; i++) a[i] = raw[i] != 0;
                    return a;
                }
        }
    }

    private delegate void ChunkAction(ReadOnlySpan<byte> src, int start);

    private static void ReadChunked(Stream s, int count, int itemSize, ChunkAction convert)
    {
        byte[] buf = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            int per = buf.Length / itemSize;
            for (int start = 0; start < count; start += per)
            {
                int k = Math.Min(per, count - start);
                s.ReadExactly(buf, 0, k * itemSize);
                convert(buf.AsSpan(0, k * itemSize), start);
            }
        }
        finally { ArrayPool<byte>.Shared.Return(buf); }
    }

    /// <summary>
    /// Writes <paramref name="array"/> as a version 1.0 .npy file, atomically (through <c>path + ".tmp"</c> and a
    /// rename, so a crash leaves any previous file intact). The dtype is the in-memory one: <c>&lt;f4</c>,
    /// <c>&lt;i4</c>, <c>|u1</c> or <c>|b1</c>; the bytes equal what <c>numpy.save</c> writes for the same array.
    /// </summary>
    public static void Write(string path, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        AtomicFile.Write(path, s => Write(s, array));
    }

    /// <summary>Writes <paramref name="array"/> as version 1.0 .npy to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(array);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Npy: big-endian machines are not supported");
        string descr = array.Dtype switch
        {
            NpyDtype.Float32 => "<f4",
            NpyDtype.Int32 => "<i4",
            NpyDtype.UInt8 => "|u1",
            _ => "|b1",
        };
        stream.Write(NpyHeader.FormatV1(descr, array.Shape));
        switch (array.Dtype)
        {
            case NpyDtype.Float32: stream.Write(MemoryMarshal.AsBytes(array.Floats.AsSpan())); break;
            case NpyDtype.Int32: stream.Write(MemoryMarshal.AsBytes(array.Ints.AsSpan())); break;
            case NpyDtype.UInt8: stream.Write(array.Bytes); break;
            default: stream.Write(MemoryMarshal.AsBytes(array.Bools.AsSpan())); break; // .NET bool is one byte, 0 or 1
        }
    }
}

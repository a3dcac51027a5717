// SafeTensorsReader: parses and validates a safetensors header, then decodes tensors into float32 spans.
using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Reverie.Tensors.IO;

/// <summary>
/// An open safetensors file whose header has been fully validated: every entry's size matches its
/// shape and dtype, and the entries tile the data section exactly (no holes, no overlaps, nothing past
/// the end), as the spec requires. Any violation is an <see cref="InvalidDataException"/> naming the file.
/// </summary>
internal sealed class SafeTensorsReader : IDisposable
{
    /// <summary>The largest header accepted (the reference Rust implementation's limit).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private readonly FileStream _fs;
    private long _dataStart;
    private readonly string _path;

    public List<SafeTensorsEntry> Entries { get; } = new();
    public Dictionary<string, string> Metadata { get; } = new();

    private SafeTensorsReader(string path, FileStream fs)
    {
        _path = path;
        _fs = fs;
    }

    /// <summary>Bytes per element of every dtype in the spec (readable or not).</summary>
    public static int DtypeSize(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" or "F8_E4M3" or "F8_E5M2" => 1,
        _ => 0,
    };

    /// <summary>Whether <see cref="ReadInto"/> can convert this dtype to float32.</summary>
    public static bool IsReadable(string dtype) => dtype is "F32" or "F64" or "F16" or "BF16";

    private InvalidDataException Bad(string problem) => new($"safetensors file '{_path}': {problem}");

    public static SafeTensorsReader Open(string path)
    {
        var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var reader = new SafeTensorsReader(path, fs);
        try
        {
            reader.ParseHeader();
            return reader;
        }
        catch
        {
            fs.Dispose();
            throw;
        }
    }

    private void ParseHeader()
    {
        var fs = _fs;
        long fileLength = fs.Length;
        if (fileLength < 8)
            throw Bad($"the file has {fileLength} bytes, too short for the 8-byte header length");
        Span<byte> lenBytes = stackalloc byte[8];
        fs.ReadExactly(lenBytes);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(lenBytes);
        if (n > (ulong)(fileLength - 8))
            throw Bad($"the header length {n} runs past the end of the file ({fileLength} bytes); the file is truncated or not safetensors");
        if (n > MaxHeaderBytes)
            throw Bad($"the header length {n} exceeds the limit of {MaxHeaderBytes} bytes");
        if (n < 2)
            throw Bad($"the header length {n} is too short for a JSON object");
        var header = new byte[n];
        fs.ReadExactly(header);
        if (header[0] != (byte)'{')
            throw Bad($"the header does not start with '{{' (first byte 0x{header[0]:X2}); the file is not safetensors");

        _dataStart = 8 + (long)n;
        if (!System.Text.Unicode.Utf8.IsValid(header)) throw Bad("the header is not valid UTF-8");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(header); }
        catch (JsonException e) { throw Bad($"the header is not valid JSON: {e.Message}"); }
        using (doc) ReadEntries(doc.RootElement);
        CheckLayout(fileLength - _dataStart);
    }

    private void ReadEntries(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw Bad($"the header is a JSON {root.ValueKind}, not an object");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var prop in root.EnumerateObject())
        {
            if (!seen.Add(prop.Name)) throw Bad($"the header names '{prop.Name}' twice");
            if (prop.Name == "__metadata__") { ReadMetadata(prop.Value); continue; }
            Entries.Add(ReadEntry(prop.Name, prop.Value));
        }
    }

    private void ReadMetadata(JsonElement m)
    {
        if (m.ValueKind != JsonValueKind.Object) throw Bad($"__metadata__ is a JSON {m.ValueKind}, not an object of strings");
        foreach (var p in m.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String)
                throw Bad($"__metadata__ value of '{p.Name}' is a JSON {p.Value.ValueKind}; only strings are allowed");
            if (!Metadata.TryAdd(p.Name, p.Value.GetString()!)) throw Bad($"__metadata__ names '{p.Name}' twice");
        }
    }

    private SafeTensorsEntry ReadEntry(string name, JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object) throw Bad($"tensor '{name}': header value is a JSON {e.ValueKind}, not an object");
        if (!e.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            throw Bad($"tensor '{name}': missing or non-string 'dtype'");
        string dtype = dt.GetString()!;
        if (DtypeSize(dtype) == 0) throw Bad($"tensor '{name}': unknown dtype '{dtype}'");
        if (!e.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array)
            throw Bad($"tensor '{name}': missing or non-array 'shape'");
        var shape = new int[sh.GetArrayLength()];
        int i = 0;
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int v) || v < 0)
                throw Bad($"tensor '{name}': shape entry {d.GetRawText()} is not a non-negative 32-bit integer");
            shape[i++] = v;
        }
        if (!e.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw Bad($"tensor '{name}': 'data_offsets' must be an array [begin, end]");
        long begin = Offset(name, off[0]), end = Offset(name, off[1]);
        if (end < begin) throw Bad($"tensor '{name}': data_offsets [{begin}, {end}] end before they begin");
        var entry = new SafeTensorsEntry(name, dtype, shape, begin, end);
        long count = 1;
        foreach (int d in shape)
        {
            count *= d;
            if (count > int.MaxValue) throw Bad($"tensor '{name}': shape {entry.ShapeText} has more than 2^31-1 elements");
        }
        long bytes = count * DtypeSize(dtype);
        if (end - begin != bytes)
            throw Bad($"tensor '{name}': shape {entry.ShapeText} of {dtype} needs {bytes} bytes but data_offsets [{begin}, {end}] span {end - begin}");
        return entry;
    }

    private long Offset(string name, JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out long x) || x < 0)
            throw Bad($"tensor '{name}': data offset {v.GetRawText()} is not a non-negative integer");
        return x;
    }

    // The spec: the data section is entirely indexed, without holes or overlaps.
    private void CheckLayout(long dataLength)
    {
        var sorted = Entries.OrderBy(x => x.Begin).ThenBy(x => x.End).ToList();
        long pos = 0;
        foreach (var x in sorted)
        {
            if (x.End > dataLength)
                throw Bad($"tensor '{x.Name}': data_offsets [{x.Begin}, {x.End}] run past the end of the data section ({dataLength} bytes); the file is truncated");
            if (x.Begin < pos) throw Bad($"tensor '{x.Name}': data_offsets [{x.Begin}, {x.End}] overlap the previous tensor (which ends at {pos})");
            if (x.Begin > pos) throw Bad($"tensor '{x.Name}': data_offsets [{x.Begin}, {x.End}] leave a hole of {x.Begin - pos} bytes after offset {pos}");
            pos = x.End;
        }
        if (pos != dataLength)
            throw Bad($"the tensors cover {pos} bytes of data but the data section has {dataLength}; trailing bytes are not allowed");
    }

    /// <summary>Decodes <paramref name="e"/> into <paramref name="dest"/> (length = element count) as float32.</summary>
    public void ReadInto(SafeTensorsEntry e, Span<float> dest)
    {
        if (!IsReadable(e.Dtype))
            throw Bad($"tensor '{e.Name}' has dtype {e.Dtype}; Reverie reads only F32, F64, F16 and BF16 (converted to float32)");
        if (dest.Length != e.Count) throw new ArgumentException($"ReadInto: destination has {dest.Length} elements, tensor '{e.Name}' has {e.Count}");
        _fs.Seek(_dataStart + e.Begin, SeekOrigin.Begin);
        try
        {
            if (e.Dtype == "F32") { _fs.ReadExactly(MemoryMarshal.AsBytes(dest)); FixEndianF32(dest); return; }
            int size = DtypeSize(e.Dtype);
            byte[] buf = ArrayPool<byte>.Shared.Rent(1 << 16);
            try
            {
                int perChunk = buf.Length / size;
                for (int start = 0; start < dest.Length; start += perChunk)
                {
                    int k = Math.Min(perChunk, dest.Length - start);
                    var bytes = buf.AsSpan(0, k * size);
                    _fs.ReadExactly(bytes);
                    Convert(e.Dtype, bytes, dest.Slice(start, k));
                }
            }
            finally { ArrayPool<byte>.Shared.Return(buf); }
        }
        catch (EndOfStreamException)
        {
            throw Bad($"tensor '{e.Name}': the file ended while reading its data (was it truncated while open?)");
        }
    }

    private static void FixEndianF32(Span<float> dest)
    {
        if (BitConverter.IsLittleEndian) return;
        var ints = MemoryMarshal.Cast<float, int>(dest);
        BinaryPrimitives.ReverseEndianness(ints, ints);
    }

    // (n * size) little-endian bytes → n floats.
    private static void Convert(string dtype, ReadOnlySpan<byte> src, Span<float> dst)
    {
        switch (dtype)
        {
            case "F64":
                for (int i = 0; i < dst.Length; i++) dst[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(src[(8 * i)..]);
                break;
            case "F16":
                for (int i = 0; i < dst.Length; i++) dst[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(src[(2 * i)..]);
                break;
            case "BF16":
                for (int i = 0; i < dst.Length; i++)
                    dst[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(src[(2 * i)..]) << 16);
                break;
            default:
                throw new InvalidOperationException($"no float32 conversion for dtype {dtype}");
        }
    }

    public void Dispose() => _fs.Dispose();
}

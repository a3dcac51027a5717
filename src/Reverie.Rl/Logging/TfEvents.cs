// TfEvents: TensorBoard event files by hand — TFRecord framing with masked CRC32C and the Event/Summary protobuf for scalars.
using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Reverie.Rl.Logging;

/// <summary>One scalar read from an event file.</summary>
/// <param name="Tag">The scalar's name, e.g. <c>loss/rew</c>.</param>
/// <param name="Step">The global step it was logged at.</param>
/// <param name="Value">The value.</param>
/// <param name="WallTime">Seconds since the Unix epoch.</param>
public readonly record struct TfScalar(string Tag, long Step, float Value, double WallTime);

/// <summary>One event record: a wall time, a step, and either a file version or scalar values.</summary>
public sealed record TfEvent(double WallTime, long Step, string? FileVersion, IReadOnlyList<(string Tag, float Value)> Scalars);

/// <summary>
/// The TensorBoard event-file format. A file is a sequence of TFRecords: <c>uint64 length</c>,
/// <c>uint32 masked_crc32c(length bytes)</c>, <c>data</c>, <c>uint32 masked_crc32c(data)</c>, all little-endian;
/// each data is a serialized <c>tensorflow.Event</c> protobuf: <c>wall_time</c> (field 1, double), <c>step</c>
/// (field 2, int64), <c>file_version</c> (field 3, string; the first record says <c>brain.Event:2</c>) or
/// <c>summary</c> (field 5) holding <c>value</c>s (field 1) of <c>tag</c> (field 1) and <c>simple_value</c> (field 2, float).
/// </summary>
public static class TfEvents
{
    /// <summary>The CRC-32C (Castagnoli) of <paramref name="data"/>, as TFRecord uses.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        int i = 0;
        for (; i + 8 <= data.Length; i += 8) crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
        for (; i < data.Length; i++) crc = BitOperations.Crc32C(crc, data[i]);
        return ~crc;
    }

    /// <summary>TFRecord's masked CRC: <c>((crc &gt;&gt; 15) | (crc &lt;&lt; 17)) + 0xa282ead8</c>.</summary>
    public static uint MaskedCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = Crc32C(data);
        return unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8u);
    }

    /// <summary>Frames <paramref name="data"/> as one TFRecord onto <paramref name="stream"/>.</summary>
    public static void WriteRecord(Stream stream, ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], MaskedCrc32C(header[..8]));
        stream.Write(header);
        stream.Write(data);
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, MaskedCrc32C(data));
        stream.Write(footer);
    }

    /// <summary>A serialized Event with a file version (the first record of a file).</summary>
    public static byte[] FileVersionEvent(double wallTime, string version = "brain.Event:2")
    {
        var w = new ProtoWriter();
        w.Double(1, wallTime);
        w.Varint(2, 0);
        w.Bytes(3, Encoding.UTF8.GetBytes(version));
        return w.ToArray();
    }

    /// <summary>A serialized Event holding scalar summaries.</summary>
    public static byte[] ScalarEvent(double wallTime, long step, IEnumerable<(string Tag, float Value)> scalars)
    {
        var summary = new ProtoWriter();
        foreach (var (tag, value) in scalars)
        {
            var v = new ProtoWriter();
            v.Bytes(1, Encoding.UTF8.GetBytes(tag));
            v.Float(2, value);
            summary.Bytes(1, v.ToArray());
        }
        var e = new ProtoWriter();
        e.Double(1, wallTime);
        e.Varint(2, (ulong)step);
        e.Bytes(5, summary.ToArray());
        return e.ToArray();
    }

    /// <summary>Reads every record of an event file, checking both CRCs of each.</summary>
    /// <exception cref="InvalidDataException">A truncated record, a CRC mismatch or a malformed Event; the message names the file and the byte offset.</exception>
    public static List<TfEvent> ReadEvents(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var events = new List<TfEvent>();
        int pos = 0;
        while (pos < bytes.Length)
        {
            if (bytes.Length - pos < 12) throw Bad(path, pos, "truncated record header");
            ulong len = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(pos));
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos + 8)) != MaskedCrc32C(bytes.AsSpan(pos, 8)))
                throw Bad(path, pos, "length CRC mismatch");
            if (len > (ulong)(bytes.Length - pos - 16)) throw Bad(path, pos, $"record of {len} bytes runs past the end of the file");
            var data = bytes.AsSpan(pos + 12, (int)len);
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos + 12 + (int)len)) != MaskedCrc32C(data))
                throw Bad(path, pos, "data CRC mismatch");
            try { events.Add(ParseEvent(data)); }
            catch (FormatException e) { throw Bad(path, pos, $"malformed Event protobuf ({e.Message})"); }
            pos += 16 + (int)len;
        }
        return events;
    }

    /// <summary>Every scalar of an event file, in file order.</summary>
    public static List<TfScalar> ReadScalars(string path) =>
        ReadEvents(path).SelectMany(e => e.Scalars.Select(s => new TfScalar(s.Tag, e.Step, s.Value, e.WallTime))).ToList();

    private static InvalidDataException Bad(string path, int offset, string what) => new($"event file '{path}': {what} at byte {offset}");

    private static TfEvent ParseEvent(ReadOnlySpan<byte> data)
    {
        double wall = 0; long step = 0; string? version = null;
        var scalars = new List<(string, float)>();
        var r = new ProtoReader(data.ToArray());
        while (r.Next(out int field, out int wire))
        {
            if (field == 1 && wire == 1) wall = BitConverter.Int64BitsToDouble((long)r.Fixed64());
            else if (field == 2 && wire == 0) step = (long)r.Varint();
            else if (field == 3 && wire == 2) version = Encoding.UTF8.GetString(r.LengthDelimited());
            else if (field == 5 && wire == 2)
            {
                var s = new ProtoReader(r.LengthDelimited());
                while (s.Next(out int sf, out int sw))
                {
                    if (sf != 1 || sw != 2) { s.Skip(sw); continue; }
                    var v = new ProtoReader(s.LengthDelimited());
                    string tag = ""; float value = float.NaN;
                    while (v.Next(out int vf, out int vw))
                    {
                        if (vf == 1 && vw == 2) tag = Encoding.UTF8.GetString(v.LengthDelimited());
                        else if (vf == 2 && vw == 5) value = BitConverter.Int32BitsToSingle((int)v.Fixed32());
                        else v.Skip(vw);
                    }
                    scalars.Add((tag, value));
                }
            }
            else r.Skip(wire);
        }
        return new TfEvent(wall, step, version, scalars);
    }
}

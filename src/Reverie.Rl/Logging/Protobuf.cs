// ProtoWriter/ProtoReader: the few protobuf wire-format pieces the TensorBoard event files need.
using System.Buffers.Binary;

namespace Reverie.Rl.Logging;

/// <summary>Writes protobuf fields (varint, fixed32/64, length-delimited) into a growing buffer.</summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _s = new();

    private void Raw(ulong v)
    {
        while (v >= 0x80) { _s.WriteByte((byte)(v | 0x80)); v >>= 7; }
        _s.WriteByte((byte)v);
    }

    private void Tag(int field, int wire) => Raw((ulong)((field << 3) | wire));

    public void Varint(int field, ulong v) { Tag(field, 0); Raw(v); }

    public void Double(int field, double v)
    {
        Tag(field, 1);
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(b, v);
        _s.Write(b);
    }

    public void Float(int field, float v)
    {
        Tag(field, 5);
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(b, v);
        _s.Write(b);
    }

    public void Bytes(int field, ReadOnlySpan<byte> v) { Tag(field, 2); Raw((ulong)v.Length); _s.Write(v); }

    public byte[] ToArray() => _s.ToArray();
}

/// <summary>Reads protobuf fields; malformed input throws <see cref="FormatException"/>.</summary>
internal sealed class ProtoReader(byte[] data)
{
    private int _pos;

    public bool Next(out int field, out int wire)
    {
        field = wire = 0;
        if (_pos >= data.Length) return false;
        ulong key = Varint();
        field = (int)(key >> 3); wire = (int)(key & 7);
        if (field == 0) throw new FormatException("field number 0");
        return true;
    }

    public ulong Varint()
    {
        ulong v = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (_pos >= data.Length) throw new FormatException("truncated varint");
            byte b = data[_pos++];
            v |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return v;
        }
        throw new FormatException("varint longer than 10 bytes");
    }

    public ulong Fixed64() { Need(8); ulong v = BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(_pos)); _pos += 8; return v; }

    public uint Fixed32() { Need(4); uint v = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(_pos)); _pos += 4; return v; }

    public byte[] LengthDelimited()
    {
        ulong n = Varint();
        if (n > (ulong)(data.Length - _pos)) throw new FormatException("length-delimited field runs past the end");
        var r = data.AsSpan(_pos, (int)n).ToArray();
        _pos += (int)n;
        return r;
    }

    public void Skip(int wire)
    {
        switch (wire)
        {
            case 0: Varint(); break;
            case 1: Need(8); _pos += 8; break;
            case 2: LengthDelimited(); break;
            case 5: Need(4); _pos += 4; break;
            default: throw new FormatException($"unsupported wire type {wire}");
        }
    }

    private void Need(int n)
    {
        if (data.Length - _pos < n) throw new FormatException("truncated fixed-width field");
    }
}

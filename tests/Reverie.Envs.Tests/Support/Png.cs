// Png: a minimal RGB PNG writer, used by the render tests to let a person look at frames.
using System.IO.Compression;

namespace Reverie.Envs.Tests.Support;

public static class Png
{
    /// <summary>Writes (height, width, 3) RGB bytes as an 8-bit truecolour PNG.</summary>
    public static void Write(string path, ReadOnlySpan<byte> rgb, int height, int width)
    {
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
            for (int y = 0; y < height; y++)
            {
                z.WriteByte(0); // filter: none
                z.Write(rgb.Slice(y * width * 3, width * 3));
            }
        using var f = File.Create(path);
        f.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BigEndian(header, 0, (uint)width); BigEndian(header, 4, (uint)height);
        header[8] = 8; header[9] = 2; // 8 bits, RGB
        Chunk(f, "IHDR", header);
        Chunk(f, "IDAT", raw.ToArray());
        Chunk(f, "IEND", []);
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var buf = new byte[12 + data.Length];
        BigEndian(buf, 0, (uint)data.Length);
        for (int i = 0; i < 4; i++) buf[4 + i] = (byte)type[i];
        data.CopyTo(buf, 8);
        BigEndian(buf, 8 + data.Length, Crc(buf.AsSpan(4, 4 + data.Length)));
        s.Write(buf);
    }

    private static uint Crc(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
        }
        return c ^ 0xFFFFFFFF;
    }

    private static void BigEndian(byte[] b, int at, uint v)
    {
        b[at] = (byte)(v >> 24); b[at + 1] = (byte)(v >> 16); b[at + 2] = (byte)(v >> 8); b[at + 3] = (byte)v;
    }
}

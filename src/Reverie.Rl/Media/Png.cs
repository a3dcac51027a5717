// Png: a minimal PNG encoder (8-bit RGB, zlib through System.IO.Compression) for frames and plots.
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Reverie.Rl.Media;

/// <summary>
/// Writes 8-bit RGB images as PNG files (color type 2, no interlace). Each row is stored with the
/// Sub filter, which compresses flat plots and frames well; the image data is one zlib stream in
/// one IDAT chunk. Chunks carry their CRC-32 (<see cref="Crc32"/>).
/// </summary>
public static class Png
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>Encodes a (height, width, 3) RGB image, row-major, top row first.</summary>
    /// <exception cref="ArgumentException">The size is not positive or <paramref name="rgb"/> is not height * width * 3 bytes.</exception>
    public static byte[] Encode(ReadOnlySpan<byte> rgb, int height, int width)
    {
        if (height < 1 || width < 1 || (long)height * width * 3 != rgb.Length)
            throw new ArgumentException($"png: {rgb.Length} bytes do not hold a {height}x{width} RGB image ({(long)height * width * 3} bytes)");
        using var output = new MemoryStream();
        output.Write(Signature);
        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], height);
        ihdr[8] = 8; ihdr[9] = 2; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0; // depth 8, RGB, deflate, adaptive, none
        WriteChunk(output, "IHDR", ihdr);

        using var idat = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionLevel.Optimal, leaveOpen: true))
        {
            int stride = width * 3;
            var row = new byte[stride + 1];
            row[0] = 1; // Sub: each byte minus the byte one pixel to the left
            for (int y = 0; y < height; y++)
            {
                var src = rgb.Slice(y * stride, stride);
                for (int i = 0; i < stride; i++) row[i + 1] = (byte)(src[i] - (i >= 3 ? src[i - 3] : 0));
                z.Write(row);
            }
        }
        WriteChunk(output, "IDAT", idat.GetBuffer().AsSpan(0, (int)idat.Length));
        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    /// <summary>Encodes and writes a PNG file (see <see cref="Encode"/>), replacing any existing file.</summary>
    public static void Write(string path, ReadOnlySpan<byte> rgb, int height, int width) =>
        File.WriteAllBytes(path, Encode(rgb, height, width));

    private static void WriteChunk(Stream s, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(head, data.Length);
        Encoding.ASCII.GetBytes(type, head[4..]);
        s.Write(head);
        s.Write(data);
        uint crc = Crc32.Append(Crc32.Append(0, head[4..]), data);
        Span<byte> tail = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(tail, crc);
        s.Write(tail);
    }
}

/// <summary>The CRC-32 of PNG and zlib's <c>crc32</c> (polynomial 0xEDB88320, reflected).</summary>
public static class Crc32
{
    private static readonly uint[] Table = MakeTable();

    /// <summary>Continues a CRC over more bytes: <c>Append(Append(0, a), b) == Compute(a + b)</c>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint c = ~crc;
        foreach (byte b in data) c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
        return ~c;
    }

    /// <summary>The CRC-32 of <paramref name="data"/> (of "123456789": 0xCBF43926).</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    private static uint[] MakeTable()
    {
        var t = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }
}

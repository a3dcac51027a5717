// Decoders: small independent GIF and PNG readers, so the encoders' output is checked by decoding it.
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Reverie.Rl.Media;

namespace Reverie.Rl.Tests.Media;

/// <summary>Reads what the encoders write: GIF89a with local palettes, PNG 8-bit RGB with any filter.</summary>
internal static class Decoders
{
    /// <summary>Decodes every frame of a GIF into RGB (height, width, 3); also returns the loop flag and delays.</summary>
    public static (int Height, int Width, List<byte[]> Frames, List<int> DelaysCs, bool Loops) Gif(byte[] data)
    {
        Assert.Equal("GIF89a", Encoding.ASCII.GetString(data, 0, 6));
        int width = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(6)), height = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(8));
        int p = 13;
        byte[]? global = null;
        if ((data[10] & 0x80) != 0) { int n = 3 << ((data[10] & 7) + 1); global = data[p..(p + n)]; p += n; }
        var frames = new List<byte[]>(); var delays = new List<int>(); bool loops = false;
        var canvas = new byte[height * width * 3];
        while (true)
        {
            byte b = data[p++];
            if (b == 0x3B) break;
            if (b == 0x21)
            {
                byte label = data[p++];
                var blocks = SubBlocks(data, ref p);
                if (label == 0xF9) delays.Add(blocks[1] | blocks[2] << 8);
                if (label == 0xFF && Encoding.ASCII.GetString(blocks, 0, 11) == "NETSCAPE2.0") loops = true;
                continue;
            }
            Assert.Equal(0x2C, b);
            int x0 = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(p)), y0 = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(p + 2));
            int w = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(p + 4)), h = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(p + 6));
            byte flags = data[p + 8]; p += 9;
            var palette = global;
            if ((flags & 0x80) != 0) { int n = 3 << ((flags & 7) + 1); palette = data[p..(p + n)]; p += n; }
            int minCode = data[p++];
            var indices = LzwDecode(SubBlocks(data, ref p), minCode, w * h);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    int idx = indices[y * w + x], o = ((y0 + y) * width + x0 + x) * 3;
                    canvas[o] = palette![3 * idx]; canvas[o + 1] = palette[3 * idx + 1]; canvas[o + 2] = palette[3 * idx + 2];
                }
            frames.Add((byte[])canvas.Clone());
        }
        return (height, width, frames, delays, loops);
    }

    private static byte[] SubBlocks(byte[] data, ref int p)
    {
        var ms = new MemoryStream();
        while (data[p] != 0) { int n = data[p]; ms.Write(data, p + 1, n); p += n + 1; }
        p++;
        return ms.ToArray();
    }

    // The textbook GIF LZW decoder (as giflib and browsers): widen after the table reaches 2^size.
    private static byte[] LzwDecode(byte[] bytes, int minCode, int count)
    {
        int clear = 1 << minCode, end = clear + 1;
        var prefix = new int[4096]; var suffix = new byte[4096]; var length = new int[4096];
        for (int i = 0; i < clear; i++) { prefix[i] = -1; suffix[i] = (byte)i; length[i] = 1; }
        var output = new List<byte>(count);
        int size = minCode + 1, next = end + 1, prev = -1, bitPos = 0;
        var tmp = new byte[4096];
        while (true)
        {
            int code = 0;
            for (int k = 0; k < size; k++, bitPos++)
            {
                Assert.True(bitPos / 8 < bytes.Length, "LZW data ended without an end code");
                code |= ((bytes[bitPos / 8] >> (bitPos % 8)) & 1) << k;
            }
            if (code == clear) { size = minCode + 1; next = end + 1; prev = -1; continue; }
            if (code == end) break;
            Assert.True(code <= next, $"LZW code {code} beyond table size {next}");
            if (prev < 0) { output.Add(suffix[code]); prev = code; continue; }
            int emit = code == next ? prev : code;
            int len = length[emit];
            for (int c = emit, i = len - 1; i >= 0; c = prefix[c], i--) tmp[i] = suffix[c];
            byte first = tmp[0];
            if (code == next) { output.AddRange(tmp.AsSpan(0, len).ToArray()); output.Add(first); }
            else output.AddRange(tmp.AsSpan(0, len).ToArray());
            if (next < 4096) { prefix[next] = prev; suffix[next] = first; length[next] = length[prev] + 1; next++; }
            if (next == 1 << size && size < 12) size++;
            prev = code;
        }
        Assert.Equal(count, output.Count);
        return [.. output];
    }

    /// <summary>Decodes an 8-bit RGB PNG (checking every chunk's CRC) into (height, width, 3).</summary>
    public static (int Height, int Width, byte[] Rgb) Png(byte[] data)
    {
        Assert.Equal(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 }, data[..8]);
        int p = 8, width = 0, height = 0;
        var idat = new MemoryStream();
        while (p < data.Length)
        {
            int len = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(p));
            string type = Encoding.ASCII.GetString(data, p + 4, 4);
            var body = data.AsSpan(p + 8, len);
            Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(p + 8 + len)), Crc32.Compute(data.AsSpan(p + 4, len + 4)));
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(body); height = BinaryPrimitives.ReadInt32BigEndian(body[4..]);
                Assert.Equal(8, body[8]); Assert.Equal(2, body[9]);
            }
            if (type == "IDAT") idat.Write(body);
            p += 12 + len;
            if (type == "IEND") break;
        }
        idat.Position = 0;
        var raw = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionMode.Decompress)) z.CopyTo(raw);
        var bytes = raw.ToArray();
        int stride = width * 3;
        Assert.Equal(height * (stride + 1), bytes.Length);
        var rgb = new byte[height * stride];
        for (int y = 0; y < height; y++)
        {
            int filter = bytes[y * (stride + 1)];
            for (int i = 0; i < stride; i++)
            {
                int x = bytes[y * (stride + 1) + 1 + i];
                int a = i >= 3 ? rgb[y * stride + i - 3] : 0, b = y > 0 ? rgb[(y - 1) * stride + i] : 0, c = i >= 3 && y > 0 ? rgb[(y - 1) * stride + i - 3] : 0;
                int pred = filter switch
                {
                    0 => 0, 1 => a, 2 => b, 3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"png filter {filter}"),
                };
                rgb[y * stride + i] = (byte)(x + pred);
            }
        }
        return (height, width, rgb);
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}

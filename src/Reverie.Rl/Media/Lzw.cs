// Lzw: GIF's variable-width LZW compression of 8-bit palette indices, packed into 255-byte sub-blocks.
namespace Reverie.Rl.Media;

/// <summary>GIF's LZW variant: 8-bit symbols, codes of 9 to 12 bits, least significant bit first.</summary>
internal static class Lzw
{
    private const int MinCodeSize = 8, Clear = 256, End = 257, MaxCodes = 4096;

    /// <summary>Writes the minimum-code-size byte, the data sub-blocks and the block terminator.</summary>
    public static void Encode(ReadOnlySpan<byte> symbols, Stream output)
    {
        output.WriteByte(MinCodeSize);
        var bits = new BitPacker(output);
        var table = new Dictionary<int, int>(MaxCodes);
        int codeSize = MinCodeSize + 1, next = End + 1;
        bits.Write(Clear, codeSize);
        if (symbols.IsEmpty) { bits.Write(End, codeSize); bits.Flush(); return; }
        int prefix = symbols[0];
        for (int i = 1; i < symbols.Length; i++)
        {
            int c = symbols[i], key = (prefix << 8) | c;
            if (table.TryGetValue(key, out int code)) { prefix = code; continue; }
            bits.Write(prefix, codeSize);
            table[key] = next++;
            // The decoder builds its table one code behind us; it widens after its table reaches
            // 2^codeSize entries, i.e. when ours reaches 2^codeSize + 1.
            if (next == (1 << codeSize) + 1 && codeSize < 12) codeSize++;
            if (next == MaxCodes)
            {
                bits.Write(Clear, codeSize);
                table.Clear(); codeSize = MinCodeSize + 1; next = End + 1;
            }
            prefix = c;
        }
        bits.Write(prefix, codeSize);
        bits.Write(End, codeSize);
        bits.Flush();
    }

    /// <summary>Collects codes LSB-first into bytes and emits them as length-prefixed sub-blocks.</summary>
    private sealed class BitPacker(Stream output)
    {
        private readonly byte[] _block = new byte[256];
        private int _count, _bitCount;
        private uint _bits;

        public void Write(int code, int size)
        {
            _bits |= (uint)code << _bitCount;
            _bitCount += size;
            while (_bitCount >= 8) { Put((byte)_bits); _bits >>= 8; _bitCount -= 8; }
        }

        public void Flush()
        {
            if (_bitCount > 0) Put((byte)_bits);
            _bits = 0; _bitCount = 0;
            if (_count > 0) EmitBlock();
            output.WriteByte(0);
        }

        private void Put(byte b)
        {
            _block[1 + _count++] = b;
            if (_count == 255) EmitBlock();
        }

        private void EmitBlock()
        {
            _block[0] = (byte)_count;
            output.Write(_block, 0, _count + 1);
            _count = 0;
        }
    }
}

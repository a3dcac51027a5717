// NpyHeader: the .npy header — NumPy's exact v1.0 layout for writing, and a small Python-literal parser for reading.
using System.Globalization;
using System.Text;

namespace Reverie.Tensors.IO;

/// <summary>The three header fields of a .npy file.</summary>
internal readonly record struct NpyHeader(string Descr, bool FortranOrder, int[] Shape)
{
    /// <summary>Header length limit on read (NumPy's own default limit is 10,000 bytes).</summary>
    public const int MaxHeaderBytes = 1 << 20;

    /// <summary>The 6-byte magic string <c>\x93NUMPY</c>.</summary>
    public static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>
    /// Magic, version 1.0, header length and the header dict, byte for byte as NumPy 1.24 writes them:
    /// <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }</c>, then spare spaces so the first
    /// axis can grow in place (21 minus the digits of shape[0], for rank ≥ 1), then 1..64 spaces and a newline
    /// so that the data starts at a multiple of 64 bytes.
    /// </summary>
    public static byte[] FormatV1(string descr, int[] shape)
    {
        var sb = new StringBuilder();
        sb.Append("{'descr': '").Append(descr).Append("', 'fortran_order': False, 'shape': ");
        sb.Append(PythonTuple(shape)).Append(", }");
        if (shape.Length > 0) sb.Append(' ', Math.Max(0, 21 - shape[0].ToString(CultureInfo.InvariantCulture).Length));
        const int magicAndLength = 10;
        int hlen = sb.Length + 1;                       // + the final newline
        int pad = 64 - (magicAndLength + hlen) % 64;    // NumPy pads by 64 when already aligned
        sb.Append(' ', pad).Append('\n');
        if (sb.Length > ushort.MaxValue) throw new ArgumentException($"npy: header of {sb.Length} bytes is too long for format 1.0");
        var bytes = new byte[magicAndLength + sb.Length];
        Magic.CopyTo(bytes);
        bytes[6] = 1; bytes[7] = 0;
        bytes[8] = (byte)(sb.Length & 0xFF); bytes[9] = (byte)(sb.Length >> 8);
        Encoding.ASCII.GetBytes(sb.ToString(), bytes.AsSpan(magicAndLength));
        return bytes;
    }

    private static string PythonTuple(int[] shape) => shape.Length switch
    {
        0 => "()",
        1 => $"({shape[0]},)",
        _ => "(" + string.Join(", ", shape) + ")",
    };

    /// <summary>Parses the header dict text; <paramref name="fail"/> builds the exception for a problem.</summary>
    public static NpyHeader Parse(string text, Func<string, Exception> fail)
    {
        var p = new LiteralParser(text, fail);
        object? v = p.ParseValue();
        p.ExpectEnd();
        if (v is not Dictionary<string, object?> d) throw fail($"the header is not a Python dict: {Shorten(text)}");
        if (!d.TryGetValue("descr", out var descr)) throw fail("the header has no 'descr'");
        if (!d.TryGetValue("fortran_order", out var fo)) throw fail("the header has no 'fortran_order'");
        if (!d.TryGetValue("shape", out var sh)) throw fail("the header has no 'shape'");
        if (descr is not string ds) throw fail($"structured or non-string dtypes are not supported (descr {Shorten(text)})");
        if (fo is not bool fortran) throw fail("'fortran_order' is not True or False");
        if (sh is not List<object?> dims) throw fail("'shape' is not a tuple");
        var shape = new int[dims.Count];
        for (int i = 0; i < dims.Count; i++)
        {
            if (dims[i] is not long n || n < 0 || n > int.MaxValue) throw fail($"shape entry {i} is not a non-negative 32-bit integer");
            shape[i] = (int)n;
        }
        return new NpyHeader(ds, fortran, shape);
    }

    private static string Shorten(string s) => s.Length <= 120 ? s.Trim() : s[..120] + "...";

    // Python literals as NumPy writes them: dict, tuple/list, str, int, True/False/None.
    private sealed class LiteralParser(string s, Func<string, Exception> fail)
    {
        private int _i;
        private int _depth;

        private void SkipSpace() { while (_i < s.Length && char.IsWhiteSpace(s[_i])) _i++; }

        public void ExpectEnd()
        {
            SkipSpace();
            if (_i != s.Length) throw fail($"unexpected text after the header dict at position {_i}");
        }

        private char Peek()
        {
            SkipSpace();
            if (_i >= s.Length) throw fail("the header ends in the middle of a Python literal");
            return s[_i];
        }

        public object? ParseValue()
        {
            if (++_depth > 32) throw fail("the header nests too deeply");
            try
            {
                char c = Peek();
                if (c == '{') return ParseDict();
                if (c == '(') return ParseSeq(')');
                if (c == '[') return ParseSeq(']');
                if (c == '\'' || c == '"') return ParseString();
                if (c == '-' || char.IsAsciiDigit(c)) return ParseInt();
                if (TryWord("True")) return true;
                if (TryWord("False")) return false;
                if (TryWord("None")) return null;
                throw fail($"unexpected character '{c}' at position {_i} of the header");
            }
            finally { _depth--; }
        }

        private bool TryWord(string w)
        {
            if (string.CompareOrdinal(s, _i, w, 0, w.Length) != 0) return false;
            _i += w.Length;
            return true;
        }

        private Dictionary<string, object?> ParseDict()
        {
            _i++; // {
            var d = new Dictionary<string, object?>(StringComparer.Ordinal);
            while (Peek() != '}')
            {
                if (ParseValue() is not string key) throw fail("a header dict key is not a string");
                if (Peek() != ':') throw fail($"expected ':' at position {_i} of the header");
                _i++;
                if (!d.TryAdd(key, ParseValue())) throw fail($"the header names '{key}' twice");
                if (Peek() == ',') _i++;
                else if (Peek() != '}') throw fail($"expected ',' or '}}' at position {_i} of the header");
            }
            _i++;
            return d;
        }

        private List<object?> ParseSeq(char close)
        {
            _i++;
            var items = new List<object?>();
            while (Peek() != close)
            {
                items.Add(ParseValue());
                if (Peek() == ',') _i++;
                else if (Peek() != close) throw fail($"expected ',' or '{close}' at position {_i} of the header");
            }
            _i++;
            return items;
        }

        private string ParseString()
        {
            char q = s[_i++];
            int start = _i;
            while (_i < s.Length && s[_i] != q)
            {
                if (s[_i] == '\\') throw fail("escape sequences in header strings are not supported");
                _i++;
            }
            if (_i >= s.Length) throw fail("unterminated string in the header");
            return s[start.._i++];
        }

        private long ParseInt()
        {
            int start = _i;
            if (s[_i] == '-') _i++;
            while (_i < s.Length && char.IsAsciiDigit(s[_i])) _i++;
            if (!long.TryParse(s.AsSpan(start, _i - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v))
                throw fail($"bad integer '{s[start.._i]}' in the header");
            if (_i < s.Length && s[_i] == 'L') _i++; // Python 2 long suffix
            return v;
        }
    }
}

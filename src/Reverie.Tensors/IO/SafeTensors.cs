// SafeTensors: save and load state dicts in the safetensors format (interoperates with PyTorch, JAX, HF tools).
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Reverie.Tensors.IO;

/// <summary>
/// Reads and writes the safetensors format (https://github.com/huggingface/safetensors): an 8-byte
/// little-endian header length N, an N-byte UTF-8 JSON header
/// <c>{"__metadata__": {...}, "name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...}</c>
/// padded with spaces so that N is a multiple of 8, then the raw little-endian tensor bytes, which tile the
/// data section exactly. Writing produces F32 only; reading converts F32, F64, F16 and BF16 to float32.
/// </summary>
public static class SafeTensors
{
    private const string MetadataKey = "__metadata__";

    /// <summary>
    /// Writes <paramref name="tensors"/> as F32 to <paramref name="path"/>, atomically: the bytes go to
    /// <c>path + ".tmp"</c>, which is flushed and then renamed over <paramref name="path"/>, so a crash leaves
    /// the previous file intact. Tensors are stored in enumeration order (header order = data order, no gaps);
    /// metadata keys are written first, sorted ordinally, so equal inputs give byte-identical files. The
    /// header JSON is compact, with the keys <c>dtype</c>, <c>shape</c>, <c>data_offsets</c> in that order,
    /// the layout the reference implementation writes.
    /// </summary>
    /// <param name="path">The destination file.</param>
    /// <param name="tensors">Names and tensors, e.g. a module's named parameters.</param>
    /// <param name="metadata">Optional string-to-string metadata stored under <c>__metadata__</c>.</param>
    /// <exception cref="ArgumentException">A name is empty, is <c>__metadata__</c>, or appears twice; a tensor is null.</exception>
    /// <exception cref="ObjectDisposedException">A tensor was released by its scope.</exception>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var list = tensors.ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, t) in list)
        {
            if (string.IsNullOrEmpty(name)) throw new ArgumentException("SafeTensors.Save: a tensor name is empty");
            if (name == MetadataKey) throw new ArgumentException($"SafeTensors.Save: '{MetadataKey}' is reserved and cannot name a tensor");
            if (!seen.Add(name)) throw new ArgumentException($"SafeTensors.Save: the name '{name}' appears twice");
            if (t is null) throw new ArgumentException($"SafeTensors.Save: tensor '{name}' is null");
            _ = t.Span; // throws ObjectDisposedException, naming the tensor, before anything is written
        }
        if (metadata is not null)
            foreach (var (k, v) in metadata)
                if (k is null || v is null) throw new ArgumentException("SafeTensors.Save: metadata keys and values must not be null");
        byte[] header = BuildHeader(list, metadata);
        AtomicFile.Write(path, s => WriteBody(s, header, list));
    }

    private static byte[] BuildHeader(List<KeyValuePair<string, Tensor>> list, IReadOnlyDictionary<string, string>? metadata)
    {
        var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(MetadataKey);
                foreach (var k in metadata.Keys.Order(StringComparer.Ordinal)) w.WriteString(k, metadata[k]);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, t) in list)
            {
                w.WriteStartObject(name);
                w.WriteString("dtype", "F32");
                w.WriteStartArray("shape");
                for (int i = 0; i < t.Rank; i++) w.WriteNumberValue(t.Shape[i]);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                offset += 4L * t.Size;
                w.WriteNumberValue(offset);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        int pad = (int)((8 - ms.Length % 8) % 8);
        for (int i = 0; i < pad; i++) ms.WriteByte((byte)' ');
        return ms.ToArray();
    }

    private static void WriteBody(Stream s, byte[] header, List<KeyValuePair<string, Tensor>> list)
    {
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
        s.Write(len);
        s.Write(header);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("SafeTensors.Save: big-endian machines are not supported");
        foreach (var (_, t) in list) s.Write(MemoryMarshal.AsBytes(t.ReadOnlySpan));
    }

    /// <summary>
    /// Loads every tensor of a safetensors file as float32 (F64, F16 and BF16 are converted; F64 values
    /// beyond float range become ±infinity). The tensors are GC-owned (like parameters): they survive every
    /// <see cref="Tensor.Scope"/>. The dictionary preserves the header's order.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not valid safetensors (truncated, a header length past
    /// the end, bad JSON, offsets out of range or not tiling the data, a size that disagrees with the shape,
    /// a duplicate name), or holds a dtype other than F32/F64/F16/BF16, or a rank above
    /// <see cref="Shape.MaxRank"/>. The message names the file and the problem.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static Dictionary<string, Tensor> Load(string path) => Load(path, out _);

    /// <summary>Like <see cref="Load(string)"/>, also returning the <c>__metadata__</c> map (empty if absent).</summary>
    public static Dictionary<string, Tensor> Load(string path, out Dictionary<string, string> metadata)
    {
        using var r = SafeTensorsReader.Open(path);
        foreach (var e in r.Entries) CheckLoadable(path, e);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var e in r.Entries)
        {
            var t = Tensor.Persistent(new Shape(e.Shape));
            r.ReadInto(e, t.Span);
            t.Name = e.Name;
            result.Add(e.Name, t);
        }
        metadata = r.Metadata;
        return result;
    }

    /// <summary>Reads only the <c>__metadata__</c> map (empty if absent), after validating the header.</summary>
    /// <exception cref="InvalidDataException">The file is not valid safetensors.</exception>
    public static Dictionary<string, string> ReadMetadata(string path)
    {
        using var r = SafeTensorsReader.Open(path);
        return r.Metadata;
    }

    /// <summary>The validated header entries, in header order, of any dtype (nothing is converted).</summary>
    /// <exception cref="InvalidDataException">The file is not valid safetensors.</exception>
    public static IReadOnlyList<SafeTensorsEntry> ReadEntries(string path)
    {
        using var r = SafeTensorsReader.Open(path);
        return r.Entries;
    }

    /// <summary>
    /// Copies values from a safetensors file into existing tensors, by name (the way PyTorch's
    /// <c>load_state_dict</c> does), outside autograd. Names are compared exactly. A name whose shape differs
    /// between the file and the target is never copied. With <paramref name="strict"/>, any missing,
    /// unexpected or shape-mismatched name throws before anything is copied (the targets stay unchanged);
    /// without it, the matching names are copied and the rest reported.
    /// </summary>
    /// <param name="target">Names and destination tensors, e.g. a module's named parameters.</param>
    /// <param name="path">The safetensors file.</param>
    /// <param name="strict">Whether any mismatch is an error.</param>
    /// <returns>What was loaded and what did not match.</returns>
    /// <exception cref="InvalidDataException">The file is invalid; or a matching name has an unreadable dtype;
    /// or <paramref name="strict"/> and the names or shapes do not match (the message lists them all).</exception>
    /// <exception cref="ArgumentException">A target name appears twice or a target tensor is null.</exception>
    public static SafeTensorsLoadReport LoadInto(IEnumerable<KeyValuePair<string, Tensor>> target, string path, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(target);
        var dest = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, t) in target)
        {
            if (t is null) throw new ArgumentException($"SafeTensors.LoadInto: target tensor '{name}' is null");
            if (!dest.TryAdd(name, t)) throw new ArgumentException($"SafeTensors.LoadInto: target name '{name}' appears twice");
        }

        using var r = SafeTensorsReader.Open(path);
        var inFile = new HashSet<string>(r.Entries.Select(e => e.Name), StringComparer.Ordinal);
        var missing = dest.Keys.Where(k => !inFile.Contains(k)).ToList();
        var unexpected = new List<string>();
        var mismatched = new List<string>();
        var matched = new List<SafeTensorsEntry>();
        foreach (var e in r.Entries)
        {
            if (!dest.TryGetValue(e.Name, out var t)) { unexpected.Add(e.Name); continue; }
            if (!SameShape(e.Shape, t.Shape)) { mismatched.Add($"{e.Name}: file {e.ShapeText} vs target {t.Shape}"); continue; }
            matched.Add(e);
        }
        var report = new SafeTensorsLoadReport(matched.Select(e => e.Name).ToList(), missing, unexpected, mismatched);
        if (strict && !report.IsExact)
            throw new InvalidDataException($"safetensors file '{path}' does not match the target (strict load, nothing copied):{Environment.NewLine}{report.Describe()}");
        foreach (var e in matched) CheckLoadable(path, e);
        foreach (var e in matched) r.ReadInto(e, dest[e.Name].Span);
        return report;
    }

    private static bool SameShape(int[] dims, Shape s)
    {
        if (dims.Length != s.Rank) return false;
        for (int i = 0; i < dims.Length; i++) if (dims[i] != s[i]) return false;
        return true;
    }

    private static void CheckLoadable(string path, SafeTensorsEntry e)
    {
        if (!SafeTensorsReader.IsReadable(e.Dtype))
            throw new InvalidDataException($"safetensors file '{path}': tensor '{e.Name}' has dtype {e.Dtype}; Reverie reads only F32, F64, F16 and BF16 (converted to float32)");
        if (e.Shape.Length > Shape.MaxRank)
            throw new InvalidDataException($"safetensors file '{path}': tensor '{e.Name}' has rank {e.Shape.Length} {e.ShapeText}; tensors have at most {Shape.MaxRank} dimensions");
    }
}

// ReplayBuffer save/load: one NumPy-readable .npz per chunk plus index.json, written incrementally.
using System.Text.Json;
using System.Text.Json.Nodes;
using Reverie.Tensors.IO;

namespace Reverie.Rl.Replay;

public sealed partial class ReplayBuffer
{
    /// <summary>The index file name inside a replay directory.</summary>
    public const string IndexFileName = "index.json";

    private const string Format = "reverie-replay";
    // Names this buffer's lineage in its file names, so two buffers saved into one directory (say, a fresh buffer
    // checkpointed over an older run's replay) never overwrite each other's files. Kept by Load.
    private string _uid = Guid.NewGuid().ToString("N")[..8];
    private string? _savedDir;                                 // the directory _savedCounts describes
    private readonly Dictionary<long, int> _savedCounts = [];  // chunk id -> steps in its file there

    /// <summary>
    /// Writes the buffer to <paramref name="dir"/> (created if needed): every chunk as <c>chunk-&lt;id&gt;-&lt;uid&gt;.npz</c>
    /// (full) or <c>chunk-&lt;id&gt;-&lt;uid&gt;-part&lt;count&gt;.npz</c> (the chunk a stream is still filling; uid names the
    /// buffer, so files of different buffers never collide), then
    /// <c>index.json</c>, then deletes chunk files the new index does not list (evicted or superseded). Saving to
    /// the same directory again writes only chunks that changed since. Each file is written atomically.
    /// </summary>
    /// <remarks>Arrays in a chunk file: one per field with shape (count, ...field shape) (<c>&lt;f4</c> or
    /// <c>|u1</c>) and <c>is_first</c>, <c>is_last</c>, <c>is_terminal</c> (count,) <c>|b1</c>. See docs/running.md.</remarks>
    public void Save(string dir)
    {
        var index = WriteChunks(dir);
        WriteIndex(Path.Combine(dir, IndexFileName), index);
        Prune(dir, index);
    }

    /// <summary>
    /// Loads a buffer saved by <see cref="Save"/> (or an offline dataset in the same format).
    /// </summary>
    /// <param name="dir">The replay directory (holding <c>index.json</c>).</param>
    /// <param name="capacity">Overrides the saved capacity (older chunks are evicted if the data exceeds it).</param>
    /// <exception cref="InvalidDataException">A missing or corrupt index or chunk file; the message names the file.</exception>
    public static ReplayBuffer Load(string dir, int? capacity = null)
    {
        string path = Path.Combine(dir, IndexFileName);
        if (!File.Exists(path)) throw new InvalidDataException($"replay index '{path}' does not exist");
        return LoadFromIndex(dir, File.ReadAllText(path), path, capacity);
    }

    /// <summary>Writes the chunk files that are missing or stale in <paramref name="dir"/>; returns the index (not yet written).</summary>
    internal JsonObject WriteChunks(string dir)
    {
        Directory.CreateDirectory(dir);
        string full = Path.GetFullPath(dir);
        if (_savedDir != full) { _savedCounts.Clear(); _savedDir = full; }
        var chunks = new JsonArray();
        var live = new HashSet<long>();
        foreach (var s in _streams)
            foreach (var c in s.Chunks)
            {
                string file = FileName(c);
                if (!_savedCounts.TryGetValue(c.Id, out int n) || n != c.Count || !File.Exists(Path.Combine(dir, file)))
                {
                    WriteChunk(Path.Combine(dir, file), c);
                    _savedCounts[c.Id] = c.Count;
                }
                live.Add(c.Id);
                chunks.Add(new JsonObject { ["id"] = c.Id, ["stream"] = c.Stream, ["start"] = c.Start, ["count"] = c.Count, ["file"] = file });
            }
        foreach (long id in _savedCounts.Keys.Where(id => !live.Contains(id)).ToList()) _savedCounts.Remove(id);
        var fields = new JsonArray();
        foreach (var f in Spec.Fields)
            fields.Add(new JsonObject { ["name"] = f.Name, ["shape"] = new JsonArray(f.Shape.Select(d => (JsonNode)d).ToArray()), ["dtype"] = f.Dtype == ReplayDtype.UInt8 ? "uint8" : "float32" });
        var streams = new JsonArray();
        foreach (var s in _streams) streams.Add(new JsonObject { ["end"] = s.End, ["after_last"] = s.AfterLast });
        return new JsonObject
        {
            ["format"] = Format, ["version"] = 1, ["uid"] = _uid, ["capacity"] = Capacity, ["chunk_size"] = ChunkSize,
            ["next_chunk_id"] = _nextChunkId, ["total_added"] = TotalAdded, ["fields"] = fields, ["streams"] = streams, ["chunks"] = chunks,
        };
    }

    internal static void WriteIndex(string path, JsonObject index) =>
        WriteTextAtomic(path, index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    /// <summary>Deletes chunk files in <paramref name="dir"/> that <paramref name="index"/> does not list.</summary>
    internal static void Prune(string dir, JsonObject index)
    {
        var keep = index["chunks"]!.AsArray().Select(c => (string)c!["file"]!).ToHashSet();
        foreach (var f in Directory.EnumerateFiles(dir, "chunk-*.npz"))
            if (!keep.Contains(Path.GetFileName(f))) File.Delete(f);
    }

    internal static void WriteTextAtomic(string path, string text)
    {
        string tmp = path + ".tmp";
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(text);
            fs.Write(bytes);
            fs.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
    }

    private string FileName(ReplayChunk c) =>
        c.IsFull ? $"chunk-{c.Id:D8}-{_uid}.npz" : $"chunk-{c.Id:D8}-{_uid}-part{c.Count}.npz";

    private void WriteChunk(string path, ReplayChunk c)
    {
        var arrays = new List<KeyValuePair<string, NpyArray>>();
        for (int i = 0; i < Spec.Fields.Count; i++)
        {
            var f = Spec.Fields[i];
            int[] shape = [c.Count, .. f.Shape];
            int n = c.Count * f.Size;
            var a = c.Data[i] is byte[] b ? NpyArray.Of(c.IsFull ? b : b[..n], shape) : NpyArray.Of(c.IsFull ? (float[])c.Data[i] : ((float[])c.Data[i])[..n], shape);
            arrays.Add(new(f.Name, a));
        }
        for (int j = 0; j < 3; j++)
            arrays.Add(new(ReplaySpec.FlagNames[j], NpyArray.Of(c.IsFull ? c.Flags[j] : c.Flags[j][..c.Count], c.Count)));
        Npz.Write(path, arrays, CompressFiles);
    }

    internal static ReplayBuffer LoadFromIndex(string dir, string json, string indexPath, int? capacity = null)
    {
        JsonObject idx;
        try { idx = JsonNode.Parse(json)?.AsObject() ?? throw new InvalidDataException("empty"); }
        catch (Exception e) when (e is JsonException or InvalidOperationException or InvalidDataException)
        { throw new InvalidDataException($"replay index '{indexPath}' is not valid JSON ({e.Message})", e); }
        try
        {
            if ((string?)idx["format"] != Format) throw new InvalidDataException($"format is not '{Format}'");
            var fields = idx["fields"]!.AsArray().Select(f => new ReplayField((string)f!["name"]!,
                f["shape"]!.AsArray().Select(d => (int)d!).ToArray(),
                (string)f["dtype"]! switch { "uint8" => ReplayDtype.UInt8, "float32" => ReplayDtype.Float32, var d => throw new InvalidDataException($"unknown dtype '{d}'") }));
            var rb = new ReplayBuffer(new ReplaySpec(fields), capacity ?? (int)idx["capacity"]!, (int)idx["chunk_size"]!)
            {
                _nextChunkId = (long)idx["next_chunk_id"]!,
            };
            if ((string?)idx["uid"] is { Length: > 0 } uid && uid.All(char.IsAsciiLetterOrDigit)) rb._uid = uid;
            foreach (var s in idx["streams"]!.AsArray())
                rb._streams.Add(new ReplayStream { End = (long)s!["end"]!, AfterLast = (bool)s["after_last"]! });
            bool sameDir = capacity is null;
            foreach (var c in idx["chunks"]!.AsArray())
            {
                long id = (long)c!["id"]!; int stream = (int)c["stream"]!; long start = (long)c["start"]!; int count = (int)c["count"]!;
                string file = (string)c["file"]!;
                if (stream < 0 || stream >= rb._streams.Count || count <= 0 || count > rb.ChunkSize || file.Contains('/') || file.Contains('\\'))
                    throw new InvalidDataException($"chunk entry {c.ToJsonString()} is out of range");
                var chunk = rb.ReadChunk(Path.Combine(dir, file), id, stream, start, count);
                var s = rb._streams[stream];
                long expected = s.Chunks.Count == 0 ? start : s.Chunks[^1].Start + s.Chunks[^1].Count;
                if (start != expected || (s.Chunks.Count > 0 && !s.Chunks[^1].IsFull))
                    throw new InvalidDataException($"chunk {file} of stream {stream} starts at {start}, but the stream's previous chunk ends at {expected} or is not full");
                s.Chunks.Add(chunk);
                rb.Count += count;
                if (sameDir) rb._savedCounts[id] = count;
            }
            for (int si = 0; si < rb._streams.Count; si++)
            {
                var s = rb._streams[si];
                long end = s.Chunks.Count == 0 ? s.End : s.Chunks[^1].Start + s.Chunks[^1].Count;
                if (end != s.End) throw new InvalidDataException($"stream {si} ends at {s.End} but its chunks end at {end}");
                RebuildEpisodeStarts(s);
            }
            rb.TotalAdded = (long?)idx["total_added"] ?? rb.Count;
            if (sameDir) rb._savedDir = Path.GetFullPath(dir);
            rb.Evict();
            return rb;
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException or ArgumentException or KeyNotFoundException)
        {
            throw new InvalidDataException($"replay index '{indexPath}' is malformed ({e.Message})", e);
        }
    }

    private ReplayChunk ReadChunk(string path, long id, int stream, long start, int count)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"replay chunk '{path}' listed in the index does not exist");
        var arrays = Npz.Read(path);
        var c = new ReplayChunk(Spec, id, stream, start, ChunkSize) { Count = count };
        for (int i = 0; i < Spec.Fields.Count; i++)
        {
            var f = Spec.Fields[i];
            var a = Get(arrays, path, f.Name, [count, .. f.Shape]);
            if (f.Dtype == ReplayDtype.UInt8)
                Array.Copy(a.Bytes ?? throw Bad(path, f.Name, a, "|u1"), c.Data[i], a.Count);
            else
                Array.Copy(a.Floats ?? throw Bad(path, f.Name, a, "<f4"), c.Data[i], a.Count);
        }
        for (int j = 0; j < 3; j++)
        {
            var a = Get(arrays, path, ReplaySpec.FlagNames[j], [count]);
            Array.Copy(a.Bools ?? throw Bad(path, ReplaySpec.FlagNames[j], a, "|b1"), c.Flags[j], count);
        }
        return c;
    }

    private static NpyArray Get(Dictionary<string, NpyArray> arrays, string path, string name, int[] shape)
    {
        if (!arrays.TryGetValue(name, out var a))
            throw new InvalidDataException($"replay chunk '{path}' has no array '{name}' (it has {string.Join(", ", arrays.Keys)})");
        if (!a.Shape.AsSpan().SequenceEqual(shape))
            throw new InvalidDataException($"replay chunk '{path}': array '{name}' has shape ({string.Join(", ", a.Shape)}) but the index expects ({string.Join(", ", shape)})");
        return a;
    }

    private static InvalidDataException Bad(string path, string name, NpyArray a, string want) =>
        new($"replay chunk '{path}': array '{name}' has dtype {a.Descr} but {want} is expected");

    private static void RebuildEpisodeStarts(ReplayStream s)
    {
        s.EpisodeStarts.Clear();
        bool afterLast = false;
        foreach (var c in s.Chunks)
            for (int k = 0; k < c.Count; k++)
            {
                if (c.Flags[0][k] || afterLast) s.EpisodeStarts.Add(c.Start + k);
                afterLast = c.Flags[1][k];
            }
    }
}

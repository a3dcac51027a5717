// ReplayBatch: B sampled sequences of T steps, per field: float tensors (B, T, ...) or raw bytes for images.
using Reverie.Tensors;

namespace Reverie.Rl.Replay;

/// <summary>
/// A batch of <see cref="Batch"/> sequences of <see cref="Length"/> consecutive steps. Float fields and the flags
/// are tensors of shape (B, T, ...field shape) — flags (B, T) with values 0 or 1; byte fields (images) stay raw
/// bytes laid out (B, T, ...field shape) row-major. The tensors are created like <see cref="Tensor.Zeros"/>, so
/// inside a <see cref="Tensor.Scope"/> they are pooled and released with the scope.
/// </summary>
public sealed class ReplayBatch
{
    private readonly Dictionary<string, Tensor> _floats;
    private readonly Dictionary<string, byte[]> _bytes;

    internal ReplayBatch(ReplaySpec spec, int batch, int length, Dictionary<string, Tensor> floats,
        Dictionary<string, byte[]> bytes, int[] streams, long[] starts)
    {
        Spec = spec; Batch = batch; Length = length;
        _floats = floats; _bytes = bytes; Streams = streams; Starts = starts;
    }

    /// <summary>The layout of the replay this batch came from.</summary>
    public ReplaySpec Spec { get; }

    /// <summary>B: the number of sequences.</summary>
    public int Batch { get; }

    /// <summary>T: the steps per sequence.</summary>
    public int Length { get; }

    /// <summary>For each sequence, the env stream it was taken from.</summary>
    public int[] Streams { get; }

    /// <summary>For each sequence, the stream position of its first step (positions count every step ever added to the stream).</summary>
    public long[] Starts { get; }

    /// <summary>A float field or a flag (<c>is_first</c>, <c>is_last</c>, <c>is_terminal</c>) as a (B, T, ...) tensor.</summary>
    /// <exception cref="KeyNotFoundException">No such float field or flag; the message lists what exists.</exception>
    public Tensor this[string name] => _floats.TryGetValue(name, out var t) ? t
        : throw new KeyNotFoundException($"replay batch has no float field '{name}'; float fields and flags: {string.Join(", ", _floats.Keys)}"
            + (_bytes.Count > 0 ? $"; byte fields (use Bytes or BytesAsTensor): {string.Join(", ", _bytes.Keys)}" : ""));

    /// <summary>True when <paramref name="name"/> is a float field or flag of this batch.</summary>
    public bool HasFloats(string name) => _floats.ContainsKey(name);

    /// <summary>The names of the float fields and flags.</summary>
    public IEnumerable<string> FloatNames => _floats.Keys;

    /// <summary>The names of the byte fields.</summary>
    public IEnumerable<string> ByteNames => _bytes.Keys;

    /// <summary>A byte field (an image) as raw bytes, (B, T, ...field shape) row-major; see <see cref="ShapeOf"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such byte field.</exception>
    public byte[] Bytes(string name) => _bytes.TryGetValue(name, out var b) ? b
        : throw new KeyNotFoundException($"replay batch has no byte field '{name}'; byte fields: {string.Join(", ", _bytes.Keys)}");

    /// <summary>The full shape (B, T, ...field shape) of a field or flag.</summary>
    public int[] ShapeOf(string name)
    {
        if (ReplaySpec.FlagNames.Contains(name)) return [Batch, Length];
        return [Batch, Length, .. Spec[name].Shape];
    }

    /// <summary>
    /// A byte field converted to a float tensor (B, T, ...field shape) as <c>value * scale + offset</c>
    /// (the default maps 0..255 to [0, 1]).
    /// </summary>
    public Tensor BytesAsTensor(string name, float scale = 1f / 255f, float offset = 0f)
    {
        var src = Bytes(name);
        var t = Tensor.Zeros(new Shape(ShapeOf(name)));
        var dst = t.Span;
        for (int i = 0; i < src.Length; i++) dst[i] = src[i] * scale + offset;
        return t;
    }
}

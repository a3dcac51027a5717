// NpyArray: an n-d array as stored in a .npy file — a shape plus typed data (float, int, byte or bool).
namespace Reverie.Tensors.IO;

/// <summary>The element types an <see cref="NpyArray"/> holds in memory.</summary>
public enum NpyDtype
{
    /// <summary>float32 (<c>&lt;f4</c>), held as <c>float[]</c>; also what <c>&lt;f8</c> is read as.</summary>
    Float32,
    /// <summary>int32 (<c>&lt;i4</c>), held as <c>int[]</c>; also what <c>&lt;i8</c> is read as.</summary>
    Int32,
    /// <summary>uint8 (<c>|u1</c>), held as <c>byte[]</c>.</summary>
    UInt8,
    /// <summary>bool (<c>|b1</c>), held as <c>bool[]</c>.</summary>
    Bool,
}

/// <summary>
/// A C-ordered (row-major) n-d array read from or written to <c>.npy</c>: a shape and exactly one of
/// <see cref="Floats"/>, <see cref="Ints"/>, <see cref="Bytes"/>, <see cref="Bools"/>, as <see cref="Dtype"/>
/// says. The data array is held, not copied. Any rank is allowed (rank 0 is a scalar with one element).
/// </summary>
public sealed class NpyArray
{
    /// <summary>The dimensions (empty for a scalar).</summary>
    public int[] Shape { get; }

    /// <summary>The in-memory element type.</summary>
    public NpyDtype Dtype { get; }

    /// <summary>
    /// The NumPy dtype descriptor of the file this array was read from (e.g. <c>&lt;f8</c> for a float64 file read
    /// as float32), or for an array made with <c>Of</c> the one it is written with. Writing always uses the
    /// in-memory <see cref="Dtype"/>: <c>&lt;f4</c>, <c>&lt;i4</c>, <c>|u1</c> or <c>|b1</c>.
    /// </summary>
    public string Descr { get; }

    /// <summary>The data when <see cref="Dtype"/> is Float32, else null.</summary>
    public float[]? Floats { get; }
    /// <summary>The data when <see cref="Dtype"/> is Int32, else null.</summary>
    public int[]? Ints { get; }
    /// <summary>The data when <see cref="Dtype"/> is UInt8, else null.</summary>
    public byte[]? Bytes { get; }
    /// <summary>The data when <see cref="Dtype"/> is Bool, else null.</summary>
    public bool[]? Bools { get; }

    /// <summary>Number of elements (product of the shape; 1 for a scalar).</summary>
    public int Count { get; }

    private NpyArray(int[] shape, NpyDtype dtype, string descr, Array data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"NpyArray: shape ({string.Join(", ", shape)}) has a negative dimension");
            n *= d;
            if (n > Array.MaxLength) throw new ArgumentException($"NpyArray: shape ({string.Join(", ", shape)}) is too large");
        }
        if (data.Length != n)
            throw new ArgumentException($"NpyArray: {data.Length} values cannot fill shape ({string.Join(", ", shape)}) ({n} elements)");
        Shape = (int[])shape.Clone();
        Dtype = dtype;
        Descr = descr;
        Count = (int)n;
        Floats = data as float[];
        Ints = data as int[];
        Bytes = data as byte[];
        Bools = data as bool[];
    }

    /// <summary>A float32 array over <paramref name="data"/> (not copied).</summary>
    /// <exception cref="ArgumentException">The data length does not match the shape, or a dimension is negative.</exception>
    public static NpyArray Of(float[] data, params int[] shape) => new(shape, NpyDtype.Float32, "<f4", data);
    /// <summary>An int32 array over <paramref name="data"/> (not copied).</summary>
    public static NpyArray Of(int[] data, params int[] shape) => new(shape, NpyDtype.Int32, "<i4", data);
    /// <summary>A uint8 array over <paramref name="data"/> (not copied).</summary>
    public static NpyArray Of(byte[] data, params int[] shape) => new(shape, NpyDtype.UInt8, "|u1", data);
    /// <summary>A bool array over <paramref name="data"/> (not copied).</summary>
    public static NpyArray Of(bool[] data, params int[] shape) => new(shape, NpyDtype.Bool, "|b1", data);

    /// <summary>An array as read from a file whose descriptor was <paramref name="descr"/>.</summary>
    internal static NpyArray Read(int[] shape, NpyDtype dtype, string descr, Array data) => new(shape, dtype, descr, data);

    /// <summary>A float32 copy of a tensor's values and shape.</summary>
    public static NpyArray FromTensor(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        return Of(t.ToArray(), t.Shape.ToArray());
    }

    /// <summary>
    /// The values as a new float32 tensor (created like <see cref="Tensor.FromArray(ReadOnlySpan{float}, Shape)"/>:
    /// pooled inside a scope). Int32 values convert exactly up to 2^24 in magnitude; bytes become 0..255;
    /// bools become 0 or 1.
    /// </summary>
    /// <exception cref="InvalidOperationException">The rank exceeds <see cref="Reverie.Tensors.Shape.MaxRank"/>.</exception>
    public Tensor ToTensor()
    {
        if (Shape.Length > Reverie.Tensors.Shape.MaxRank)
            throw new InvalidOperationException($"NpyArray.ToTensor: rank {Shape.Length} ({string.Join(", ", Shape)}) exceeds the tensor limit of {Reverie.Tensors.Shape.MaxRank}");
        var shape = new Shape(Shape);
        if (Floats is not null) return Tensor.FromArray(Floats, shape);
        var t = Tensor.Zeros(shape);
        var s = t.Span;
        if (Ints is not null) for (int i = 0; i < s.Length; i++) s[i] = Ints[i];
        else if (Bytes is not null) for (int i = 0; i < s.Length; i++) s[i] = Bytes[i];
        else if (Bools is not null) for (int i = 0; i < s.Length; i++) s[i] = Bools[i] ? 1f : 0f;
        return t;
    }

    /// <summary>The shape and dtype, e.g. <c>NpyArray(2, 3) &lt;f4</c>.</summary>
    public override string ToString() => $"NpyArray({string.Join(", ", Shape)}) {Descr}";
}

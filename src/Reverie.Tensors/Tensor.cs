// Tensor: a float32, row-major, contiguous n-d array with an optional autograd node.
using System.Runtime.CompilerServices;

namespace Reverie.Tensors;

/// <summary>
/// A float32, row-major, contiguous tensor of rank 0..6. Tensors created inside a
/// <see cref="Scope"/> borrow their memory from <see cref="BufferPool"/> and give it back when
/// the scope ends, unless <see cref="Keep"/> was called; tensors created outside any scope are
/// ordinary garbage-collected objects (parameters, optimizer state). Operations that need
/// gradients record a <see cref="Node"/>; <see cref="Backward(Tensor?)"/> walks them in reverse.
/// </summary>
public sealed partial class Tensor
{
    private float[]? _data;
    private readonly int _offset;
    private readonly Tensor? _base;     // the tensor whose memory a view shares
    private bool _pooled;               // _data came from the pool and goes back at scope end
    private bool _kept;                 // Keep() was called: the scope leaves this tensor alone
    internal int VisitStamp;            // used by Backward's topological sort

    /// <summary>The dimensions.</summary>
    public Shape Shape { get; }

    /// <summary>Number of elements.</summary>
    public int Size => Shape.Size;

    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Rank;

    /// <summary>Whether gradients flow to (leaf) or through (op output) this tensor.</summary>
    public bool RequiresGrad { get; set; }

    /// <summary>The accumulated gradient, same shape as this tensor, or null before the first backward pass.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>The op that produced this tensor, or null for a leaf.</summary>
    public Node? Node { get; internal set; }

    /// <summary>An optional name (parameters carry their hierarchical name here).</summary>
    public string? Name { get; set; }

    private Tensor(Shape shape, float[] data, int offset, Tensor? viewOf)
    {
        Shape = shape;
        _data = data;
        _offset = offset;
        _base = viewOf;
    }

    /// <summary>The elements (row-major). Throws if the tensor's scope has already ended.</summary>
    public Span<float> Span
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            var d = _data;
            if (d is null || (_base is not null && _base._data is null)) ThrowReleased();
            return new Span<float>(d, _offset, Shape.Size);
        }
    }

    /// <summary>Read-only view of the elements.</summary>
    public ReadOnlySpan<float> ReadOnlySpan => Span;

    /// <summary>The underlying array and offset (for kernels that need them); see <see cref="Span"/>.</summary>
    internal float[] Data { get { _ = Span; return _data!; } }
    internal int Offset => _offset;

    /// <summary>Whether the memory of this tensor has been handed back to the pool.</summary>
    public bool IsReleased => _data is null || (_base is not null && _base._data is null);

    private void ThrowReleased() => throw new ObjectDisposedException(nameof(Tensor),
        $"tensor {Shape}{(Name is null ? "" : " '" + Name + "'")} was used after its Tensor.Scope() ended; " +
        "call Keep() on tensors that must outlive their scope");

    // ---------------------------------------------------------------- creation

    /// <summary>A new tensor with undefined contents: pooled inside a scope, GC-owned outside.</summary>
    internal static Tensor Empty(Shape shape)
    {
        var scope = TensorScope.Current;
        if (scope is null) return new Tensor(shape, shape.Size == 0 ? [] : new float[shape.Size], 0, null);
        var t = new Tensor(shape, BufferPool.Rent(shape.Size), 0, null) { _pooled = true };
        scope.Track(t);
        return t;
    }

    /// <summary>A new tensor that is never pooled (survives every scope).</summary>
    internal static Tensor Persistent(Shape shape) => new(shape, new float[shape.Size], 0, null);

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(Shape shape)
    {
        var t = Empty(shape);
        t.Span.Clear();
        return t;
    }

    /// <summary>A tensor of zeros with the shape of <paramref name="like"/>.</summary>
    public static Tensor ZerosLike(Tensor like) => Zeros(like.Shape);

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(Shape shape) => Full(shape, 1f);

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(Shape shape, float value)
    {
        var t = Empty(shape);
        t.Span.Fill(value);
        return t;
    }

    /// <summary>A rank-0 tensor.</summary>
    public static Tensor Scalar(float value) => Full(new Shape(), value);

    /// <summary>A copy of <paramref name="data"/> with the given shape.</summary>
    /// <exception cref="ArgumentException">The data length does not match the shape.</exception>
    public static Tensor FromArray(ReadOnlySpan<float> data, Shape shape)
    {
        if (data.Length != shape.Size)
            throw new ArgumentException($"FromArray: {data.Length} values cannot fill shape {shape} ({shape.Size} elements)");
        var t = Empty(shape);
        data.CopyTo(t.Span);
        return t;
    }

    /// <summary>A rank-1 copy of <paramref name="data"/>.</summary>
    public static Tensor FromArray(params float[] data) => FromArray(data, new Shape(data.Length));

    /// <summary>Standard normal samples.</summary>
    public static Tensor Randn(Shape shape, Rng rng)
    {
        var t = Empty(shape);
        rng.FillNormal(t.Span);
        return t;
    }

    /// <summary>Uniform samples in [low, high).</summary>
    public static Tensor Uniform(Shape shape, Rng rng, float low = 0f, float high = 1f)
    {
        var t = Empty(shape);
        rng.FillUniform(t.Span, low, high);
        return t;
    }

    /// <summary>A new leaf parameter (GC-owned, requires grad), filled with zeros.</summary>
    public static Tensor Parameter(Shape shape, string? name = null) =>
        new(shape, new float[shape.Size], 0, null) { RequiresGrad = true, Name = name };

    // ---------------------------------------------------------------- lifetime

    /// <summary>
    /// Opens a scope: every tensor created on this thread until the scope is disposed borrows pooled
    /// memory and returns it at dispose, unless kept. Scopes nest. Use as <c>using var s = Tensor.Scope();</c>.
    /// </summary>
    public static TensorScope Scope() => TensorScope.Open();

    /// <summary>
    /// Takes this tensor out of scope management: its memory is never returned to the pool
    /// (the GC reclaims it). For a view, the viewed tensor is kept too. Returns this.
    /// </summary>
    public Tensor Keep()
    {
        _ = Span;
        _kept = true;
        _pooled = false;
        _base?.Keep();
        return this;
    }

    /// <summary>Called by a scope at its end.</summary>
    internal void Release()
    {
        if (_kept) return;
        if (_pooled && _data is not null) BufferPool.Return(_data);
        if (_pooled || _base is not null) _data = null;
        Node = null;
        Grad = null;
    }

    // ---------------------------------------------------------------- views and copies

    /// <summary>A tensor of a new shape with the same elements; shares memory (a view).</summary>
    /// <exception cref="ArgumentException">The sizes differ.</exception>
    internal Tensor View(Shape shape)
    {
        if (shape.Size != Size)
            throw new ArgumentException($"reshape: cannot view shape {Shape} ({Size} elements) as {shape} ({shape.Size} elements)");
        _ = Span;
        var t = new Tensor(shape, _data!, _offset, _base ?? this);
        TensorScope.Current?.Track(t);
        return t;
    }

    /// <summary>A view of rows [start, start+length) along axis 0 (contiguous, so free).</summary>
    internal Tensor ViewRows(int start, int length)
    {
        int rowSize = Shape.Prod(1, Rank);
        _ = Span;
        var t = new Tensor(Shape.With(0, length), _data!, _offset + start * rowSize, _base ?? this);
        TensorScope.Current?.Track(t);
        return t;
    }

    /// <summary>A copy of the values with no autograd history.</summary>
    public Tensor Clone()
    {
        var t = Empty(Shape);
        Span.CopyTo(t.Span);
        return t;
    }

    /// <summary>The same values, cut from the autograd graph (a view, no copy).</summary>
    public Tensor Detach()
    {
        if (Node is null && !RequiresGrad) return this;
        return View(Shape);
    }

    /// <summary>The single value of a one-element tensor.</summary>
    /// <exception cref="InvalidOperationException">The tensor has more than one element.</exception>
    public float Item()
    {
        if (Size != 1) throw new InvalidOperationException($"Item: tensor of shape {Shape} has {Size} elements, not 1");
        return Span[0];
    }

    /// <summary>The elements as a new array.</summary>
    public float[] ToArray() => Span.ToArray();

    /// <summary>Copies values from <paramref name="src"/> (same size) into this tensor, outside autograd.</summary>
    public void CopyFrom(Tensor src)
    {
        if (src.Size != Size) throw new ArgumentException($"CopyFrom: source {src.Shape} and destination {Shape} differ in size");
        src.Span.CopyTo(Span);
    }

    /// <summary>Element at a multi-index (slow; for tests and debugging).</summary>
    public float At(params int[] index) => Span[FlatIndex(index)];

    private int FlatIndex(int[] index)
    {
        if (index.Length != Rank) throw new ArgumentException($"index of rank {index.Length} for tensor of shape {Shape}");
        int flat = 0;
        for (int i = 0; i < Rank; i++)
        {
            if ((uint)index[i] >= (uint)Shape[i]) throw new IndexOutOfRangeException($"index {index[i]} out of range for axis {i} of shape {Shape}");
            flat = flat * Shape[i] + index[i];
        }
        return flat;
    }

    public override string ToString()
    {
        if (IsReleased) return $"Tensor{Shape} (released)";
        var s = Span;
        int n = Math.Min(s.Length, 8);
        var vals = new string[n];
        for (int i = 0; i < n; i++) vals[i] = s[i].ToString("G5", System.Globalization.CultureInfo.InvariantCulture);
        return $"Tensor{Shape} [{string.Join(", ", vals)}{(s.Length > n ? ", ..." : "")}]";
    }
}

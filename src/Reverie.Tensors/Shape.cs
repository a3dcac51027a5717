// Shape: the dimensions of a tensor (rank 0..6), a small immutable value type.
using System.Runtime.CompilerServices;

namespace Reverie.Tensors;

/// <summary>The dimensions of a row-major tensor, rank 0 to <see cref="MaxRank"/>.</summary>
public readonly struct Shape : IEquatable<Shape>
{
    /// <summary>The largest supported rank.</summary>
    public const int MaxRank = 6;

    [InlineArray(MaxRank)]
    private struct Dims { private int _d0; }

    private readonly Dims _dims;

    /// <summary>Number of dimensions.</summary>
    public int Rank { get; }

    private readonly int _sizeMinus1; // so that default(Shape) is the scalar shape, of size 1

    /// <summary>Total number of elements (1 for a scalar).</summary>
    public int Size => _sizeMinus1 + 1;

    /// <summary>Creates a shape from its dimensions; every dimension must be non-negative.</summary>
    /// <exception cref="ArgumentException">Rank above <see cref="MaxRank"/> or a negative dimension.</exception>
    public Shape(params ReadOnlySpan<int> dims)
    {
        if (dims.Length > MaxRank)
            throw new ArgumentException($"shape has rank {dims.Length}; at most {MaxRank} dimensions are supported");
        Rank = dims.Length;
        long size = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] < 0) throw new ArgumentException($"shape {Format(dims)} has a negative dimension");
            _dims[i] = dims[i];
            size *= dims[i];
        }
        if (size > int.MaxValue) throw new ArgumentException($"shape {Format(dims)} has more than 2^31-1 elements");
        _sizeMinus1 = (int)size - 1;
    }

    /// <summary>Dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int this[int axis] => _dims[NormalizeAxis(axis)];

    /// <summary>Resolves a possibly negative axis to 0..Rank-1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is outside the shape.</exception>
    public int NormalizeAxis(int axis)
    {
        int a = axis < 0 ? axis + Rank : axis;
        if ((uint)a >= (uint)Rank)
            throw new ArgumentOutOfRangeException(nameof(axis), $"axis {axis} is out of range for shape {this}");
        return a;
    }

    /// <summary>The dimensions as a new array.</summary>
    public int[] ToArray()
    {
        var a = new int[Rank];
        for (int i = 0; i < Rank; i++) a[i] = _dims[i];
        return a;
    }

    /// <summary>Copies the dimensions into <paramref name="dest"/> (length at least Rank).</summary>
    public void CopyTo(Span<int> dest)
    {
        for (int i = 0; i < Rank; i++) dest[i] = _dims[i];
    }

    /// <summary>Product of the dimensions in [start, end).</summary>
    public int Prod(int start, int end)
    {
        int p = 1;
        for (int i = start; i < end; i++) p *= _dims[i];
        return p;
    }

    /// <summary>The last dimension (1 for a scalar).</summary>
    public int Last => Rank == 0 ? 1 : _dims[Rank - 1];

    /// <summary>This shape with dimension <paramref name="axis"/> replaced.</summary>
    public Shape With(int axis, int value)
    {
        Span<int> d = stackalloc int[MaxRank];
        CopyTo(d);
        d[NormalizeAxis(axis)] = value;
        return new Shape(d[..Rank]);
    }

    /// <summary>This shape without dimension <paramref name="axis"/>.</summary>
    public Shape Without(int axis)
    {
        int a = NormalizeAxis(axis);
        Span<int> d = stackalloc int[MaxRank];
        int r = 0;
        for (int i = 0; i < Rank; i++) if (i != a) d[r++] = _dims[i];
        return new Shape(d[..r]);
    }

    /// <summary>This shape with a new dimension of size <paramref name="value"/> inserted at <paramref name="axis"/> (0..Rank).</summary>
    public Shape Insert(int axis, int value)
    {
        int a = axis < 0 ? axis + Rank + 1 : axis;
        if ((uint)a > (uint)Rank) throw new ArgumentOutOfRangeException(nameof(axis), $"cannot insert an axis at {axis} into shape {this}");
        Span<int> d = stackalloc int[MaxRank];
        int r = 0;
        for (int i = 0; i < Rank; i++) { if (i == a) d[r++] = value; d[r++] = _dims[i]; }
        if (a == Rank) d[r++] = value;
        return new Shape(d[..r]);
    }

    public bool Equals(Shape other)
    {
        if (Rank != other.Rank) return false;
        for (int i = 0; i < Rank; i++) if (_dims[i] != other._dims[i]) return false;
        return true;
    }

    public override bool Equals(object? obj) => obj is Shape s && Equals(s);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Rank);
        for (int i = 0; i < Rank; i++) h.Add(_dims[i]);
        return h.ToHashCode();
    }

    public static bool operator ==(Shape a, Shape b) => a.Equals(b);
    public static bool operator !=(Shape a, Shape b) => !a.Equals(b);

    /// <summary>PyTorch-style text: <c>(16, 64, 3)</c>, <c>()</c> for a scalar.</summary>
    public override string ToString()
    {
        Span<int> d = stackalloc int[MaxRank];
        CopyTo(d);
        return Format(d[..Rank]);
    }

    private static string Format(ReadOnlySpan<int> dims)
    {
        if (dims.Length == 1) return $"({dims[0]},)";
        var parts = new string[dims.Length];
        for (int i = 0; i < dims.Length; i++) parts[i] = dims[i].ToString();
        return "(" + string.Join(", ", parts) + ")";
    }

    public static implicit operator Shape(int[] dims) => new(dims);
}

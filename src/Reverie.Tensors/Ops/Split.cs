// Split and chunk: cut a tensor into differentiable pieces along one axis (e.g. the three GRU gates).
namespace Reverie.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// Cuts <paramref name="axis"/> into pieces of the given <paramref name="sizes"/> (which must sum to
    /// the axis size), as <c>torch.split</c> with a list. Each piece is a <see cref="Narrow"/> of this
    /// tensor (a view for axis 0, else a copy) and carries its own gradient.
    /// </summary>
    /// <exception cref="ArgumentException">A negative size, or sizes that do not sum to the axis size.</exception>
    public Tensor[] Split(int[] sizes, int axis)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        if (Rank == 0) throw new ArgumentException("split: cannot split a scalar");
        int n = Shape[axis];
        long sum = 0;
        foreach (var s in sizes)
        {
            if (s < 0) throw new ArgumentException($"split: sizes ({string.Join(", ", sizes)}) contain a negative size");
            sum += s;
        }
        if (sum != n)
            throw new ArgumentException($"split: sizes ({string.Join(", ", sizes)}) sum to {sum} but axis {axis} of {Shape} has size {n}");
        var pieces = new Tensor[sizes.Length];
        int at = 0;
        for (int i = 0; i < sizes.Length; i++) { pieces[i] = Narrow(axis, at, sizes[i]); at += sizes[i]; }
        return pieces;
    }

    /// <summary>
    /// Cuts <paramref name="axis"/> into pieces of <paramref name="size"/> elements, the last one
    /// smaller when the axis size is not a multiple, as <c>torch.split</c> with an int.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="size"/> is not positive.</exception>
    public Tensor[] Split(int size, int axis)
    {
        if (size <= 0) throw new ArgumentException($"split: piece size must be positive, got {size}");
        if (Rank == 0) throw new ArgumentException("split: cannot split a scalar");
        int n = Shape[axis];
        int count = Math.Max(1, (n + size - 1) / size);
        var sizes = new int[count];
        for (int i = 0; i < count; i++) sizes[i] = Math.Min(size, n - i * size);
        return Split(sizes, axis);
    }

    /// <summary>
    /// Cuts <paramref name="axis"/> into <paramref name="chunks"/> pieces, as <c>torch.chunk</c>: each
    /// piece has ceil(n / chunks) elements and the last takes the rest, so fewer than
    /// <paramref name="chunks"/> pieces come back when n is not a multiple (n = 5, chunks = 4 gives
    /// sizes 2, 2, 1). When n is a multiple of <paramref name="chunks"/> the pieces are equal (GRU gates).
    /// An empty axis gives <paramref name="chunks"/> empty pieces.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="chunks"/> is not positive.</exception>
    public Tensor[] Chunk(int chunks, int axis)
    {
        if (chunks <= 0) throw new ArgumentException($"chunk: number of chunks must be positive, got {chunks}");
        if (Rank == 0) throw new ArgumentException("chunk: cannot chunk a scalar");
        int n = Shape[axis];
        if (n == 0) return Split(new int[chunks], axis);
        return Split((n + chunks - 1) / chunks, axis);
    }
}

// Reshape family: free views of contiguous data (reshape, flatten, squeeze, unsqueeze).
namespace Reverie.Tensors;

public sealed partial class Tensor
{
    /// <summary>The same elements with a new shape (a view; one dimension may be -1 to infer it).</summary>
    /// <exception cref="ArgumentException">The sizes differ or more than one -1 is given.</exception>
    public Tensor Reshape(params int[] dims)
    {
        int infer = -1, known = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"reshape: more than one -1 in ({string.Join(", ", dims)})");
                infer = i;
            }
            else known *= dims[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || Size % known != 0)
                throw new ArgumentException($"reshape: cannot reshape {Shape} ({Size} elements) into ({string.Join(", ", dims)})");
            dims = (int[])dims.Clone();
            dims[infer] = Size / known;
        }
        return Reshape(new Shape(dims));
    }

    /// <summary>The same elements with a new shape (a view).</summary>
    public Tensor Reshape(Shape shape)
    {
        if (shape == Shape && !NeedsGrad(this)) return this;
        var x = this;
        var y = View(shape);
        if (NeedsGrad(x)) Record(y, "reshape", [x], g => x.AccumulateGrad(g.Span));
        return y;
    }

    /// <summary>Merges axes [start, end] into one.</summary>
    public Tensor Flatten(int start = 0, int end = -1)
    {
        int s = Shape.NormalizeAxis(start), e = Shape.NormalizeAxis(end);
        var d = new List<int>();
        for (int i = 0; i < s; i++) d.Add(Shape[i]);
        d.Add(Shape.Prod(s, e + 1));
        for (int i = e + 1; i < Rank; i++) d.Add(Shape[i]);
        return Reshape(new Shape(d.ToArray()));
    }

    /// <summary>Inserts an axis of size 1 at <paramref name="axis"/>.</summary>
    public Tensor Unsqueeze(int axis) => Reshape(Shape.Insert(axis, 1));

    /// <summary>Removes axis <paramref name="axis"/>, which must have size 1.</summary>
    public Tensor Squeeze(int axis)
    {
        if (Shape[axis] != 1) throw new ArgumentException($"squeeze: axis {axis} of shape {Shape} has size {Shape[axis]}, not 1");
        return Reshape(Shape.Without(axis));
    }
}

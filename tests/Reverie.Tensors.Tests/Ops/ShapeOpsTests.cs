// Checks of transpose/permute, narrow/slice, concat/stack, expand and split/chunk.
using Reverie.Tensors;
using Reverie.Tensors.Kernels;

namespace Reverie.Tensors.Tests.Ops;

public class ShapeOpsTests
{
    // Reference permute in double: output flat j reads input at the permuted multi-index.
    private static Reference PermuteRef(Shape s, int[] perm) => x =>
    {
        var outDims = perm.Select(a => s[a]).ToArray();
        var os = new Shape(outDims);
        var st = CheckOp.Strides(s);
        var r = new double[s.Size];
        for (int j = 0; j < r.Length; j++)
        {
            var idx = CheckOp.Unravel(j, os);
            int off = 0;
            for (int i = 0; i < perm.Length; i++) off += idx[i] * st[perm[i]];
            r[j] = x[0][off];
        }
        return r;
    };

    public static IEnumerable<object[]> PermuteCases() =>
    [
        [new[] { 5, 7 }, new[] { 1, 0 }],
        [new[] { 37, 41 }, new[] { 1, 0 }],              // more than one tile each way, ragged tails
        [new[] { 2, 3, 5 }, new[] { 0, 2, 1 }],          // last two axes
        [new[] { 2, 3, 5 }, new[] { 2, 0, 1 }],
        [new[] { 2, 3, 5 }, new[] { 1, 0, 2 }],          // last axis stays: row copies
        [new[] { 2, 1, 3, 4 }, new[] { 3, 1, 0, 2 }],    // a size-1 axis
        [new[] { 2, 3, 4, 5 }, new[] { 0, 1, 2, 3 }],    // identity
        [new[] { 2, 3, 2, 3, 2 }, new[] { 4, 2, 0, 3, 1 }],
        [new[] { 6 }, new[] { 0 }],
    ];

    [Theory]
    [MemberData(nameof(PermuteCases))]
    public void Permute_matches_reference(int[] dims, int[] perm)
    {
        var s = new Shape(dims);
        CheckOp.Run("permute", x => x[0].Permute(perm), PermuteRef(s, perm), [s]);
    }

    [Fact]
    public void Permute_kernel_matches_reference_twin_over_many_shapes()
    {
        var rng = new Rng(7);
        int[][] perms3 = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
        foreach (var a in new[] { 1, 2, 33 })
            foreach (var b in new[] { 1, 3, 34 })
                foreach (var c in new[] { 1, 5, 35 })
                    foreach (var perm in perms3)
                    {
                        var s = new Shape(a, b, c);
                        var src = new float[s.Size];
                        rng.FillNormal(src);
                        var fast = new float[s.Size];
                        var reference = new float[s.Size];
                        PermuteKernel.Run(src, s, perm, fast, accumulate: false);
                        PermuteKernel.Reference(src, s, perm, reference);
                        Assert.True(fast.AsSpan().SequenceEqual(reference), $"permute {s} by ({string.Join(",", perm)})");
                        PermuteKernel.Run(src, s, perm, fast, accumulate: true);
                        for (int i = 0; i < fast.Length; i++) Assert.Equal(2 * reference[i], fast[i]);
                    }
    }

    [Fact]
    public void Transpose_swaps_two_axes_with_negative_axes()
    {
        var s = new Shape(2, 3, 4);
        CheckOp.Run("transpose", x => x[0].Transpose(-1, -2), PermuteRef(s, [0, 2, 1]), [s]);
        CheckOp.Run("transpose02", x => x[0].Transpose(0, 2), PermuteRef(s, [2, 1, 0]), [s]);
        var m = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], new Shape(2, 3)).Transpose(0, 1);
        Assert.Equal(new Shape(3, 2), m.Shape);
        Assert.Equal([1f, 4f, 2f, 5f, 3f, 6f], m.ToArray());
    }

    private static Reference NarrowRef(Shape s, int axis, int start, int length) => x =>
    {
        int ax = s.NormalizeAxis(axis);
        int outer = s.Prod(0, ax), n = s[ax], inner = s.Prod(ax + 1, s.Rank);
        var r = new List<double>();
        for (int o = 0; o < outer; o++)
            for (int k = start; k < start + length; k++)
                for (int i = 0; i < inner; i++) r.Add(x[0][(o * n + k) * inner + i]);
        return r.ToArray();
    };

    [Theory]
    [InlineData(new[] { 7, 3 }, 0, 2, 4)]       // axis 0: a view
    [InlineData(new[] { 1, 7, 3 }, 1, 1, 5)]    // leading size-1 axis: a view
    [InlineData(new[] { 4, 7, 3 }, 1, 3, 4)]    // a copy
    [InlineData(new[] { 4, 5 }, -1, 0, 1)]
    [InlineData(new[] { 9 }, 0, 8, 1)]
    public void Narrow_matches_reference(int[] dims, int axis, int start, int length)
    {
        var s = new Shape(dims);
        CheckOp.Run("narrow", x => x[0].Narrow(axis, start, length), NarrowRef(s, axis, start, length), [s]);
        CheckOp.Run("slice", x => x[0].Slice(axis, start, start + length), NarrowRef(s, axis, start, length), [s]);
    }

    [Fact]
    public void Narrow_along_axis_0_shares_memory_and_slice_counts_from_the_end()
    {
        var x = Tensor.FromArray([0f, 1f, 2f, 3f, 4f, 5f], new Shape(3, 2));
        var v = x.Narrow(0, 1, 2);
        x.Span[2] = 42f;
        Assert.Equal(42f, v.Span[0]);                    // a view, not a copy
        Assert.Equal([42f, 3f], x.Slice(0, -2, -1).ToArray());
        Assert.Equal([1f, 3f, 5f], x.Slice(1, -1, 2).ToArray());
        Assert.Equal(0, x.Slice(0, 2, 2).Size);
    }

    public static IEnumerable<object[]> ConcatCases() =>
    [
        [new[] { new[] { 2, 3 }, new[] { 4, 3 }, new[] { 1, 3 } }, 0],
        [new[] { new[] { 2, 3 }, new[] { 2, 1 }, new[] { 2, 5 } }, 1],
        [new[] { new[] { 2, 3, 2 }, new[] { 2, 1, 2 } }, -2],
        [new[] { new[] { 3, 2, 1 }, new[] { 3, 2, 4 } }, -1],
        [new[] { new[] { 5 } }, 0],
    ];

    [Theory]
    [MemberData(nameof(ConcatCases))]
    public void Concat_matches_reference(int[][] dims, int axis)
    {
        var shapes = dims.Select(d => new Shape(d)).ToArray();
        int ax = shapes[0].NormalizeAxis(axis);
        int outer = shapes[0].Prod(0, ax), inner = shapes[0].Prod(ax + 1, shapes[0].Rank);
        CheckOp.Run("concat", x => Tensor.Concat(x, axis), x =>
        {
            var r = new List<double>();
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < x.Length; i++)
                {
                    int run = shapes[i][ax] * inner;
                    r.AddRange(x[i].Skip(o * run).Take(run));
                }
            return r.ToArray();
        }, shapes);
    }

    [Theory]
    [InlineData(new[] { 2, 3 }, 0)]
    [InlineData(new[] { 2, 3 }, 1)]
    [InlineData(new[] { 2, 3 }, 2)]
    [InlineData(new[] { 2, 3 }, -1)]
    [InlineData(new int[0], 0)]
    public void Stack_matches_reference(int[] dims, int axis)
    {
        var s = new Shape(dims);
        var shapes = new[] { s, s, s };
        int ax = axis < 0 ? axis + s.Rank + 1 : axis;
        int outer = s.Prod(0, ax), inner = s.Prod(ax, s.Rank);
        CheckOp.Run("stack", x => Tensor.Stack(x, axis), x =>
        {
            var r = new List<double>();
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < x.Length; i++) r.AddRange(x[i].Skip(o * inner).Take(inner));
            return r.ToArray();
        }, shapes);
        Assert.Equal(s.Insert(axis, 3), Tensor.Stack([Tensor.Zeros(s), Tensor.Zeros(s), Tensor.Zeros(s)], axis).Shape);
    }

    [Theory]
    [InlineData(new[] { 3 }, new[] { 2, 3 })]
    [InlineData(new[] { 2, 1 }, new[] { 2, 5 })]
    [InlineData(new[] { 1, 3, 1 }, new[] { 2, 3, 4 })]
    [InlineData(new[] { 2, 3 }, new[] { 2, 3 })]
    [InlineData(new int[0], new[] { 3, 2 })]
    [InlineData(new[] { 1 }, new[] { 4, 1, 2 })]
    public void Expand_matches_reference(int[] from, int[] to)
    {
        Shape s = new(from), t = new(to);
        CheckOp.Run("expand", x => x[0].Expand(t), x =>
        {
            var r = new double[t.Size];
            for (int j = 0; j < r.Length; j++) r[j] = CheckOp.At(x[0], s, CheckOp.Unravel(j, t));
            return r;
        }, [s]);
    }

    [Theory]
    [InlineData(new[] { 7, 3 }, 0)]
    [InlineData(new[] { 2, 7 }, 1)]
    [InlineData(new[] { 2, 7, 2 }, -2)]
    public void Split_pieces_are_differentiable_and_reassemble(int[] dims, int axis)
    {
        var s = new Shape(dims);
        int[] sizes = [2, 0, 4, 1];
        int start = 0;
        for (int k = 0; k < sizes.Length; k++)
        {
            int st = start, len = sizes[k], kk = k;
            CheckOp.Run($"split[{k}]", x => x[0].Split(sizes, axis)[kk], NarrowRef(s, axis, st, len), [s]);
            start += len;
        }
        // Every piece feeds back into one input: gradients from all pieces must add up.
        CheckOp.Run("split_concat_reversed", x => Tensor.Concat(Enumerable.Reverse(x[0].Split(sizes, axis)).ToArray(), axis), x =>
        {
            var parts = new List<double[]>();
            int at = 0;
            foreach (var len in sizes) { parts.Add(NarrowRef(s, axis, at, len)(x)); at += len; }
            int ax = s.NormalizeAxis(axis), outer = s.Prod(0, ax), inner = s.Prod(ax + 1, s.Rank);
            var r = new List<double>();
            for (int o = 0; o < outer; o++)
                for (int k = sizes.Length - 1; k >= 0; k--) r.AddRange(parts[k].Skip(o * sizes[k] * inner).Take(sizes[k] * inner));
            return r.ToArray();
        }, [s]);
    }

    [Fact]
    public void Split_and_chunk_sizes_follow_torch()
    {
        var x = Tensor.Zeros(new Shape(4, 5));
        Assert.Equal([2, 2, 1], x.Split(2, 1).Select(p => p.Shape[1]));
        Assert.Equal([2, 2, 1], x.Chunk(4, 1).Select(p => p.Shape[1]));   // torch.chunk gives 3 pieces here
        Assert.Equal([1, 1, 1, 1], x.Chunk(4, 0).Select(p => p.Shape[0]));
        Assert.Equal([5], x.Chunk(1, -1).Select(p => p.Shape[1]));
        var gates = Tensor.FromArray(Enumerable.Range(0, 12).Select(i => (float)i).ToArray(), new Shape(2, 6)).Chunk(3, -1);
        Assert.Equal([2f, 3f, 8f, 9f], gates[1].ToArray());
        Assert.Equal(3, Tensor.Zeros(new Shape(0, 2)).Chunk(3, 0).Length);
    }

    [Fact]
    public void Shape_errors_name_the_op_and_shapes()
    {
        var x = Tensor.Zeros(new Shape(2, 3, 4));
        Assert.Contains("repeats", Assert.Throws<ArgumentException>(() => x.Permute(0, 0, 1)).Message);
        Assert.Contains("out of range", Assert.Throws<ArgumentException>(() => x.Permute(0, 1, 3)).Message);
        Assert.Contains("rank 3", Assert.Throws<ArgumentException>(() => x.Permute(0, 1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Transpose(0, 3));
        var e = Assert.Throws<ArgumentException>(() => x.Narrow(1, 2, 2));
        Assert.Contains("narrow", e.Message);
        Assert.Contains("(2, 3, 4)", e.Message);
        Assert.Throws<ArgumentException>(() => x.Narrow(1, -1, 1));
        Assert.Throws<ArgumentException>(() => x.Slice(2, 3, 1));
        var c = Assert.Throws<ArgumentException>(() => Tensor.Concat([x, Tensor.Zeros(new Shape(2, 5, 5))], 1));
        Assert.Contains("(2, 5, 5)", c.Message);
        Assert.Contains("(2, 3, 4)", c.Message);
        Assert.Throws<ArgumentException>(() => Tensor.Concat([x, Tensor.Zeros(new Shape(2, 3))], 0));
        Assert.Throws<ArgumentException>(() => Tensor.Concat(Array.Empty<Tensor>(), 0));
        Assert.Contains("stack", Assert.Throws<ArgumentException>(() => Tensor.Stack([x, Tensor.Zeros(new Shape(2, 3, 5))], 0)).Message);
        var ex = Assert.Throws<ArgumentException>(() => x.Expand(new Shape(2, 5, 4)));
        Assert.Contains("(2, 3, 4)", ex.Message);
        Assert.Contains("(2, 5, 4)", ex.Message);
        Assert.Throws<ArgumentException>(() => x.Expand(new Shape(3, 4)));
        Assert.Contains("sum to 3", Assert.Throws<ArgumentException>(() => x.Split([1, 2], 2)).Message);
        Assert.Throws<ArgumentException>(() => x.Split(0, 1));
        Assert.Throws<ArgumentException>(() => x.Chunk(0, 1));
    }
}

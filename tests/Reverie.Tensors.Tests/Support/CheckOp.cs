// CheckOp: one-line test of an op's forward (against a double-precision scalar reference) and its
// gradients (against double-precision central differences of that reference).
using Reverie.Tensors;

namespace Reverie.Tensors.Tests;

/// <summary>A reference implementation: double inputs (flat, row-major) to a double output (flat).</summary>
public delegate double[] Reference(double[][] inputs);

public static class CheckOp
{
    /// <summary>
    /// Runs <paramref name="op"/> on random inputs of the given shapes, compares the output with
    /// <paramref name="reference"/>, then compares the gradients of L = Σ w ⊙ op(x) (random w) with
    /// central differences of L computed through the reference in double precision.
    /// </summary>
    public static void Run(string name, Func<Tensor[], Tensor> op, Reference reference, Shape[] shapes,
        ulong seed = 1, double atol = 1e-4, double rtol = 1e-3, Func<Rng, float>? sample = null,
        bool[]? differentiable = null, double fwdAtol = 1e-5, double fwdRtol = 1e-4)
    {
        var rng = new Rng(seed);
        sample ??= r => r.Normal();
        var inputs = new Tensor[shapes.Length];
        var dbl = new double[shapes.Length][];
        for (int i = 0; i < shapes.Length; i++)
        {
            var data = new float[shapes[i].Size];
            for (int j = 0; j < data.Length; j++) data[j] = sample(rng);
            inputs[i] = Tensor.FromArray(data, shapes[i]);
            inputs[i].RequiresGrad = differentiable is null || differentiable[i];
            dbl[i] = Array.ConvertAll(data, v => (double)v);
        }

        var y = op(inputs);
        var expected = reference(dbl);
        Assert.True(expected.Length == y.Size, $"{name}: reference gives {expected.Length} values, op gives {y.Size} ({y.Shape})");
        var ys = y.ToArray();
        for (int j = 0; j < ys.Length; j++)
            AssertClose(expected[j], ys[j], fwdAtol, fwdRtol, $"{name}: forward[{j}] of {y.Shape}");

        var w = new double[y.Size];
        for (int j = 0; j < w.Length; j++) w[j] = rng.Normal();
        if (!inputs.Any(t => t.RequiresGrad)) return;
        var wt = Tensor.FromArray(Array.ConvertAll(w, v => (float)v), y.Shape);
        Tensor.Mul(y, wt).Sum().Backward();

        const double h = 1e-6;
        for (int i = 0; i < inputs.Length; i++)
        {
            if (!inputs[i].RequiresGrad) continue;
            Assert.True(inputs[i].Grad is not null, $"{name}: input {i} {shapes[i]} got no gradient");
            var g = inputs[i].Grad!.ToArray();
            for (int j = 0; j < dbl[i].Length; j++)
            {
                double keep = dbl[i][j];
                dbl[i][j] = keep + h; double lp = Dot(w, reference(dbl));
                dbl[i][j] = keep - h; double lm = Dot(w, reference(dbl));
                dbl[i][j] = keep;
                double num = (lp - lm) / (2 * h);
                AssertClose(num, g[j], atol, rtol, $"{name}: d/d input{i}[{j}] of {shapes[i]}");
            }
        }
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    public static void AssertClose(double expected, double actual, double atol, double rtol, string what)
    {
        if (double.IsNaN(expected) && double.IsNaN(actual)) return;
        if (double.IsInfinity(expected) && expected == actual) return;
        double err = Math.Abs(expected - actual);
        Assert.True(err <= atol + rtol * Math.Abs(expected), $"{what}: expected {expected:G9}, got {actual:G9} (|err| {err:G3})");
    }

    /// <summary>Elementwise map of a reference over one input.</summary>
    public static Reference Map(Func<double, double> f) => x => x[0].Select(f).ToArray();

    /// <summary>Index helper: strides of a row-major shape.</summary>
    public static int[] Strides(Shape s)
    {
        var st = new int[s.Rank];
        int acc = 1;
        for (int i = s.Rank - 1; i >= 0; i--) { st[i] = acc; acc *= s[i]; }
        return st;
    }

    /// <summary>Multi-index of a flat index.</summary>
    public static int[] Unravel(int flat, Shape s)
    {
        var idx = new int[s.Rank];
        for (int i = s.Rank - 1; i >= 0; i--) { idx[i] = flat % s[i]; flat /= s[i]; }
        return idx;
    }

    /// <summary>Reference broadcast: value of x (shape xs) at output multi-index idx (output rank ≥ x rank).</summary>
    public static double At(double[] x, Shape xs, int[] idx)
    {
        int off = idx.Length - xs.Rank, flat = 0;
        for (int i = 0; i < xs.Rank; i++) flat = flat * xs[i] + (xs[i] == 1 ? 0 : idx[i + off]);
        return x[flat];
    }
}

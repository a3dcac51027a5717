// Checks of the recurrent cells and the internal ops they use (split/concat along the last axis,
// block-diagonal linear): CheckOp against double references, and PyTorch golden numbers.
using Reverie.Tensors;
using Reverie.Tensors.Nn;

namespace Reverie.Tensors.Tests.Nn;

public class GruTests
{
    private static double Sig(double v) => 1 / (1 + Math.Exp(-v));

    // ------------------------------------------------------------------ internal ops

    [Theory]
    [InlineData(new[] { 4, 6 }, new[] { 1, 3, 2 })]
    [InlineData(new[] { 2, 3, 5 }, new[] { 5 })]
    [InlineData(new[] { 7 }, new[] { 0, 4, 3 })]
    public void SplitLast_and_ConcatLast_move_values_and_gradients(int[] dims, int[] sizes)
    {
        var s = new Shape(dims);
        int n = s[-1], rows = s.Size / n;
        for (int p = 0; p < sizes.Length; p++)
        {
            int part = p, off = sizes.Take(p).Sum();
            CheckOp.Run($"split_last[{p}]", x => Gates.SplitLast(x[0], sizes)[part], x =>
            {
                var r = new double[rows * sizes[part]];
                for (int i = 0; i < rows; i++)
                    for (int k = 0; k < sizes[part]; k++) r[i * sizes[part] + k] = x[0][i * n + off + k];
                return r;
            }, [s]);
        }
        var shapes = sizes.Select(w => s.With(-1, w)).ToArray();
        CheckOp.Run("concat_last", x => Gates.ConcatLast(x), x =>
        {
            var r = new List<double>();
            for (int i = 0; i < rows; i++)
                for (int p = 0; p < sizes.Length; p++) r.AddRange(x[p].Skip(i * sizes[p]).Take(sizes[p]));
            return r.ToArray();
        }, shapes);
        // Only the inputs that need gradients get them.
        CheckOp.Run("concat_last_partial", x => Gates.ConcatLast(x), x =>
        {
            var r = new List<double>();
            for (int i = 0; i < rows; i++)
                for (int p = 0; p < sizes.Length; p++) r.AddRange(x[p].Skip(i * sizes[p]).Take(sizes[p]));
            return r.ToArray();
        }, shapes, differentiable: sizes.Select((_, i) => i % 2 == 0).ToArray());
    }

    [Fact]
    public void Split_and_concat_errors_name_the_shapes()
    {
        var x = Tensor.Zeros(new Shape(2, 7));
        Assert.Contains("(2, 7) cannot be split into 3", Assert.Throws<ArgumentException>(() => Gates.SplitLast(x, 3)).Message);
        Assert.Contains("sum to 6", Assert.Throws<ArgumentException>(() => Gates.SplitLast(x, 2, 4)).Message);
        Assert.Contains("(2, 7) and (3, 7) differ", Assert.Throws<ArgumentException>(() => Gates.ConcatLast(x, Tensor.Zeros(new Shape(3, 7)))).Message);
    }

    /// <summary>Double reference of the block-diagonal linear map with a shared input.</summary>
    private static double[] BlockLinRef(double[] x, double[]? sh, double[] w, double[]? b, int R, int g, int i, int s, int o)
    {
        var y = new double[R * g * o];
        for (int r = 0; r < R; r++)
            for (int k = 0; k < g; k++)
                for (int c = 0; c < o; c++)
                {
                    double acc = b?[k * o + c] ?? 0;
                    for (int j = 0; j < i; j++) acc += x[r * g * i + k * i + j] * w[(k * (i + s) + j) * o + c];
                    for (int j = 0; j < s; j++) acc += sh![r * s + j] * w[(k * (i + s) + i + j) * o + c];
                    y[r * g * o + k * o + c] = acc;
                }
        return y;
    }

    [Theory]
    [InlineData(3, 2, 3, 0, 4)]
    [InlineData(5, 3, 2, 4, 3)]
    [InlineData(1, 1, 5, 2, 7)]
    [InlineData(4, 2, 1, 3, 1)]
    public void BlockLinear_matches_reference(int R, int g, int i, int s, int o)
    {
        Shape sx = new(R, g * i), sw = new(g, i + s, o), sb = new(g * o), ssh = new(R, s);
        if (s == 0)
            CheckOp.Run("block_linear", x => Gates.BlockLinear(x[0], null, x[1], x[2]),
                x => BlockLinRef(x[0], null, x[1], x[2], R, g, i, 0, o), [sx, sw, sb]);
        else
        {
            CheckOp.Run("block_linear_shared", x => Gates.BlockLinear(x[0], x[3], x[1], x[2]),
                x => BlockLinRef(x[0], x[3], x[1], x[2], R, g, i, s, o), [sx, sw, sb, ssh]);
            CheckOp.Run("block_linear_shared_nobias", x => Gates.BlockLinear(x[0], x[2], x[1], null),
                x => BlockLinRef(x[0], x[2], x[1], null, R, g, i, s, o), [sx, sw, ssh]);
        }
        // Leading axes of any rank.
        var y = Gates.BlockLinear(Tensor.Zeros(new Shape(2, R, g * i)), s == 0 ? null : Tensor.Zeros(new Shape(2, R, s)),
            Tensor.Zeros(sw), null);
        Assert.Equal(new Shape(2, R, g * o), y.Shape);
    }

    [Fact]
    public void BlockLinear_module_checks_its_inputs()
    {
        var bl = new BlockLinear(6, 9, 3, new Rng(1), sharedFeatures: 4);
        Assert.Equal(new Shape(3, 2 + 4, 3), bl.Weight.Shape);
        Assert.Equal(new Shape(5, 9), bl.Forward(Tensor.Zeros(new Shape(5, 6)), Tensor.Zeros(new Shape(5, 4))).Shape);
        Assert.Contains("shared input of 4", Assert.Throws<ArgumentException>(() => bl.Forward(Tensor.Zeros(new Shape(5, 6)))).Message);
        Assert.Contains("multiples of blocks", Assert.Throws<ArgumentException>(() => new BlockLinear(7, 9, 3, new Rng(1))).Message);
        var e = Assert.Throws<ArgumentException>(() => bl.Forward(Tensor.Zeros(new Shape(5, 7)), Tensor.Zeros(new Shape(5, 4))));
        Assert.Contains("(5, 7)", e.Message);
    }

    // ------------------------------------------------------------------ GruCell

    /// <summary>torch.nn.GRUCell in double precision: inputs x (B, I), h (B, H), W_ih, W_hh, b_ih, b_hh.</summary>
    private static double[] GruRef(double[][] p, int B, int I, int H)
    {
        double[] x = p[0], h = p[1], wih = p[2], whh = p[3], bih = p[4], bhh = p[5];
        var y = new double[B * H];
        for (int b = 0; b < B; b++)
        {
            double Gi(int row) { double s = bih[row]; for (int k = 0; k < I; k++) s += wih[row * I + k] * x[b * I + k]; return s; }
            double Gh(int row) { double s = bhh[row]; for (int k = 0; k < H; k++) s += whh[row * H + k] * h[b * H + k]; return s; }
            for (int j = 0; j < H; j++)
            {
                double r = Sig(Gi(j) + Gh(j)), z = Sig(Gi(H + j) + Gh(H + j));
                double n = Math.Tanh(Gi(2 * H + j) + r * Gh(2 * H + j));
                y[b * H + j] = (1 - z) * n + z * h[b * H + j];
            }
        }
        return y;
    }

    [Theory]
    [InlineData(3, 5, 4)]
    [InlineData(1, 1, 1)]
    [InlineData(2, 7, 17)]
    public void GruCell_matches_double_reference_with_parameters_as_inputs(int B, int I, int H)
    {
        Shape[] shapes = [new(B, I), new(B, H), new(3 * H, I), new(3 * H, H), new(3 * H), new(3 * H)];
        CheckOp.Run("gru_cell", x => GruCell.Step(x[0], x[1], x[2], x[3], x[4], x[5]), x => GruRef(x, B, I, H), shapes);
    }

    [Fact]
    public void GruCell_module_has_PyTorch_names_init_and_shape_checks()
    {
        var cell = new GruCell(5, 4, new Rng(1));
        Assert.Equal(["weight_ih", "weight_hh", "bias_ih", "bias_hh"], cell.NamedParameters().Select(p => p.Name));
        Assert.Equal(new Shape(12, 5), cell.WeightIh.Shape);
        Assert.All(cell.Parameters(), p => Assert.All(p.ToArray(), v => Assert.InRange(v, -0.5f, 0.5f)));
        Assert.Equal(new Shape(2, 3, 4), cell.Forward(Tensor.Zeros(new Shape(2, 3, 5)), Tensor.Zeros(new Shape(2, 3, 4))).Shape);
        var e = Assert.Throws<ArgumentException>(() => cell.Forward(Tensor.Zeros(new Shape(3, 5)), Tensor.Zeros(new Shape(2, 4))));
        Assert.Contains("(3, 5) and (2, 4)", e.Message);
        Assert.Equal(2, new GruCell(5, 4, new Rng(1), bias: false).Parameters().Count());
    }

    [Fact]
    public void GruCell_LayerNorm_Linear_match_PyTorch_after_loading_its_state_dict()
    {
        var fx = TorchFixture.Load();
        fx.Check("gru_cell", new GruCell(5, 4, new Rng(99)), (m, x) => ((GruCell)m).Forward(x[0], x[1]));
        fx.Check("layer_norm", new LayerNorm(6), (m, x) => ((LayerNorm)m).Forward(x[0]));
        fx.Check("linear", new Linear(7, 3, new Rng(99)), (m, x) => ((Linear)m).Forward(x[0]));
    }

    // ------------------------------------------------------------------ BlockGruCell

    [Fact]
    public void BlockGruCell_names_and_shapes()
    {
        var cell = new BlockGruCell(deter: 8, hidden: 5, blocks: 4, inputSizes: [6, 2], new Rng(1));
        Assert.Equal(["dynin0.weight", "dynin0.bias", "dynin0norm.weight", "dynin1.weight", "dynin1.bias", "dynin1norm.weight",
            "dynin2.weight", "dynin2.bias", "dynin2norm.weight", "dynhid0.weight", "dynhid0.bias", "dynhid0norm.weight",
            "dyngru.weight", "dyngru.bias"], cell.NamedParameters().Select(p => p.Name));
        Assert.Equal(new Shape(4, 2 + 15, 2), cell.StateDict()["dynhid0.weight"].Shape);
        Assert.Equal(new Shape(4, 2, 6), cell.StateDict()["dyngru.weight"].Shape);
        var h = cell.Forward(Tensor.Zeros(new Shape(3, 8)), Tensor.Zeros(new Shape(3, 6)), Tensor.Zeros(new Shape(3, 2)));
        Assert.Equal(new Shape(3, 8), h.Shape);
        Assert.Equal(new Shape(2, 3, 8), cell.Forward(Tensor.Zeros(new Shape(2, 3, 8)), Tensor.Zeros(new Shape(2, 3, 6)), Tensor.Zeros(new Shape(2, 3, 2))).Shape);
        var e = Assert.Throws<ArgumentException>(() => cell.Forward(Tensor.Zeros(new Shape(3, 8)), Tensor.Zeros(new Shape(3, 6))));
        Assert.Contains("expected 2 inputs", e.Message);
        e = Assert.Throws<ArgumentException>(() => cell.Forward(Tensor.Zeros(new Shape(3, 8)), Tensor.Zeros(new Shape(3, 6)), Tensor.Zeros(new Shape(4, 2))));
        Assert.Contains("input 1 (4, 2)", e.Message);
        Assert.Contains("not a multiple of blocks", Assert.Throws<ArgumentException>(() => new BlockGruCell(9, 5, 4, [1], new Rng(1))).Message);
        var noHid = new BlockGruCell(8, 5, 2, [3], new Rng(1), dynLayers: 0, norm: "none");
        Assert.Equal(new Shape(2, 4 + 10, 12), noHid.StateDict()["dyngru.weight"].Shape);
        Assert.Equal(4, noHid.NamedParameters().Count() - 2);
    }

    [Theory]
    [InlineData(1, "rms", "silu")]
    [InlineData(0, "layer", "tanh")]
    [InlineData(2, "none", "elu")]
    public void BlockGruCell_matches_double_reference_for_inputs_and_parameters(int dynLayers, string norm, string act)
    {
        const int D = 6, G = 2, Hd = 4, B = 3;
        int[] sizes = [5, 2];
        var cell = new BlockGruCell(D, Hd, G, sizes, new Rng(7), dynLayers, norm, act, normEps: 1e-3f);
        var rng = new Rng(8);
        foreach (var p in cell.Parameters()) Init.Normal(p, rng, 0f, 0.6f);   // biases and norm scales too
        var reference = new BlockGruRef(cell, D, Hd, G, sizes, dynLayers, norm, act, 1e-3);

        // Gradients with respect to deter and the inputs (parameters fixed).
        CheckOp.Run("block_gru", x => cell.Forward(x[0], x[1], x[2]), x => reference.Run(x[0], [x[1], x[2]], reference.Params, B),
            [new(B, D), new(B, 5), new(B, 2)]);

        // Gradients with respect to every parameter, against central differences of the reference.
        var inputs = new[] { new Shape(B, D), new Shape(B, 5), new Shape(B, 2) }.Select(s => Tensor.Randn(s, rng)).ToArray();
        var dIn = inputs.Select(t => t.ToArray().Select(v => (double)v).ToArray()).ToArray();
        var y = cell.Forward(inputs[0], inputs[1], inputs[2]);
        var w = Tensor.Randn(y.Shape, rng);
        cell.ZeroGrad();
        (y * w).Sum().Backward();
        var wd = w.ToArray().Select(v => (double)v).ToArray();
        double Loss(Dictionary<string, double[]> prm) => reference.Run(dIn[0], [dIn[1], dIn[2]], prm, B).Select((v, i) => v * wd[i]).Sum();
        foreach (var (name, p) in cell.NamedParameters())
        {
            var prm = reference.Params.ToDictionary(kv => kv.Key, kv => (double[])kv.Value.Clone());
            var g = p.Grad!.ToArray();
            for (int j = 0; j < g.Length; j++)
            {
                double keep = prm[name][j];
                prm[name][j] = keep + 1e-6; double lp = Loss(prm);
                prm[name][j] = keep - 1e-6; double lm = Loss(prm);
                prm[name][j] = keep;
                CheckOp.AssertClose((lp - lm) / 2e-6, g[j], 1e-4, 1e-3, $"block_gru d/d {name}[{j}]");
            }
        }
    }

    /// <summary>DreamerV3's block GRU core in double precision, reading the cell's parameter values.</summary>
    private sealed class BlockGruRef(BlockGruCell cell, int D, int Hd, int G, int[] sizes, int dynLayers, string norm, string act, double eps)
    {
        public readonly Dictionary<string, double[]> Params =
            cell.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.ToArray().Select(v => (double)v).ToArray());

        private static double Act(string a, double v) => a switch
        {
            "silu" => v * Sig(v),
            "tanh" => Math.Tanh(v),
            "elu" => v > 0 ? v : Math.Exp(v) - 1,
            _ => v,
        };

        private double[] Norm(Dictionary<string, double[]> p, string name, double[] x, int R, int n)
        {
            if (norm == "none") return x;
            var y = new double[x.Length];
            for (int r = 0; r < R; r++)
            {
                double mean = 0, sq = 0;
                if (norm == "layer") { for (int k = 0; k < n; k++) mean += x[r * n + k]; mean /= n; }
                for (int k = 0; k < n; k++) sq += (x[r * n + k] - mean) * (x[r * n + k] - mean);
                double rstd = 1 / Math.Sqrt(sq / n + eps);
                for (int k = 0; k < n; k++)
                    y[r * n + k] = (x[r * n + k] - mean) * rstd * p[name + ".weight"][k] + (norm == "layer" ? p[name + ".bias"][k] : 0);
            }
            return y;
        }

        private static double[] Lin(double[] x, double[] w, double[] b, int R, int I, int O)
        {
            var y = new double[R * O];
            for (int r = 0; r < R; r++)
                for (int o = 0; o < O; o++)
                {
                    double s = b[o];
                    for (int k = 0; k < I; k++) s += x[r * I + k] * w[o * I + k];
                    y[r * O + o] = s;
                }
            return y;
        }

        public double[] Run(double[] deter, double[][] inputs, Dictionary<string, double[]> p, int R)
        {
            var projs = new List<double[]>();
            for (int j = 0; j <= inputs.Length; j++)
            {
                var src = j == 0 ? deter : inputs[j - 1];
                int I = j == 0 ? D : sizes[j - 1];
                var v = Norm(p, $"dynin{j}norm", Lin(src, p[$"dynin{j}.weight"], p[$"dynin{j}.bias"], R, I, Hd), R, Hd);
                projs.Add(v.Select(t => Act(act, t)).ToArray());
            }
            int S = projs.Count * Hd;
            var shared = new double[R * S];
            for (int r = 0; r < R; r++)
                for (int j = 0; j < projs.Count; j++) Array.Copy(projs[j], r * Hd, shared, r * S + j * Hd, Hd);
            double[] x = deter;
            bool useShared = true;
            for (int l = 0; l < dynLayers; l++)
            {
                var v = BlockLinRef(x, useShared ? shared : null, p[$"dynhid{l}.weight"], p[$"dynhid{l}.bias"], R, G, D / G, useShared ? S : 0, D / G);
                x = Norm(p, $"dynhid{l}norm", v, R, D).Select(t => Act(act, t)).ToArray();
                useShared = false;
            }
            var gates = BlockLinRef(x, useShared ? shared : null, p["dyngru.weight"], p["dyngru.bias"], R, G, D / G, useShared ? S : 0, 3 * D / G);
            var y = new double[R * D];
            int dg = D / G;
            for (int r = 0; r < R; r++)
                for (int k = 0; k < G; k++)
                    for (int c = 0; c < dg; c++)
                    {
                        int gb = r * 3 * D + k * 3 * dg;
                        double reset = Sig(gates[gb + c]);
                        double cand = Math.Tanh(reset * gates[gb + dg + c]);
                        double update = Sig(gates[gb + 2 * dg + c] - 1);
                        double h = deter[r * D + k * dg + c];
                        y[r * D + k * dg + c] = update * cand + (1 - update) * h;
                    }
            return y;
        }
    }
}

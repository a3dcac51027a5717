// GruCell: one step of a GRU, exactly as torch.nn.GRUCell (gate order r, z, n; same parameter names).
namespace Reverie.Tensors.Nn;

/// <summary>
/// One step of a gated recurrent unit, as PyTorch's nn.GRUCell. With x (..., I) and h (..., H):
/// <code>
/// r  = σ(W_ir x + b_ir + W_hr h + b_hr)
/// z  = σ(W_iz x + b_iz + W_hz h + b_hz)
/// n  = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
/// h' = (1 − z) ⊙ n + z ⊙ h
/// </code>
/// Parameters (PyTorch names and layouts, gate blocks stacked in the order r, z, n):
/// <c>weight_ih</c> (3H, I), <c>weight_hh</c> (3H, H), <c>bias_ih</c> (3H,), <c>bias_hh</c> (3H,),
/// all initialized U(−1/√H, 1/√H) as PyTorch does. Composed from Linear, split, sigmoid, tanh and
/// elementwise ops, so its gradient is exact autograd.
/// </summary>
public sealed class GruCell : Module
{
    /// <summary>Input-to-hidden weights (3H, I).</summary>
    public Tensor WeightIh { get; }
    /// <summary>Hidden-to-hidden weights (3H, H).</summary>
    public Tensor WeightHh { get; }
    /// <summary>Input-to-hidden bias (3H,), or null.</summary>
    public Tensor? BiasIh { get; }
    /// <summary>Hidden-to-hidden bias (3H,), or null.</summary>
    public Tensor? BiasHh { get; }

    /// <summary>Input features I.</summary>
    public int InputSize { get; }
    /// <summary>Hidden features H.</summary>
    public int HiddenSize { get; }

    /// <exception cref="ArgumentException">A size is not positive.</exception>
    public GruCell(int inputSize, int hiddenSize, Rng rng, bool bias = true)
    {
        Layers.CheckPositive(inputSize, "inputSize", "GruCell");
        Layers.CheckPositive(hiddenSize, "hiddenSize", "GruCell");
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        int H3 = 3 * hiddenSize;
        WeightIh = RegisterParameter("weight_ih", Tensor.Parameter(new Shape(H3, inputSize)));
        WeightHh = RegisterParameter("weight_hh", Tensor.Parameter(new Shape(H3, hiddenSize)));
        if (bias)
        {
            BiasIh = RegisterParameter("bias_ih", Tensor.Parameter(new Shape(H3)));
            BiasHh = RegisterParameter("bias_hh", Tensor.Parameter(new Shape(H3)));
        }
        foreach (var p in Parameters()) Init.KaimingUniform(p, rng, hiddenSize);
    }

    /// <summary>x (..., I), h (..., H) with equal leading axes → h' (..., H).</summary>
    /// <exception cref="ArgumentException">The shapes do not fit; the message gives both.</exception>
    public Tensor Forward(Tensor x, Tensor h)
    {
        if (x.Rank == 0 || x.Shape[-1] != InputSize || h.Rank != x.Rank || h.Shape[-1] != HiddenSize || h.Shape.With(-1, 0) != x.Shape.With(-1, 0))
            throw new ArgumentException($"GruCell: expected input (..., {InputSize}) and hidden (..., {HiddenSize}) with equal leading axes, got {x.Shape} and {h.Shape}");
        return Step(x, h, WeightIh, WeightHh, BiasIh, BiasHh);
    }

    /// <summary>The GRU step as a function of its parameters (what <see cref="Forward"/> runs).</summary>
    internal static Tensor Step(Tensor x, Tensor h, Tensor wIh, Tensor wHh, Tensor? bIh, Tensor? bHh)
    {
        var gi = Gates.SplitLast(Tensor.Linear(x, wIh, bIh), 3);           // 3 × (..., H)
        var gh = Gates.SplitLast(Tensor.Linear(h, wHh, bHh), 3);           // 3 × (..., H)
        var r = (gi[0] + gh[0]).Sigmoid();
        var z = (gi[1] + gh[1]).Sigmoid();
        var n = (gi[2] + r * gh[2]).Tanh();
        return n + z * (h - n);                                            // (1 − z)·n + z·h
    }
}

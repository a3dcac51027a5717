// Mlp: a stack of Linear → Norm → Activation layers with an optional output Linear.
namespace Reverie.Tensors.Nn;

/// <summary>
/// A multilayer perceptron as DreamerV3 and TD-MPC2 build them: every hidden layer is
/// Linear → norm → activation (<c>h{i}</c>, <c>h{i}norm</c>), followed by an optional output
/// Linear (<c>out</c>) with no norm or activation. Optional dropout after the first hidden
/// layer's Linear (before its norm), as TD-MPC2's Q-functions use it.
/// </summary>
public sealed class Mlp : Module, ILayer
{
    private readonly Linear[] _hidden;
    private readonly ILayer?[] _norms;
    private readonly Dropout? _dropout;
    private readonly Linear? _out;
    private readonly string _act;

    /// <summary>Input features.</summary>
    public int InFeatures { get; }

    /// <summary>Features of the result: the output layer's size, or the last hidden size without one.</summary>
    public int OutFeatures { get; }

    /// <param name="inFeatures">Input features.</param>
    /// <param name="hidden">Units of each hidden layer, in order (may be empty when there is an output layer).</param>
    /// <param name="outFeatures">Size of the output Linear, or null for none.</param>
    /// <param name="rng">Draws the initial weights; the dropout layer gets <c>rng.Fork()</c> for its masks.</param>
    /// <param name="norm"><c>none</c>, <c>layer</c> or <c>rms</c>.</param>
    /// <param name="act">Activation name (<see cref="Tensor.Activation"/>).</param>
    /// <param name="bias">Whether the Linear layers have biases.</param>
    /// <param name="init">Weight init scheme of every Linear (<see cref="Init.Apply"/>).</param>
    /// <param name="zeroOutput">Start the output layer's weight and bias at zero (TD-MPC2's reward and Q heads; DreamerV3's outscale 0).</param>
    /// <param name="normEps">Epsilon of the norms.</param>
    /// <param name="dropout">Dropout probability after the first hidden Linear (0 = none).</param>
    /// <exception cref="ArgumentException">A size is not positive, there are no layers at all, or a name is unknown.</exception>
    public Mlp(int inFeatures, int[] hidden, int? outFeatures, Rng rng, string norm = "none", string act = "relu",
        bool bias = true, string init = "torch", bool zeroOutput = false, float normEps = 1e-5f, float dropout = 0f)
    {
        const string owner = "Mlp";
        Layers.CheckPositive(inFeatures, "inFeatures", owner);
        foreach (int h in hidden) Layers.CheckPositive(h, "every hidden size", owner);
        if (outFeatures is int of) Layers.CheckPositive(of, "outFeatures", owner);
        if (hidden.Length == 0 && outFeatures is null) throw new ArgumentException($"{owner}: needs at least one hidden layer or an output layer");
        if (!Layers.NormKinds.Contains(norm)) throw new ArgumentException($"{owner}: unknown norm '{norm}'; expected one of {string.Join(", ", Layers.NormKinds)}");
        Layers.CheckActivation(act, owner);
        Init.CheckScheme(init, owner);
        InFeatures = inFeatures;
        _act = act;
        _hidden = new Linear[hidden.Length];
        _norms = new ILayer?[hidden.Length];
        int width = inFeatures;
        for (int i = 0; i < hidden.Length; i++)
        {
            _hidden[i] = RegisterModule($"h{i}", new Linear(width, hidden[i], rng, bias, init));
            if (i == 0 && dropout > 0f) _dropout = RegisterModule("h0drop", new Dropout(dropout, rng.Fork()));
            var n = Layers.Norm(norm, hidden[i], normEps, owner);
            if (n is not null) _norms[i] = (ILayer)RegisterModule($"h{i}norm", n);
            width = hidden[i];
        }
        if (outFeatures is int outF)
        {
            _out = RegisterModule("out", new Linear(width, outF, rng, bias, zeroOutput ? "zeros" : init));
            width = outF;
        }
        OutFeatures = width;
    }

    /// <summary>An Mlp with <paramref name="layers"/> hidden layers of <paramref name="units"/> each; see the main constructor.</summary>
    public Mlp(int inFeatures, int layers, int units, int? outFeatures, Rng rng, string norm = "none", string act = "relu",
        bool bias = true, string init = "torch", bool zeroOutput = false, float normEps = 1e-5f, float dropout = 0f)
        : this(inFeatures, Enumerable.Repeat(units, Math.Max(layers, 0)).ToArray(), outFeatures, rng, norm, act, bias, init, zeroOutput, normEps, dropout)
    {
        if (layers < 0) throw new ArgumentException($"Mlp: layers must be >= 0, got {layers}");
    }

    /// <summary>x (..., in) → (..., out).</summary>
    /// <exception cref="ArgumentException">x does not end in <see cref="InFeatures"/>.</exception>
    public Tensor Forward(Tensor x)
    {
        if (x.Rank == 0 || x.Shape[-1] != InFeatures)
            throw new ArgumentException($"Mlp: input {x.Shape} does not end in {InFeatures}");
        for (int i = 0; i < _hidden.Length; i++)
        {
            x = _hidden[i].Forward(x);
            if (i == 0 && _dropout is not null) x = _dropout.Forward(x);
            x = Layers.NormAct(_norms[i], x, _act);
        }
        return _out is null ? x : _out.Forward(x);
    }
}

// TdMlp: TD-MPC2's MLP building block (tdmpc2/common/layers.py mlp): NormedLinear layers (Linear → dropout → LayerNorm → Mish) and an output layer.
using Reverie.Tensors;
using Reverie.Tensors.Nn;

namespace Reverie.Agents.TdMpc;

/// <summary>
/// TD-MPC2's <c>mlp(in, hidden, out, act, dropout)</c>: every hidden layer is a NormedLinear (Linear → dropout on the
/// first layer only, in training mode → LayerNorm → Mish), then the output layer: a plain Linear, or, with a SimNorm
/// group size, a NormedLinear whose activation is SimNorm (Linear → LayerNorm → SimNorm; the encoder and dynamics).
/// Weights start as TD-MPC2's <c>weight_init</c> (normal with std 0.02, biases 0; its trunc_normal_ cuts at ±2
/// absolute, which never triggers at this std); zeroOutput zeroes the output weight (reward and Q
/// heads). Modules: <c>h{i}</c>, <c>h{i}norm</c>, <c>out</c>, <c>outnorm</c>. The dropout masks come from
/// <see cref="DropoutRng"/>, forked from the construction generator (saved in checkpoints).
/// </summary>
public sealed class TdMlp : Module, ILayer
{
    private readonly Linear[] _hidden;
    private readonly LayerNorm[] _norms;
    private readonly Linear _out;
    private readonly LayerNorm? _outNorm;
    private readonly int _simnorm;
    private readonly float _dropout;

    /// <summary>Input features.</summary>
    public int InFeatures { get; }

    /// <summary>Output features.</summary>
    public int OutFeatures { get; }

    /// <summary>The generator of the dropout masks, or null without dropout.</summary>
    public Rng? DropoutRng { get; }

    /// <param name="inFeatures">Input features.</param>
    /// <param name="hidden">Widths of the hidden NormedLinear layers (at least one).</param>
    /// <param name="outFeatures">Output features.</param>
    /// <param name="rng">Draws the weights (and is forked for the dropout masks).</param>
    /// <param name="simnormGroup">0: a plain Linear output; g: Linear → LayerNorm → SimNorm with groups of g.</param>
    /// <param name="dropout">Dropout probability after the first Linear (0: none).</param>
    /// <param name="zeroOutput">Start the output weight at zero.</param>
    /// <exception cref="ArgumentException">No hidden layer, a size that is not positive, a probability outside [0, 1), or an output not divisible by the group.</exception>
    public TdMlp(int inFeatures, int[] hidden, int outFeatures, Rng rng, int simnormGroup = 0, float dropout = 0f, bool zeroOutput = false)
    {
        if (hidden.Length == 0) throw new ArgumentException("TdMlp: needs at least one hidden layer");
        if (simnormGroup < 0 || (simnormGroup > 0 && outFeatures % simnormGroup != 0))
            throw new ArgumentException($"TdMlp: output {outFeatures} is not a multiple of the SimNorm group {simnormGroup}");
        if (!(dropout >= 0 && dropout < 1)) throw new ArgumentException($"TdMlp: dropout must be in [0, 1), got {dropout}");
        _hidden = new Linear[hidden.Length];
        _norms = new LayerNorm[hidden.Length];
        int width = inFeatures;
        for (int i = 0; i < hidden.Length; i++)
        {
            _hidden[i] = RegisterModule($"h{i}", new Linear(width, hidden[i], rng));
            _norms[i] = RegisterModule($"h{i}norm", new LayerNorm(hidden[i]));
            width = hidden[i];
        }
        _out = RegisterModule("out", new Linear(width, outFeatures, rng));
        if (simnormGroup > 0) _outNorm = RegisterModule("outnorm", new LayerNorm(outFeatures));
        foreach (var l in _hidden.Append(_out))
        {
            Init.Normal(l.Weight, rng, 0f, 0.02f);
            Init.Zeros(l.Bias!);
        }
        if (zeroOutput) Init.Zeros(_out.Weight);
        if (dropout > 0) DropoutRng = rng.Fork();
        (_simnorm, _dropout, InFeatures, OutFeatures) = (simnormGroup, dropout, inFeatures, outFeatures);
    }

    /// <summary>The Linear layers in order (hidden, then output).</summary>
    public IReadOnlyList<Linear> Linears => [.. _hidden, _out];

    /// <summary>x (..., in) → (..., out).</summary>
    /// <exception cref="ArgumentException">x does not end in <see cref="InFeatures"/>.</exception>
    public Tensor Forward(Tensor x)
    {
        if (x.Rank == 0 || x.Shape[-1] != InFeatures)
            throw new ArgumentException($"TdMlp: input {x.Shape} does not end in {InFeatures}");
        for (int i = 0; i < _hidden.Length; i++)
        {
            x = _hidden[i].Forward(x);
            if (i == 0 && _dropout > 0 && Training) x = Dropout(x);
            x = Tensor.NormMish(x, _norms[i].Weight, _norms[i].Bias, _norms[i].Eps);   // LayerNorm → Mish, one fused op
        }
        var y = _out.Forward(x);
        return _outNorm is null ? y : TdMath.SimNorm(_outNorm.Forward(y), _simnorm);
    }

    // Inverted dropout: each element dropped independently with probability p, the rest scaled by 1/(1 − p). The
    // dropped positions are drawn by geometric skips (the gap to the next drop is Geometric(p)), so p = 0.01 costs
    // one draw per hundred elements instead of one per element.
    private Tensor Dropout(Tensor x) => x * DropoutMask(x.Shape, _dropout, DropoutRng!);

    /// <summary>A mask of 1/(1 − p) with each element 0 with probability p (0 ≤ p &lt; 1).</summary>
    internal static Tensor DropoutMask(Shape shape, float p, Rng rng)
    {
        var mask = Tensor.Full(shape, 1f / (1f - p));
        if (p == 0f) return mask;
        var m = mask.Span;
        double logKeep = Math.Log(1.0 - p);
        for (long i = -1; ;)
        {
            double u = 1.0 - rng.NextDouble();                      // (0, 1]
            i += 1 + (long)Math.Floor(Math.Log(u) / logKeep);
            if (i >= m.Length) break;
            m[(int)i] = 0f;
        }
        return mask;
    }
}

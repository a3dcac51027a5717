// BlockGruCell: DreamerV3's block-diagonal, normalized GRU core (the RSSM's deterministic step).
namespace Reverie.Tensors.Nn;

/// <summary>
/// DreamerV3's recurrent core (<c>RSSM._core</c> in danijar/dreamerv3, <c>dreamerv3/rssm.py</c>):
/// a GRU whose recurrent weights are block-diagonal over <c>blocks</c> groups of the deterministic
/// state, fed by normalized projections of the state and of each input. With deter h (..., D),
/// inputs u_j (..., I_j), g = blocks, D/g units per block, act/norm as configured:
/// <code>
/// x_0 = act(norm(dynin0(h)))             x_j = act(norm(dynin_j(u_j)))        (..., hidden) each
/// s   = concat(x_0, x_1, ..., x_m)                                           (..., (m+1)·hidden)
/// a   = act(norm(dynhid0(h, s)))          block k sees [h's group k, s]      (..., D)
/// a   = act(norm(dynhid_l(a)))            l = 1 .. dynLayers−1, block-diagonal
/// [r_k, c_k, u_k] = dyngru(a)[block k]    3·D/g outputs per block, in that order
/// r = σ(r); c = tanh(r ⊙ c); u = σ(u − 1)
/// h' = u ⊙ c + (1 − u) ⊙ h
/// </code>
/// With dynLayers = 0, dyngru takes [h's group k, s] directly. The norms act on the whole last
/// axis (not per block), as DreamerV3's. DreamerV3's RSSM calls this with the inputs
/// (flattened stoch, action / max(1, |action|)); that action scaling is the caller's job.
/// Children: <c>dynin0</c>…<c>dynin{m}</c> (<see cref="Linear"/>), <c>dynin{j}norm</c>,
/// <c>dynhid{l}</c> (<see cref="BlockLinear"/>), <c>dynhid{l}norm</c>, <c>dyngru</c>.
/// Note: DreamerV3's first (2023) release instead normalized the gate pre-activations; the
/// current code, followed here, normalizes the layers before the gates.
/// </summary>
public sealed class BlockGruCell : Module
{
    private readonly Linear[] _in;
    private readonly ILayer?[] _inNorm;
    private readonly BlockLinear[] _hid;
    private readonly ILayer?[] _hidNorm;
    private readonly BlockLinear _gru;
    private readonly string _act;

    /// <summary>Size D of the deterministic state.</summary>
    public int Deter { get; }
    /// <summary>Units of each input projection.</summary>
    public int Hidden { get; }
    /// <summary>Number of blocks g (D is a multiple of it).</summary>
    public int Blocks { get; }
    /// <summary>Feature sizes of the inputs, in the order <see cref="Forward"/> takes them.</summary>
    public IReadOnlyList<int> InputSizes { get; }

    /// <param name="deter">D, the deterministic state size (a multiple of <paramref name="blocks"/>).</param>
    /// <param name="hidden">Units of each input projection.</param>
    /// <param name="blocks">g, the number of diagonal blocks.</param>
    /// <param name="inputSizes">Feature sizes of the non-recurrent inputs (e.g. flat stoch, action).</param>
    /// <param name="rng">Draws the initial weights.</param>
    /// <param name="dynLayers">Block-diagonal hidden layers before the gate layer (DreamerV3: 1).</param>
    /// <param name="norm"><c>rms</c> (DreamerV3), <c>layer</c> or <c>none</c>.</param>
    /// <param name="act">Activation name (<see cref="Tensor.Activation"/>; DreamerV3: silu).</param>
    /// <param name="normEps">Epsilon of the norms (DreamerV3: 1e-4).</param>
    /// <param name="init">Weight init scheme (<see cref="Init.Apply"/>; DreamerV3: trunc_normal_in). Biases start at zero except with <c>torch</c>.</param>
    /// <exception cref="ArgumentException">A size is not positive, deter is not a multiple of blocks, or a name is unknown.</exception>
    public BlockGruCell(int deter, int hidden, int blocks, int[] inputSizes, Rng rng, int dynLayers = 1,
        string norm = "rms", string act = "silu", float normEps = 1e-4f, string init = "trunc_normal_in")
    {
        const string owner = "BlockGruCell";
        Layers.CheckPositive(deter, "deter", owner);
        Layers.CheckPositive(hidden, "hidden", owner);
        Layers.CheckPositive(blocks, "blocks", owner);
        if (deter % blocks != 0) throw new ArgumentException($"{owner}: deter {deter} is not a multiple of blocks {blocks}");
        if (dynLayers < 0) throw new ArgumentException($"{owner}: dynLayers must be >= 0, got {dynLayers}");
        foreach (int s in inputSizes) Layers.CheckPositive(s, "every input size", owner);
        Layers.CheckActivation(act, owner);
        Init.CheckScheme(init, owner);
        Deter = deter; Hidden = hidden; Blocks = blocks; InputSizes = inputSizes.ToArray();
        _act = act;

        int m = inputSizes.Length;
        _in = new Linear[m + 1];
        _inNorm = new ILayer?[m + 1];
        for (int j = 0; j <= m; j++)
        {
            _in[j] = RegisterModule($"dynin{j}", new Linear(j == 0 ? deter : inputSizes[j - 1], hidden, rng, init: init));
            _inNorm[j] = RegisterNorm($"dynin{j}norm", norm, hidden, normEps);
        }
        int shared = (m + 1) * hidden;
        _hid = new BlockLinear[dynLayers];
        _hidNorm = new ILayer?[dynLayers];
        for (int l = 0; l < dynLayers; l++)
        {
            _hid[l] = RegisterModule($"dynhid{l}", new BlockLinear(deter, deter, blocks, rng, l == 0 ? shared : 0, init: init));
            _hidNorm[l] = RegisterNorm($"dynhid{l}norm", norm, deter, normEps);
        }
        _gru = RegisterModule("dyngru", new BlockLinear(deter, 3 * deter, blocks, rng, dynLayers == 0 ? shared : 0, init: init));
    }

    private ILayer? RegisterNorm(string name, string kind, int dim, float eps)
    {
        var n = Layers.Norm(kind, dim, eps, "BlockGruCell");
        if (n is null) return null;
        RegisterModule(name, n);
        return (ILayer)n;
    }

    private Tensor Act(ILayer? norm, Tensor x) => Layers.NormAct(norm, x, _act);

    /// <summary>One step: deter (..., D) and one tensor (..., I_j) per input size, equal leading axes → new deter (..., D).</summary>
    /// <exception cref="ArgumentException">Wrong number of inputs or shapes that do not fit.</exception>
    public Tensor Forward(Tensor deter, params Tensor[] inputs)
    {
        if (deter.Rank == 0 || deter.Shape[-1] != Deter)
            throw new ArgumentException($"BlockGruCell: deter {deter.Shape} does not end in {Deter}");
        if (inputs.Length != InputSizes.Count)
            throw new ArgumentException($"BlockGruCell: expected {InputSizes.Count} inputs of sizes ({string.Join(", ", InputSizes)}), got {inputs.Length}");
        for (int j = 0; j < inputs.Length; j++)
            if (inputs[j].Rank != deter.Rank || inputs[j].Shape[-1] != InputSizes[j] || inputs[j].Shape.With(-1, 0) != deter.Shape.With(-1, 0))
                throw new ArgumentException($"BlockGruCell: input {j} {inputs[j].Shape} does not match deter {deter.Shape} with {InputSizes[j]} features");

        var proj = new Tensor[inputs.Length + 1];
        proj[0] = Act(_inNorm[0], _in[0].Forward(deter));                  // (..., hidden)
        for (int j = 0; j < inputs.Length; j++) proj[j + 1] = Act(_inNorm[j + 1], _in[j + 1].Forward(inputs[j]));
        Tensor? shared = Gates.ConcatLast(proj);                            // (..., (m+1)·hidden)
        var x = deter;
        for (int l = 0; l < _hid.Length; l++)
        {
            x = Act(_hidNorm[l], _hid[l].Forward(x, shared));                 // (..., D)
            shared = null;
        }
        var gates = _gru.Forward(x, shared);                                 // (..., 3D), per block [r, c, u]
        return Gates.GruGates(gates, deter, Blocks);                         // u·c + (1 − u)·h, one fused op
    }
}

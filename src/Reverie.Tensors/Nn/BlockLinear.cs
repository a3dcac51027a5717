// BlockLinear: a block-diagonal linear layer with an optional shared input (DreamerV3's BlockLinear).
namespace Reverie.Tensors.Nn;

/// <summary>
/// A block-diagonal linear layer, as DreamerV3's <c>BlockLinear</c>: the input's last axis is cut
/// into <c>blocks</c> equal groups and group k is mapped by its own weight to output group k.
/// An optional shared input (the same features for every block) is appended to each group first,
/// as DreamerV3's RSSM does with <c>concat([group(deter), repeat(x)])</c>, without materializing
/// the repetition. With x (..., g·i), shared (..., s), <c>weight</c> (g, i + s, o) and <c>bias</c> (g·o,):
/// <code>y[.., k·o:(k+1)·o] = x[.., k·i:(k+1)·i] · weight[k, :i] + shared · weight[k, i:] + bias[k·o:(k+1)·o]</code>
/// The weight layout (blocks, in, out) is DreamerV3's kernel layout. Fans for initialization are
/// computed as DreamerV3 does for such a kernel: fan-in = g·(i + s), fan-out = g·o.
/// </summary>
public sealed class BlockLinear : Module, ILayer
{
    /// <summary>The block weights, (blocks, in/blocks + shared, out/blocks).</summary>
    public Tensor Weight { get; }

    /// <summary>The bias, (out,), or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>Number of blocks.</summary>
    public int Blocks { get; }

    /// <summary>Block-split input features (a multiple of <see cref="Blocks"/>).</summary>
    public int InFeatures { get; }

    /// <summary>Output features (a multiple of <see cref="Blocks"/>).</summary>
    public int OutFeatures { get; }

    /// <summary>Features of the shared input every block sees (0 for none).</summary>
    public int SharedFeatures { get; }

    /// <exception cref="ArgumentException">A size is not positive, in or out is not a multiple of blocks, or the scheme is unknown.</exception>
    public BlockLinear(int inFeatures, int outFeatures, int blocks, Rng rng, int sharedFeatures = 0, bool bias = true,
        string init = "trunc_normal_in", float scale = 1f)
    {
        Layers.CheckPositive(blocks, "blocks", "BlockLinear");
        Layers.CheckPositive(inFeatures, "inFeatures", "BlockLinear");
        Layers.CheckPositive(outFeatures, "outFeatures", "BlockLinear");
        if (sharedFeatures < 0) throw new ArgumentException($"BlockLinear: sharedFeatures must be >= 0, got {sharedFeatures}");
        if (inFeatures % blocks != 0 || outFeatures % blocks != 0)
            throw new ArgumentException($"BlockLinear: inFeatures {inFeatures} and outFeatures {outFeatures} must both be multiples of blocks {blocks}");
        Init.CheckScheme(init, "BlockLinear");
        Blocks = blocks;
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        SharedFeatures = sharedFeatures;
        int ik = inFeatures / blocks + sharedFeatures, o = outFeatures / blocks;
        Weight = RegisterParameter("weight", Tensor.Parameter(new Shape(blocks, ik, o)));
        if (bias) Bias = RegisterParameter("bias", Tensor.Parameter(new Shape(outFeatures)));
        Init.Apply(init, Weight, Bias, blocks * ik, blocks * o, rng, scale);
    }

    /// <summary>x (..., in) → (..., out); only for a layer without a shared input.</summary>
    /// <exception cref="ArgumentException">The layer expects a shared input, or x does not end in <see cref="InFeatures"/>.</exception>
    public Tensor Forward(Tensor x) => Forward(x, null);

    /// <summary>x (..., in), shared (..., shared) → (..., out).</summary>
    /// <exception cref="ArgumentException">The shapes do not fit; the message names them.</exception>
    public Tensor Forward(Tensor x, Tensor? shared)
    {
        if ((shared is null) != (SharedFeatures == 0) || (shared is not null && (shared.Rank == 0 || shared.Shape[-1] != SharedFeatures)))
            throw new ArgumentException($"BlockLinear: expected a shared input of {SharedFeatures} features, got {(shared is null ? "none" : shared.Shape.ToString())}");
        return Gates.BlockLinear(x, shared, Weight, Bias);
    }
}

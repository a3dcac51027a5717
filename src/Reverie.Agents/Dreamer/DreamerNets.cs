// DreamerNets: Dreamer's encoder (symlog MLP for vectors + CNN for images), decoder (MLP + transposed CNN) and heads.
using Reverie.Envs;
using Reverie.Tensors;
using Reverie.Tensors.Dist;
using Reverie.Tensors.Nn;

namespace Reverie.Agents.Dreamer;

/// <summary>
/// What the encoder reads and the decoder predicts, for N = B·T rows: the <c>state</c> vector (N, Ds) and the
/// <c>image</c> (N, C, H, W) scaled to [−0.5, 0.5] (x / 255 − 0.5, as DreamerV3). Either may be absent.
/// </summary>
/// <param name="State">(N, Ds), raw values, or null.</param>
/// <param name="Image">(N, C, H, W) in [−0.5, 0.5], or null.</param>
public sealed record ObsTensors(Tensor? State, Tensor? Image);

/// <summary>The observation layout Dreamer handles: a <c>state</c> vector, an (H, W, C) uint8 <c>image</c>, or both.</summary>
/// <param name="StateSize">Ds, or 0 when there is no state vector.</param>
/// <param name="Height">Image height, or 0 without an image.</param>
/// <param name="Width">Image width.</param>
/// <param name="Channels">Image channels.</param>
public readonly record struct ObsLayout(int StateSize, int Height, int Width, int Channels)
{
    /// <summary>Whether an image is observed.</summary>
    public bool HasImage => Height > 0;

    /// <summary>The layout of an env's observation space.</summary>
    /// <exception cref="ArgumentException">Neither a usable <c>state</c> nor an <c>image</c> (named with the space).</exception>
    public static ObsLayout Of(DictSpace space, int stages)
    {
        int ds = space.Contains("state") ? space["state"].Size : 0;
        int h = 0, w = 0, c = 0;
        if (space.Contains("image"))
        {
            var shape = space["image"].Shape;
            if (shape.Count != 3) throw new ArgumentException($"dreamer: expected an (H, W, C) image but got ({string.Join(", ", shape)})");
            (h, w, c) = (shape[0], shape[1], shape[2]);
            int f = 1 << stages;
            if (h % f != 0 || w % f != 0 || h / f < 1)
                throw new ArgumentException($"dreamer: the CNN halves the image {stages} times (agent.mults), so height and width must be multiples of {f}; got {h}x{w}");
        }
        if (ds == 0 && h == 0) throw new ArgumentException($"dreamer: needs a 'state' vector or an 'image' observation; the env observes {space}");
        return new ObsLayout(ds, h, w, c);
    }
}

/// <summary>Shared building blocks of the Dreamer networks.</summary>
internal static class DreamerLayers
{
    /// <summary>An MLP of the config's units/norm/activation (DreamerV3: Linear → RMSNorm(eps 1e-4) → SiLU), output layer scaled by <paramref name="outscale"/>.</summary>
    public static Mlp Mlp(int inputs, int layers, int units, int? outputs, DreamerConfig c, Rng rng, float outscale = 1f)
    {
        var mlp = new Mlp(inputs, layers, units, outputs, rng, c.Norm, c.Act, init: c.Rssm.Winit,
            zeroOutput: outputs is not null && outscale == 0f, normEps: 1e-4f);
        if (outputs is not null && outscale != 0f && outscale != 1f) ScaleOutput(mlp, outscale);
        return mlp;
    }

    /// <summary>Multiplies the <c>out.weight</c> of an MLP by <paramref name="scale"/> (DreamerV3's outscale).</summary>
    public static void ScaleOutput(Module mlp, float scale)
    {
        foreach (var (name, p) in mlp.NamedParameters())
            if (name == "out.weight") { var s = p.Span; for (int i = 0; i < s.Length; i++) s[i] *= scale; }
    }

    /// <summary>A norm over a last axis of <paramref name="dim"/> (eps 1e-4 as DreamerV3), or null for <c>none</c>.</summary>
    public static Module? Norm(string kind, int dim) => kind switch
    {
        "rms" => new RmsNorm(dim, 1e-4f),
        "layer" => new LayerNorm(dim, 1e-4f),
        _ => null,
    };

    /// <summary>
    /// Norm over the channel axis of (N, C, H, W), then the activation: one channel-norm kernel (fused with SiLU) for
    /// the LayerNorm and RmsNorm modules, without permuting to channels-last and back.
    /// </summary>
    public static Tensor ChannelNormAct(Tensor x, ILayer? norm, string act)
    {
        bool silu = act is "silu" or "swish";
        int dim = norm switch { LayerNorm l => l.Dim, RmsNorm r => r.Dim, _ => -1 };
        if (dim >= 0 && (x.Rank < 2 || x.Shape[1] != dim))
            throw new ArgumentException($"dreamer: a channel norm over {dim} channels got feature maps {x.Shape}");
        switch (norm)
        {
            case null: return x.Activation(act);
            case LayerNorm ln:
                return silu ? Tensor.ChannelNormSilu(x, ln.Weight, ln.Bias, ln.Eps, centered: true) : Tensor.ChannelNorm(x, ln.Weight, ln.Bias, ln.Eps).Activation(act);
            case RmsNorm rn:
                return silu ? Tensor.ChannelNormSilu(x, rn.Weight, null, rn.Eps, centered: false) : Tensor.ChannelNorm(x, rn.Weight, null, rn.Eps, centered: false).Activation(act);
            default:
                return norm.Forward(x.Permute(0, 2, 3, 1)).Permute(0, 3, 1, 2).Activation(act);   // (N, C, H, W)
        }
    }
}

/// <summary>
/// Dreamer's encoder: an MLP on symlog(state) (<c>mlp</c>) and a CNN on the image (<c>cnn</c>): stages of
/// Conv(k4, s2, p1) → norm over channels → activation with depth·mults[i] channels, each halving the image,
/// flattened. The embedding is the concatenation (N, E).
/// </summary>
public sealed class DreamerEncoder : Module
{
    private readonly Mlp? _mlp;
    private readonly Conv2d[] _convs;
    private readonly ILayer?[] _norms;
    private readonly DreamerConfig _c;

    /// <summary>The layout read.</summary>
    public ObsLayout Layout { get; }
    /// <summary>E, the embedding size.</summary>
    public int EmbedSize { get; }

    /// <summary>Builds the encoder for <paramref name="layout"/>.</summary>
    public DreamerEncoder(ObsLayout layout, DreamerConfig c, Rng rng)
    {
        _c = c;
        Layout = layout;
        if (layout.StateSize > 0)
        {
            if (c.EncLayers > 0) _mlp = RegisterModule("mlp", DreamerLayers.Mlp(layout.StateSize, c.EncLayers, c.Units, null, c, rng));
            EmbedSize += c.EncLayers > 0 ? c.Units : layout.StateSize;
        }
        int stages = layout.HasImage ? c.Mults.Length : 0;
        _convs = new Conv2d[stages];
        _norms = new ILayer?[stages];
        int ch = layout.Channels;
        for (int i = 0; i < stages; i++)
        {
            int outCh = c.Depth * c.Mults[i];
            _convs[i] = RegisterModule($"conv{i}", new Conv2d(ch, outCh, 4, rng, stride: 2, padding: 1, init: c.Rssm.Winit));
            var n = DreamerLayers.Norm(c.Norm, outCh);
            if (n is not null) _norms[i] = (ILayer)RegisterModule($"conv{i}norm", n);
            ch = outCh;
        }
        if (stages > 0) EmbedSize += ch * (layout.Height >> stages) * (layout.Width >> stages);
    }

    /// <summary>(N, E) embeddings of N observations.</summary>
    /// <exception cref="ArgumentException">A part of the layout is missing or has the wrong shape.</exception>
    public Tensor Forward(ObsTensors obs)
    {
        var parts = new List<Tensor>(2);
        if (Layout.StateSize > 0)
        {
            var s = obs.State ?? throw new ArgumentException("dreamer encoder: the 'state' observation is missing");
            if (s.Rank != 2 || s.Shape[1] != Layout.StateSize)
                throw new ArgumentException($"dreamer encoder: expected state (N, {Layout.StateSize}) but got {s.Shape}");
            var x = _c.Symlog ? s.SymLog() : s;                                     // (N, Ds)
            parts.Add(_mlp is null ? x : _mlp.Forward(x));                         // (N, units)
        }
        if (_convs.Length > 0)
        {
            var x = obs.Image ?? throw new ArgumentException("dreamer encoder: the 'image' observation is missing");
            var expected = new Shape(x.Shape[0], Layout.Channels, Layout.Height, Layout.Width);
            if (x.Shape != expected) throw new ArgumentException($"dreamer encoder: expected image {expected} but got {x.Shape}");
            for (int i = 0; i < _convs.Length; i++)
                x = DreamerLayers.ChannelNormAct(_convs[i].Forward(x), _norms[i], _c.Act);   // (N, C_i, H/2^i+1, W/2^i+1)
            parts.Add(x.Flatten(1));
        }
        return parts.Count == 1 ? parts[0] : Tensor.Concat(parts, -1);
    }
}

/// <summary>
/// Dreamer's decoder from features (N, F): an MLP predicting symlog(state) (or the raw state without symlog), and
/// a Linear to the smallest feature map followed by transposed convolutions (k4, s2, p1) that double it back to
/// the image, norm + activation between. Losses are summed squared errors per observation (DreamerV3's mse /
/// symlog_mse), (N).
/// </summary>
public sealed class DreamerDecoder : Module
{
    private readonly Mlp? _mlp;
    private readonly Linear? _imgIn;
    private readonly ILayer? _imgInNorm;
    private readonly ConvTranspose2d[] _deconvs;
    private readonly ILayer?[] _norms;
    private readonly DreamerConfig _c;
    private readonly int _minCh, _minH, _minW;

    /// <summary>The layout predicted.</summary>
    public ObsLayout Layout { get; }

    /// <summary>Builds the decoder for features of size <paramref name="features"/>.</summary>
    public DreamerDecoder(ObsLayout layout, int features, DreamerConfig c, Rng rng)
    {
        _c = c;
        Layout = layout;
        if (layout.StateSize > 0)
            _mlp = RegisterModule("mlp", DreamerLayers.Mlp(features, c.DecLayers, c.Units, layout.StateSize, c, rng));
        int stages = layout.HasImage ? c.Mults.Length : 0;
        _deconvs = new ConvTranspose2d[stages];
        _norms = new ILayer?[stages];
        if (stages == 0) return;
        _minCh = c.Depth * c.Mults[^1];
        (_minH, _minW) = (layout.Height >> stages, layout.Width >> stages);
        _imgIn = RegisterModule("imgin", new Linear(features, _minCh * _minH * _minW, rng, init: c.Rssm.Winit));
        var n0 = DreamerLayers.Norm(c.Norm, _minCh);
        if (n0 is not null) _imgInNorm = (ILayer)RegisterModule("imginnorm", n0);
        int ch = _minCh;
        for (int i = 0; i < stages; i++)
        {
            bool last = i == stages - 1;
            int outCh = last ? layout.Channels : c.Depth * c.Mults[stages - 2 - i];
            _deconvs[i] = RegisterModule($"deconv{i}", new ConvTranspose2d(ch, outCh, 4, rng, stride: 2, padding: 1, init: c.Rssm.Winit));
            if (!last)
            {
                var n = DreamerLayers.Norm(c.Norm, outCh);
                if (n is not null) _norms[i] = (ILayer)RegisterModule($"deconv{i}norm", n);
            }
            ch = outCh;
        }
    }

    /// <summary>The predicted state in the MLP's space (symlog units when <c>symlog</c>), (N, Ds).</summary>
    public Tensor PredictState(Tensor feat) => (_mlp ?? throw new InvalidOperationException("dreamer decoder: no state vector in this layout")).Forward(feat);

    /// <summary>The predicted image in [−0.5, 0.5] units, (N, C, H, W).</summary>
    public Tensor PredictImage(Tensor feat)
    {
        if (_imgIn is null) throw new InvalidOperationException("dreamer decoder: no image in this layout");
        int n = feat.Shape[0];
        var x = _imgIn.Forward(feat).Reshape(n, _minCh, _minH, _minW);              // (N, C, h, w)
        x = DreamerLayers.ChannelNormAct(x, _imgInNorm, _c.Act);
        for (int i = 0; i < _deconvs.Length; i++)
        {
            x = _deconvs[i].Forward(x);                                             // (N, C_i, 2h, 2w)
            if (i < _deconvs.Length - 1) x = DreamerLayers.ChannelNormAct(x, _norms[i], _c.Act);
        }
        return x;
    }

    /// <summary>State values from a prediction (symexp when <c>symlog</c>), (N, Ds).</summary>
    public Tensor StateValues(Tensor pred) => _c.Symlog ? pred.SymExp() : pred;

    /// <summary>The reconstruction loss per row, (N): Σ squared error of the state (in symlog space) plus Σ over the image's pixels.</summary>
    public Tensor Loss(Tensor feat, ObsTensors target)
    {
        Tensor? loss = null;
        if (_mlp is not null)
        {
            var pred = PredictState(feat);                                          // (N, Ds)
            Tensor t;
            using (Tensor.NoGrad()) t = _c.Symlog ? target.State!.SymLog() : target.State!.Detach();
            loss = Tensor.SquaredError(pred, t, 1);                                 // (N)
        }
        if (_imgIn is not null)
        {
            var pred = PredictImage(feat);                                          // (N, C, H, W)
            var err = Tensor.SquaredError(pred, target.Image!.Detach(), 3);         // (N): Σ over (C, H, W), one fused pass
            loss = loss is null ? err : loss + err;
        }
        return loss!;
    }
}

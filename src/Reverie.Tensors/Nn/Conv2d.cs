// Conv2d and ConvTranspose2d modules: NCHW convolutions with PyTorch's parameter layouts and names.
namespace Reverie.Tensors.Nn;

/// <summary>
/// A 2-D convolution, (N, C, H, W) → (N, O, Ho, Wo), Ho = (H + 2·padding − kH)/stride + 1
/// (<see cref="Tensor.Conv2d"/>). Parameters <c>weight</c> (O, C, kH, kW) and <c>bias</c> (O,), as
/// PyTorch's nn.Conv2d, so its state dicts load unchanged.
/// </summary>
public sealed class Conv2d : Module, ILayer
{
    /// <summary>The kernel, (out, in, kH, kW).</summary>
    public Tensor Weight { get; }

    /// <summary>The bias, (out,), or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>Stride in both spatial axes.</summary>
    public int Stride { get; }

    /// <summary>Zero padding on every border.</summary>
    public int Padding { get; }

    /// <summary>Creates the layer; <paramref name="init"/> is an <see cref="Init.Apply"/> scheme with fans in·kH·kW and out·kH·kW.</summary>
    /// <exception cref="ArgumentException">A size is not positive, padding is negative, or the scheme is unknown.</exception>
    public Conv2d(int inChannels, int outChannels, int kernel, Rng rng, int stride = 1, int padding = 0, bool bias = true, string init = "torch", float scale = 1f)
    {
        Layers.CheckPositive(inChannels, "inChannels", "Conv2d");
        Layers.CheckPositive(outChannels, "outChannels", "Conv2d");
        Layers.CheckPositive(kernel, "kernel", "Conv2d");
        Layers.CheckPositive(stride, "stride", "Conv2d");
        if (padding < 0) throw new ArgumentException($"Conv2d: padding must be >= 0, got {padding}");
        Init.CheckScheme(init, "Conv2d");
        Stride = stride;
        Padding = padding;
        Weight = RegisterParameter("weight", Tensor.Parameter(new Shape(outChannels, inChannels, kernel, kernel)));
        if (bias) Bias = RegisterParameter("bias", Tensor.Parameter(new Shape(outChannels)));
        int k2 = kernel * kernel;
        Init.Apply(init, Weight, Bias, inChannels * k2, outChannels * k2, rng, scale);
    }

    /// <summary>x (N, C, H, W) → (N, O, Ho, Wo).</summary>
    public Tensor Forward(Tensor x) => Tensor.Conv2d(x, Weight, Bias, Stride, Padding);
}

/// <summary>
/// A 2-D transposed convolution (the adjoint of <see cref="Conv2d"/>), (N, C, H, W) → (N, O, Ho, Wo),
/// Ho = (H − 1)·stride − 2·padding + kH + outputPadding (<see cref="Tensor.ConvTranspose2d"/>).
/// Parameters <c>weight</c> (C, O, kH, kW) — in before out, as PyTorch's nn.ConvTranspose2d — and <c>bias</c> (O,).
/// </summary>
public sealed class ConvTranspose2d : Module, ILayer
{
    /// <summary>The kernel, (in, out, kH, kW).</summary>
    public Tensor Weight { get; }

    /// <summary>The bias, (out,), or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>Stride in both spatial axes.</summary>
    public int Stride { get; }

    /// <summary>Rows/columns cropped from every border of the full output.</summary>
    public int Padding { get; }

    /// <summary>Extra rows/columns added at the bottom/right of the output.</summary>
    public int OutputPadding { get; }

    /// <summary>Creates the layer; fans for <paramref name="init"/> are taken as PyTorch does for this layout (in = out·kH·kW).</summary>
    /// <exception cref="ArgumentException">A size is not positive, a padding is negative, or the scheme is unknown.</exception>
    public ConvTranspose2d(int inChannels, int outChannels, int kernel, Rng rng, int stride = 1, int padding = 0, int outputPadding = 0,
        bool bias = true, string init = "torch", float scale = 1f)
    {
        Layers.CheckPositive(inChannels, "inChannels", "ConvTranspose2d");
        Layers.CheckPositive(outChannels, "outChannels", "ConvTranspose2d");
        Layers.CheckPositive(kernel, "kernel", "ConvTranspose2d");
        Layers.CheckPositive(stride, "stride", "ConvTranspose2d");
        if (padding < 0 || outputPadding < 0)
            throw new ArgumentException($"ConvTranspose2d: padding ({padding}) and outputPadding ({outputPadding}) must be >= 0");
        Init.CheckScheme(init, "ConvTranspose2d");
        Stride = stride;
        Padding = padding;
        OutputPadding = outputPadding;
        Weight = RegisterParameter("weight", Tensor.Parameter(new Shape(inChannels, outChannels, kernel, kernel)));
        if (bias) Bias = RegisterParameter("bias", Tensor.Parameter(new Shape(outChannels)));
        int k2 = kernel * kernel;
        // PyTorch computes fan_in of a (in, out, kH, kW) weight as out·kH·kW.
        Init.Apply(init, Weight, Bias, outChannels * k2, inChannels * k2, rng, scale);
    }

    /// <summary>x (N, C, H, W) → (N, O, Ho, Wo).</summary>
    public Tensor Forward(Tensor x) => Tensor.ConvTranspose2d(x, Weight, Bias, Stride, Padding, OutputPadding);
}

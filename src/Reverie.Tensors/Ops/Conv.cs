// 2-D convolution and transposed convolution (NCHW, PyTorch weight layouts) with autograd.
// The work happens in Kernels/Conv.cs (im2col + GEMM); this file checks shapes and records backward.
using Reverie.Tensors.Kernels;

namespace Reverie.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// 2-D cross-correlation as <c>torch.nn.functional.conv2d</c>: input x (N, C, H, W), weight
    /// (O, C, kH, kW), optional bias (O,), the same <paramref name="stride"/> and zero
    /// <paramref name="padding"/> on both spatial axes. Output (N, O, Ho, Wo) with
    /// Ho = (H + 2·padding - kH) / stride + 1 (floor), likewise Wo.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong ranks, mismatched channels or bias, stride &lt; 1,
    /// padding &lt; 0, or a kernel larger than the padded input; the message names the shapes.</exception>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0)
    {
        const string op = "conv2d";
        CheckConvArgs(op, x, weight, stride, padding);
        int N = x.Shape[0], C = x.Shape[1], H = x.Shape[2], W = x.Shape[3];
        int O = weight.Shape[0], kH = weight.Shape[2], kW = weight.Shape[3];
        if (weight.Shape[1] != C)
            throw new ArgumentException($"{op}: input {x.Shape} has {C} channels but weight {weight.Shape} expects {weight.Shape[1]}");
        CheckBias(op, bias, O, weight);
        if (H + 2 * padding < kH || W + 2 * padding < kW)
            throw new ArgumentException($"{op}: kernel {kH}x{kW} (weight {weight.Shape}) is larger than the padded input " +
                $"{H + 2 * padding}x{W + 2 * padding} (input {x.Shape}, padding {padding})");
        var g = new ConvGeom(C, H, W, kH, kW, stride, padding);
        var y = Empty(new Shape(N, O, g.Ho, g.Wo));
        ConvKernels.Conv2dForward(x.Span, weight.Span, bias is null ? default : bias.Span, y.Span, N, O, g);
        if (DebugChecks) CheckFinite(y, op, x, weight);
        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        if (NeedsGrad(inputs))
            Record(y, op, inputs, gy =>
            {
                bool db = bias is not null && bias.RequiresGrad;
                float beta = 1f;                                  // a fresh dx is overwritten, not zero-filled and added to
                ConvKernels.Conv2dBackward(x.Span, weight.Span, gy.Span,
                    x.RequiresGrad, x.RequiresGrad ? x.GradDest(out beta) : default,
                    weight.RequiresGrad, weight.RequiresGrad ? weight.GradSpan() : default,
                    db, db ? bias!.GradSpan() : default, N, O, g, dxAccumulate: beta != 0f);
            });
        return y;
    }

    /// <summary>
    /// 2-D transposed convolution as <c>torch.nn.functional.conv_transpose2d</c> (the adjoint of
    /// <see cref="Conv2d"/>): input x (N, Cin, H, W), weight (Cin, Cout, kH, kW), optional bias (Cout,).
    /// Output (N, Cout, Ho, Wo) with Ho = (H - 1)·stride - 2·padding + kH + outputPadding, likewise Wo.
    /// <paramref name="outputPadding"/> adds rows/columns on the bottom/right and must be below the stride.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong ranks, mismatched channels or bias, stride &lt; 1,
    /// padding &lt; 0, outputPadding outside 0..stride-1, or an empty output; the message names the shapes.</exception>
    public static Tensor ConvTranspose2d(Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int outputPadding = 0)
    {
        const string op = "conv_transpose2d";
        CheckConvArgs(op, x, weight, stride, padding);
        int N = x.Shape[0], Cin = x.Shape[1], H = x.Shape[2], W = x.Shape[3];
        int Cout = weight.Shape[1], kH = weight.Shape[2], kW = weight.Shape[3];
        if (weight.Shape[0] != Cin)
            throw new ArgumentException($"{op}: input {x.Shape} has {Cin} channels but weight {weight.Shape} expects {weight.Shape[0]} (weight is (Cin, Cout, kH, kW))");
        CheckBias(op, bias, Cout, weight);
        if (outputPadding < 0 || outputPadding >= stride)
            throw new ArgumentException($"{op}: outputPadding {outputPadding} must be in 0..stride-1 (stride {stride})");
        long Ho = (long)(H - 1) * stride - 2L * padding + kH + outputPadding;
        long Wo = (long)(W - 1) * stride - 2L * padding + kW + outputPadding;
        if (Ho <= 0 || Wo <= 0)
            throw new ArgumentException($"{op}: output size {Ho}x{Wo} is not positive for input {x.Shape}, weight {weight.Shape}, " +
                $"stride {stride}, padding {padding}, outputPadding {outputPadding}");
        // The geometry of the conv2d that maps the output back onto the input (its Ho, Wo are H, W).
        var g = new ConvGeom(Cout, (int)Ho, (int)Wo, kH, kW, stride, padding);
        var y = Empty(new Shape(N, Cout, (int)Ho, (int)Wo));
        ConvKernels.ConvTranspose2dForward(x.Span, weight.Span, bias is null ? default : bias.Span, y.Span, N, Cin, g);
        if (DebugChecks) CheckFinite(y, op, x, weight);
        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        if (NeedsGrad(inputs))
            Record(y, op, inputs, gy =>
            {
                bool db = bias is not null && bias.RequiresGrad;
                float beta = 1f;                                  // a fresh dx is overwritten, not zero-filled and added to
                ConvKernels.ConvTranspose2dBackward(x.Span, weight.Span, gy.Span,
                    x.RequiresGrad, x.RequiresGrad ? x.GradDest(out beta) : default,
                    weight.RequiresGrad, weight.RequiresGrad ? weight.GradSpan() : default,
                    db, db ? bias!.GradSpan() : default, N, Cin, g, dxAccumulate: beta != 0f);
            });
        return y;
    }

    private static void CheckConvArgs(string op, Tensor x, Tensor weight, int stride, int padding)
    {
        if (x.Rank != 4) throw new ArgumentException($"{op}: input must be (N, C, H, W), got {x.Shape}");
        if (weight.Rank != 4) throw new ArgumentException($"{op}: weight must have rank 4, got {weight.Shape}");
        if (stride < 1) throw new ArgumentException($"{op}: stride must be at least 1, got {stride}");
        if (padding < 0) throw new ArgumentException($"{op}: padding must be non-negative, got {padding}");
        if (x.Shape[2] < 1 || x.Shape[3] < 1) throw new ArgumentException($"{op}: input {x.Shape} has an empty spatial axis");
        if (weight.Shape[2] < 1 || weight.Shape[3] < 1) throw new ArgumentException($"{op}: weight {weight.Shape} has an empty kernel");
    }

    private static void CheckBias(string op, Tensor? bias, int channels, Tensor weight)
    {
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != channels))
            throw new ArgumentException($"{op}: bias {bias.Shape} does not match weight {weight.Shape}; expected ({channels},)");
    }
}

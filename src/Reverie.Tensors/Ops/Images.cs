// Images: interleaved (N, H, W, C) bytes, as environments render and replay stores them, to (N, C, H, W) floats.
using Reverie.Tensors.Kernels;

namespace Reverie.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// (count, height, width, channels) bytes → a new (count, channels, height, width) tensor of byte · scale + offset
    /// (for example 1/255 and −0.5 for images in [−0.5, 0.5]), images split over threads.
    /// </summary>
    /// <exception cref="ArgumentException">A size is negative, or <paramref name="hwc"/> holds fewer bytes than the images need.</exception>
    public static unsafe Tensor FromImageBytes(ReadOnlySpan<byte> hwc, int count, int height, int width, int channels, float scale, float offset)
    {
        if (count < 0 || height < 0 || width < 0 || channels < 0)
            throw new ArgumentException($"from_image_bytes: sizes must be non-negative, got {count} images of {height}x{width}x{channels}");
        long need = (long)count * height * width * channels;
        if (hwc.Length < need)
            throw new ArgumentException($"from_image_bytes: {hwc.Length} bytes do not hold {count} images of {height}x{width}x{channels} ({need} bytes)");
        var x = Empty(new Shape(count, channels, height, width));
        if (need == 0) return x;
        fixed (byte* src = hwc)
        fixed (float* dst = x.Span)
        {
            var job = RowJob.Current;
            job.Body = &ImageRows;
            job.P0 = (float*)src; job.P1 = dst;
            job.N = height * width; job.I0 = channels; job.F0 = scale; job.F1 = offset;
            job.Run(count, (long)height * width * channels);
        }
        return x;
    }

    // Images [n0, n1): dst[n, c, p] = src[n, p, c] · scale + offset.
    private static unsafe void ImageRows(RowJob j, int n0, int n1)
    {
        int plane = j.N, C = j.I0, size = plane * C;
        float scale = j.F0, offset = j.F1;
        for (int n = n0; n < n1; n++)
        {
            byte* src = (byte*)j.P0 + (nint)n * size;
            float* img = j.P1 + (nint)n * size;
            for (int p = 0; p < plane; p++)
                for (int c = 0; c < C; c++)
                    img[(nint)c * plane + p] = src[(nint)p * C + c] * scale + offset;
        }
    }
}

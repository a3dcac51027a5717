// MediaTests: the GIF, PNG and plot writers, checked by decoding their output.
using Reverie.Envs;
using Reverie.Rl.Media;

namespace Reverie.Rl.Tests.Media;

public class MediaTests
{
    [Fact]
    public void Crc32MatchesTheStandardCheckValue() =>
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 13)]
    [InlineData(64, 64)]
    public void PngRoundTripsExactly(int h, int w)
    {
        var rgb = new byte[h * w * 3];
        new Random(h * 100 + w).NextBytes(rgb);
        var (dh, dw, back) = Decoders.Png(Png.Encode(rgb, h, w));
        Assert.Equal((h, w), (dh, dw));
        Assert.Equal(rgb, back);
    }

    [Fact]
    public void PngRejectsAWrongBufferSize()
    {
        var e = Assert.Throws<ArgumentException>(() => Png.Encode(new byte[10], 2, 2));
        Assert.Contains("2x2", e.Message);
    }

    [Fact]
    public void GifWithFewColoursRoundTripsExactly()
    {
        // count-env frames (every byte = t mod 256) and a frame with a gradient of 256 colours
        var frames = new List<byte[]>();
        using var env = EnvRegistry.Make("count");
        env.Reset(0);
        for (int t = 0; t < 5; t++) { frames.Add(env.Render(16, 24)); env.Step([0f]); }
        var grad = new byte[16 * 24 * 3];
        for (int i = 0; i < 16 * 24; i++) { grad[3 * i] = (byte)(i % 256); grad[3 * i + 1] = 7; grad[3 * i + 2] = (byte)(255 - i % 256); }
        frames.Add(grad);
        var bytes = Encode(frames, 16, 24, delayMs: 40);
        var (h, w, decoded, delays, loops) = Decoders.Gif(bytes);
        Assert.Equal((16, 24), (h, w));
        Assert.True(loops);
        Assert.Equal(Enumerable.Repeat(4, frames.Count), delays);
        Assert.Equal(frames.Count, decoded.Count);
        for (int i = 0; i < frames.Count; i++) Assert.Equal(frames[i], decoded[i]);
    }

    [Fact]
    public void GifOfARichFrameStaysCloseAndExercisesTableResets()
    {
        // a 64x64 pendulum render plus noise: > 256 colours (median cut) and enough LZW codes to hit 4096
        using var env = EnvRegistry.Make("pendulum");
        env.Reset(3);
        var frame = env.Render(64, 64);
        var rng = new Random(5);
        for (int i = 0; i < frame.Length; i++) frame[i] = (byte)Math.Clamp(frame[i] + rng.Next(-12, 13), 0, 255);
        Assert.False(Palette.Build(frame).IsExact);
        var (_, _, decoded, _, _) = Decoders.Gif(Encode([frame], 64, 64, 50));
        double err = 0;
        for (int i = 0; i < frame.Length; i++) err += Math.Abs(frame[i] - decoded[0][i]);
        Assert.True(err / frame.Length < 8, $"mean absolute error {err / frame.Length:F2} per channel");
    }

    [Fact]
    public void PendulumEpisodeGifDecodesToItsFrames()
    {
        using var env = EnvRegistry.Make("pendulum");
        env.Reset(1);
        var frames = new List<byte[]> { env.Render() };
        for (int t = 0; t < 20; t++) { env.Step([0.5f]); frames.Add(env.Render()); }
        var (_, _, decoded, _, _) = Decoders.Gif(Encode(frames, 64, 64, 50));
        Assert.Equal(frames.Count, decoded.Count);
        for (int i = 0; i < frames.Count; i++)
            Assert.True(frames[i].Zip(decoded[i]).Max(p => Math.Abs(p.First - p.Second)) <= 24, $"frame {i}");
        // a decoded frame as PNG, to look at: $TMPDIR/reverie-gif-frame.png
        Png.Write(Path.Combine(Path.GetTempPath(), "reverie-gif-frame.png"), decoded[10], 64, 64);
    }

    [Fact]
    public void GifLongUniformRunsDecode()
    {
        var frame = new byte[200 * 200 * 3]; // one colour: the LZW strings grow to the longest codes
        var (_, _, decoded, _, _) = Decoders.Gif(Encode([frame], 200, 200, 50));
        Assert.Equal(frame, decoded[0]);
    }

    [Fact]
    public void GifRejectsAWrongFrameSize()
    {
        using var gif = new GifWriter(new MemoryStream(), 4, 4);
        var e = Assert.Throws<ArgumentException>(() => gif.AddFrame(new byte[5]));
        Assert.Contains("4x4", e.Message);
    }

    [Fact]
    public void PlotWritesSvgAndAReadablePng()
    {
        double[] x = [0, 1000, 2000, 3000, 4000];
        var plot = new LinePlot("pendulum random", "env steps", "return", [
            new PlotSeries("random (3 seeds)", x, [-1200, -1100, -1000, -900, -950], [-1300, -1200, -1150, -1000, -1000], [-1100, -1000, -900, -800, -900]),
            new PlotSeries("other", x, [-400, -300, -350, -200, -150])]);
        var dir = Directory.CreateTempSubdirectory("reverie-plot").FullName;
        plot.Save(Path.Combine(dir, "curve"));
        string svg = File.ReadAllText(Path.Combine(dir, "curve.svg"));
        Assert.StartsWith("<svg", svg);
        Assert.Contains("random (3 seeds)", svg);
        Assert.Contains("<polygon", svg);
        var (h, w, rgb) = Decoders.Png(File.ReadAllBytes(Path.Combine(dir, "curve.png")));
        Assert.Equal((500, 800), (h, w));
        Assert.Contains(rgb.Chunk(3), p => p[0] == 31 && p[1] == 119 && p[2] == 180); // the first series' colour is drawn
        Assert.Equal(0, plot.XMin); Assert.Equal(4000, plot.XMax);
        Assert.True(plot.YMin <= -1300 && plot.YMax >= -150);
    }

    [Fact]
    public void APlotTitleTooWideForDoubleSizeIsDrawnSmallerOrCutShortNotClipped()
    {
        string shortTitle = "pendulum random", longTitle = "Dreamer, cartpole-swingup from 64x64 pixels, ratio 256: CNN depth 16 vs 8 (seed 1)";
        Assert.Equal((shortTitle, 2), LinePlot.FitTitle(shortTitle, 780));
        Assert.True(BitmapFont.Measure(longTitle, 2) > 780);                     // the case that used to lose both ends
        Assert.Equal((longTitle, 1), LinePlot.FitTitle(longTitle, 780));
        var (cut, scale) = LinePlot.FitTitle(longTitle, 200);
        Assert.Equal(1, scale);
        Assert.EndsWith("...", cut);
        Assert.StartsWith(cut[..^3], longTitle);
        Assert.True(BitmapFont.Measure(cut, 1) <= 200);
        Assert.True(BitmapFont.Measure(longTitle[..(cut.Length - 2)] + "...", 1) > 200);   // one more character would not fit
    }

    [Theory]
    [InlineData(0, 4000, 0, 4000)]
    [InlineData(-1234, -87, -1400, 0)]
    [InlineData(5, 5, 4.4, 5.6)]
    public void AxisCoversTheDataWithNiceTicks(double lo, double hi, double min, double max)
    {
        var (ticks, a, b) = LinePlot.Axis([lo, hi]);
        Assert.Equal(min, a, 9); Assert.Equal(max, b, 9);
        Assert.InRange(ticks.Length, 3, 12);
        Assert.Equal(a, ticks[0]); Assert.Equal(b, ticks[^1], 9);
    }

    private static byte[] Encode(IEnumerable<byte[]> frames, int h, int w, int delayMs)
    {
        var ms = new MemoryStream();
        using (var gif = new GifWriter(ms, h, w, delayMs)) foreach (var f in frames) gif.AddFrame(f);
        return ms.ToArray();
    }
}

// Rendering: the rasterizer's coverage, and each classic env drawing its state (PNG frames on request).
using Reverie.Envs.Classic;
using Reverie.Envs.Rendering;
using Reverie.Envs.Tests.Support;

namespace Reverie.Envs.Tests;

public class RenderTests
{
    [Fact]
    public void ShapesCoverTheirAreaWithSoftEdges()
    {
        var rgb = new byte[32 * 32 * 3];
        var c = new Canvas(rgb, 32, 32);
        c.View(0, 0, 16); // one world unit per pixel, origin at the centre
        c.Clear(Rgb.White);
        c.FillCircle(0, 0, 5, Rgb.Black);
        double ink = rgb.Where((_, i) => i % 3 == 0).Sum(b => (255 - b) / 255.0);
        Assert.Equal(Math.PI * 25, ink, 0); // anti-aliased area ≈ πr² (to within 0.5 pixel)
        Assert.Equal(0, rgb[(16 * 32 + 16) * 3]);
        Assert.Equal(255, rgb[(0 * 32 + 0) * 3]);

        c.Clear(Rgb.White);
        c.FillRect(-4, -2, 4, 2, new Rgb(0, 0, 0));
        ink = rgb.Where((_, i) => i % 3 == 0).Sum(b => (255 - b) / 255.0);
        Assert.Equal(32, ink, 0);

        c.Clear(Rgb.White);
        c.FillPolygon([(0, 0), (8, 0), (0, 8)], Rgb.Black); // either winding
        double a1 = rgb.Where((_, i) => i % 3 == 0).Sum(b => (255 - b) / 255.0);
        c.Clear(Rgb.White);
        c.FillPolygon([(0, 0), (0, 8), (8, 0)], Rgb.Black);
        double a2 = rgb.Where((_, i) => i % 3 == 0).Sum(b => (255 - b) / 255.0);
        Assert.Equal(32, a1, 0);
        Assert.Equal(a1, a2, 6);
    }

    [Fact]
    public void ShapesFarOutsideTheFrameDrawNothing()
    {
        var rgb = new byte[8 * 8 * 3];
        var c = new Canvas(rgb, 8, 8);
        c.Clear(Rgb.White);
        c.FillCircle(1e12, -1e12, 3, Rgb.Black);
        c.FillCapsule(double.NaN, 0, 0, 0, 1, Rgb.Black);
        c.FillPolygon([(50, 50), (60, 50), (55, 60)], Rgb.Black);
        Assert.All(rgb, b => Assert.Equal(255, b));
        Assert.Throws<ArgumentException>(() => new Canvas(new byte[10], 8, 8));
    }

    public static TheoryData<string> Classic() => ["cartpole", "pendulum", "acrobot", "mountaincar-continuous"];

    [Theory]
    [MemberData(nameof(Classic))]
    public void EachEnvDrawsItsStateAndFramesDifferWhenTheStateDoes(string id)
    {
        using var env = EnvRegistry.Make(id);
        var frames = new List<byte[]>();
        foreach (var seed in new ulong[] { 1, 2 })
        {
            env.Reset(seed);
            var rng = new EnvRng(seed);
            var a = new float[env.ActionSpace.Size];
            for (int t = 0; t < 15; t++)
            {
                env.ActionSpace.Sample(rng, a);
                if (env.Step(a).Done) break;
            }
            frames.Add(env.Render(64, 64));
        }
        foreach (var f in frames)
        {
            int distinct = Enumerable.Range(0, f.Length / 3).Select(p => (f[3 * p], f[3 * p + 1], f[3 * p + 2])).Distinct().Count();
            Assert.True(distinct >= 3, $"{id}: only {distinct} colours; the frame is nearly blank");
        }
        int changed = Enumerable.Range(0, frames[0].Length).Count(i => frames[0][i] != frames[1][i]);
        Assert.True(changed > 30, $"{id}: two different states differ in only {changed} bytes");

        // Set REVERIE_RENDER_DIR to look at the frames (one PNG per env, first state upscaled 4x).
        if (Environment.GetEnvironmentVariable("REVERIE_RENDER_DIR") is { Length: > 0 } dir)
        {
            Directory.CreateDirectory(dir);
            Png.Write(Path.Combine(dir, $"{id}.png"), Upscale(frames[0], 64, 4), 256, 256);
        }
    }

    [Fact]
    public void ThePoleLeansTheWayItsAngleSays()
    {
        var env = new CartPole();
        env.SetState(0, 0, 0.2, 0);
        var f = env.Render(64, 64);
        // Tan pole pixels above the cart: more of them right of the centre column than left.
        int right = 0, left = 0;
        for (int y = 0; y < 40; y++)
            for (int x = 0; x < 64; x++)
            {
                int i = (y * 64 + x) * 3;
                if (f[i] == 202 && f[i + 1] == 152) { if (x >= 32) right++; else left++; }
            }
        Assert.True(right > left + 5, $"right {right}, left {left}");
        Assert.Contains("cartpole: render buffer has 5 bytes", Assert.Throws<ArgumentException>(() => env.Render(new byte[5], 64, 64)).Message);
    }

    private static byte[] Upscale(byte[] f, int size, int k)
    {
        var o = new byte[size * k * size * k * 3];
        for (int y = 0; y < size * k; y++)
            for (int x = 0; x < size * k; x++)
                for (int ch = 0; ch < 3; ch++) o[(y * size * k + x) * 3 + ch] = f[((y / k) * size + x / k) * 3 + ch];
        return o;
    }
}

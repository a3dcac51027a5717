// DMC pixels: the ray-cast camera draws each domain deterministically, frames follow the state (PNGs on request).
using Reverie.Envs.Dmc;
using Reverie.Envs.Mujoco;
using Reverie.Envs.Tests.Support;

namespace Reverie.Envs.Tests.Mujoco;

public class DmcRenderTests
{
    public static TheoryData<string> Domains() =>
        ["cartpole-swingup", "pendulum-swingup", "reacher-easy", "cheetah-run", "walker-walk", "hopper-hop", "finger-spin", "ball_in_cup-catch"];

    [MujocoTheory]
    [MemberData(nameof(Domains))]
    public void EachDomainDrawsItsBodyDeterministicallyAndFramesFollowTheState(string id)
    {
        using var env = (DmcTask)EnvRegistry.Spec(id).Create(id);
        env.Reset(1);
        var a = env.Render(64, 64);
        Assert.Equal(a, env.Render(64, 64)); // same state, same bytes
        using (var twin = (DmcTask)EnvRegistry.Spec(id).Create(id))
        {
            twin.Reset(1);
            Assert.Equal(a, twin.Render(64, 64));
        }
        // The task's own colours (self .7 .5 .3, effector .7 .4 .2) appear: reddish pixels, R > G > B.
        int body = Enumerable.Range(0, 64 * 64).Count(p => a[3 * p] > a[3 * p + 1] + 20 && a[3 * p + 1] > a[3 * p + 2]);
        Assert.True(body >= 15, $"{id}: only {body} body-coloured pixels");
        int distinct = Enumerable.Range(0, 64 * 64).Select(p => (a[3 * p], a[3 * p + 1], a[3 * p + 2])).Distinct().Count();
        Assert.True(distinct >= 8, $"{id}: only {distinct} colours");

        var rng = new EnvRng(2);
        var act = new float[env.ActionSpace.Size];
        for (int t = 0; t < 40; t++) { env.ActionSpace.Sample(rng, act); env.Step(act); }
        var b = env.Render(64, 64);
        int changed = Enumerable.Range(0, a.Length).Count(i => a[i] != b[i]);
        Assert.True(changed > 20, $"{id}: frames of different states differ in only {changed} bytes");

        // Set REVERIE_RENDER_DIR to look at the frames (4x upscaled PNGs).
        if (Environment.GetEnvironmentVariable("REVERIE_RENDER_DIR") is { Length: > 0 } dir)
        {
            Directory.CreateDirectory(dir);
            Png.Write(Path.Combine(dir, $"{id}.png"), Upscale(a, 64, 4), 256, 256);
            Png.Write(Path.Combine(dir, $"{id}-later.png"), Upscale(b, 64, 4), 256, 256);
        }
    }

    [MujocoFact]
    public void TheCartpoleFrameShowsThePoleWhereTheStateSaysAndBadBuffersAreRejected()
    {
        using var env = (DmcTask)EnvRegistry.Spec("cartpole-balance").Create("cartpole-balance");
        // Pole leaning right (θ = +0.6 about +y tips the top towards +x): more pole pixels right of the cart.
        env.SetState([0, 0.6], [0, 0]);
        var f = env.Render(64, 64);
        int right = 0, left = 0;
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 64; x++)
            {
                int i = (y * 64 + x) * 3;
                if (f[i] > f[i + 1] + 20 && f[i + 1] > f[i + 2]) { if (x >= 32) right++; else left++; }
            }
        Assert.True(right > left + 10, $"right {right}, left {left}");
        Assert.Contains("cartpole-balance: render buffer has 5 bytes", Assert.Throws<ArgumentException>(() => env.Render(new byte[5], 64, 64)).Message);
        Assert.Equal(32 * 48 * 3, env.Render(32, 48).Length); // any size
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

// conv workload: the DreamerV3-style image encoder/decoder layers (64x64x3, kernel 4, stride 2,
// padding 1, channels 32..256; CONV_DEPTH=d for the pixel presets' d·[2,3,4,4]), forward and forward+backward per layer,
// ms and GFLOP/s.
using System.Diagnostics;
using Reverie.Tensors;
using Reverie.Tensors.Kernels;

namespace Reverie.Bench;

public static class ConvWorkload
{
    // (name, transposed, Cin, Cout, input H=W); every layer is kernel 4, stride 2, padding 1.
    private static readonly (string Name, bool T, int Cin, int Cout, int Hw)[] Layers =
    [
        ("enc1 3->32 64x64", false, 3, 32, 64), ("enc2 32->64 32x32", false, 32, 64, 32),
        ("enc3 64->128 16x16", false, 64, 128, 16), ("enc4 128->256 8x8", false, 128, 256, 8),
        ("dec1 256->128 4x4", true, 256, 128, 4), ("dec2 128->64 8x8", true, 128, 64, 8),
        ("dec3 64->32 16x16", true, 64, 32, 16), ("dec4 32->3 32x32", true, 32, 3, 32),
    ];

    public static void Run(BenchOptions o)
    {
        Gemm.MaxThreads = o.Threads;
        int batch = o.Iters > 0 ? o.Iters : 16;   // --iters sets the batch of images here
        var rng = new Rng(0);
        // CONV_DEPTH=d: the layers of the Dreamer pixel model with that depth (channels d·[2, 3, 4, 4], as the presets).
        var layers = Layers;
        if (int.TryParse(Environment.GetEnvironmentVariable("CONV_DEPTH"), out int d) && d > 0)
        {
            int[] ch = [3, 2 * d, 3 * d, 4 * d, 4 * d];
            layers = [.. Enumerable.Range(0, 4).Select(i => ($"enc{i + 1} {ch[i]}->{ch[i + 1]} {64 >> i}x{64 >> i}", false, ch[i], ch[i + 1], 64 >> i)),
                      .. Enumerable.Range(0, 4).Select(i => ($"dec{i + 1} {ch[4 - i]}->{ch[3 - i]} {4 << i}x{4 << i}", true, ch[4 - i], ch[3 - i], 4 << i))];
        }
        // CONV_PARTS=k: k rounds of the parts (a second round once every kernel has reached its final JIT tier).
        if (int.TryParse(Environment.GetEnvironmentVariable("CONV_PARTS"), out int rounds) && rounds > 0)
        {
            for (int r = 0; r < rounds; r++) Parts(layers, batch, o);
            return;
        }
        foreach (var (name, t, cin, cout, hw) in layers)
        {
            var x = Tensor.Randn(new Shape(batch, cin, hw, hw), rng).Keep();
            var w = Tensor.Randn(t ? new Shape(cin, cout, 4, 4) : new Shape(cout, cin, 4, 4), rng).Keep();
            var b = Tensor.Randn(new Shape(cout), rng).Keep();
            w.RequiresGrad = true; b.RequiresGrad = true; x.RequiresGrad = true;
            int ho = t ? hw * 2 : hw / 2;
            double macs = (double)batch * cin * cout * 16 * (t ? hw * hw : ho * ho);
            Tensor Fwd() => t ? Tensor.ConvTranspose2d(x, w, b, 2, 1) : Tensor.Conv2d(x, w, b, 2, 1);
            double fwd = Time(() => { using var s = Tensor.Scope(); using var ng = Tensor.NoGrad(); Fwd(); }, o.Reps);
            double both = Time(() =>
            {
                using var s = Tensor.Scope();
                Fwd().Sum().Backward();
                x.Grad = null; w.Grad = null; b.Grad = null;
            }, o.Reps);
            Report.Line(new { Workload = "conv", Layer = name, Batch = batch, Threads = o.Threads,
                FwdMs = Math.Round(fwd * 1e3, 2), FwdGflops = Math.Round(2 * macs / fwd * 1e-9, 1),
                FwdBwdMs = Math.Round(both * 1e3, 2), FwdBwdGflops = Math.Round(6 * macs / both * 1e-9, 1) });
        }
    }

    // CONV_PARTS: the direct kernels alone per layer (no autograd, no bias): the forward, the input gradient and the
    // weight gradient, ms and GFLOP/s each (every part is batch·Cin·Cout·16·positions multiply-adds).
    private static void Parts((string Name, bool T, int Cin, int Cout, int Hw)[] layers, int batch, BenchOptions o)
    {
        var rng = new Rng(0);
        foreach (var (name, t, cin, cout, hw) in layers)
        {
            // As conv2d: big map (N, B, H, W), small map (N, A, H/2, W/2); conv2d has B = Cin, A = Cout, the transpose the reverse.
            int bigC = t ? cout : cin, smallC = t ? cin : cout, H = t ? 2 * hw : hw;
            var g = new ConvGeom(bigC, H, H, 4, 4, 2, 1);
            var big = Tensor.Randn(new Shape(batch, bigC, H, H), rng).Keep();
            var small = Tensor.Randn(new Shape(batch, smallC, H / 2, H / 2), rng).Keep();
            var w = Tensor.Randn(new Shape(smallC, bigC, 4, 4), rng).Keep();
            var dw = new float[w.Size];
            double macs = (double)batch * cin * cout * 16 * (H / 2) * (H / 2);
            // The three parts as the ops run them: conv2d's forward (big → small) or the transpose's (small → big), and the other one as dx.
            Action small2big = () => ConvDirect.TransposeForward(small.Span, w.Span, default, big.Span, batch, smallC, g, accumulate: false);
            Action big2small = () => ConvDirect.Forward(big.Span, w.Span, default, small.Span, batch, smallC, g, accumulate: false);
            double fwd = Time(t ? small2big : big2small, o.Reps), dx = Time(t ? big2small : small2big, o.Reps);
            Action dwGrad = () => ConvDirect.WeightGrad(small.Span, big.Span, dw, batch, smallC, bigC, g);
            double wg = Time(dwGrad, o.Reps), wgOld = double.NaN;
            if (Environment.GetEnvironmentVariable("CONV_PATCH") == "ab")
            {
                // In-process A/B of the weight gradient's kernels: patches, then the 16-column / row kernels, alternating.
                wgOld = double.MaxValue;
                for (int r = 0; r < 3; r++)
                {
                    ConvDirect.PatchWeights = false; wgOld = Math.Min(wgOld, Time(dwGrad, o.Reps));
                    ConvDirect.PatchWeights = true; wg = Math.Min(wg, Time(dwGrad, o.Reps));
                }
            }
            // The channel norm + SiLU that follows the layer (on its output: the small map of conv2d, the big one of the transpose).
            var outMap = t ? big : small;
            int oc = t ? bigC : smallC, os = t ? H * H : H / 2 * (H / 2);
            var gam = new float[oc]; var bet = new float[oc]; Array.Fill(gam, 1.1f); Array.Fill(bet, 0.1f);
            var stats = new float[2 * batch * os]; var ny = new float[outMap.Size]; var ndx = new float[outMap.Size];
            var dgam = new float[oc]; var dbet = new float[oc];
            double nf = Time(() => ChannelNorm.Forward(outMap.Span, gam, bet, ny, stats, batch, oc, os, 1e-3f, true, silu: true), o.Reps);
            double nb = Time(() => ChannelNorm.Backward(outMap.Span, gam, bet, stats, ny, ndx, dgam, dbet, batch, oc, os, true, false, silu: true), o.Reps);
            Report.Line(new { Workload = "conv-parts", Layer = name, Batch = batch, Threads = o.Threads,
                NormFwdMs = Math.Round(nf * 1e3, 2), NormBwdMs = Math.Round(nb * 1e3, 2), NormNsPerFloat = Math.Round((nf + nb) * 1e9 / outMap.Size, 2),
                FwdMs = Math.Round(fwd * 1e3, 2), FwdGflops = Math.Round(2 * macs / fwd * 1e-9, 1),
                DxMs = Math.Round(dx * 1e3, 2), DxGflops = Math.Round(2 * macs / dx * 1e-9, 1),
                DwMs = Math.Round(wg * 1e3, 2), DwGflops = Math.Round(2 * macs / wg * 1e-9, 1),
                DwOldMs = double.IsNaN(wgOld) ? (double?)null : Math.Round(wgOld * 1e3, 2) });
        }
    }

    // Best of `rounds` medians of 5 timed calls after a warm-up call (seconds per call).
    private static double Time(Action f, int rounds)
    {
        f();
        double best = double.MaxValue;
        var t = new double[5];
        for (int r = 0; r < Math.Max(rounds, 1); r++)
        {
            for (int i = 0; i < t.Length; i++)
            {
                var sw = Stopwatch.StartNew();
                f();
                t[i] = sw.Elapsed.TotalSeconds;
            }
            Array.Sort(t);
            best = Math.Min(best, t[t.Length / 2]);
        }
        return best;
    }
}

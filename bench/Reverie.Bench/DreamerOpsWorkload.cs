// dreamer-ops workload: thread CPU time of the non-GEMM-dominated ops of a dreamerv3_1m step on its shapes
// (units 64, deter 512 in 8 GRU blocks, stoch 32 x classes 4, 255 two-hot bins; 1024 and 16384 rows),
// forward and forward+backward, after a warm-up long enough for the JIT's tiers. OPS_ONLY filters by name.
using Reverie.Tensors;
using Reverie.Tensors.Dist;
using Reverie.Tensors.Kernels;
using Reverie.Tensors.Nn;

namespace Reverie.Bench;

public static class DreamerOpsWorkload
{
    public static void Run(BenchOptions o)
    {
        Gemm.MaxThreads = o.Threads;
        var rng = new Rng(0);
        Tensor P(params int[] dims) { var t = Tensor.Randn(new Shape(dims), rng); t.RequiresGrad = true; return t; }
        var bins = Bins.SymexpTwoHot(255);
        var logits255 = P(16384, 255); var target = Tensor.Uniform(new Shape(16384), rng, -5f, 5f);
        var lat = P(1024, 32, 4); var lat2 = P(1024, 32, 4);
        var x64 = P(16384, 64); var g64 = P(64);
        var x512 = P(1024, 512); var g512 = P(512);
        var x384 = P(1024, 384); var g384 = P(384); var b384 = P(384);
        var feat = P(16384, 640); var w = P(64, 640); var b = P(64);
        var cell = new BlockGruCell(512, 64, 8, [128, 6], new Rng(1));
        var deter = P(1024, 512); var stoch = P(1024, 128); var act = P(1024, 6);
        var deter16 = P(16, 512); var stoch16 = P(16, 128); var act16 = P(16, 6);
        var sampleRng = new Rng(5);
        var mlp = new Mlp(640, 2, 64, 255, new Rng(2), "rms", "silu", normEps: 1e-4f);
        var cases = new (string Name, Func<Tensor> F)[]
        {
            ("softmax (16384, 255)", () => logits255.Softmax(-1)),
            ("log_softmax (16384, 255)", () => logits255.LogSoftmax(-1)),
            ("twohot_decode (16384, 255)", () => TwoHot.Decode(logits255, bins)),
            ("twohot_decode_nograd (16384, 255)", () => { using (Tensor.NoGrad()) return TwoHot.Decode(logits255, bins); }),
            ("twohot_loss (16384, 255)", () => TwoHot.SoftCe(logits255, target, bins)),
            ("onehot_unimix (1024, 32, 4)", () => new OneHotCategorical(lat, 0.01f, 1).Probs),
            ("onehot_unimix_sample (1024, 32, 4)", () => new OneHotCategorical(lat, 0.01f, 1).Sample(sampleRng)),
            ("kl_categorical (1024, 32, 4)", () => Kl.Categorical(lat, lat2, 0.01f, 1)),
            ("rms_norm (16384, 64)", () => Tensor.RmsNorm(x64, g64, 1e-4f)),
            ("tdln_mish_unfused (1024, 384)", () => Tensor.LayerNorm(x384, g384, b384, 1e-5f).Mish()),
            ("tdln_mish_fused (1024, 384)", () => Tensor.NormMish(x384, g384, b384, 1e-5f)),
            ("rms_norm (1024, 512)", () => Tensor.RmsNorm(x512, g512, 1e-4f)),
            ("silu (16384, 64)", () => x64.Silu()),
            ("linear (16384, 640)->64", () => Tensor.Linear(feat, w, b)),
            ("mlp 640->64->64->255 rms silu (16384 rows)", () => mlp.Forward(feat)),
            ("block_gru (1024 rows)", () => cell.Forward(deter, stoch, act)),
            ("block_gru (16 rows)", () => cell.Forward(deter16, stoch16, act16)),
        };
        string? only = Environment.GetEnvironmentVariable("OPS_ONLY");
        if (only == "kernels") { Kernels(o); return; }
        int iters = o.Iters > 0 ? o.Iters : 20;
        foreach (var (name, f) in cases)
        {
            if (only != null && !name.Contains(only)) continue;
            void Once(bool backward)
            {
                using var s = Tensor.Scope();
                var y = f();
                if (backward && y.RequiresGrad) (y.Size == 1 ? y : y.Sum()).Backward();
            }
            var warm = System.Diagnostics.Stopwatch.StartNew();
            int warmCalls = 0;
            while (warm.ElapsedMilliseconds < 800 || warmCalls < 40) { Once(true); Once(false); warmCalls++; }
            double Time(bool backward)
            {
                var samples = new double[Math.Max(3, o.Reps)];
                for (int rep = 0; rep < samples.Length; rep++)
                {
                    double t0 = GemmCpuWorkload.ThreadCpuSeconds();
                    for (int i = 0; i < iters; i++) Once(backward);
                    samples[rep] = (GemmCpuWorkload.ThreadCpuSeconds() - t0) / iters * 1e6;
                }
                return samples.Min();
            }
            double fwd = Time(false), both = Time(true);
            Report.Line(new { Workload = "dreamer-ops", Op = name, Threads = o.Threads, ForwardUs = Math.Round(fwd, 1), ForwardBackwardUs = Math.Round(both, 1) });
        }
    }

    // The row kernels alone on raw arrays (no tensors, no autograd).
    private static void Kernels(BenchOptions o)
    {
        var rng = new Rng(0);
        float[] A(int n) { var a = new float[n]; rng.FillNormal(a); return a; }
        int R = 16384, n = 64;
        var x = A(R * n); var y = A(R * n); var g = A(R * n); var dx = A(R * n); var gam = A(n); var dg = A(n); var st = new float[2 * R];
        var gam384 = A(384); var st2 = new float[131072];
        var x255 = A(R * 255); var y255 = A(R * 255);
        var cases = new (string, Action)[]
        {
            ("RowNorm.Forward rms (16384, 64)", () => RowNorm.Forward(x, gam, default, y, st, R, n, 1e-4f, false)),
            ("RowNorm.Forward ln (1024, 384)", () => RowNorm.Forward(x.AsSpan(0, 393216), gam384, gam384, y.AsSpan(0, 393216), st, 1024, 384, 1e-4f, true, NormActivation.None)),
            ("RowNorm.Forward ln+mish (1024, 384)", () => RowNorm.Forward(x.AsSpan(0, 393216), gam384, gam384, y.AsSpan(0, 393216), st, 1024, 384, 1e-4f, true, NormActivation.Mish)),
            ("RowNorm.Forward ln+silu (1024, 384)", () => RowNorm.Forward(x.AsSpan(0, 393216), gam384, gam384, y.AsSpan(0, 393216), st, 1024, 384, 1e-4f, true, NormActivation.Silu)),
            ("RowNorm.Forward rms+silu (16384, 64)", () => RowNorm.Forward(x, gam, default, y, st, R, n, 1e-4f, false, NormActivation.Silu)),
            ("Simd.Map<Silu> (16384, 64)", () => Simd.Map<Ew.Silu>(x, y)),
            ("ChannelNorm.Forward ln (64, 8, 1024)", () => ChannelNorm.Forward(x.AsSpan(0, 524288), gam.AsSpan(0, 8), gam.AsSpan(8, 8), y.AsSpan(0, 524288), st2, 64, 8, 1024, 1e-4f, true, false)),
            ("ChannelNorm.Forward ln+silu (64, 8, 1024)", () => ChannelNorm.Forward(x.AsSpan(0, 524288), gam.AsSpan(0, 8), gam.AsSpan(8, 8), y.AsSpan(0, 524288), st2, 64, 8, 1024, 1e-4f, true, true)),
            ("Simd.Map<Silu> (64, 8, 1024)", () => Simd.Map<Ew.Silu>(x.AsSpan(0, 524288), y.AsSpan(0, 524288))),
            ("Simd.Map<Mish> (1024, 384)", () => Simd.Map<Ew.Mish>(x.AsSpan(0, 393216), y.AsSpan(0, 393216))),
            ("RowNorm.Backward rms (16384, 64)", () => RowNorm.Backward(x, gam, st, g, dx, dg, default, R, n, false, false)),
            ("RowSoftmax.Forward (16384, 255)", () => RowSoftmax.Forward(x255, y255, R, 255, false)),
            ("RowSoftmax.Forward (16384, 64)", () => RowSoftmax.Forward(x, y, R, 64, false)),
            ("RowSoftmax.Unimix (32768, 4)", () => RowSoftmax.Unimix(x.AsSpan(0, 131072), y.AsSpan(0, 131072), dx.AsSpan(0, 131072), 32768, 4, 0.01f)),
            ("Simd.Map<Exp> (16384, 64)", () => Simd.Map<Ew.Exp>(x, y)),
            ("copy (16384, 64)", () => x.AsSpan().CopyTo(y)),
            ("BufferPool rent+return x1000", () => { for (int i = 0; i < 1000; i++) BufferPool.Return(BufferPool.Rent(1000 + (i & 7) * 300)); }),
            ("Tensor.Empty in a scope x1000", () => { using var sc = Tensor.Scope(); for (int i = 0; i < 1000; i++) Tensor.Zeros(new Shape(4)); }),
        };
        string? kOnly = Environment.GetEnvironmentVariable("KERNEL_ONLY");
        foreach (var (name, f) in cases)
        {
            if (kOnly != null && !name.Contains(kOnly)) continue;
            for (int i = 0; i < 50; i++) f();
            double best = double.MaxValue;
            for (int rep = 0; rep < 5; rep++)
            {
                double t0 = GemmCpuWorkload.ThreadCpuSeconds();
                for (int i = 0; i < 20; i++) f();
                best = Math.Min(best, (GemmCpuWorkload.ThreadCpuSeconds() - t0) / 20 * 1e6);
            }
            Report.Line(new { Workload = "dreamer-ops-kernels", Op = name, Us = Math.Round(best, 1) });
        }
    }
}

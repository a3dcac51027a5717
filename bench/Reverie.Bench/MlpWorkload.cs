// mlp workload: the exact step of ../shared/peers/bench_mlp.py — x[256,512] → 3×Linear(512,512) with
// ReLU between → MSE to y[256,512]; backward; Adam(lr 1e-3); zero grads. Reports the median step time.
using System.Diagnostics;
using Reverie.Tensors;
using Reverie.Tensors.Kernels;
using Reverie.Tensors.Nn;
using Reverie.Tensors.Optim;

namespace Reverie.Bench;

public static class MlpWorkload
{
    private const int Batch = 256, Width = 512;

    public static void Run(BenchOptions o)
    {
        Gemm.MaxThreads = o.Threads;
        var rng = new Rng(0);
        var layers = new[] { new Linear(Width, Width, rng), new Linear(Width, Width, rng), new Linear(Width, Width, rng) };
        var ps = layers.SelectMany(l => l.Parameters()).ToList();
        var opt = new Adam(ps, lr: 1e-3);
        var x = Tensor.Randn(new Shape(Batch, Width), rng);
        var y = Tensor.Randn(new Shape(Batch, Width), rng);

        void Step()
        {
            using var scope = Tensor.Scope();
            var h = layers[0].Forward(x).Relu();
            h = layers[1].Forward(h).Relu();
            var loss = (layers[2].Forward(h) - y).Square().Mean();
            loss.Backward();
            opt.Step();
            opt.ZeroGrad();
        }

        int warmup = o.Warmup >= 0 ? o.Warmup : 20, iters = o.Iters > 0 ? o.Iters : 200;
        var (best, reps) = Timing.BestMedian(Step, warmup, iters, o.Reps);
        const double gflop = 8 * 2.0 * Batch * Width * Width * 1e-9;
        Report.Line(new
        {
            Workload = "mlp", Threads = o.Threads, Params = ps.Sum(p => p.Size), GemmGflopPerStep = Math.Round(gflop, 3),
            MedianMs = Math.Round(best, 3), RepMedians = reps.Select(r => Math.Round(r, 3)).ToArray(),
            GemmGflopsAchieved = Math.Round(gflop / best * 1e3, 1),
        });
    }
}

/// <summary>Timing helpers shared by the workloads: best of several medians, like the peers.</summary>
public static class Timing
{
    public static (double BestMedianMs, double[] Medians) BestMedian(Action step, int warmup, int iters, int reps)
    {
        for (int i = 0; i < warmup; i++) step();
        var medians = new double[Math.Max(reps, 1)];
        var ts = new double[iters];
        for (int r = 0; r < medians.Length; r++)
        {
            for (int i = 0; i < iters; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                step();
                ts[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }
            Array.Sort(ts);
            medians[r] = ts[iters / 2];
        }
        return (medians.Min(), medians);
    }
}

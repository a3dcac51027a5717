// mlp-breakdown workload: where the time of the mlp step goes (forward, loss, backward, Adam, zero-grad).
using System.Diagnostics;
using Reverie.Tensors;
using Reverie.Tensors.Kernels;
using Reverie.Tensors.Nn;
using Reverie.Tensors.Optim;
namespace Reverie.Bench;
public static class MlpBreakdownWorkload
{
    public static void Run(BenchOptions o)
    {
        Gemm.MaxThreads = o.Threads;
        var rng = new Rng(0);
        var layers = new[] { new Linear(512, 512, rng), new Linear(512, 512, rng), new Linear(512, 512, rng) };
        var ps = layers.SelectMany(l => l.Parameters()).ToList();
        var opt = new Adam(ps, lr: 1e-3);
        var x = Tensor.Randn(new Shape(256, 512), rng);
        var y = Tensor.Randn(new Shape(256, 512), rng);
        var acc = new double[6];
        for (int it = 0; it < 130; it++)
        {
            using var scope = Tensor.Scope();
            long t0 = Stopwatch.GetTimestamp();
            var h = layers[0].Forward(x).Relu();
            h = layers[1].Forward(h).Relu();
            var o3 = layers[2].Forward(h);
            long t1 = Stopwatch.GetTimestamp();
            var loss = (o3 - y).Square().Mean();
            long t2 = Stopwatch.GetTimestamp();
            loss.Backward();
            long t3 = Stopwatch.GetTimestamp();
            opt.Step();
            long t4 = Stopwatch.GetTimestamp();
            opt.ZeroGrad();
            long t5 = Stopwatch.GetTimestamp();
            if (it >= 30) { acc[0] += t1 - t0; acc[1] += t2 - t1; acc[2] += t3 - t2; acc[3] += t4 - t3; acc[4] += t5 - t4; }
        }
        string[] names = ["forward", "loss", "backward", "adam", "zero"];
        for (int i = 0; i < 5; i++) Console.WriteLine($"{names[i]}: {acc[i] / 100 / Stopwatch.Frequency * 1e3:F3} ms");
    }
}

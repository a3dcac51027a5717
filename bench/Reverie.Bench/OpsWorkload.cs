// ops workload: per-op cost of the engine's common elementwise, reduction and norm ops on a
// (256, 512) tensor, forward and forward+backward, in thread CPU time (robust on a shared machine).
using System.Runtime.InteropServices;
using Reverie.Tensors;

namespace Reverie.Bench;

public static class OpsWorkload
{
    [StructLayout(LayoutKind.Sequential)] private struct Timespec { public long Sec, Nsec; }
    [DllImport("libc", EntryPoint = "clock_gettime")] private static extern int ClockGetTime(int clk, out Timespec ts);

    /// <summary>This thread's CPU time in microseconds.</summary>
    public static double ThreadCpuMicros() { ClockGetTime(3 /* CLOCK_THREAD_CPUTIME_ID */, out var t); return t.Sec * 1e6 + t.Nsec * 1e-3; }

    public static void Run(BenchOptions o)
    {
        var rng = new Rng(0);
        var x = Tensor.Randn(new Shape(256, 512), rng); x.RequiresGrad = true;
        var b = Tensor.Randn(new Shape(256, 512), rng);
        var bias = Tensor.Randn(new Shape(512), rng);
        var cases = new (string, Func<Tensor>)[]
        {
            ("add", () => x + b), ("add_bias_broadcast", () => x + bias), ("mul", () => x * b), ("square", () => x.Square()),
            ("relu", () => x.Relu()), ("silu", () => x.Silu()), ("tanh", () => x.Tanh()), ("exp", () => x.Exp()),
            ("sum_all", () => x.Sum()), ("sum_axis1", () => x.Sum(1)), ("softmax", () => x.Softmax(-1)),
            ("log_softmax", () => x.LogSoftmax(-1)), ("layer_norm", () => Tensor.LayerNorm(x, null, null, 1e-5f)),
            ("mse", () => (x - b).Square().Mean()),
        };
        int iters = o.Iters > 0 ? o.Iters : 100;
        foreach (var (name, f) in cases)
        {
            double Time(bool backward)
            {
                var best = double.MaxValue;
                for (int rep = 0; rep < 3; rep++)
                {
                    double t0 = ThreadCpuMicros();
                    for (int i = 0; i < iters; i++)
                    {
                        using var s = Tensor.Scope();
                        var y = f();
                        if (backward) (y.Size == 1 ? y : y.Sum()).Backward();
                    }
                    best = Math.Min(best, (ThreadCpuMicros() - t0) / iters);
                }
                x.Grad = null;
                return best;
            }
            // Warm up for half a second so the JIT's tiers settle on optimized code before timing.
            var warm = System.Diagnostics.Stopwatch.StartNew();
            while (warm.ElapsedMilliseconds < 500) { using var s = Tensor.Scope(); var y = f(); (y.Size == 1 ? y : y.Sum()).Backward(); }
            x.Grad = null;
            double fwd = Time(false), both = Time(true);
            Report.Line(new { Workload = "ops", Op = name, Shape = "(256, 512)", ForwardUs = Math.Round(fwd, 1), ForwardBackwardUs = Math.Round(both, 1),
                ForwardGBps = Math.Round(2.0 * 4 * x.Size / fwd * 1e-3, 1) });
        }
    }
}

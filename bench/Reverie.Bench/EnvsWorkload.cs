// envs workload: env steps per second (random actions, one core, action repeat 1) for every registered id, without and with
// pixels; then the vector env's sequential vs parallel batch time, which sets VectorEnvOptions.ParallelMinMicros.
using System.Diagnostics;
using Reverie.Envs;

namespace Reverie.Bench;

public static class EnvsWorkload
{
    public static void Run(BenchOptions o)
    {
        double seconds = o.Iters > 0 ? o.Iters / 1000.0 : 0.3; // --iters = milliseconds per sample
        int samples = Math.Max(1, o.Reps);
        foreach (var spec in EnvRegistry.Specs)
        {
            // Env steps: action repeat 1 (the MuJoCo ids default to 2), so pixel rates are per rendered frame.
            var plain = MedianPair(samples, () => SingleSteps(spec.Id, new EnvOptions { ActionRepeat = 1 }, seconds));
            var pixels = MedianPair(samples, () => SingleSteps(spec.Id, new EnvOptions { ActionRepeat = 1, Pixels = true }, seconds));
            // Wall-clock rates, and rates per second of process CPU time (robust when other jobs share the cores).
            Report.Line(new { Workload = "envs", Env = spec.Id, StepsPerS = Math.Round(plain.Wall), PixelsStepsPerS = Math.Round(pixels.Wall),
                CpuStepsPerS = Math.Round(plain.Cpu), CpuPixelsStepsPerS = Math.Round(pixels.Cpu),
                RenderMicros = Math.Round(1e6 / pixels.Cpu - 1e6 / plain.Cpu, 2) });
        }
        if (o.Threads < 2) return;
        // Vector env: 8 envs, forced sequential vs forced parallel on o.Threads workers.
        foreach (var (id, px) in new[] { ("pendulum", false), ("pendulum", true), ("cartpole", true) })
            VectorLine(id, id, new EnvOptions { Pixels = px }, o.Threads, samples, seconds);
        // Synthetic per-step work to find where parallel stepping starts to pay.
        foreach (int micros in new[] { 2, 5, 10, 25, 50 })
        {
            string id = $"bench-spin-{micros}us";
            if (!EnvRegistry.Specs.Any(s => s.Id == id))
                EnvRegistry.Register(new EnvSpec(id, n => new SpinEnv(n, micros), 1000, (0, 0), "0", "bench", Suite: "bench"));
            VectorLine(id, id, new EnvOptions(), o.Threads, samples, seconds);
        }
    }

    private static void VectorLine(string label, string id, EnvOptions opts, int threads, int samples, double seconds)
    {
        double seq = Median(samples, () => VectorBatches(id, opts, VectorMode.Sequential, threads, seconds));
        double par = Median(samples, () => VectorBatches(id, opts, VectorMode.Parallel, threads, seconds));
        Report.Line(new { Workload = "envs", Env = label, Vector = 8, Pixels = opts.Pixels, Threads = threads,
            SequentialBatchMicros = Math.Round(1e6 / seq, 1), ParallelBatchMicros = Math.Round(1e6 / par, 1),
            Speedup = Math.Round(par / seq, 2) });
    }

    private static (double Wall, double Cpu) SingleSteps(string id, EnvOptions opts, double seconds)
    {
        using var env = EnvRegistry.Make(id, opts);
        var rng = new EnvRng(1);
        var a = new float[env.ActionSpace.Size];
        env.Reset(0);
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < 0.2) for (int i = 0; i < 256; i++) Step(); // warm-up: reach the optimized JIT tier
        long steps = 0;
        var proc = Process.GetCurrentProcess();
        var cpu0 = proc.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            for (int i = 0; i < 256; i++) Step();
            steps += 256;
        }
        double wall = sw.Elapsed.TotalSeconds;
        proc.Refresh();
        return (steps / wall, steps / (proc.TotalProcessorTime - cpu0).TotalSeconds);

        void Step()
        {
            env.ActionSpace.Sample(rng, a);
            if (env.Step(a).Done) env.Reset();
        }
    }

    private static double VectorBatches(string id, EnvOptions opts, VectorMode mode, int threads, double seconds)
    {
        using var vec = VectorEnv.Make(id, 8, opts, new VectorEnvOptions { Mode = mode, Workers = threads });
        var rng = new EnvRng(2);
        var a = new float[8 * vec.ActionSpace.Size];
        vec.Reset(0);
        void Batch()
        {
            for (int i = 0; i < 8; i++) vec.ActionSpace.Sample(rng, a.AsSpan(i * vec.ActionSpace.Size, vec.ActionSpace.Size));
            vec.Step(a);
        }
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < 0.2) Batch();
        long n = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds) { for (int i = 0; i < 16; i++) Batch(); n += 16; }
        return n / sw.Elapsed.TotalSeconds;
    }

    private static (double Wall, double Cpu) MedianPair(int n, Func<(double, double)> f)
    {
        var v = new (double Wall, double Cpu)[n];
        for (int i = 0; i < n; i++) v[i] = f();
        return (v.Select(p => p.Wall).Order().ElementAt(n / 2), v.Select(p => p.Cpu).Order().ElementAt(n / 2));
    }

    private static double Median(int n, Func<double> f)
    {
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = f();
        Array.Sort(v);
        return v[n / 2];
    }

    /// <summary>
    /// An env that computes for about <c>micros</c> µs per step (a dependent chain of floating-point
    /// work calibrated once on this core), standing in for heavier physics such as MuJoCo.
    /// </summary>
    private sealed class SpinEnv(string id, int micros) : EnvBase(id, new DictSpace(("state", new BoxSpace(-1, 1, 1))), new BoxSpace(-1, 1, 1))
    {
        private static readonly double ItersPerMicro = Calibrate();
        private readonly long _iters = (long)(micros * ItersPerMicro);

        protected override void ResetCore() => Obs.State[0] = 0;

        protected override (float Reward, bool Terminated) StepCore(ReadOnlySpan<float> action)
        {
            Obs.State[0] = (float)Math.Clamp(Work(_iters, action[0]), -1, 1);
            return (0f, false);
        }

        private static double Work(long n, double x)
        {
            for (long i = 0; i < n; i++) x = x * 0.999999 + 1e-7;
            return x;
        }

        private static double Calibrate()
        {
            Work(1_000_000, 0.5); // JIT
            var sw = Stopwatch.StartNew();
            Work(20_000_000, 0.5);
            return 20_000_000 / sw.Elapsed.TotalMicroseconds;
        }
    }
}

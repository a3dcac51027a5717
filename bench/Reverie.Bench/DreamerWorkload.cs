// dreamerv3_1m / dreamerv3_12m workloads: one DreamerLearner.Train step on the exact problem of ../shared/peers/bench_dreamerv3.py
// (obs 24, action 6, batch 16x64, imagination 15 from every posterior state, constant lr: no warm-up). Reports the median step time.
using Reverie.Agents.Dreamer;
using Reverie.Tensors;
using Reverie.Tensors.Kernels;

namespace Reverie.Bench;

public static class DreamerWorkload
{
    private const int ObsDim = 24, ActDim = 6, Batch = 16, Seq = 64;

    public static void Run1m(BenchOptions o) => Run(o, "1m");
    public static void Run12m(BenchOptions o) => Run(o, "12m");
    /// <summary>dreamer_pixels: the same step at size1m on 64x64 RGB images only (the `pixels` preset's model), no peer.</summary>
    public static void RunPixels(BenchOptions o) => Run(o, "1m", pixels: true);

    private static void Run(BenchOptions o, string size, bool pixels = false)
    {
        Gemm.MaxThreads = o.Threads;
        var cfg = new DreamerConfig().WithSize("size" + size) with { Opt = new OptConfig { Warmup = 0 } };
        // DREAMER_DEPTH=d: the CNN's depth (agent.depth; the pixels preset's is size1m's 4, the pixel runs tried 8).
        if (int.TryParse(Environment.GetEnvironmentVariable("DREAMER_DEPTH"), out int depth) && depth > 0) cfg = cfg with { Depth = depth };
        var layout = pixels ? new ObsLayout(0, 64, 64, 3) : new ObsLayout(ObsDim, 0, 0, 0);
        // DREAMER_DISCRETE=k: k discrete actions (one-hot replayed actions, a categorical actor) instead of 6 continuous ones.
        int discreteK = int.TryParse(Environment.GetEnvironmentVariable("DREAMER_DISCRETE"), out int dk) && dk > 1 ? dk : 0;
        int actDim = discreteK > 0 ? discreteK : ActDim;
        var learner = new DreamerLearner(cfg, layout, actDim, discrete: discreteK > 0, seed: 0);
        var rng = new Rng(0);
        var obs = pixels ? null : Tensor.Randn(new Shape(Batch * Seq, ObsDim), rng);
        var image = pixels ? Tensor.Uniform(new Shape(Batch * Seq, 3, 64, 64), rng, -0.5f, 0.5f) : null;
        var act = discreteK > 0 ? OneHotActions(Batch, Seq, discreteK, rng) : Tensor.Uniform(new Shape(Batch, Seq, ActDim), rng, -1f, 1f);
        var rew = Tensor.Uniform(new Shape(Batch, Seq), rng, 0f, 1f);
        var zeros = Tensor.Zeros(new Shape(Batch, Seq));
        var batch = new DreamerBatch(new ObsTensors(obs, image), act, rew, zeros, zeros, zeros);
        void Step() => learner.Train(batch);

        // Wall time per step, and CPU time per step: of the calling thread (all the work at --threads 1) and of the process.
        var cpu = new List<double>(); var proc = new List<double>(); var alloc = new List<double>();
        long rents = 0, returns = 0, fresh = 0, shared = 0;
        var process = System.Diagnostics.Process.GetCurrentProcess();
        // CONV_NARROW_AB=1: timed steps alternate the direct conv's narrow-row kernels off and on (ConvDirect.NarrowRows and
        // NarrowWeightRows; CONV_NARROW_AB=w: the weight gradient's only; CONV_NARROW_AB=p: the weight gradient's patch kernel,
        // ConvDirect.PatchWeights; CONV_NARROW_AB=n: the channel norm's backward by shape against always position by position,
        // ChannelNorm.ByChannels), an in-process A/B; the line then also gives the median thread CPU
        // ms of each half.
        int warmup = o.Warmup >= 0 ? o.Warmup : 3, iters = o.Iters > 0 ? o.Iters : 20;
        string? abMode = Environment.GetEnvironmentVariable("CONV_NARROW_AB");
        bool ab = abMode is "1" or "w" or "p" or "n";
        var abCpu = new[] { new List<double>(), new List<double>() };
        int calls = 0;
        void Timed()
        {
            int half = calls++ % 2;
            if (abMode == "p") ConvDirect.PatchWeights = half == 1;
            else if (abMode == "n") ChannelNorm.ByChannels = half == 1 ? null : false;
            else if (ab) { ConvDirect.NarrowWeightRows = half == 1; ConvDirect.NarrowRows = abMode == "w" || half == 1; }
            double t0 = GemmCpuWorkload.ThreadCpuSeconds(); process.Refresh(); var p0 = process.TotalProcessorTime;
            var s0 = BufferPool.Stats; long sh0 = BufferPool.SharedRents;
            long a0 = GC.GetAllocatedBytesForCurrentThread();
            Step();
            var s1 = BufferPool.Stats;
            shared = BufferPool.SharedRents - sh0; rents = s1.Rented - s0.Rented; returns = s1.Returned - s0.Returned; fresh = s1.Allocated - s0.Allocated;
            alloc.Add((GC.GetAllocatedBytesForCurrentThread() - a0) / 1024.0);
            cpu.Add((GemmCpuWorkload.ThreadCpuSeconds() - t0) * 1e3); process.Refresh(); proc.Add((process.TotalProcessorTime - p0).TotalMilliseconds);
            if (ab && calls > warmup) abCpu[half].Add(cpu[^1]);
        }
        var (best, reps) = Timing.BestMedian(Timed, warmup, iters, o.Reps);
        if (ab)
        {
            ConvDirect.NarrowRows = ConvDirect.NarrowWeightRows = ConvDirect.PatchWeights = true;
            ChannelNorm.ByChannels = null;
            static double Med(List<double> xs) => xs.Count == 0 ? double.NaN : Math.Round(xs.Order().ElementAt(xs.Count / 2), 1);
            Console.WriteLine($"{abMode switch { "p" => "conv patch A/B (weight gradient)", "n" => "channel norm by channels A/B", "w" => "conv narrow A/B (weight gradient)", _ => "conv narrow A/B (all kernels)" }}, thread CPU ms per step: off {Med(abCpu[0])} on {Med(abCpu[1])} (n = {abCpu[0].Count}, {abCpu[1].Count}); " +
                $"pairs on/off: {string.Join(" ", abCpu[0].Zip(abCpu[1], (a, b) => (b / a).ToString("F3")))}");
        }
        long parms = learner.Wm.Parameters().Concat(learner.Ac.Parameters()).Sum(p => (long)p.Size);
        static double Median(List<double> xs, int skip) { var a = xs.Skip(skip).Order().ToArray(); return Math.Round(a[a.Length / 2], 1); }
        Report.Line(new
        {
            Workload = pixels ? "dreamer_pixels" : "dreamerv3_" + size, Threads = o.Threads, Params = parms,
            MedianMs = Math.Round(best, 2), RepMedians = reps.Select(r => Math.Round(r, 2)).ToArray(),
            ThreadCpuMs = Median(cpu, warmup), ProcessCpuMs = Median(proc, warmup), AllocatedKb = Median(alloc, warmup),
            Gen0 = GC.CollectionCount(0), Gen2 = GC.CollectionCount(2), PoolRentsPerStep = rents, PoolReturnsPerStep = returns, PoolFreshPerStep = fresh, SharedRents = shared,
            LoadAvg = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?",
        });
    }

    private static Tensor OneHotActions(int batch, int seq, int k, Rng rng)
    {
        var a = new float[batch * seq * k];
        for (int i = 0; i < batch * seq; i++) a[i * k + (int)(rng.NextFloat() * k) % k] = 1f;
        return Tensor.FromArray(a, new Shape(batch, seq, k));
    }
}

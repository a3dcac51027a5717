// tdmpc2 workloads: the model-size-5 update of ../shared/peers/bench_tdmpc2.py (obs 24, actions 6, batch 256, horizon 3,
// discount 0.995) through TdMpc2Learner.Update, and the planning time per action (MPPI, 512 samples x 6 iterations) at sizes 1 and 5.
using Reverie.Agents.TdMpc;
using Reverie.Tensors;
using Reverie.Tensors.Kernels;

namespace Reverie.Bench;

public static class TdMpc2Workload
{
    private const int ObsDim = 24, ActDim = 6, Batch = 256;
    private const float Discount = 0.995f;

    /// <summary>One TD-MPC2 update (targets, rollout losses, backward, clip, Adam, policy update, Polyak), median ms.</summary>
    public static void Update(BenchOptions o) => Update(o, 5);

    /// <summary>The same update at model size <paramref name="size"/> (1 or 5).</summary>
    public static void Update(BenchOptions o, int size)
    {
        Gemm.MaxThreads = o.Threads;
        var cfg = size == 1 ? TdMpc2Config.Size1 : TdMpc2Config.Size5;
        var learner = new TdMpc2Learner(cfg, ObsDim, ActDim, seed: 0, [Discount]);
        var rng = new Rng(1);
        int H = cfg.Horizon;
        var obs = Tensor.Randn(new Shape(H + 1, Batch, ObsDim), rng);
        var action = Tensor.Uniform(new Shape(H, Batch, ActDim), rng, -1f, 1f);
        var reward = Tensor.Uniform(new Shape(H, Batch), rng, 0f, 2f);
        var terminated = Tensor.Zeros(new Shape(H, Batch));
        void Step() => learner.Update(obs, action, reward, terminated);
        int warmup = o.Warmup >= 0 ? o.Warmup : 5, iters = o.Iters > 0 ? o.Iters : 20;
        var (best, reps) = Timing.BestMedian(Step, warmup, iters, o.Reps);
        Report.Line(new
        {
            Workload = size == 5 ? "tdmpc2" : $"tdmpc2-size{size}", ModelSize = size, Threads = o.Threads, Batch, Horizon = H, Params = learner.Model.Parameters().Where(p => p.RequiresGrad).Sum(p => (long)p.Size),
            MedianMs = Math.Round(best, 2), RepMedians = reps.Select(r => Math.Round(r, 2)).ToArray(),
            ThreadCpuMs = Math.Round(CpuMedian(Step, iters), 2),
        });
    }

    /// <summary>
    /// Median CPU time of this thread per call, in ms: with --threads 1 the whole step runs on this thread, so this
    /// is robust to other jobs on a shared machine (wall time is not); with more threads it counts only this one.
    /// </summary>
    private static double CpuMedian(Action step, int iters)
    {
        var ts = new double[iters];
        for (int i = 0; i < iters; i++)
        {
            double t0 = OpsWorkload.ThreadCpuMicros();
            step();
            ts[i] = (OpsWorkload.ThreadCpuMicros() - t0) * 1e-3;
        }
        Array.Sort(ts);
        return ts[iters / 2];
    }

    /// <summary>Planning time per action (encode + MPPI) at model sizes 1 and 5, median ms.</summary>
    public static void Plan(BenchOptions o)
    {
        Gemm.MaxThreads = o.Threads;
        foreach (var (size, cfg) in new[] { (1, TdMpc2Config.Size1), (5, TdMpc2Config.Size5) })
        {
            var learner = new TdMpc2Learner(cfg, ObsDim, ActDim, seed: 0, [Discount]);
            var rng = new Rng(2);
            var obs = new float[ObsDim];
            var action = new float[ActDim];
            var plan = new PlanState(cfg.Horizon, ActDim);
            void Step()
            {
                rng.FillNormal(obs);
                learner.Act(obs, plan, evaluate: false, action);
            }
            int warmup = o.Warmup >= 0 ? o.Warmup : 3, iters = o.Iters > 0 ? o.Iters : 20;
            var (best, reps) = Timing.BestMedian(Step, warmup, iters, o.Reps);
            Report.Line(new
            {
                Workload = "tdmpc2-plan", ModelSize = size, Threads = o.Threads, cfg.NumSamples, Iterations = learner.Planner.Iterations, cfg.Horizon,
                MedianMs = Math.Round(best, 2), RepMedians = reps.Select(r => Math.Round(r, 2)).ToArray(),
                ThreadCpuMs = Math.Round(CpuMedian(Step, iters), 2),
            });
        }
    }
}

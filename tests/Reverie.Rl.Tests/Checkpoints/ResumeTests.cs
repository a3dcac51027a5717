// Resume: a run interrupted after a checkpoint and resumed from it continues exactly as the uninterrupted run.
using Reverie.Rl.Checkpoints;
using Reverie.Rl.Replay;
using Reverie.Tensors;
using static Reverie.Rl.Tests.Replay.ReplayTestData;

namespace Reverie.Rl.Tests.Checkpoints;

[Collection("Checkpoint.FaultHook")]
public class ResumeTests
{
    /// <summary>A toy run: two envs add steps; every 10 steps it samples a batch and "trains" (sums into w).</summary>
    private static void Run(string runDir, ReplayBuffer rb, Rng rng, float[] w, long from, long to, long checkpointAt, List<float[]> seen)
    {
        for (long step = from; step < to; step++)
        {
            Fill(rb, 0, 1, 7, from: step);
            Fill(rb, 1, 1, 5, from: step);
            if (step % 10 == 9 && rb.CanSample(4))
            {
                var b = rb.Sample(3, 4, rng);
                seen.Add(b["state"].ToArray());
                w[0] += b["reward"].ToArray().Sum();
            }
            if (step + 1 == checkpointAt)
                Checkpoint.Save(runDir, new CheckpointContent
                {
                    Weights = { ["w"] = Tensor.FromArray(w) },
                    Counters = { EnvSteps = step + 1 },
                    RngStates = { ["sample"] = rng.GetState() },
                    Replay = rb,
                });
        }
    }

    [Fact]
    public void Resumed_run_matches_the_uninterrupted_run()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        var seenA = new List<float[]>();
        var wA = new float[1];
        Run(a.Path, new ReplayBuffer(Spec(), 60, chunkSize: 8), new Rng(5), wA, 0, 120, checkpointAt: 70, seenA);

        // interrupted run: stops (crashes) at step 85, after its checkpoint at 70
        var seenB = new List<float[]>();
        var wB = new float[1];
        Run(b.Path, new ReplayBuffer(Spec(), 60, chunkSize: 8), new Rng(5), wB, 0, 85, checkpointAt: 70, seenB);
        var c = Checkpoint.Load(b.Path)!;
        long resumeAt = c.Counters.EnvSteps;
        Assert.Equal(70, resumeAt);
        var rng = new Rng(0);
        rng.SetState(c.RngStates["sample"]);
        var w = c.Weights["w"].ToArray();
        var seenResumed = seenB.Take(7).ToList();   // batches sampled before step 70
        Run(b.Path, c.Replay!, rng, w, resumeAt, 120, checkpointAt: 100, seenResumed);

        Assert.Equal(seenA.Count, seenResumed.Count);
        for (int i = 0; i < seenA.Count; i++) Assert.Equal(seenA[i], seenResumed[i]);
        Assert.Equal(wA[0], w[0]);
        Assert.Equal(100, Checkpoint.Load(b.Path)!.Counters.EnvSteps);
    }
}

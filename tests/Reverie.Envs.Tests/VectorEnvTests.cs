// VectorEnv: batching, same-step autoreset with final observations, seeding, sequential = parallel.
namespace Reverie.Envs.Tests;

public class VectorEnvTests
{
    [Fact]
    public void SameStepAutoresetReturnsTheNewEpisodeAndKeepsTheFinalObservation()
    {
        // Env i terminates after i + 2 steps.
        var envs = Enumerable.Range(0, 3).Select(i => (IEnv)new CountEnv(terminateAt: i + 2)).ToArray();
        using var vec = new VectorEnv(envs, new VectorEnvOptions { Mode = VectorMode.Sequential });
        Assert.Equal([0f, 0f, 0f], vec.Reset(0).State);
        Assert.All(vec.IsFirst, Assert.True);
        vec.Step(new float[3]);
        Assert.Equal([1f, 1f, 1f], vec.Observations.State);
        Assert.All(vec.IsFirst, Assert.False);
        vec.Step(new float[3]);
        // env 0 ended on its 2nd step: its row already holds the reset observation
        Assert.Equal([0f, 2f, 2f], vec.Observations.State);
        Assert.Equal([true, false, false], vec.Terminated);
        Assert.Equal([true, false, false], vec.IsFirst);
        Assert.Equal(2f, vec.FinalObservations.State[0]);
        Assert.Equal([1f, 1f, 1f], vec.Rewards);
        vec.Step(new float[3]);
        Assert.Equal([1f, 0f, 3f], vec.Observations.State);
        Assert.Equal([false, true, false], vec.Terminated);
        Assert.Equal(3f, vec.FinalObservations.State[1]);
        Assert.Equal(2, ((CountEnv)vec.Envs[0]).Resets);
    }

    [Fact]
    public void TruncationAlsoAutoresetsAndActionsGoToTheirRows()
    {
        using var vec = VectorEnv.Make("count", 2, new EnvOptions { MaxEpisodeSteps = 1 });
        vec.Reset(0);
        vec.Step([0.25f, -0.5f]);
        Assert.Equal([true, true], vec.Truncated);
        Assert.Equal([1f, 1f], vec.FinalObservations.State);
        Assert.Equal([0f, 0f], vec.Observations.State);
        Assert.Equal(-0.5f, vec.Envs[1].Find<CountEnv>()!.LastAction[0]);
    }

    [Fact]
    public void SequentialAndParallelGiveTheSameBatches()
    {
        float[] Run(VectorMode mode)
        {
            using var vec = VectorEnv.Make("cartpole", 5, new EnvOptions { Pixels = true, ImageSize = 16 },
                new VectorEnvOptions { Mode = mode, Workers = 2 });
            vec.Reset(11);
            var rng = new EnvRng(3);
            var a = new float[5];
            var trace = new List<float>();
            for (int t = 0; t < 60; t++)
            {
                for (int i = 0; i < 5; i++) a[i] = rng.NextInt(2);
                vec.Step(a);
                trace.AddRange(vec.Observations.State); trace.AddRange(vec.Rewards);
                trace.AddRange(vec.Terminated.Select(b => b ? 1f : 0f));
                trace.Add(vec.Observations.Image.Sum(b => (float)b));
            }
            Assert.Equal(mode == VectorMode.Parallel ? 2 : 1, vec.Workers);
            return [.. trace];
        }
        Assert.Equal(Run(VectorMode.Sequential), Run(VectorMode.Parallel));
    }

    [Fact]
    public void EnvIIsSeededWithSeedPlusI()
    {
        using var vec = VectorEnv.Make("pendulum", 3);
        vec.Reset(100);
        using var single = EnvRegistry.Make("pendulum");
        Assert.Equal(single.Reset(102).State, vec.Observations.State.AsSpan(6, 3).ToArray());
    }

    [Fact]
    public void AutoModeStaysSequentialForCheapEnvsAndGoesParallelPastTheThreshold()
    {
        // The median of 9 probes of ~2 µs stays far below 200 µs even on a busy machine.
        using var cheap = VectorEnv.Make("pendulum", 4, null, new VectorEnvOptions { Workers = 2, ProbeSteps = 9 });
        cheap.Reset(0);
        for (int t = 0; t < 20; t++) cheap.Step(new float[4]);
        Assert.Equal(1, cheap.Workers);
        using var eager = VectorEnv.Make("pendulum", 4, null, new VectorEnvOptions { Workers = 2, ProbeSteps = 9, ParallelMinMicros = 0 });
        eager.Reset(0);
        for (int t = 0; t < 12; t++) eager.Step(new float[4]);
        Assert.Equal(1, eager.Workers); // still probing
        for (int t = 0; t < 2; t++) eager.Step(new float[4]);
        Assert.Equal(2, eager.Workers);
    }

    [Fact]
    public void BadInputIsReportedWithTheRow()
    {
        using var vec = VectorEnv.Make("cartpole", 2, null, new VectorEnvOptions { Mode = VectorMode.Parallel, Workers = 2 });
        Assert.Equal("vector env: Step called before Reset", Assert.Throws<InvalidOperationException>(() => vec.Step([0f, 0f])).Message);
        vec.Reset(0);
        Assert.StartsWith("vector env: actions have 3 floats but 2 envs x Discrete(2) need 2",
            Assert.Throws<ArgumentException>(() => vec.Step([0f, 0f, 0f])).Message);
        Assert.StartsWith("vector env row 1: cartpole: discrete action 5 is out of range",
            Assert.Throws<ArgumentException>(() => vec.Step([0f, 5f])).Message);
        var mixed = new IEnv[] { new CountEnv(), new CountEnv(actionSize: 2) };
        Assert.Contains("acts in Box(-1, 1, (2,))", Assert.Throws<ArgumentException>(() => new VectorEnv(mixed)).Message);
    }
}

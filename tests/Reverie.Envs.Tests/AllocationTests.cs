// Steady-state stepping allocates nothing: envs reuse their observation buffers, wrappers too.
namespace Reverie.Envs.Tests;

public class AllocationTests
{
    [Theory]
    [MemberData(nameof(EnvContractTests.Ids), MemberType = typeof(EnvContractTests))]
    public void StepsWithPixelsAndFrameStackAllocateNothing(string id)
    {
        using var env = EnvRegistry.Make(id, new EnvOptions { Pixels = true, FrameStack = 2 });
        var rng = new EnvRng(0);
        var a = new float[env.ActionSpace.Size];
        env.Reset(0);
        void Run(int n)
        {
            for (int i = 0; i < n; i++)
            {
                env.ActionSpace.Sample(rng, a);
                if (env.Step(a).Done) env.Reset();
            }
        }
        int n = EnvRegistry.Spec(id).Suite == "dmc" ? 40 : 300; // a MuJoCo frame costs ~1 ms; it has no cache to fill
        Run(n); // first renders fill the background caches
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run(n);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void SequentialVectorStepsAllocateNothing()
    {
        using var vec = VectorEnv.Make("cartpole", 4, new EnvOptions { Pixels = true }, new VectorEnvOptions { Mode = VectorMode.Sequential });
        var a = new float[4];
        vec.Reset(0);
        for (int i = 0; i < 100; i++) vec.Step(a);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) { a[i % 4] = i % 2; vec.Step(a); }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

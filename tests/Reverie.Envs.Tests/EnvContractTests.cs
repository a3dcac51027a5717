// The IEnv contract for every registered id: seeding, bad input, step order, spaces honoured.
using Reverie.Envs.Classic;

namespace Reverie.Envs.Tests;

public class EnvContractTests
{
    public static TheoryData<string> Ids()
    {
        var d = new TheoryData<string>();
        // MuJoCo ids only where libmujoco is installed (Mujoco/DmcTaskTests says, skipped, what to install).
        foreach (var s in EnvRegistry.Specs.Where(s => s.Suite != "dmc" || Reverie.Envs.Mujoco.MjNative.IsAvailable)) d.Add(s.Id);
        return d;
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void SameSeedSameEpisodeAndUnseededResetsContinueTheGenerator(string id)
    {
        float[] Run(IEnv env, ulong? seed)
        {
            var trace = new List<float>(env.Reset(seed).State);
            var rng = new EnvRng(9);
            var a = new float[env.ActionSpace.Size];
            for (int t = 0; t < 30; t++)
            {
                env.ActionSpace.Sample(rng, a);
                var r = env.Step(a);
                trace.AddRange(r.Observation.State); trace.Add(r.Reward);
                if (r.Done) break;
            }
            return [.. trace];
        }
        using var e1 = EnvRegistry.Make(id);
        using var e2 = EnvRegistry.Make(id);
        var first = Run(e1, 7);
        Assert.Equal(first, Run(e2, 7));
        var second = Run(e1, null); // continues e1's generator: a new episode
        Assert.Equal(second, Run(e2, null));
        if (id != "count") Assert.NotEqual(first, second);
        Assert.Equal(first, Run(e1, 7)); // reseeding restarts it
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void RandomEpisodesStayInsideTheDeclaredSpaces(string id)
    {
        // CheckedEnv (on by default) throws if an observation leaves its bounds or a reward is not finite.
        using var env = EnvRegistry.Make(id, new EnvOptions { MaxEpisodeSteps = 300 });
        var spec = EnvRegistry.Spec(id);
        var rng = new EnvRng(5);
        var a = new float[env.ActionSpace.Size];
        env.Reset(1);
        for (int t = 0, episodes = 0; t < 1500 && episodes < 5; t++)
        {
            env.ActionSpace.Sample(rng, a);
            var r = env.Step(a);
            // With action repeat k an agent step sums up to k inner rewards.
            float k = spec.ActionRepeat, lo = Math.Min(spec.RewardRange.Min, k * spec.RewardRange.Min), hi = Math.Max(spec.RewardRange.Max, k * spec.RewardRange.Max);
            Assert.InRange(r.Reward, lo - 1e-4f, hi + 1e-4f);
            if (r.Done) { env.Reset(); episodes++; }
        }
    }

    [Fact]
    public void WrongLengthActionsNameTheEnvAndTheSpace()
    {
        using var env = EnvRegistry.Make("pendulum");
        env.Reset(0);
        var e = Assert.Throws<ArgumentException>(() => env.Step([0.1f, 0.2f]));
        Assert.StartsWith("pendulum: action has 2 elements but the action space Box(-1, 1, (1,)) needs 1", e.Message);
        using var bare = new Pendulum();
        bare.Reset(0);
        e = Assert.Throws<ArgumentException>(() => bare.Step(ReadOnlySpan<float>.Empty));
        Assert.StartsWith("pendulum: action has 0 elements but the action space Box(-2, 2, (1,)) needs 1", e.Message);
    }

    [Theory]
    [InlineData(2f, "cartpole: discrete action 2 is out of range; Discrete(2) takes an index 0 to 1")]
    [InlineData(-1f, "cartpole: discrete action -1 is out of range; Discrete(2) takes an index 0 to 1")]
    [InlineData(0.5f, "cartpole: discrete action 0.5 is not a whole number; Discrete(2) takes an index 0 to 1")]
    [InlineData(float.NaN, "cartpole: action[0] is NaN; actions must be finite")]
    public void BadDiscreteActionsAreRejected(float action, string message)
    {
        foreach (var env in new IEnv[] { EnvRegistry.Make("cartpole"), new CartPole() })
        {
            env.Reset(0);
            var e = Assert.Throws<ArgumentException>(() => env.Step([action]));
            Assert.StartsWith(message, e.Message);
            env.Step(1); // the env is still usable
        }
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "+inf")]
    [InlineData(float.NegativeInfinity, "-inf")]
    public void NonFiniteContinuousActionsAreRejected(float v, string shown)
    {
        using var env = EnvRegistry.Make("mountaincar-continuous");
        env.Reset(0);
        var e = Assert.Throws<ArgumentException>(() => env.Step([v]));
        Assert.StartsWith($"mountaincar-continuous: action[0] is {shown}; actions must be finite", e.Message);
    }

    [Fact]
    public void SteppingBeforeResetOrAfterTheEndIsAnError()
    {
        using var env = EnvRegistry.Make("count", new EnvOptions { MaxEpisodeSteps = 2 });
        Assert.Equal("count: Step called before Reset; call Reset to start an episode",
            Assert.Throws<InvalidOperationException>(() => env.Step([0f])).Message);
        env.Reset();
        env.Step([0f]);
        Assert.True(env.Step([0f]).Truncated);
        Assert.Equal("count: Step called after the episode ended (truncated); call Reset to start a new episode",
            Assert.Throws<InvalidOperationException>(() => env.Step([0f])).Message);
        env.Reset();
        Assert.False(env.Step([0f]).Done);

        using var cart = new CartPole();
        Assert.Equal("cartpole: Step called before Reset; call Reset to start an episode",
            Assert.Throws<InvalidOperationException>(() => cart.Step(0)).Message);
        cart.SetState(2.5, 0, 0, 0);
        Assert.True(cart.Step(0).Terminated);
        Assert.Contains("(terminated)", Assert.Throws<InvalidOperationException>(() => cart.Step(0)).Message);
    }

    [Fact]
    public void CountEnvCountsStepsAndTerminatesWhenAsked()
    {
        using var env = new CountEnv(terminateAt: 3, discreteActions: 4);
        Assert.Equal([0f], env.Reset().State);
        Assert.Equal([1f], env.Step(3).Observation.State);
        Assert.Equal(3f, env.LastAction[0]);
        Assert.False(env.Step(0).Done);
        var r = env.Step(1);
        Assert.Equal([3f], r.Observation.State);
        Assert.True(r.Terminated);
        Assert.Equal(1f, r.Reward);
        Assert.Equal(1, env.Resets);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CountEnv(actionSize: 0));
    }
}

// Wrappers: time limit, action repeat, rescaling, pixels, frame stack, checks, and the registry's stack.
using Reverie.Envs.Classic;

namespace Reverie.Envs.Tests.Wrappers;

public class WrapperTests
{
    [Fact]
    public void TimeLimitTruncatesAfterMaxStepsAndCountsPerEpisode()
    {
        using var env = new TimeLimit(new CountEnv(), 3);
        env.Reset();
        Assert.False(env.Step([0f]).Done);
        Assert.False(env.Step([0f]).Done);
        var r = env.Step([0f]);
        Assert.True(r.Truncated);
        Assert.False(r.Terminated);
        Assert.Equal(3, env.ElapsedSteps);
        env.Reset();
        Assert.Equal(0, env.ElapsedSteps);
        Assert.False(env.Step([0f]).Done);
    }

    [Fact]
    public void TimeLimitSetsBothFlagsWhenTheLastStepAlsoTerminates()
    {
        using var env = new TimeLimit(new CountEnv(terminateAt: 2), 2);
        env.Reset();
        env.Step([0f]);
        var r = env.Step([0f]);
        Assert.True(r.Terminated);
        Assert.True(r.Truncated);
    }

    [Fact]
    public void ActionRepeatSumsRewardsAndStopsAtTheEpisodeEnd()
    {
        var count = new CountEnv(terminateAt: 5);
        using var env = new ActionRepeat(count, 2);
        env.Reset();
        var r = env.Step([0.3f]);
        Assert.Equal(2f, r.Reward);
        Assert.Equal([2f], r.Observation.State);
        env.Step([0.3f]);
        r = env.Step([0.3f]); // inner steps 5 (terminal); no sixth
        Assert.True(r.Terminated);
        Assert.Equal(1f, r.Reward);
        Assert.Equal(5, count.Steps);

        using var pend = new ActionRepeat(new Pendulum(), 3);
        using var ref1 = new Pendulum();
        pend.Reset(4); ref1.Reset(4);
        float sum = 0;
        for (int i = 0; i < 3; i++) sum += ref1.Step([0.7f]).Reward;
        Assert.Equal(sum, pend.Step([0.7f]).Reward);
        Assert.Equal(ref1.Find<Pendulum>()!.State, pend.Find<Pendulum>()!.State);
    }

    [Fact]
    public void TimeLimitBelowActionRepeatCountsInnerSteps()
    {
        using var env = EnvRegistry.Make("count", new EnvOptions { MaxEpisodeSteps = 5, ActionRepeat = 2 });
        env.Reset();
        Assert.Equal(2f, env.Step([0f]).Reward);
        Assert.Equal(2f, env.Step([0f]).Reward);
        var r = env.Step([0f]);
        Assert.True(r.Truncated);
        Assert.Equal(1f, r.Reward);
        Assert.Equal([5f], r.Observation.State);
    }

    [Fact]
    public void RescaleMapsMinusOneToOneOntoTheBounds()
    {
        using var env = new RescaleAction(new Pendulum());
        Assert.Equal("Box(-1, 1, (1,))", env.ActionSpace.ToString());
        foreach (var (a, u) in new[] { (-1f, -2.0), (0f, 0.0), (0.5f, 1.0), (1f, 2.0) })
        {
            using var reference = new Pendulum();
            reference.SetState(1.0, 0.5);
            env.Find<Pendulum>()!.SetState(1.0, 0.5);
            var r = env.Step([a]);
            Assert.Equal(reference.Step([(float)u]).Reward, r.Reward);
        }
        var box = new BoxSpace([0f, -10f], [4f, 10f]);
        var wrapped = new RescaleAction(new BoxActionEnv(box));
        wrapped.Reset();
        wrapped.Step([-1f, 0.25f]);
        Assert.Equal([0f, 2.5f], ((BoxActionEnv)wrapped.Inner).Last);
        Assert.Contains("needs a Box action space", Assert.Throws<ArgumentException>(() => new RescaleAction(new CartPole())).Message);
    }

    [Fact]
    public void PixelsAddAnImageRenderedAfterEveryStep()
    {
        using var env = new PixelObservation(new CountEnv(), size: 8);
        Assert.Equal("{state: Box(0, inf, (1,)), image: Box(uint8, 0, 255, (8, 8, 3))}", env.ObservationSpace.ToString());
        var obs = env.Reset();
        Assert.All(obs.Image, b => Assert.Equal(0, b));
        env.Step([0f]);
        var r = env.Step([0f]);
        Assert.Equal([2f], r.Observation.State);
        Assert.All(r.Observation.Image, b => Assert.Equal(2, b));

        using var only = new PixelObservation(new CountEnv(), size: 4, keepState: false);
        Assert.Equal(["image"], only.ObservationSpace.Keys);
        Assert.Equal(48, only.Reset().Image.Length);
    }

    [Fact]
    public void FrameStackKeepsTheLastKOldestFirstAndPadsWithTheResetFrame()
    {
        using var env = new FrameStack(new PixelObservation(new CountEnv(), size: 2), 3);
        Assert.Equal([3, 1], env.ObservationSpace["state"].Shape);
        Assert.Equal([3, 2, 2, 3], env.ObservationSpace["image"].Shape);
        Assert.Equal([0f, 0f, 0f], env.Reset().State);
        env.Step([0f]);
        var r = env.Step([0f]);
        Assert.Equal([0f, 1f, 2f], r.Observation.State);
        Assert.Equal(Enumerable.Repeat((byte)0, 12).Concat(Enumerable.Repeat((byte)1, 12)).Concat(Enumerable.Repeat((byte)2, 12)), r.Observation.Image);
        r = env.Step([0f]);
        Assert.Equal([1f, 2f, 3f], r.Observation.State);
    }

    [Fact]
    public void CheckedEnvCatchesObservationsOutsideTheirSpace()
    {
        var bad = new BoxActionEnv(new BoxSpace(-1, 1, 1)) { ObsValue = 2f };
        using var env = new CheckedEnv(bad);
        var e = Assert.Throws<InvalidOperationException>(() => env.Reset());
        Assert.Equal("box-test: observation 'state'[0] = 2 is outside its declared bounds [-1, 1]", e.Message);
        bad.ObsValue = float.NaN;
        Assert.Equal("box-test: observation 'state'[0] is NaN; observations must be finite",
            Assert.Throws<InvalidOperationException>(() => env.Reset()).Message);
        bad.ObsValue = 0;
        env.Reset();
        bad.RewardValue = float.PositiveInfinity;
        Assert.Equal("box-test: reward is +inf; rewards must be finite", Assert.Throws<InvalidOperationException>(() => env.Step([0f])).Message);
    }

    [Fact]
    public void CheckedEnvEnforcesTheContractForEnvsThatDoNot()
    {
        using var env = new CheckedEnv(new BoxActionEnv(new BoxSpace(-1, 1, 2)));
        Assert.Contains("Step called before Reset", Assert.Throws<InvalidOperationException>(() => env.Step([0f, 0f])).Message);
        env.Reset();
        Assert.StartsWith("box-test: action has 3 elements", Assert.Throws<ArgumentException>(() => env.Step([0f, 0f, 0f])).Message);
        Assert.StartsWith("box-test: action[1] is NaN", Assert.Throws<ArgumentException>(() => env.Step([0f, float.NaN])).Message);
    }

    [Fact]
    public void RegistryStackRescalesRepeatsAndChecks()
    {
        using var env = EnvRegistry.Make("pendulum", new EnvOptions { Pixels = true, FrameStack = 2, ActionRepeat = 2 });
        Assert.IsType<CheckedEnv>(env);
        Assert.NotNull(env.Find<RescaleAction>());
        Assert.Equal(2, env.Find<ActionRepeat>()!.Repeat);
        Assert.Equal(200, env.Find<TimeLimit>()!.MaxSteps);
        Assert.IsType<Pendulum>(env.Unwrapped());
        Assert.Equal("Box(-1, 1, (1,))", env.ActionSpace.ToString());
        Assert.Equal([2, 64, 64, 3], env.ObservationSpace["image"].Shape);
        int steps = 1;
        env.Reset(0);
        while (!env.Step([0f]).Done) steps++;
        Assert.Equal(100, steps); // 200 inner steps with repeat 2

        using var cart = EnvRegistry.Make("cartpole", new EnvOptions { Checks = false, MaxEpisodeSteps = 0 });
        Assert.IsType<CartPole>(cart); // nothing to wrap: discrete, no limit, no checks
        Assert.Equal("EnvOptions.FrameStack must be >= 1, got 0",
            Assert.Throws<ArgumentException>(() => EnvRegistry.Make("cartpole", new EnvOptions { FrameStack = 0 })).Message);
    }

    /// <summary>A minimal IEnv that is not an EnvBase: it checks nothing itself.</summary>
    private sealed class BoxActionEnv(BoxSpace actionSpace) : IEnv
    {
        private readonly Observation _obs = new(new DictSpace(("state", new BoxSpace(-1, 1, 1))));
        public float[] Last { get; } = new float[actionSpace.Size];
        public float ObsValue { get; set; }
        public float RewardValue { get; set; }
        public string Id => "box-test";
        public DictSpace ObservationSpace => _obs.Space;
        public Space ActionSpace => actionSpace;
        public Observation Reset(ulong? seed = null) { _obs.State[0] = ObsValue; return _obs; }
        public StepResult Step(ReadOnlySpan<float> action)
        {
            action.CopyTo(Last);
            _obs.State[0] = ObsValue;
            return new StepResult(_obs, RewardValue, false, false);
        }
        public void Render(Span<byte> rgb, int height, int width) => rgb.Clear();
        public void Dispose() { }
    }
}

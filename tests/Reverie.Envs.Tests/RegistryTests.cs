// Registry: ids, defaults, errors, and docs/environments.md staying in step with the registered ids.
using Reverie.Testing;

namespace Reverie.Envs.Tests;

public class RegistryTests
{
    [Fact]
    public void ClassicIdsAndCountAreRegisteredWithGymnasiumLimits()
    {
        var limits = EnvRegistry.Specs.ToDictionary(s => s.Id, s => s.MaxEpisodeSteps);
        Assert.Equal(500, limits["cartpole"]);
        Assert.Equal(200, limits["pendulum"]);
        Assert.Equal(500, limits["acrobot"]);
        Assert.Equal(999, limits["mountaincar-continuous"]);
        Assert.True(limits.ContainsKey("count"));
    }

    [Fact]
    public void EveryContinuousIdActsInMinusOneToOne()
    {
        foreach (var spec in EnvRegistry.Specs.Where(s => s.Suite != "dmc" || Reverie.Envs.Mujoco.MjNative.IsAvailable))
        {
            using var env = EnvRegistry.Make(spec.Id);
            Assert.Equal(spec.Id, env.Id);
            if (env.ActionSpace is BoxSpace box) Assert.True(box.IsUnit, $"{spec.Id}: {box}");
            Assert.True(env.ObservationSpace.Contains("state"));
        }
    }

    [Fact]
    public void UnknownIdsListTheKnownOnes()
    {
        var e = Assert.Throws<KeyNotFoundException>(() => EnvRegistry.Make("pendulm"));
        Assert.StartsWith("unknown env id 'pendulm'; known ids: cartpole, pendulum, acrobot, mountaincar-continuous, count", e.Message);
    }

    [Fact]
    public void UsersRegisterTheirOwnIdsInOneLine()
    {
        EnvRegistry.Register(new EnvSpec("test-count-5", id => new CountEnv(id, terminateAt: 5), 0, (1, 1), "+1", "test", Suite: "test"));
        using var env = EnvRegistry.Make("test-count-5");
        env.Reset();
        int n = 1;
        while (!env.Step([0f]).Terminated) n++;
        Assert.Equal(5, n);
        Assert.Contains("already registered", Assert.Throws<ArgumentException>(() =>
            EnvRegistry.Register(new EnvSpec("test-count-5", id => new CountEnv(id), 0, (1, 1), "+1", "test"))).Message);
    }

    [Fact]
    public void TheEnvironmentsPageListsEveryBuiltInId()
    {
        string page = File.ReadAllText(RepoPaths.Of("docs", "environments.md"));
        foreach (var spec in EnvRegistry.Specs.Where(s => !s.Id.StartsWith("test-")))
        {
            Assert.Contains($"`{spec.Id}`", page);
            if (spec.Suite == "dmc" && !Reverie.Envs.Mujoco.MjNative.IsAvailable) continue;
            using var env = EnvRegistry.Make(spec.Id);
            Assert.Contains(env.ObservationSpace["state"].ToString(), page);
            Assert.Contains($"{env.ActionSpace}", page);
        }
    }
}

// DMC tasks on MuJoCo: models load with DMC's dimensions, rewards at known states, reset distributions, physics failures.
using Reverie.Envs.Dmc;
using Reverie.Envs.Mujoco;

namespace Reverie.Envs.Tests.Mujoco;

public class DmcTaskTests
{
    private static DmcTask Bare(string id) => (DmcTask)EnvRegistry.Spec(id).Create(id);

    [MujocoTheory]
    [InlineData("cartpole-swingup", 2, 2, 1, 5, 1)]
    [InlineData("pendulum-swingup", 1, 1, 1, 3, 1)]
    [InlineData("reacher-easy", 2, 2, 2, 6, 1)]
    [InlineData("cheetah-run", 9, 9, 6, 17, 1)]
    [InlineData("walker-walk", 9, 9, 6, 24, 10)]
    [InlineData("hopper-hop", 7, 7, 4, 15, 4)]
    [InlineData("finger-spin", 3, 3, 2, 9, 2)]
    [InlineData("ball_in_cup-catch", 4, 4, 2, 8, 10)]
    public void ModelsLoadWithDmcDimensionsAndTiming(string id, int nq, int nv, int nu, int state, int substeps)
    {
        using var env = Bare(id);
        Assert.Equal((nq, nv, nu), (env.Sim.Nq, env.Sim.Nv, env.Sim.Nu));
        Assert.Equal(substeps, env.Substeps);
        Assert.Equal(state, env.ObservationSpace["state"].Size);
        Assert.Equal($"Box(-1, 1, ({nu},))", env.ActionSpace.ToString());
        var spec = EnvRegistry.Spec(id);
        Assert.Equal((1000, 2, "dmc"), (spec.MaxEpisodeSteps, spec.ActionRepeat, spec.Suite));
        Assert.Equal(state, env.Reset(0).State.Length);
    }

    [MujocoFact]
    public void EpisodesLast1000EnvStepsAnd500AgentStepsWithTheDefaultRepeat()
    {
        using var env = EnvRegistry.Make("cartpole-balance", new EnvOptions { ActionRepeat = 1 });
        env.Reset(0);
        int n = 1;
        while (!env.Step([0f]).Done) n++;
        Assert.Equal(1000, n);
        using var repeated = EnvRegistry.Make("pendulum-swingup");
        repeated.Reset(0);
        n = 1;
        StepResult r;
        while (!(r = repeated.Step([0.5f])).Done) { n++; Assert.InRange(r.Reward, 0, 2); }
        Assert.Equal(500, n);
        Assert.True(r.Truncated);
        Assert.False(r.Terminated);
    }

    [MujocoFact]
    public void UprightCartpoleAtRestGetsRewardOneAndHangingGetsNone()
    {
        foreach (var (id, sparse) in new[] { ("cartpole-balance", false), ("cartpole-balance-sparse", true), ("cartpole-swingup", false), ("cartpole-swingup-sparse", true) })
        {
            using var env = Bare(id);
            var obs = env.SetState([0, 0], [0, 0]);
            Assert.Equal([0f, 1f, 0f, 0f, 0f], obs.State);
            var r = env.Step([0f]);
            Assert.Equal(1f, r.Reward, 5);
            env.SetState([0, Math.PI], [0, 0]);
            Assert.Equal(-1f, env.Step([0f]).Observation.State[1], 5);
            Assert.InRange(env.Step([0f]).Reward, 0, sparse ? 0 : 1e-6f);
            // Dense reward with a full push: the control term is (4 + 0)/5.
            env.SetState([0, 0], [0, 0]);
            Assert.Equal(sparse ? 1f : 0.8f, env.Step([1f]).Reward, 2);
        }
    }

    [MujocoFact]
    public void PendulumReacherWalkerHopperFingerAndCupRewardKnownStates()
    {
        using (var p = Bare("pendulum-swingup"))
        {
            p.SetState([0], [0]);
            Assert.Equal(1f, p.Step([0f]).Reward);
            p.SetState([Math.PI / 2], [0]);
            Assert.Equal(0f, p.Step([0f]).Reward);
        }
        using (var r = Bare("reacher-hard"))
        {
            r.Reset(3);
            r.Sim.GeomPos[3 * r.Sim.Id(MjObj.Geom, "target")] = 0.24; // the finger's spot with both joints at 0
            r.Sim.GeomPos[3 * r.Sim.Id(MjObj.Geom, "target") + 1] = 0;
            var obs = r.SetState([0, 0], [0, 0]);
            Assert.Equal(0f, obs.State[2], 6);
            Assert.Equal(1f, r.Step([0f, 0f]).Reward);
            r.SetState([Math.PI / 2, 0], [0, 0]);
            Assert.Equal(0f, r.Step([0f, 0f]).Reward);
        }
        using (var w = Bare("walker-stand"))
        {
            w.SetState(new double[9], new double[9]); // standing straight, torso at 1.3 m
            Assert.Equal(1f, w.Step(new float[6]).Reward, 4);
        }
        using (var w = Bare("walker-walk"))
        {
            w.SetState(new double[9], new double[9]);
            Assert.Equal(1f / 6, w.Step(new float[6]).Reward, 3); // standing still: move = 0
        }
        using (var h = Bare("hopper-stand"))
        {
            h.SetState(new double[7], new double[7]);
            Assert.Equal(1f, h.Step(new float[4]).Reward, 4);
            h.SetState(new double[7], new double[7]);
            Assert.Equal(0.8f, h.Step([1f, 1f, 1f, 1f]).Reward, 4);
        }
        using (var f = Bare("finger-spin"))
        {
            f.Reset(1);
            f.SetState([-1.5, 0, 0], [0, 0, -20]);
            Assert.Equal(1f, f.Step(new float[2]).Reward);
            f.SetState([-1.5, 0, 0], [0, 0, 20]);
            Assert.Equal(0f, f.Step(new float[2]).Reward);
        }
        using (var c = Bare("ball_in_cup-catch"))
        {
            c.SetState([0, 0, 0, 0.35], new double[4]); // ball centre at the cup's target (z .55)
            Assert.Equal(1f, c.Step(new float[2]).Reward);
            c.SetState([0, 0, 0.15, 0.3], new double[4]);
            Assert.Equal(0f, c.Step(new float[2]).Reward);
        }
    }

    [MujocoFact]
    public void ResetDistributionsFollowDmc()
    {
        using var balance = Bare("cartpole-balance");
        using var swing = Bare("cartpole-swingup");
        using var pend = Bare("pendulum-swingup");
        using var reacher = Bare("reacher-easy");
        using var walker = Bare("walker-run");
        using var cup = Bare("ball_in_cup-catch");
        using var finger = Bare("finger-spin");
        balance.Reset(1); swing.Reset(1); pend.Reset(1); reacher.Reset(1); walker.Reset(1); cup.Reset(1); finger.Reset(1);
        var xs = new List<double>(); var cosines = new List<double>(); var rooty = new List<double>();
        int target = reacher.Sim.Id(MjObj.Geom, "target");
        for (int i = 0; i < 200; i++)
        {
            balance.Reset();
            Assert.InRange(balance.Sim.Qpos[0], -0.1, 0.1);
            Assert.InRange(balance.Sim.Qpos[1], -0.034, 0.034);
            xs.Add(balance.Sim.Qpos[0]);
            Assert.InRange(swing.Reset().State[1], -1f, -0.99f); // hanging: cos θ ≈ −1
            cosines.Add(pend.Reset().State[0]);
            reacher.Reset();
            double tr = Math.Sqrt(Math.Pow(reacher.Sim.GeomPos[3 * target], 2) + Math.Pow(reacher.Sim.GeomPos[3 * target + 1], 2));
            Assert.InRange(tr, 0.05, 0.2);
            Assert.InRange(reacher.Sim.Qpos[1], -160 * Math.PI / 180, 160 * Math.PI / 180);
            walker.Reset();
            rooty.Add(walker.Sim.Qpos[2]);
            Assert.InRange(walker.Sim.Qpos[3], -20 * Math.PI / 180, 100 * Math.PI / 180);
            cup.Reset();
            Assert.Equal(0, cup.Sim.Ncon);
            Assert.InRange(cup.Sim.Qpos[2], -0.2, 0.2);
            Assert.InRange(cup.Sim.Qpos[3], 0.2, 0.5);
            if (i % 10 == 0) { finger.Reset(); Assert.Equal(0, finger.Sim.Ncon); Assert.Equal(0.03, finger.Sim.DofDamping[2]); }
        }
        Assert.True(xs.Min() < -0.08 && xs.Max() > 0.08, "cart positions cover U(−.1, .1)");
        Assert.True(cosines.Min() < -0.95 && cosines.Max() > 0.95, "pendulum angles cover U(−π, π)");
        Assert.True(rooty.Min() < -2.8 && rooty.Max() > 2.8 && rooty.All(a => a >= -Math.PI && a <= Math.PI), "walker rooty covers U(−π, π)");
    }

    [MujocoFact]
    public void CheetahSettlesOnTheGroundBeforeTheEpisodeStarts()
    {
        using var env = Bare("cheetah-run");
        env.Reset(4);
        Assert.Equal(0, env.Sim.Time);
        Assert.InRange(env.Sim.Qpos[1], -0.4, 0.1); // rootz: resting near its initial height, not in the air
        Assert.InRange(Math.Abs(env.Sim.Qvel[0]), 0, 0.5);
    }

    [MujocoFact]
    public void AnUnstableStateEndsTheEpisodeWithAFlagAndAFiniteObservation()
    {
        foreach (string id in new[] { "pendulum-swingup", "cartpole-swingup", "walker-walk" })
        {
            using var env = Bare(id);
            env.Reset(0);
            var qvel = new double[env.Sim.Nv];
            qvel[0] = double.NaN;
            env.SetState(env.Sim.Qpos.ToArray(), qvel);
            var r = env.Step(new float[env.ActionSpace.Size]);
            Assert.True(r.Truncated, id);
            Assert.False(r.Terminated);
            Assert.Equal(0f, r.Reward);
            Assert.True(env.PhysicsFailed);
            Assert.StartsWith("MuJoCo instability: Nan, Inf or huge value in Q", env.PhysicsError, StringComparison.Ordinal);
            Assert.All(r.Observation.State, v => Assert.True(float.IsFinite(v)));
            Assert.Contains("(truncated)", Assert.Throws<InvalidOperationException>(() => env.Step(new float[env.ActionSpace.Size])).Message);
            env.Reset();
            Assert.False(env.PhysicsFailed);
            Assert.False(env.Step(new float[env.ActionSpace.Size]).Done);
        }
    }

    [MujocoFact(requiresShim: true)]
    public unsafe void AMujocoErrorInAStepEndsTheEpisodeInsteadOfTheProcess()
    {
        using var env = Bare("walker-walk");
        env.Reset(0);
        int* nstack = (int*)env.Sim.Data; // mjData.nstack (mjtNums of scratch memory) is the first field
        int saved = *nstack;
        *nstack = 10; // far too small: mj_step raises mju_error("... stack overflow ...")
        var r = env.Step(new float[6]);
        Assert.True(r.Truncated);
        Assert.True(env.PhysicsFailed);
        Assert.StartsWith("MuJoCo error: ", env.PhysicsError);
        Assert.Contains("stack", env.PhysicsError, StringComparison.OrdinalIgnoreCase);
        Assert.Throws<MujocoException>(() => env.Reset());
        *nstack = saved;
        env.Reset(0);
        Assert.False(env.Step(new float[6]).Done);
    }

    [Fact]
    public void WithoutLibmujocoMakingAnEnvSaysWhatToInstall()
    {
        if (MjNative.IsAvailable)
        {
            Assert.Null(MjNative.UnavailableReason);
            return;
        }
        var e = Assert.Throws<MujocoException>(() => EnvRegistry.Make("cartpole-swingup"));
        Assert.Contains("apt-get install -y libmujoco2.2.2", e.Message);
    }

    [MujocoFact]
    public void ABadModelFileIsAMujocoExceptionWithMujocosMessage()
    {
        string path = Path.Combine(Path.GetTempPath(), $"reverie-bad-{Guid.NewGuid():N}.xml");
        File.WriteAllText(path, "<mujoco><worldbody><bogus/></worldbody></mujoco>");
        try
        {
            var e = Assert.Throws<MujocoException>(() => new MjSim(path));
            Assert.StartsWith($"MuJoCo could not load '{path}': ", e.Message);
            Assert.Contains("bogus", e.Message);
        }
        finally { File.Delete(path); }
        Assert.Throws<MujocoException>(() => new MjSim("/nonexistent/model.xml"));
    }
}

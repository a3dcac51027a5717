// Classic control: single steps against hand calculations and reference_values.py, episode-end rules, resets.
using Reverie.Envs.Classic;

namespace Reverie.Envs.Tests.Classic;

public class CartPoleTests
{
    [Fact]
    public void OneStepMatchesTheEquationsByHand()
    {
        var env = new CartPole();
        env.SetState(0.1, -0.2, 0.05, 0.3);
        var r = env.Step(1);
        // F = +10, M = 1.1, m_p·l = 0.05
        double sin = Math.Sin(0.05), cos = Math.Cos(0.05);
        double temp = (10 + 0.05 * 0.09 * sin) / 1.1;
        double thetaAcc = (9.8 * sin - cos * temp) / (0.5 * (4.0 / 3.0 - 0.1 * cos * cos / 1.1));
        double xAcc = temp - 0.05 * thetaAcc * cos / 1.1;
        var s = env.State;
        Assert.Equal(0.1 + 0.02 * -0.2, s.X, 15);          // x uses the old velocity (explicit Euler)
        Assert.Equal(-0.2 + 0.02 * xAcc, s.XDot, 15);
        Assert.Equal(0.05 + 0.02 * 0.3, s.Theta, 15);
        Assert.Equal(0.3 + 0.02 * thetaAcc, s.ThetaDot, 15);
        // reference_values.py: cartpole one step
        Assert.Equal(-0.005625065781779709, s.XDot, 14);
        Assert.Equal(0.02349585151852651, s.ThetaDot, 14);
        Assert.Equal(new[] { 0.096f, (float)s.XDot, 0.056f, (float)s.ThetaDot }, r.Observation.State);
        Assert.Equal(1f, r.Reward);
        Assert.False(r.Terminated);
        Assert.False(r.Truncated);
    }

    [Fact]
    public void TrajectoryTerminatesWhenThePoleFallsPastTwelveDegrees()
    {
        var env = new CartPole();
        env.SetState(0.01, 0.02, -0.03, 0.04);
        int t = 0;
        StepResult r;
        do { r = env.Step(t < 20 ? t % 2 : 0); t++; } while (!r.Terminated);
        // reference_values.py: terminates after 29 steps
        Assert.Equal(29, t);
        Assert.Equal(1f, r.Reward); // +1 on the terminal step too
        var s = env.State;
        Assert.Equal(-0.15755753358302393, s.X, 12);
        Assert.Equal(-1.74240860829046, s.XDot, 12);
        Assert.Equal(0.2562771137653401, s.Theta, 12);
        Assert.Equal(2.888531086034424, s.ThetaDot, 12);
    }

    [Theory]
    [InlineData(2.39, 0, 0, 0, false)]
    [InlineData(2.41, 0, 0, 0, true)]          // x + τẋ with ẋ = 0
    [InlineData(-2.41, 0, 0, 0, true)]
    [InlineData(0, 0, 0.2094, 0, false)]
    [InlineData(0, 0, 0.2095, 0, true)]        // 12° = 0.20944 rad
    [InlineData(0, 0, -0.2095, 0, true)]
    public void TerminatesOutsideTheThresholds(double x, double xDot, double theta, double thetaDot, bool terminated)
    {
        var env = new CartPole();
        env.SetState(x, xDot, theta, thetaDot);
        Assert.Equal(terminated, env.Step(0).Terminated);
    }

    [Fact]
    public void ResetIsUniformInFiveHundredthsAndNeverTruncates()
    {
        var env = new CartPole();
        for (ulong seed = 0; seed < 50; seed++)
            Assert.All(env.Reset(seed).State, v => Assert.InRange(v, -0.05f, 0.05f));
        env.Reset(1);
        for (int i = 0; i < 600; i++)
        {
            var r = env.Step(i % 2); // alternating pushes keep it up for a while
            Assert.False(r.Truncated);
            if (r.Terminated) break;
        }
    }
}

public class PendulumTests
{
    [Fact]
    public void OneStepMatchesTheEquationsByHand()
    {
        var env = new Pendulum();
        env.SetState(2.0, -3.0);
        var r = env.Step([1.5f]);
        double newThetaDot = -3.0 + (3 * 10 / 2.0 * Math.Sin(2.0) + 3.0 * 1.5) * 0.05;
        Assert.Equal(newThetaDot, env.State.ThetaDot, 14);
        Assert.Equal(2.0 + newThetaDot * 0.05, env.State.Theta, 14);        // θ uses the new velocity
        Assert.Equal(-(4.0 + 0.1 * 9.0 + 0.001 * 2.25), r.Reward, 5);        // pre-update state
        Assert.Equal(-4.90225f, r.Reward);
        Assert.Equal(-2.0930269298807387, env.State.ThetaDot, 14);          // reference_values.py
        Assert.Equal(new[] { (float)Math.Cos(env.State.Theta), (float)Math.Sin(env.State.Theta), (float)newThetaDot }, r.Observation.State);
    }

    [Fact]
    public void TorqueIsClippedAndTheAngleNormalizedInTheReward()
    {
        var env = new Pendulum();
        env.SetState(4.5, 7.9);
        var r = env.Step([5f]); // clipped to 2
        double thn = 4.5 - 2 * Math.PI;
        Assert.Equal(-(thn * thn + 0.1 * 7.9 * 7.9 + 0.001 * 4), r.Reward, 5);
        Assert.Equal(-9.424749839741155, r.Reward, 5);
        Assert.Equal(7.466852411751177, env.State.ThetaDot, 13);
        Assert.Equal(4.873342620587559, env.State.Theta, 13); // not wrapped
    }

    [Fact]
    public void VelocityIsClippedToEight()
    {
        var env = new Pendulum();
        env.SetState(Math.PI / 2, 7.9);
        env.Step([-2f]);
        // 7.9 + (15·1 − 6)·0.05 = 8.35 → 8
        Assert.Equal(8.0, env.State.ThetaDot);
        Assert.Equal(Math.PI / 2 + 8 * 0.05, env.State.Theta, 14);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(Math.PI, -Math.PI)]
    [InlineData(-Math.PI, -Math.PI)]
    [InlineData(3 * Math.PI / 2, -Math.PI / 2)]
    [InlineData(-3 * Math.PI / 2, Math.PI / 2)]
    [InlineData(7.0, 7.0 - 2 * Math.PI)]
    public void AngleNormalizeIsAFlooredModulo(double x, double expected) =>
        Assert.Equal(expected, Pendulum.AngleNormalize(x), 12);

    [Fact]
    public void FiftyStepsMatchTheReference()
    {
        var env = new Pendulum();
        env.SetState(Math.PI - 0.1, 0.5);
        for (int t = 0; t < 50; t++)
            Assert.False(env.Step([(float)(2.0 * Math.Sin(0.3 * t))]).Done);
        Assert.Equal(3.089697494415494, env.State.Theta, 12);
        Assert.Equal(-1.0357744976063201, env.State.ThetaDot, 12);
    }

    [Fact]
    public void ResetDrawsThetaInPiAndVelocityInOne()
    {
        var env = new Pendulum();
        double minTh = 0, maxTh = 0;
        for (ulong seed = 0; seed < 200; seed++)
        {
            env.Reset(seed);
            var (th, thd) = env.State;
            Assert.InRange(th, -Math.PI, Math.PI);
            Assert.InRange(thd, -1, 1);
            minTh = Math.Min(minTh, th); maxTh = Math.Max(maxTh, th);
        }
        Assert.True(minTh < -2.5 && maxTh > 2.5, $"θ range [{minTh}, {maxTh}] is not spread over (−π, π)");
    }
}

public class AcrobotTests
{
    [Fact]
    public void OneStepIsOneRk4StepOfTheBookDynamics()
    {
        var env = new Acrobot();
        env.SetState(0.3, -0.2, 0.5, -1.0);
        var r = env.Step(2); // torque +1
        // Hand RK4 over Acrobot.Derivs, whose formula is checked against the equations below.
        double[] y = [0.3, -0.2, 0.5, -1.0], k1 = new double[4], k2 = new double[4], k3 = new double[4], k4 = new double[4];
        Acrobot.Derivs(y, 1, k1);
        Acrobot.Derivs(Add(y, k1, 0.1), 1, k2);
        Acrobot.Derivs(Add(y, k2, 0.1), 1, k3);
        Acrobot.Derivs(Add(y, k3, 0.2), 1, k4);
        var s = env.State;
        double[] got = [s.Theta1, s.Theta2, s.Dtheta1, s.Dtheta2];
        for (int i = 0; i < 4; i++) Assert.Equal(y[i] + 0.2 / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]), got[i], 14);
        // reference_values.py: acrobot one step
        double[] reference = [0.3422438766639251, -0.30931685281977855, -0.08717174222764312, -0.07306921813854794];
        for (int i = 0; i < 4; i++) Assert.Equal(reference[i], got[i], 13);
        Assert.Equal(-1f, r.Reward);
        Assert.False(r.Terminated);
        Assert.Equal(new[] { (float)Math.Cos(got[0]), (float)Math.Sin(got[0]), (float)Math.Cos(got[1]), (float)Math.Sin(got[1]), (float)got[2], (float)got[3] },
            r.Observation.State);
    }

    [Fact]
    public void DerivativesMatchTheEquationsAtAPoint()
    {
        // θ1 = 0.3, θ2 = −0.2, θ̇1 = 0.5, θ̇2 = −1, a = 1; all constants 1 except lc = 0.5, g = 9.8.
        double c2 = Math.Cos(-0.2), s2 = Math.Sin(-0.2);
        double d1 = 0.25 + (1 + 0.25 + c2) + 2, d2 = (0.25 + 0.5 * c2) + 1;
        double phi2 = 0.5 * 9.8 * Math.Cos(0.3 - 0.2 - Math.PI / 2);
        double phi1 = -0.5 * 1 * s2 - 2 * 0.5 * -1.0 * 0.5 * s2 + 1.5 * 9.8 * Math.Cos(0.3 - Math.PI / 2) + phi2;
        double dd2 = (1 + d2 / d1 * phi1 - 0.5 * 0.25 * s2 - phi2) / (0.25 + 1 - d2 * d2 / d1);
        double dd1 = -(d2 * dd2 + phi1) / d1;
        var ds = new double[4];
        Acrobot.Derivs([0.3, -0.2, 0.5, -1.0], 1, ds);
        Assert.Equal(new[] { 0.5, -1.0, dd1, dd2 }, ds, (a, b) => Math.Abs(a - b) < 1e-13);
    }

    [Fact]
    public void HangingStillStaysStillWithoutTorque()
    {
        var env = new Acrobot();
        env.SetState(0, 0, 0, 0);
        var r = env.Step(1);
        // Not exactly 0: cos(−π/2) is 6e-17 in floating point, as in Gymnasium.
        var s = env.State;
        Assert.All(new[] { s.Theta1, s.Theta2, s.Dtheta1, s.Dtheta2 }, v => Assert.InRange(v, -1e-14, 1e-14));
        Assert.Equal(new[] { 1f, 0f, 1f, 0f, 0f, 0f }, r.Observation.State, (a, b) => Math.Abs(a - b) < 1e-6f);
    }

    [Fact]
    public void AnglesWrapAndVelocitiesClip()
    {
        Assert.Equal(3.5 - 2 * Math.PI, Acrobot.Wrap(3.5, -Math.PI, Math.PI), 14);
        Assert.Equal(-7 + 2 * Math.PI, Acrobot.Wrap(-7, -Math.PI, Math.PI), 14);
        Assert.Equal(Math.PI, Acrobot.Wrap(Math.PI, -Math.PI, Math.PI));
        var env = new Acrobot();
        env.SetState(3.1, 0, 60, -60); // spins past π and beyond both speed limits
        env.Step(1);
        var s = env.State;
        Assert.InRange(s.Theta1, -Math.PI, Math.PI);
        Assert.Equal(4 * Math.PI, s.Dtheta1);
        Assert.Equal(-9 * Math.PI, s.Dtheta2);
    }

    [Fact]
    public void FortyStepsMatchTheReference()
    {
        var env = new Acrobot();
        env.SetState(0.05f, -0.02f, 0.01f, 0.03f);
        int[] pattern = [2, 0, 1];
        for (int t = 0; t < 40; t++) env.Step(t < 30 ? pattern[t % 3] : 2);
        var s = env.State;
        Assert.Equal(-0.0005076200151015522, s.Theta1, 11);
        Assert.Equal(0.282970149091412, s.Theta2, 11);
        Assert.Equal(0.26369246154079934, s.Dtheta1, 11);
        Assert.Equal(-0.7480023245010782, s.Dtheta2, 11);
    }

    [Fact]
    public void TerminatesWithRewardZeroWhenTheTipIsHighEnough()
    {
        Assert.True(Acrobot.IsTerminal(Math.PI, 0));         // straight up: −(−1) − (−1) = 2
        Assert.False(Acrobot.IsTerminal(0, 0));              // hanging: −2
        Assert.False(Acrobot.IsTerminal(Math.PI / 2, 0));    // horizontal: 0
        var env = new Acrobot();
        env.SetState(Math.PI, 0, 0, 0); // inverted; one step later it is still near the top
        var r = env.Step(1);
        Assert.True(r.Terminated);
        Assert.Equal(0f, r.Reward);
        var e = Assert.Throws<InvalidOperationException>(() => env.Step(1));
        Assert.Equal("acrobot: Step called after the episode ended (terminated); call Reset to start a new episode", e.Message);
    }

    [Fact]
    public void ResetIsFloatRoundedAndWithinATenth()
    {
        var env = new Acrobot();
        env.Reset(3);
        var s = env.State;
        foreach (double v in new[] { s.Theta1, s.Theta2, s.Dtheta1, s.Dtheta2 })
        {
            Assert.InRange(v, -0.1, 0.1);
            Assert.Equal((double)(float)v, v);
        }
    }

    private static double[] Add(double[] y, double[] k, double h) => [.. y.Select((v, i) => v + h * k[i])];
}

public class MountainCarContinuousTests
{
    [Fact]
    public void OneStepMatchesTheEquationsByHand()
    {
        var env = new MountainCarContinuous();
        env.SetState(-0.5, 0.01);
        var r = env.Step([0.7f]);
        double v = 0.01 + (double)0.7f * 0.0015 - 0.0025 * Math.Cos(-1.5);
        Assert.Equal((double)(float)v, env.State.Velocity);
        Assert.Equal((double)(float)(-0.5 + v), env.State.Position);
        Assert.Equal(-0.1 * 0.7f * 0.7f, r.Reward, 6);
        Assert.Equal(-0.4891268312931061, env.State.Position, 7);
        Assert.False(r.Terminated);
    }

    [Fact]
    public void ForceIsClippedButTheRewardUsesTheRawAction()
    {
        var a = new MountainCarContinuous(); a.SetState(-0.5, 0);
        var b = new MountainCarContinuous(); b.SetState(-0.5, 0);
        var ra = a.Step([3f]);
        var rb = b.Step([1f]);
        Assert.Equal(b.State, a.State);                 // same force
        Assert.Equal(-0.9f, ra.Reward, 6);               // −0.1·3²
        Assert.Equal(-0.1f, rb.Reward, 6);
    }

    [Fact]
    public void TheLeftWallStopsTheCar()
    {
        var env = new MountainCarContinuous();
        env.SetState(-1.19, -0.05);
        env.Step([-1f]);
        Assert.Equal(((double)(float)-1.2, 0.0), env.State);
    }

    [Fact]
    public void VelocityIsClipped()
    {
        var env = new MountainCarContinuous();
        env.SetState(-0.6, 0.0699); // cos(−1.8) < 0: gravity pushes right too
        env.Step([1f]);
        Assert.Equal((double)(float)0.07, env.State.Velocity);
    }

    [Fact]
    public void ReachingTheFlagTerminatesWithTheBonus()
    {
        var env = new MountainCarContinuous();
        env.SetState(0.44, 0.02);
        var r = env.Step([0.5f]);
        Assert.True(r.Terminated);
        Assert.Equal(100 - 0.025f, r.Reward, 4);
        // Moving left past the flag does not count.
        env.SetState(0.5, -0.001);
        Assert.False(env.Step([-1f]).Terminated);
    }

    [Fact]
    public void HundredStepsMatchTheReference()
    {
        var env = new MountainCarContinuous();
        env.SetState(-0.5, 0);
        for (int t = 0; t < 100; t++) env.Step([(t / 25) % 2 == 0 ? 1f : -1f]);
        Assert.Equal((double)(float)-0.18629156053066254, env.State.Position);
        Assert.Equal((double)(float)-0.021489707753062248, env.State.Velocity);
    }

    [Fact]
    public void ResetPutsTheCarInTheValleyAtRest()
    {
        var env = new MountainCarContinuous();
        for (ulong seed = 0; seed < 30; seed++)
        {
            var obs = env.Reset(seed).State;
            Assert.InRange(obs[0], -0.6f, -0.4f);
            Assert.Equal(0f, obs[1]);
        }
    }
}

// GaeTests: GAE on a hand-worked example, against CleanRL's loop, and with truncation bootstrapping.
using Reverie.Agents.ModelFree;

namespace Reverie.Agents.Tests.ModelFree;

public class GaeTests
{
    private static float[] Run(float[] r, float[] v, float[] next, bool[] term, bool[] trunc, int envs, float gamma, float lambda)
    {
        var adv = new float[r.Length];
        Gae.Compute(r, v, next, term, trunc, envs, gamma, lambda, adv);
        return adv;
    }

    // γ = λ = 0.5, r = [1, 2, 3], V = [0.5, 1, 1.5], V' = [1, 1.5, 2]:
    // δ2 = 3 + 0.5·2 − 1.5 = 2.5;  δ1 = 2 + 0.5·1.5 − 1 = 1.75;  δ0 = 1 + 0.5·1 − 0.5 = 1
    // A2 = 2.5;  A1 = 1.75 + 0.25·2.5 = 2.375;  A0 = 1 + 0.25·2.375 = 1.59375
    [Fact]
    public void Hand_worked_example()
    {
        float[] r = [1, 2, 3], v = [0.5f, 1, 1.5f], next = [1, 1.5f, 2];
        var adv = Run(r, v, next, new bool[3], new bool[3], 1, 0.5f, 0.5f);
        Assert.Equal([1.59375f, 2.375f, 2.5f], adv);
    }

    // Terminated at t = 1: no bootstrap and no carry: δ1 = 2 − 1 = 1 = A1; A0 = 1 + 0.25·1 = 1.25.
    [Fact]
    public void Termination_stops_bootstrap_and_carry()
    {
        float[] r = [1, 2, 3], v = [0.5f, 1, 1.5f], next = [1, 99, 2];
        var adv = Run(r, v, next, [false, true, false], new bool[3], 1, 0.5f, 0.5f);
        Assert.Equal([1.25f, 1f, 2.5f], adv);
    }

    // Truncated at t = 1 with V(final obs) = 4: δ1 = 2 + 0.5·4 − 1 = 3 = A1 (no carry across the cut); A0 = 1 + 0.25·3 = 1.75.
    [Fact]
    public void Truncation_bootstraps_from_the_final_observation_but_cuts_the_carry()
    {
        float[] r = [1, 2, 3], v = [0.5f, 1, 1.5f], next = [1, 4, 2];
        var adv = Run(r, v, next, new bool[3], [false, true, false], 1, 0.5f, 0.5f);
        Assert.Equal([1.75f, 3f, 2.5f], adv);
    }

    [Fact]
    public void Matches_cleanrl_loop_over_dones_on_random_rollouts()
    {
        var rnd = new Random(3);
        foreach (var (T, N) in new[] { (1, 1), (7, 3), (128, 4), (5, 1) })
        {
            int B = T * N;
            var r = Enumerable.Range(0, B).Select(_ => (float)rnd.NextDouble() * 2 - 1).ToArray();
            var v = Enumerable.Range(0, B).Select(_ => (float)rnd.NextDouble()).ToArray();
            var done = Enumerable.Range(0, B).Select(_ => rnd.NextDouble() < 0.1).ToArray();
            var lastValue = Enumerable.Range(0, N).Select(_ => (float)rnd.NextDouble()).ToArray();
            const float gamma = 0.99f, lambda = 0.95f;

            // CleanRL's ppo.py: dones[t] says whether obs t starts a new episode (the step before it ended).
            var expected = new float[B];
            for (int n = 0; n < N; n++)
            {
                float last = 0;
                for (int t = T - 1; t >= 0; t--)
                {
                    int i = t * N + n;
                    float nextNonTerminal = done[i] ? 0f : 1f;        // = 1 − dones[t + 1] (next_done at t = T − 1)
                    float nextValues = t == T - 1 ? lastValue[n] : v[i + N];
                    float delta = r[i] + gamma * nextValues * nextNonTerminal - v[i];
                    expected[i] = last = delta + gamma * lambda * nextNonTerminal * last;
                }
            }
            var next = new float[B];
            for (int i = 0; i < B; i++) next[i] = i + N < B ? v[i + N] : lastValue[i % N];
            var adv = Run(r, v, next, done, new bool[B], N, gamma, lambda);
            for (int i = 0; i < B; i++) Assert.Equal(expected[i], adv[i], 5);
        }
    }

    [Fact]
    public void Bad_arguments_throw_with_the_reason()
    {
        var e = Assert.Throws<ArgumentException>(() => Run(new float[4], new float[4], new float[3], new bool[4], new bool[4], 2, 0.9f, 0.9f));
        Assert.Contains("nextValues 3", e.Message);
        e = Assert.Throws<ArgumentException>(() => Run(new float[5], new float[5], new float[5], new bool[5], new bool[5], 2, 0.9f, 0.9f));
        Assert.Contains("not a multiple of 2 envs", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Run(new float[2], new float[2], new float[2], new bool[2], new bool[2], 1, 1.5f, 0.9f));
    }
}

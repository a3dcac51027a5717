// RolloutCommand: `reverie rollout`: random actions on a vector env, printing env steps per second.
using System.Diagnostics;
using Reverie.Envs;

namespace Reverie.Cli.Commands;

/// <summary><c>reverie rollout --env E [--steps N] [--envs K] [--seed S] [--pixels]</c>.</summary>
public static class RolloutCommand
{
    private const string Help = """
        usage: reverie rollout --env E [--steps N] [--envs K] [--seed S] [--pixels]

        Steps K copies of env E with uniform random actions for N env steps in total and prints the
        speed (env steps per second), episodes and mean return.

          --env E      env id (reverie envs)
          --steps N    env steps in total (default 10000)
          --envs K     envs stepped in parallel (default 1)
          --seed S     seed (default 0)
          --pixels     render an image observation every step
        """;

    /// <summary>Runs the verb.</summary>
    public static int Run(string[] argv)
    {
        var args = Args.Parse("rollout", argv, Args.Declare("env", "steps", "envs", "seed", "pixels!"));
        if (args.Help) { Console.Out.Write(Help); return ExitCodes.Ok; }
        if (args.Positionals.Count > 0) throw new UsageException($"unexpected argument '{args.Positionals[0]}'");
        string id = args.Require("rollout", "env");
        long steps = args.Long("rollout", "steps", 10_000, min: 1);
        int n = (int)args.Long("rollout", "envs", 1, min: 1);
        ulong seed = (ulong)args.Long("rollout", "seed", 0);
        using var env = RunSetup.Lookup(() => VectorEnv.Make(id, n, new EnvOptions { Pixels = args.Flag("pixels") }));
        var rng = new EnvRng(seed);
        var actions = new float[n * env.ActionSpace.Size];
        var returns = new double[n];
        double sum = 0; long episodes = 0, taken = 0;
        env.Reset(seed);
        var clock = Stopwatch.StartNew();
        while (taken < steps)
        {
            for (int i = 0; i < n; i++) env.ActionSpace.Sample(rng, actions.AsSpan(i * env.ActionSpace.Size, env.ActionSpace.Size));
            env.Step(actions);
            taken += n;
            for (int i = 0; i < n; i++)
            {
                returns[i] += env.Rewards[i];
                if (env.IsFirst[i]) { sum += returns[i]; episodes++; returns[i] = 0; }
            }
        }
        double seconds = clock.Elapsed.TotalSeconds;
        Console.Out.WriteLine($"{id}: {taken} env steps in {seconds:F3} s = {taken / seconds:F0} steps/s ({n} env(s)); "
            + $"{episodes} episodes, mean return {(episodes > 0 ? (sum / episodes).ToString("F2") : "n/a")}");
        return ExitCodes.Ok;
    }
}

// ModelFreeWorkload: PPO on CartPole and SAC on Pendulum learning runs; prints progress and one JSON summary, writes the eval curve CSV.
// Usage: Reverie.Bench ppo-cartpole|sac-pendulum [--seed S] [--steps N] [--eval-every N] [--episodes K] [--out results/x.csv] [--threads T] [--preset cleanrl|cartpole]
using System.Globalization;
using Reverie.Agents.ModelFree;

namespace Reverie.Bench;

public static class ModelFreeWorkload
{
    public static readonly string[] Names = ["ppo-cartpole", "sac-pendulum"];

    public static void Run(string name, string[] a)
    {
        ulong seed = 1; long? steps = null; long? evalEvery = null; int episodes = 10; string? csv = null; string preset = "cleanrl";
        for (int i = 0; i < a.Length; i++)
        {
            string Next() => i + 1 < a.Length ? a[++i] : throw new ArgumentException($"{a[i]} needs a value");
            switch (a[i])
            {
                case "--seed": seed = ulong.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--steps": steps = long.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--eval-every": evalEvery = long.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--episodes": episodes = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--out": csv = Next(); break;
                case "--preset": preset = Next(); break;
                case "--threads": Reverie.Tensors.Kernels.Gemm.MaxThreads = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown option '{a[i]}'");
            }
        }
        RunResult r;
        string env;
        if (name == "ppo-cartpole")
        {
            env = "cartpole";
            var cfg = (PpoConfig.Presets.TryGetValue(preset, out var p) ? p : throw new ArgumentException($"unknown ppo preset '{preset}'")) with { TotalSteps = steps ?? 100_000 };
            r = ModelFreeRuns.Ppo(cfg, new RunOptions(env, seed, cfg.TotalSteps, evalEvery ?? 5_000, episodes, csv, Console.Out));
        }
        else
        {
            env = "pendulum";
            var cfg = SacConfig.Pendulum with { TotalSteps = steps ?? 15_000 };
            r = ModelFreeRuns.Sac(cfg, new RunOptions(env, seed, cfg.TotalSteps, evalEvery ?? 1_000, episodes, csv, Console.Out));
        }
        Report.Line(new
        {
            workload = name, env, seed, env_steps = r.EnvSteps, final_eval_return = r.FinalReturn,
            train_seconds = Math.Round(r.TrainSeconds, 2), update_seconds = Math.Round(r.UpdateSeconds, 2),
            env_steps_per_second = Math.Round(r.EnvStepsPerSecond), gradient_steps = r.GradientSteps,
            updates_per_second = Math.Round(r.UpdatesPerSecond, 1), wall_seconds = Math.Round(r.Curve[^1].Seconds, 2),
        });
    }
}

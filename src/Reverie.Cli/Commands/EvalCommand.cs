// EvalCommand: `reverie eval`: load a run's checkpoint and evaluate its agent, optionally recording a GIF.
using Reverie.Envs;
using Reverie.Rl.Agents;
using Reverie.Rl.Checkpoints;
using Reverie.Rl.Media;

namespace Reverie.Cli.Commands;

/// <summary><c>reverie eval --logdir DIR [--episodes N] [--video] [--seed S]</c>.</summary>
public static class EvalCommand
{
    private const string Help = """
        usage: reverie eval --logdir DIR [--episodes N] [--video] [--seed S]

        Loads the latest checkpoint of the run in DIR and runs N episodes with the agent in evaluate
        mode. Prints each return and the mean; nothing in DIR changes except, with --video, the GIF
        DIR/videos/eval_final_<step>.gif of the first episode.

          --logdir DIR    the run directory (written by reverie train)
          --episodes N    episodes (default 10)
          --video         record the first episode as a GIF
          --seed S        seed of the episodes (default 12345)
        """;

    /// <summary>Runs the verb.</summary>
    public static int Run(string[] argv)
    {
        var args = Args.Parse("eval", argv, Args.Declare("logdir", "episodes", "video!", "seed"));
        if (args.Help) { Console.Out.Write(Help); return ExitCodes.Ok; }
        if (args.Positionals.Count > 0) throw new UsageException($"unexpected argument '{args.Positionals[0]}'");
        string runDir = args.Require("eval", "logdir");
        int episodes = (int)args.Long("eval", "episodes", 10, min: 1);
        ulong seed = (ulong)args.Long("eval", "seed", 12345);
        var run = RunInfo.Read(runDir);
        var content = Checkpoint.Load(runDir) ?? throw new UsageException($"'{runDir}' has no checkpoint yet");
        var envOptions = RunSetup.RunConfigOf(run).ToEnvOptions();
        using var venv = VectorEnv.Make(run.Env, 1, envOptions);
        using var env = EnvRegistry.Make(run.Env, envOptions);
        using var agent = RunSetup.Agent(run, venv, 1);
        agent.Load(content);
        long step = content.Counters.EnvSteps;
        var action = new float[env.ActionSpace.Size];
        bool[] first = [true];
        var frames = new List<byte[]>();
        double sum = 0;
        for (int e = 0; e < episodes; e++)
        {
            var obs = env.Reset(seed + (ulong)e);
            object carry = agent.InitPolicy(1);
            bool record = e == 0 && args.Flag("video") && Render(env, frames);
            double ret = 0; long length = 0;
            first[0] = true;
            for (bool done = false; !done;)
            {
                carry = agent.Policy(carry, obs, first, PolicyMode.Evaluate, action);
                first[0] = false;
                var r = env.Step(action);
                obs = r.Observation; ret += r.Reward; length++; done = r.Done;
                if (record) Render(env, frames);
            }
            Console.Out.WriteLine($"episode {e}: return {ret:F2}, length {length}");
            sum += ret;
        }
        Console.Out.WriteLine($"{run.Agent} on {run.Env} at env step {step}: mean return {sum / episodes:F2} over {episodes} episodes");
        if (frames.Count > 0)
        {
            string dir = Path.Combine(runDir, "videos");
            Directory.CreateDirectory(dir);
            string path = Path.Combine(dir, $"eval_final_{step}.gif");
            GifWriter.Write(path, frames, 64, 64);
            Console.Out.WriteLine($"video: {path} ({frames.Count} frames)");
        }
        else if (args.Flag("video")) Console.Out.WriteLine($"video: {run.Env} does not render; no GIF written");
        return ExitCodes.Ok;
    }

    private static bool Render(IEnv env, List<byte[]> frames)
    {
        try { frames.Add(env.Render(64, 64)); return true; }
        catch (NotSupportedException) { return false; }
    }
}

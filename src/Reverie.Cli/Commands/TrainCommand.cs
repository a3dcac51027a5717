// TrainCommand: `reverie train`: build env, agent and driver from settings; run with graceful SIGINT/SIGTERM.
using System.Runtime.InteropServices;
using Reverie.Envs;
using Reverie.Rl.Agents;
using Reverie.Rl.Config;
using Reverie.Rl.Driver;
using Reverie.Rl.Logging;

namespace Reverie.Cli.Commands;

/// <summary><c>reverie train --agent A --env E [--preset P,...] [--set k=v ...] [--steps N] [--seed S] [--logdir DIR] [--quiet]</c>.</summary>
public static class TrainCommand
{
    private const string Help = """
        usage: reverie train --agent A --env E [options]

        Trains agent A on env E in a run directory. Running the same command again with the same run
        directory resumes from its checkpoint (counters, replay and agent continue).

        options:
          --agent A        agent name ({agents})
          --env E          env id (reverie envs)
          --preset P,...   presets applied in order, after the agent's defaults for the env (reverie presets)
          --set k=v        override one setting, repeatable (e.g. --set run.train_ratio=64, --set agent.gamma=0.99)
          --steps N        total agent steps (run.steps; x action repeat = simulator steps)
          --seed S         seed (run.seed; default 0)
          --logdir DIR     run directory (default runs/<agent>-<env>-s<seed>)
          --quiet          plain progress lines instead of the live view (default when output is redirected)
          --help           this text

        exit codes: 0 done, 1 failure, 2 usage/config error, 130 interrupted (checkpoint written; rerun to resume)
        """;

    /// <summary>Runs the verb.</summary>
    public static int Run(string[] argv)
    {
        var args = Args.Parse("train", argv, Args.Declare("agent", "env", "preset", "set", "steps", "seed", "logdir", "quiet!"));
        if (args.Help) { Console.Out.Write(Help.Replace("{agents}", string.Join(", ", AgentRegistry.Specs.Select(s => s.Name)))); return ExitCodes.Ok; }
        if (args.Positionals.Count > 0) throw new UsageException($"unexpected argument '{args.Positionals[0]}'");
        string agentName = args.Require("train", "agent"), envId = args.Require("train", "env");
        var spec = RunSetup.Lookup(() => AgentRegistry.Spec(agentName));
        RunSetup.Lookup(() => EnvRegistry.Spec(envId));
        var sets = new List<string> { "run.env=" + envId };
        sets.AddRange(args.Values("set"));
        if (args.Get("steps") is string) sets.Add("run.steps=" + args.Long("train", "steps", 0));
        if (args.Get("seed") is string) sets.Add("run.seed=" + args.Long("train", "seed", 0));
        if (args.Flag("quiet")) sets.Add("run.quiet=true");
        var cfg = RunSetup.Resolve(spec, envId, args.All("preset"), sets);
        var runConfig = cfg.Get<RunConfig>("run");
        var options = DriverOptions.From(runConfig);
        try { options.Validate(); } catch (ArgumentException e) { throw new UsageException(e.Message); }
        var envOptions = runConfig.ToEnvOptions();
        if (runConfig.Threads > 0) Reverie.Tensors.Kernels.Gemm.MaxThreads = runConfig.Threads;
        string runDir = args.Get("logdir") ?? Path.Combine(runConfig.Logdir, $"{agentName}-{envId}-s{options.Seed}");
        var run = new RunInfo(agentName, envId, options.Seed, RunSetup.Flat(cfg));
        CheckSameRun(runDir, run);
        run.Write(runDir);
        cfg.WriteYaml(Path.Combine(runDir, "config.yaml"));

        using var env = VectorEnv.Make(envId, options.Envs, envOptions);
        using var evalEnv = EnvRegistry.Make(envId, envOptions);
        using var agent = RunSetup.Agent(run, env, options.Envs);
        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        RunOutcome outcome;
        using (var view = new ConsoleView(options.Steps, runConfig.Quiet ? true : null))
        using (var driver = new Driver(runDir, agent, env, evalEnv, options, view, runConfig.Tensorboard))
        {
            view.Message($"run directory {runDir}: agent {agentName}, env {envId}, seed {options.Seed}, {options.Envs} env(s), {options.Steps} steps");
            outcome = driver.Run(stop.Token);
            view.Message(outcome == RunOutcome.Completed
                ? $"done: {driver.Counters.EnvSteps} agent steps, {driver.Counters.Updates} updates, {driver.Counters.Episodes} episodes"
                : $"interrupted at agent step {driver.Counters.EnvSteps}; checkpoint written, rerun the same command to resume");
        }
        return outcome == RunOutcome.Completed ? ExitCodes.Ok : ExitCodes.Interrupted;
    }

    // Resuming with another agent or env would load a checkpoint that does not fit.
    private static void CheckSameRun(string runDir, RunInfo run)
    {
        if (!File.Exists(Path.Combine(runDir, RunInfo.FileName))) return;
        var old = RunInfo.Read(runDir);
        if (old.Agent != run.Agent || old.Env != run.Env)
            throw new UsageException($"'{runDir}' holds a run of agent {old.Agent} on {old.Env}, not {run.Agent} on {run.Env}; choose another --logdir");
    }
}

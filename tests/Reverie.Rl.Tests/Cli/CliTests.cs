// CliTests: every reverie verb in-process (help, a real run, usage errors and their exit codes).
using Reverie.Cli;

namespace Reverie.Rl.Tests.Cli;

[Collection("console")]
public class CliTests
{
    private static (int Code, string Out, string Err) Reverie(params string[] args) => CliRunner.Reverie(args);

    [Theory]
    [InlineData("train")]
    [InlineData("eval")]
    [InlineData("envs")]
    [InlineData("presets")]
    [InlineData("rollout")]
    [InlineData("plot")]
    [InlineData("evals")]
    public void EveryVerbHasHelp(string verb)
    {
        var (code, output, _) = Reverie(verb, "--help");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains($"usage: reverie {verb}", output);
    }

    [Fact]
    public void TopLevelHelpAndErrors()
    {
        var (code, output, _) = Reverie("--help");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("exit codes", output);
        Assert.Equal(ExitCodes.Usage, Reverie().Code);
        Assert.Equal(ExitCodes.Usage, Reverie("fly").Code);
        Assert.Contains("unknown option '--nope'", Reverie("envs", "--nope").Err);
        Assert.Contains("--agent is required", Reverie("train", "--env", "count").Err);
        Assert.Contains("unknown agent 'nope'", Reverie("train", "--agent", "nope", "--env", "count").Err);
        Assert.Contains("unknown env id 'nope'", Reverie("train", "--agent", "random", "--env", "nope").Err);
        Assert.Equal(ExitCodes.Usage, Reverie("train", "--agent", "random", "--env", "count", "--set", "run.bogus=1").Code);
        Assert.Equal(ExitCodes.Usage, Reverie("train", "--agent", "random", "--env", "count", "--preset", "nope").Code);
        Assert.Equal(ExitCodes.Usage, Reverie("eval", "--logdir", Path.GetTempPath()).Code);
        Assert.Equal(ExitCodes.Usage, Reverie("rollout", "--env", "count", "--steps", "x").Code);
    }

    [Fact]
    public void EnvsPresetsAndRollout()
    {
        var (code, envs, _) = Reverie("envs");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("pendulum", envs);
        Assert.Contains("count", envs);
        var (pc, presets, _) = Reverie("presets");
        Assert.Equal(ExitCodes.Ok, pc);
        Assert.Contains("debug", presets);
        var (rc, rollout, _) = Reverie("rollout", "--env", "count", "--steps", "1000", "--envs", "2");
        Assert.Equal(ExitCodes.Ok, rc);
        Assert.Contains("steps/s", rollout);
        Assert.Contains("10 episodes, mean return 100.00", rollout);
    }

    [Fact]
    public void TrainEvalAndPlotARun()
    {
        string root = Directory.CreateTempSubdirectory("reverie-cli").FullName;
        foreach (int seed in new[] { 0, 1 })
        {
            var (code, _, err) = Reverie("train", "--agent", "random", "--env", "pendulum", "--preset", "debug", "--steps", "1000",
                "--seed", seed.ToString(), "--set", "run.tensorboard=false", "--quiet", "--logdir", Path.Combine(root, $"rp-s{seed}"));
            Assert.True(code == ExitCodes.Ok, err);
        }
        string run = Path.Combine(root, "rp-s0");
        foreach (var f in new[] { "config.yaml", "run.json", "metrics.jsonl", "scores.csv", "checkpoint/complete", "videos/eval_1000.gif" })
            Assert.True(File.Exists(Path.Combine(run, f)), f);
        var (ec, evalOut, evalErr) = Reverie("eval", "--logdir", run, "--episodes", "2", "--video");
        Assert.True(ec == ExitCodes.Ok, evalErr);
        Assert.Contains("mean return", evalOut);
        Assert.True(File.Exists(Path.Combine(run, "videos", "eval_final_1000.gif")));
        var (plotCode, plotOut, plotErr) = Reverie("plot", Path.Combine(root, "rp-s0"), Path.Combine(root, "rp-s1"), "--out", Path.Combine(root, "curve"));
        Assert.True(plotCode == ExitCodes.Ok, plotErr);
        Assert.Contains("1 curve(s) from 2 run(s)", plotOut);
        Assert.Contains("rp (2 seeds)", File.ReadAllText(Path.Combine(root, "curve.svg")));
        Assert.True(new FileInfo(Path.Combine(root, "curve.png")).Length > 1000);
        Assert.Equal(ExitCodes.Usage, Reverie("train", "--agent", "random", "--env", "count", "--logdir", run).Code); // another env in this run dir
    }

    // A DMC-style env repeats each action twice: the plot's x axis shows env steps (agent steps x the run's repeat:
    // run.action_repeat when set, else the env's default) unless --x agent; runs without a run.json count as repeat 1.
    [Fact]
    public void PlotScalesAgentStepsByTheActionRepeat()
    {
        string root = Directory.CreateTempSubdirectory("reverie-plot").FullName;
        string Run(string name, string? runJson)
        {
            string dir = Path.Combine(root, name);
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "scores.csv"), "kind,step,return,length\neval,5000,10,500\neval,50000,20,500\n");
            if (runJson != null) File.WriteAllText(Path.Combine(dir, "run.json"), runJson);
            return dir;
        }
        string dmc = Run("dmc", """{"Agent": "random", "Env": "cartpole-swingup", "Seed": 1, "Settings": {"run.action_repeat": "0"}}""");
        string four = Run("four", """{"Agent": "random", "Env": "cartpole-swingup", "Seed": 1, "Settings": {"run.action_repeat": "4"}}""");
        string bare = Run("bare", null);
        string Svg(params string[] args)
        {
            var (code, _, err) = Reverie(["plot", .. args, "--out", Path.Combine(root, "p")]);
            Assert.True(code == ExitCodes.Ok, err);
            return File.ReadAllText(Path.Combine(root, "p.svg"));
        }
        var svg = Svg(dmc);
        Assert.Contains(">env steps (agent steps x 2)<", svg);
        Assert.Contains(">100k<", svg);                                   // 50k agent steps = 100k env steps
        svg = Svg(dmc, "--x", "agent");
        Assert.Contains(">agent steps<", svg);
        Assert.DoesNotContain(">100k<", svg);
        Assert.Contains(">env steps (agent steps x 4)<", Svg(four));
        string mt = Run("mt", """{"Agent": "tdmpc2", "Env": "mt-cartpole-reacher", "Seed": 1, "Settings": {"run.action_repeat": "0"}}""");
        Assert.Contains(">env steps (agent steps x 2)<", Svg(mt));         // its tasks repeat twice
        Assert.Contains(">env steps<", Svg(bare));
        Assert.Contains(">env steps (agent steps x each run's action repeat)<", Svg(dmc, four));
        Assert.Equal(ExitCodes.Usage, Reverie("plot", dmc, "--x", "sim").Code);
        File.WriteAllText(Path.Combine(bare, "run.json"), "{not json");
        var (badCode, _, badErr) = Reverie("plot", bare);
        Assert.Equal(ExitCodes.Usage, badCode);
        Assert.Contains("run.json", badErr);
    }

    // `reverie evals` groups a run's eval rows by step (population std over the episodes) and writes the results/ CSV
    // format, with agent_steps only when the action repeat is above 1.
    [Fact]
    public void EvalsSummarizesTheEvaluationRows()
    {
        string root = Directory.CreateTempSubdirectory("reverie-evals").FullName;
        string dmc = Path.Combine(root, "dmc");
        Directory.CreateDirectory(dmc);
        File.WriteAllText(Path.Combine(dmc, "scores.csv"),
            "kind,step,return,length\ntrain,500,3,500\neval,5000,10,500\neval,5000,14,500\neval,10000,20,500\neval,5000,12,500\n");
        File.WriteAllText(Path.Combine(dmc, "run.json"), """{"Agent": "random", "Env": "cartpole-swingup", "Seed": 1, "Settings": {"run.action_repeat": "0"}}""");
        string csv = Path.Combine(root, "out", "eval_s1.csv");
        var (code, output, err) = Reverie("evals", dmc, "--csv", csv);
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("2 evaluation(s), action repeat 2", output);
        // 10, 14, 12: mean 12, population std sqrt(8/3) = 1.633, min 10
        Assert.Equal("agent_steps,env_steps,eval_return_mean,eval_return_std,eval_return_min,episodes\n"
            + "5000,10000,12.000,1.633,10.000,3\n10000,20000,20.000,0.000,20.000,1\n", File.ReadAllText(csv));
        File.Delete(Path.Combine(dmc, "run.json"));                        // no run.json: repeat 1, no agent_steps column
        Assert.Equal(ExitCodes.Ok, Reverie("evals", dmc, "--csv", csv).Code);
        Assert.StartsWith("env_steps,eval_return_mean,eval_return_std,eval_return_min,episodes\n5000,12.000,", File.ReadAllText(csv));
        Assert.Equal(ExitCodes.Usage, Reverie("evals").Code);
        Assert.Contains("--csv needs a path", Reverie("evals", dmc, "--csv", "").Err);
        Assert.Contains("has no scores.csv", Reverie("evals", root).Err);
        File.WriteAllText(Path.Combine(dmc, "scores.csv"), "kind,step,return,length\ntrain,500,3,500\n");
        Assert.Contains("has no eval rows", Reverie("evals", dmc).Err);
        File.WriteAllText(Path.Combine(dmc, "scores.csv"), "kind,step,return,length\neval,5000,abc,500\n");
        var (badCode, _, badErr) = Reverie("evals", dmc);
        Assert.Equal(ExitCodes.Usage, badCode);
        Assert.Contains("line 2", badErr);
        var (plotCode, _, plotErr) = Reverie("plot", dmc, "--out", Path.Combine(root, "p"));   // plot reads it the same way
        Assert.Equal(ExitCodes.Usage, plotCode);
        Assert.Contains("line 2", plotErr);
    }
}

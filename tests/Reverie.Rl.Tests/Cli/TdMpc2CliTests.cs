// TdMpc2CliTests: `reverie train --agent tdmpc2` end to end: default presets, the debug preset, eval, and the errors users meet.
using Reverie.Cli;

namespace Reverie.Rl.Tests.Cli;

[Collection("console")]
public class TdMpc2CliTests
{
    private static (int Code, string Out, string Err) Reverie(params string[] args) => CliRunner.Reverie(args);

    [Fact]
    public void DebugRunOnPendulumPretrainsPlansAndEvaluates()
    {
        using var tmp = new TempDir();
        string run = tmp["tdmpc2"];
        var (code, output, err) = Reverie("train", "--agent", "tdmpc2", "--env", "pendulum", "--preset", "debug", "--quiet",
            "--set", "run.tensorboard=false", "--logdir", run);
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("one update of 8x4 = 32 replayed steps every 1 env steps; 10 pretraining updates when the prefill ends", output);
        Assert.Contains("209 updates", output);                      // 2 envs: 1 + 198 after run.prefill = 100, plus 10 pretraining
        string config = File.ReadAllText(Path.Combine(run, "config.yaml"));
        Assert.Contains("num_samples: 16", config);
        Assert.Contains("pretrain: 10", config);
        Assert.Contains("\"loss/consistency\"", File.ReadAllText(Path.Combine(run, "metrics.jsonl")));
        var (ec, evalOut, evalErr) = Reverie("eval", "--logdir", run, "--episodes", "1");
        Assert.True(ec == ExitCodes.Ok, evalErr);
        Assert.Contains("tdmpc2 on pendulum at env step 300", evalOut);
    }

    [Fact]
    public void PresetsAndErrorsOfTheTdMpc2Agent()
    {
        using var tmp = new TempDir();
        var (code, output, _) = Reverie("presets");
        Assert.Equal(ExitCodes.Ok, code);
        foreach (var p in new[] { "size1", "size5", "tdmpc", "multitask" }) Assert.Contains(p + "\n", output);
        (code, _, var err) = Reverie("train", "--agent", "tdmpc2", "--env", "pendulum", "--set", "agent.num_q=1", "--logdir", tmp["a"]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("config key 'agent.num_q'", err);
        (code, _, err) = Reverie("train", "--agent", "tdmpc2", "--env", "pendulum", "--set", "run.batch_length=8", "--logdir", tmp["b"]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("run.batch_length=4", err);
        (code, _, err) = Reverie("train", "--agent", "tdmpc2", "--env", "cartpole", "--preset", "debug", "--logdir", tmp["c"]);
        Assert.NotEqual(ExitCodes.Ok, code);
        Assert.Contains("for discrete actions use ppo", err);
    }
}

// DreamerCliTests: `reverie train --agent dreamer` end to end through the CLI: the shipped debug preset, the report
// media, checkpoint and resume, and `reverie eval --video` on the trained agent.
using Reverie.Cli;

namespace Reverie.Rl.Tests.Cli;

[Collection("console")]
public class DreamerCliTests
{
    private static (int Code, string Out, string Err) Reverie(params string[] args) => CliRunner.Reverie(args);

    [Fact]
    public void DebugRunOnPendulumTrainsReportsResumesAndEvaluates()
    {
        using var tmp = new TempDir();
        string run = tmp["dreamer"];
        string[] Train(int steps) => ["train", "--agent", "dreamer", "--env", "pendulum", "--preset", "debug", "--steps", steps.ToString(),
            "--quiet", "--set", "run.tensorboard=false", "--set", "run.eval_every=300", "--set", "run.log_every=100", "--logdir", run];
        var (code, output, err) = Reverie(Train(300));
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("one update of 4x8 = 32 replayed steps every 1 env steps", output);   // configs/dreamer.yaml's debug preset
        var config = File.ReadAllLines(Path.Combine(run, "config.yaml")).Select(l => l.Trim()).ToHashSet();
        foreach (var line in new[] { "deter: 8", "hidden: 3", "stoch: 2", "bins: 5", "enc_layers: 1", "dec_layers: 1" }) Assert.Contains(line, config);
        string metrics = File.ReadAllText(Path.Combine(run, "metrics.jsonl"));
        foreach (var key in new[] { "\"loss/dyn\"", "\"loss/policy\"", "\"report/openloop/state_mse_open\"", "\"eval/return\"" }) Assert.Contains(key, metrics);
        Assert.True(File.Exists(Path.Combine(run, "videos", "openloop_state_300.gif")));

        (code, output, err) = Reverie(Train(400));                                             // resumes the same run
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("resuming", output);

        var (ec, evalOut, evalErr) = Reverie("eval", "--logdir", run, "--episodes", "1", "--video");
        Assert.True(ec == ExitCodes.Ok, evalErr);
        Assert.Contains("dreamer on pendulum at env step 400", evalOut);
        Assert.True(File.Exists(Path.Combine(run, "videos", "eval_final_400.gif")));
    }
}

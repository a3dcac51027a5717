// ModelFreeCliTests: `reverie train --agent ppo|sac` end to end: default presets, agent keys, eval, config errors.
using Reverie.Cli;

namespace Reverie.Rl.Tests.Cli;

[Collection("console")]
public class ModelFreeCliTests
{
    private static (int Code, string Out, string Err) Reverie(params string[] args) => CliRunner.Reverie(args);

    [Fact]
    public void PpoOnCartpoleUsesTheTunedPresetTrainsAndEvaluates()
    {
        using var tmp = new TempDir();
        string run = tmp["ppo"];
        var (code, output, err) = Reverie("train", "--agent", "ppo", "--env", "cartpole", "--steps", "512", "--quiet",
            "--set", "run.tensorboard=false", "--set", "agent.hidden=[16, 16]", "--logdir", run);
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("on-policy agent", output);
        Assert.Contains("2 updates", output);                         // 8 envs x 32 steps per rollout: the cartpole preset
        string config = File.ReadAllText(Path.Combine(run, "config.yaml"));
        Assert.Contains("num_steps: 32", config);
        Assert.Contains("gae_lambda: 0.8", config);
        Assert.Contains("prefill: 0", config);
        Assert.DoesNotContain("num_envs", config);                    // run.envs is the one setting
        Assert.Contains("\"agent.hidden\": \"16,16\"", File.ReadAllText(Path.Combine(run, "run.json")));
        var (ec, evalOut, evalErr) = Reverie("eval", "--logdir", run, "--episodes", "2");
        Assert.True(ec == ExitCodes.Ok, evalErr);
        Assert.Contains("ppo on cartpole at env step 512", evalOut);
    }

    [Fact]
    public void SacOnPendulumTrainsFromTheSharedReplay()
    {
        using var tmp = new TempDir();
        string run = tmp["sac"];
        var (code, output, err) = Reverie("train", "--agent", "sac", "--env", "pendulum", "--preset", "debug", "--steps", "300", "--quiet",
            "--set", "run.tensorboard=false", "--set", "run.eval_every=300", "--logdir", run);
        Assert.True(code == ExitCodes.Ok, err);
        Assert.Contains("one update of 32x2 = 64 replayed steps every 1 env steps", output);
        Assert.Contains("199 updates", output);                       // 1 per env step after run.prefill = 100 (2 envs: 1 + 198)
        Assert.Contains("\"loss/qf\"", File.ReadAllText(Path.Combine(run, "metrics.jsonl")));
    }

    [Fact]
    public void DefaultPresetsPerEnvAndBadAgentKeys()
    {
        using var tmp = new TempDir();
        var (code, _, err) = Reverie("train", "--agent", "ppo", "--env", "cartpole", "--set", "agent.bogus=1", "--logdir", tmp["a"]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("unknown config key 'agent.bogus'", err);
        (code, _, err) = Reverie("train", "--agent", "sac", "--env", "pendulum", "--set", "agent.gamma=2", "--logdir", tmp["b"]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("config key 'agent.gamma'", err);
        (code, _, err) = Reverie("train", "--agent", "ppo", "--env", "cartpole", "--preset", "pendulum", "--logdir", tmp["c"]);
        Assert.Equal(ExitCodes.Usage, code);                          // sac.yaml's presets are not ppo's
        Assert.Contains("unknown preset 'pendulum'", err);
        (code, _, err) = Reverie("train", "--agent", "random", "--env", "count", "--set", "agent.gamma=1", "--logdir", tmp["d"]);
        Assert.Equal(ExitCodes.Usage, code);                          // an agent without settings has no agent section
        Assert.Contains("agent.gamma", err);
    }
}

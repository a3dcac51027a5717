// KillResumeTests: SIGKILL a training process after its first checkpoint, rerun the same command, and check nothing is lost.
using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Reverie.Rl.Tests.Cli;

public class KillResumeTests
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "reverie.dll");

    private static Process Start(string runDir) => Process.Start(new ProcessStartInfo("dotnet")
    {
        ArgumentList = { Dll, "train", "--agent", "random", "--env", "count", "--steps", "30000", "--quiet", "--logdir", runDir,
            "--set", "run.envs=2", "--set", "run.prefill=100", "--set", "run.train_ratio=8", "--set", "run.batch_size=4", "--set", "run.batch_length=8",
            "--set", "run.checkpoint_every=2000", "--set", "run.log_every=500", "--set", "run.eval_every=0", "--set", "run.tensorboard=false",
            "--set", "run.replay_chunk=256" },
        RedirectStandardOutput = true, RedirectStandardError = true,
    })!;

    [Fact]
    public void SigkillThenRerunContinuesWithoutGaps()
    {
        string runDir = Directory.CreateTempSubdirectory("reverie-kill").FullName;
        using (var p = Start(runDir))
        {
            var log = new System.Text.StringBuilder();
            p.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
            p.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
            p.BeginOutputReadLine(); p.BeginErrorReadLine();
            var clock = Stopwatch.StartNew();
            int polls = 0;
            while (!File.Exists(Path.Combine(runDir, "checkpoint", "complete")) && !p.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60)) { Thread.Sleep(2); polls++; }
            Assert.False(p.HasExited, "the run finished before it could be killed: " + log);
            long seen = Step(runDir);
            p.Kill();                                                   // SIGKILL on Unix: no handler runs
            p.WaitForExit();
            Assert.True(seen < 30000, $"first checkpoint seen at step {seen} after {clock.Elapsed}");
        }
        long killedAt = Step(runDir);
        Assert.True(killedAt is >= 2000 and < 30000, $"checkpoint at {killedAt} after the kill");
        using (var p = Start(runDir))
        {
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, output + p.StandardError.ReadToEnd());
            Assert.Contains("resuming from", output);
        }
        var counters = JsonNode.Parse(File.ReadAllText(Path.Combine(runDir, "checkpoint", "state.json")))!["counters"]!;
        Assert.Equal(30000, (long)counters["env_steps"]!);
        long expected = (30000 - 100) * 8 / 32;                          // the ratio held across the kill
        Assert.InRange((long)counters["updates"]!, expected - 2, expected + 2);
        var metricSteps = File.ReadAllLines(Path.Combine(runDir, "metrics.jsonl")).Select(l => (long)JsonNode.Parse(l)!["step"]!).ToList();
        Assert.Equal(Enumerable.Range(1, 60).Select(i => i * 500L), metricSteps);   // every row once, in order: no gap, no repeat
        var scoreSteps = File.ReadAllLines(Path.Combine(runDir, "scores.csv")).Skip(1).Select(l => long.Parse(l.Split(',')[1])).ToList();
        Assert.Equal(scoreSteps.Order(), scoreSteps);
        Assert.All(scoreSteps.GroupBy(s => s), g => Assert.True(g.Count() <= 2, $"step {g.Key} scored {g.Count()} times")); // 2 envs
        Assert.InRange(scoreSteps.Count, 30000 / 100 - 2, 30000 / 100);  // only the episodes cut by the kill are missing
    }

    private static long Step(string runDir) =>
        (long)JsonNode.Parse(File.ReadAllText(Path.Combine(runDir, "checkpoint", "state.json")))!["counters"]!["env_steps"]!;
}

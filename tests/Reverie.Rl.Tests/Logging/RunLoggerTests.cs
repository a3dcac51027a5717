// RunLogger and ConsoleView: metrics.jsonl rows, scores.csv, TensorBoard scalars, truncation on resume, quiet lines.
using System.Text.Json;
using Reverie.Rl.Logging;

namespace Reverie.Rl.Tests.Logging;

public class RunLoggerTests
{
    [Fact]
    public void Writes_metrics_scores_and_tensorboard()
    {
        using var tmp = new TempDir();
        using (var log = new RunLogger(tmp.Path))
        {
            log.Log(100, new Dictionary<string, double> { ["loss/rew"] = 0.5, ["loss/\"odd\""] = double.NaN });
            log.Score("train", 120, 12.5, 200);
            log.Score("eval", 150, -3, 50);
            Assert.Throws<ArgumentException>(() => log.Score("test", 1, 0, 1));
        }
        var lines = File.ReadAllLines(Path.Combine(tmp.Path, RunLogger.MetricsFile));
        Assert.Single(lines);
        using var doc = JsonDocument.Parse(lines[0]);
        Assert.Equal(100, doc.RootElement.GetProperty("step").GetInt64());
        Assert.Equal(0.5, doc.RootElement.GetProperty("loss/rew").GetDouble());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("loss/\"odd\"").ValueKind);
        Assert.Equal(["kind,step,return,length", "train,120,12.5,200", "eval,150,-3,50"], File.ReadAllLines(Path.Combine(tmp.Path, RunLogger.ScoresFile)));
        var tb = Directory.GetFiles(tmp.Path, "events.out.tfevents.*").Single();
        var s = TfEvents.ReadScalars(tb);
        Assert.Contains(new TfScalar("loss/rew", 100, 0.5f, s[0].WallTime), s);
        Assert.Contains(s, x => x is { Tag: "episode/return", Step: 120, Value: 12.5f });
        Assert.Contains(s, x => x is { Tag: "eval/length", Step: 150, Value: 50f });
    }

    [Fact]
    public void Resuming_drops_rows_logged_after_the_checkpoint_and_appends()
    {
        using var tmp = new TempDir();
        using (var log = new RunLogger(tmp.Path, tensorBoard: false))
        {
            for (int step = 100; step <= 500; step += 100) { log.Log(step, [new("x", step)]); log.Score("train", step, step, 10); }
        }
        File.AppendAllText(Path.Combine(tmp.Path, RunLogger.MetricsFile), "{\"step\": 60");   // a torn line from a crash
        using (var log = new RunLogger(tmp.Path, resumeStep: 300, tensorBoard: false)) log.Log(400, [new("x", -1)]);
        var steps = File.ReadAllLines(Path.Combine(tmp.Path, RunLogger.MetricsFile))
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt64()).ToArray();
        Assert.Equal([100, 200, 300, 400], steps);
        var scores = File.ReadAllLines(Path.Combine(tmp.Path, RunLogger.ScoresFile));
        Assert.Equal(["kind,step,return,length", "train,100,100,10", "train,200,200,10", "train,300,300,10"], scores);
    }

    [Fact]
    public void Quiet_console_prints_plain_periodic_lines()
    {
        var sw = new StringWriter();
        using (var view = new ConsoleView(1000, quiet: true, quietOut: sw, quietInterval: TimeSpan.FromHours(1)))
        {
            Assert.True(view.Quiet);
            view.Update(new ProgressSnapshot(0, 0));
            view.Update(new ProgressSnapshot(10, 1));   // inside the interval: no line
            view.Message("checkpoint saved");
            view.Update(new ProgressSnapshot(250, 30, 12.5, new Dictionary<string, double> { ["loss/rew"] = 0.125 }));
        }
        var lines = sw.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);   // the first update, the message, and the final line at dispose
        Assert.StartsWith("step 0/1000 (0.0%)", lines[0]);
        Assert.Equal("checkpoint saved", lines[1]);
        Assert.StartsWith("step 250/1000 (25.0%)", lines[2]);
        Assert.Contains("return 12.5", lines[2]);
        Assert.Contains("loss/rew 0.125", lines[2]);
        Assert.Contains("ETA", lines[2]);
    }
}

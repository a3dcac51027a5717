// Checkpoint: round trip of every part, simulated crashes at every stage, recovery, corrupt files.
using System.Text.Json.Nodes;
using Reverie.Rl.Checkpoints;
using Reverie.Rl.Replay;
using Reverie.Tensors;
using static Reverie.Rl.Tests.Replay.ReplayTestData;

namespace Reverie.Rl.Tests.Checkpoints;

[Collection("Checkpoint.FaultHook")]
public class CheckpointTests
{
    private static CheckpointContent Content(long envSteps, int replaySteps)
    {
        var rng = new Rng(7);
        rng.Normal();   // leaves a cached spare in the state
        var rb = new ReplayBuffer(Spec(), 1000, chunkSize: 8);
        Fill(rb, 0, replaySteps, 5);
        Fill(rb, 1, replaySteps / 2, 5);
        return new CheckpointContent
        {
            Weights = { ["enc.weight"] = Tensor.FromArray([1, 2, 3, 4, 5, 6], new Shape(2, 3)), ["enc.bias"] = Tensor.FromArray(0.5f, -0.5f) },
            Optimizer = { ["adam.step"] = Tensor.FromArray(envSteps, 0) },
            Counters = { EnvSteps = envSteps, Updates = envSteps / 4, Episodes = 3, ElapsedSeconds = 12.5 },
            RngStates = { ["replay"] = rng.GetState(), ["max"] = [ulong.MaxValue, 1, 2, 3, 0, 0] },
            Extra = { ["agent"] = new JsonObject { ["ret_norm"] = 1.25, ["name"] = "x" } },
            Replay = rb,
        };
    }

    [Fact]
    public void Round_trip_restores_every_part()
    {
        using var tmp = new TempDir();
        Assert.Null(Checkpoint.Load(tmp.Path));
        Assert.False(Checkpoint.Exists(tmp.Path));
        var c = Content(1000, 30);
        Checkpoint.Save(tmp.Path, c);
        Assert.True(Checkpoint.Exists(tmp.Path));
        var l = Checkpoint.Load(tmp.Path)!;
        Assert.Equal([1, 2, 3, 4, 5, 6], l.Weights["enc.weight"].ToArray());
        Assert.Equal([2, 3], l.Weights["enc.weight"].Shape.ToArray());
        Assert.Equal([0.5f, -0.5f], l.Weights["enc.bias"].ToArray());
        Assert.Equal([1000f, 0f], l.Optimizer["adam.step"].ToArray());
        Assert.Equal((1000, 250, 3, 12.5), (l.Counters.EnvSteps, l.Counters.Updates, l.Counters.Episodes, l.Counters.ElapsedSeconds));
        Assert.Equal(c.RngStates["replay"], l.RngStates["replay"]);
        Assert.Equal(c.RngStates["max"], l.RngStates["max"]);
        var a = new Rng(0); a.SetState(c.RngStates["replay"]);
        var b = new Rng(0); b.SetState(l.RngStates["replay"]);
        Assert.Equal(a.Normal(), b.Normal());
        Assert.Equal(1.25, (double)l.Extra["agent"]!["ret_norm"]!);
        Assert.Equal(c.Replay!.Count, l.Replay!.Count);
        Assert.Equal(c.Replay.Sample(6, 4, new Rng(3))["state"].ToArray(), l.Replay.Sample(6, 4, new Rng(3))["state"].ToArray());
        Assert.Equal([Checkpoint.DirName, Checkpoint.ReplayDirName], Directory.GetDirectories(tmp.Path).Select(d => Path.GetFileName(d)!).Order());
    }

    [Theory]
    [InlineData("weights")]
    [InlineData("optimizer")]
    [InlineData("replay")]
    [InlineData("state")]
    public void A_crash_mid_write_leaves_the_previous_checkpoint_loadable(string stage)
    {
        using var tmp = new TempDir();
        Checkpoint.Save(tmp.Path, Content(1000, 30));
        var next = Content(2000, 60);
        next.Weights["enc.bias"] = Tensor.FromArray(9f, 9f);
        Checkpoint.FaultHook = s => { if (s == stage) throw new IOException("simulated crash"); };
        try { Assert.Throws<IOException>(() => Checkpoint.Save(tmp.Path, next)); }
        finally { Checkpoint.FaultHook = null; }
        var l = Checkpoint.Load(tmp.Path)!;
        Assert.Equal(1000, l.Counters.EnvSteps);
        Assert.Equal([0.5f, -0.5f], l.Weights["enc.bias"].ToArray());
        Assert.Equal(30 + 15, l.Replay!.Count);   // the old index still finds its chunk files
        AssertConsecutive(l.Replay.Sample(8, 3, new Rng(1)), 5);
        Assert.Empty(Directory.GetDirectories(tmp.Path, "checkpoint.tmp-*"));
        // and the run can checkpoint again afterwards
        Checkpoint.Save(tmp.Path, next);
        Assert.Equal(2000, Checkpoint.Load(tmp.Path)!.Counters.EnvSteps);
        Assert.Equal(60 + 30, Checkpoint.Load(tmp.Path)!.Replay!.Count);
    }

    [Fact]
    public void A_crash_between_the_two_renames_recovers_the_old_checkpoint()
    {
        using var tmp = new TempDir();
        Checkpoint.Save(tmp.Path, Content(1000, 30));
        Checkpoint.FaultHook = s => { if (s == "swap") throw new IOException("simulated crash"); };
        try { Assert.Throws<IOException>(() => Checkpoint.Save(tmp.Path, Content(2000, 60))); }
        finally { Checkpoint.FaultHook = null; }
        Assert.False(Directory.Exists(tmp[Checkpoint.DirName]));
        Assert.True(Checkpoint.Exists(tmp.Path));
        var l = Checkpoint.Load(tmp.Path)!;
        Assert.Equal(1000, l.Counters.EnvSteps);
        Assert.True(Directory.Exists(tmp[Checkpoint.DirName]));
        Assert.False(Directory.Exists(tmp[Checkpoint.OldDirName]));
    }

    [Fact]
    public void Corrupt_or_incomplete_checkpoints_give_errors_that_name_the_file()
    {
        using var tmp = new TempDir();
        Checkpoint.Save(tmp.Path, Content(1000, 10));
        string state = Path.Combine(tmp[Checkpoint.DirName], Checkpoint.StateFile);
        File.WriteAllText(state, "{\"format\": \"reverie-checkpoint\", \"counters\": ");
        Assert.Contains(state, Assert.Throws<InvalidDataException>(() => Checkpoint.Load(tmp.Path)).Message);

        Checkpoint.Save(tmp.Path, Content(1000, 10));
        string weights = Path.Combine(tmp[Checkpoint.DirName], Checkpoint.WeightsFile);
        File.WriteAllBytes(weights, [1, 2, 3]);
        Assert.Contains(Checkpoint.WeightsFile, Assert.Throws<InvalidDataException>(() => Checkpoint.Load(tmp.Path)).Message);

        File.Delete(Path.Combine(tmp[Checkpoint.DirName], Checkpoint.CompleteFile));
        Assert.Contains("incomplete", Assert.Throws<InvalidDataException>(() => Checkpoint.Load(tmp.Path)).Message);
    }
}

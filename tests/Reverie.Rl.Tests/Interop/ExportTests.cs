// Writes a replay directory and a TensorBoard file for verify_with_numpy.py when REVERIE_RL_EXPORT_DIR is set.
using Reverie.Rl.Logging;
using Reverie.Rl.Replay;
using Reverie.Tensors.IO;
using static Reverie.Rl.Tests.Replay.ReplayTestData;

namespace Reverie.Rl.Tests.Interop;

public class ExportTests
{
    /// <summary>
    /// Saves a small replay (stored and compressed chunks) and an event file, and checks them with our readers.
    /// With <c>REVERIE_RL_EXPORT_DIR=dir</c> the files go there, for
    /// <c>/usr/bin/python3 tests/Reverie.Rl.Tests/Interop/verify_with_numpy.py dir</c> to check with NumPy.
    /// </summary>
    [Fact]
    public void Export_files_for_numpy()
    {
        using var tmp = new TempDir();
        string dir = Environment.GetEnvironmentVariable("REVERIE_RL_EXPORT_DIR") is { Length: > 0 } d ? d : tmp.Path;
        var rb = new ReplayBuffer(Spec(), 100, chunkSize: 4);
        Fill(rb, 0, 6, episodeLength: 3);
        Fill(rb, 1, 4, episodeLength: 3);
        rb.Save(Path.Combine(dir, "replay"));
        rb.CompressFiles = false;
        rb.Save(Path.Combine(dir, "replay_stored"));
        Assert.Equal(10, ReplayBuffer.Load(Path.Combine(dir, "replay")).Count);
        Assert.Equal(10, ReplayBuffer.Load(Path.Combine(dir, "replay_stored")).Count);
        Assert.All(Directory.GetFiles(Path.Combine(dir, "replay"), "*.npz"), f => Assert.Equal(7, Npz.Read(f).Count));
        foreach (var old in Directory.GetFiles(dir, "events.out.tfevents.*")) File.Delete(old);
        using (var w = new TensorBoardWriter(dir))
        {
            w.AddScalar("loss/rew", 0.25f, 10, 1700000000.5);
            w.AddScalars(20, [("loss/rew", -1.5f), ("episode/return", 123f)], 1700000001.0);
        }
        Assert.Equal(3, TfEvents.ReadEvents(Directory.GetFiles(dir, "events.out.tfevents.*").Single()).Count);
    }
}

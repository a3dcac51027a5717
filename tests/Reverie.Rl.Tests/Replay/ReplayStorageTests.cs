// Replay save/load: npz chunk contents, incremental saves, pruning, round trips that sample identically, bad files.
using Reverie.Rl.Replay;
using Reverie.Tensors;
using Reverie.Tensors.IO;
using static Reverie.Rl.Tests.Replay.ReplayTestData;

namespace Reverie.Rl.Tests.Replay;

public class ReplayStorageTests
{
    /// <summary>The file of chunk <paramref name="id"/> (full, or holding <paramref name="part"/> steps) in a saved replay.</summary>
    private static string Chunk(TempDir dir, int id, int? part = null)
    {
        string prefix = $"chunk-{id:D8}-";
        return Directory.GetFiles(dir.Path, prefix + "*.npz").Single(f =>
            part is int n ? f.EndsWith($"-part{n}.npz", StringComparison.Ordinal) : !f.Contains("-part", StringComparison.Ordinal));
    }

    [Fact]
    public void Chunk_files_hold_one_array_per_field_and_flag()
    {
        using var tmp = new TempDir();
        var rb = new ReplayBuffer(Spec(), 1000, chunkSize: 4);
        Fill(rb, 0, 6, episodeLength: 3);
        rb.Save(tmp.Path);
        var full = Npz.Read(Chunk(tmp, 0));
        Assert.Equal(["state", "action", "reward", "image", "is_first", "is_last", "is_terminal"], full.Keys);
        Assert.Equal([4, 2], full["state"].Shape);
        Assert.Equal("<f4", full["state"].Descr);
        Assert.Equal([4], full["reward"].Shape);
        Assert.Equal([4, 2, 2, 1], full["image"].Shape);
        Assert.Equal("|u1", full["image"].Descr);
        Assert.Equal([true, false, false, true], full["is_first"].Bools!);
        Assert.Equal([false, false, true, false], full["is_terminal"].Bools!);
        var part = Npz.Read(Chunk(tmp, 1, part: 2));
        Assert.Equal([2, 2], part["state"].Shape);
        Assert.Equal([0f, 4f, 0f, 5f], part["state"].Floats!);
        Assert.True(File.Exists(tmp[ReplayBuffer.IndexFileName]));
    }

    [Fact]
    public void Load_restores_a_buffer_that_samples_the_same_and_keeps_filling()
    {
        using var tmp = new TempDir();
        var rb = new ReplayBuffer(Spec(), capacity: 40, chunkSize: 8);
        Fill(rb, 0, 50, episodeLength: 6);
        Fill(rb, 1, 13, episodeLength: 4, terminal: false);
        rb.Save(tmp.Path);
        var loaded = ReplayBuffer.Load(tmp.Path);
        Assert.Equal(rb.Count, loaded.Count);
        Assert.Equal(rb.TotalAdded, loaded.TotalAdded);
        Assert.True(rb.Spec.SameAs(loaded.Spec));
        foreach (bool cross in new[] { true, false })
        {
            var a = rb.SampleSequences(16, 4, new Rng(11), cross);
            var b = loaded.SampleSequences(16, 4, new Rng(11), cross);
            Assert.Equal(a.Starts, b.Starts);
            Assert.Equal(a["state"].ToArray(), b["state"].ToArray());
            Assert.Equal(a.Bytes("image"), b.Bytes("image"));
            Assert.Equal(a[ReplaySpec.IsLast].ToArray(), b[ReplaySpec.IsLast].ToArray());
        }
        // both continue identically (the open chunk and the eviction order survive)
        Fill(rb, 1, 20, 4, from: 13, terminal: false);
        Fill(loaded, 1, 20, 4, from: 13, terminal: false);
        Assert.Equal(rb.Count, loaded.Count);
        Assert.Equal(rb.Sample(8, 5, new Rng(12)).Starts, loaded.Sample(8, 5, new Rng(12)).Starts);
        AssertConsecutive(loaded.Sample(8, 5, new Rng(13)), 4);
    }

    [Fact]
    public void Saving_again_writes_only_changed_chunks_and_prunes_superseded_files()
    {
        using var tmp = new TempDir();
        var rb = new ReplayBuffer(Spec(), capacity: 12, chunkSize: 4);
        Fill(rb, 0, 10, 100);
        rb.Save(tmp.Path);
        var stamp = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(Chunk(tmp, 1), stamp);
        Assert.True(File.Exists(Chunk(tmp, 2, part: 2)));
        Fill(rb, 0, 5, 100, from: 10);       // chunk 2 fills, chunk 3 opens, chunk 0 is evicted
        rb.Save(tmp.Path);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(Chunk(tmp, 1)));
        var files = Directory.GetFiles(tmp.Path, "chunk-*").Order().ToArray();
        Assert.Equal([Chunk(tmp, 1), Chunk(tmp, 2), Chunk(tmp, 3, part: 3)], files);
        // a fresh buffer loaded from the directory also skips unchanged files
        var loaded = ReplayBuffer.Load(tmp.Path);
        loaded.Save(tmp.Path);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(Chunk(tmp, 1)));
    }

    [Fact]
    public void Load_with_a_smaller_capacity_evicts_old_chunks()
    {
        using var tmp = new TempDir();
        var rb = new ReplayBuffer(Spec(), capacity: 100, chunkSize: 4);
        Fill(rb, 0, 40, 100);
        rb.Save(tmp.Path);
        var small = ReplayBuffer.Load(tmp.Path, capacity: 10);
        Assert.InRange(small.Count, 7, 10);
        Assert.Equal(10, small.Capacity);
        AssertConsecutive(small.Sample(4, 3, new Rng(1)), 100);
    }

    [Fact]
    public void Bad_files_give_errors_that_name_the_file()
    {
        using var tmp = new TempDir();
        Assert.Contains("index.json", Assert.Throws<InvalidDataException>(() => ReplayBuffer.Load(tmp.Path)).Message);
        var rb = new ReplayBuffer(Spec(), 100, chunkSize: 4);
        Fill(rb, 0, 9, 100);
        rb.Save(tmp.Path);
        string one = Chunk(tmp, 1);
        File.Delete(one);
        Assert.Contains(Path.GetFileName(one), Assert.Throws<InvalidDataException>(() => ReplayBuffer.Load(tmp.Path)).Message);

        rb.Save(tmp.Path);   // a new directory state: rewrites the missing file
        Npz.Write(one, new Dictionary<string, NpyArray> { ["state"] = NpyArray.Of(new float[8], 4, 2) });
        var e = Assert.Throws<InvalidDataException>(() => ReplayBuffer.Load(tmp.Path));
        Assert.Contains(Path.GetFileName(one), e.Message);
        Assert.Contains("no array 'action'", e.Message);

        File.WriteAllText(tmp[ReplayBuffer.IndexFileName], "{ not json");
        Assert.Contains("not valid JSON", Assert.Throws<InvalidDataException>(() => ReplayBuffer.Load(tmp.Path)).Message);
    }
}

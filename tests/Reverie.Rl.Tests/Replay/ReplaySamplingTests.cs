// Replay sampling: shapes, consecutive values, episode boundaries, short episodes, capacity wrap, uniformity, determinism.
using Reverie.Rl.Replay;
using Reverie.Tensors;
using static Reverie.Rl.Tests.Replay.ReplayTestData;

namespace Reverie.Rl.Tests.Replay;

public class ReplaySamplingTests
{
    [Fact]
    public void Batch_has_B_T_shapes_and_consecutive_steps_across_chunks()
    {
        var rb = new ReplayBuffer(Spec(), capacity: 1000, chunkSize: 4);
        Fill(rb, 0, 23, episodeLength: 100);
        Fill(rb, 1, 9, episodeLength: 100);
        var b = rb.Sample(32, 7, new Rng(1));
        Assert.Equal([32, 7, 2], b["state"].Shape.ToArray());
        Assert.Equal([32, 7, 1], b["action"].Shape.ToArray());
        Assert.Equal([32, 7], b["reward"].Shape.ToArray());
        Assert.Equal([32, 7], b[ReplaySpec.IsTerminal].Shape.ToArray());
        Assert.Equal([32, 7, 2, 2, 1], b.ShapeOf("image"));
        Assert.Equal(32 * 7 * 4, b.Bytes("image").Length);
        AssertConsecutive(b, 100);
        Assert.Contains(b.Starts, s => s % 4 > 0);   // sequences start inside chunks and run across them
    }

    [Fact]
    public void Sequences_cross_short_episodes_with_is_first_marking_the_reset()
    {
        var rb = new ReplayBuffer(Spec(), 1000, chunkSize: 8);
        Fill(rb, 0, 30, episodeLength: 3);
        var b = rb.Sample(16, 10, new Rng(2));
        AssertConsecutive(b, 3);
        var first = b[ReplaySpec.IsFirst].Span;
        for (int i = 0; i < 16; i++)
        {
            int resets = 0;
            for (int t = 1; t < 10; t++) resets += (int)first[i * 10 + t];
            Assert.True(resets >= 3);   // 10 steps of 3-step episodes hold at least 3 resets after the first step
        }
    }

    [Fact]
    public void Within_episode_sampling_never_crosses_a_boundary()
    {
        var rb = new ReplayBuffer(Spec(), 1000, chunkSize: 8);
        Fill(rb, 0, 30, episodeLength: 3);
        Fill(rb, 1, 20, episodeLength: 5, terminal: false);
        Assert.False(rb.CanSample(6, crossEpisodes: false));
        Assert.True(rb.CanSample(5, crossEpisodes: false));
        var e = Assert.Throws<InvalidOperationException>(() => rb.SampleSequences(4, 6, new Rng(0), crossEpisodes: false));
        Assert.Contains("inside one episode", e.Message);

        var b = rb.SampleSequences(64, 3, new Rng(3), crossEpisodes: false);
        for (int i = 0; i < 64; i++)
        {
            int len = b.Streams[i] == 0 ? 3 : 5;
            Assert.True(b.Starts[i] % len + 3 <= len, $"sequence at {b.Starts[i]} of stream {b.Streams[i]} crosses an episode end");
        }
        // length 3 in 3-step episodes: every window is exactly one episode
        var only0 = new ReplayBuffer(Spec(), 1000, chunkSize: 8);
        Fill(only0, 0, 30, episodeLength: 3);
        var w = only0.SampleSequences(32, 3, new Rng(4), crossEpisodes: false);
        Assert.All(w.Starts, s => Assert.Equal(0, s % 3));
    }

    [Fact]
    public void Transitions_pair_a_step_with_its_successor_in_the_same_episode()
    {
        var rb = new ReplayBuffer(Spec(), 1000, chunkSize: 4);
        Fill(rb, 0, 40, episodeLength: 4);
        var b = rb.SampleSequences(200, 2, new Rng(5), crossEpisodes: false);
        var last = b[ReplaySpec.IsLast].Span;
        var first = b[ReplaySpec.IsFirst].Span;
        for (int i = 0; i < 200; i++)
        {
            Assert.Equal(0f, last[2 * i]);        // never (last step, next episode's first step)
            Assert.Equal(0f, first[2 * i + 1]);
        }
    }

    [Fact]
    public void Capacity_evicts_whole_oldest_chunks_and_sampling_stays_inside_what_is_kept()
    {
        var rb = new ReplayBuffer(Spec(), capacity: 10, chunkSize: 4);
        Fill(rb, 0, 30, episodeLength: 7);
        Assert.Equal(30, rb.TotalAdded);
        Assert.InRange(rb.Count, 10 - 4 + 1, 10);
        Assert.Equal(30, rb.StreamLength(0) + (30 - rb.Count));
        var b = rb.Sample(64, 3, new Rng(6));
        AssertConsecutive(b, 7);
        long oldest = 30 - rb.Count;
        Assert.Equal(0, oldest % 4);
        Assert.All(b.Starts, s => Assert.InRange(s, oldest, 30 - 3));
        // within-episode sampling treats the episode whose start was evicted as an episode
        var w = rb.SampleSequences(64, 2, new Rng(7), crossEpisodes: false);
        Assert.All(w.Starts, s => Assert.True(s >= oldest && s % 7 != 6));
    }

    [Fact]
    public void Eviction_is_fifo_over_streams_and_never_takes_a_stream_s_open_chunk()
    {
        var rb = new ReplayBuffer(Spec(), capacity: 8, chunkSize: 4);
        Fill(rb, 0, 8, episodeLength: 100);   // chunks 0, 1
        Fill(rb, 1, 8, episodeLength: 100);   // chunks 2, 3: first stream 0's chunk 0 goes, then stream 1's chunk 2
        Assert.Equal(8, rb.Count);
        Assert.Equal(4, rb.StreamLength(0));  // only chunk 1 remains: a stream keeps at least its newest chunk
        Assert.Equal(4, rb.StreamLength(1));
        Fill(rb, 1, 2, episodeLength: 100, from: 8);
        Assert.Equal(6, rb.Count);            // chunk 1 is older, but it is stream 0's newest, so stream 1's chunk 3 went
        Assert.Equal(4, rb.StreamLength(0));
    }

    [Fact]
    public void Sampling_is_uniform_over_valid_start_positions()
    {
        var rb = new ReplayBuffer(Spec(), 1000, chunkSize: 3);
        Fill(rb, 0, 10, episodeLength: 100);  // 8 starts of length 3
        Fill(rb, 1, 4, episodeLength: 100);   // 2 starts
        var counts = new Dictionary<(int, long), int>();
        var rng = new Rng(8);
        const int N = 20000;
        for (int k = 0; k < N / 100; k++)
        {
            var b = rb.Sample(100, 3, rng);
            for (int i = 0; i < 100; i++) counts[(b.Streams[i], b.Starts[i])] = counts.GetValueOrDefault((b.Streams[i], b.Starts[i])) + 1;
        }
        Assert.Equal(10, counts.Count);
        foreach (var (_, c) in counts) Assert.InRange(c, N / 10 * 0.85, N / 10 * 1.15);
    }

    [Fact]
    public void Same_rng_state_gives_the_same_batch()
    {
        var rb = new ReplayBuffer(Spec(), 1000, chunkSize: 5);
        Fill(rb, 0, 50, 9);
        Fill(rb, 2, 30, 4);
        var a = rb.Sample(8, 6, new Rng(42));
        var b = rb.Sample(8, 6, new Rng(42));
        Assert.Equal(a.Starts, b.Starts);
        Assert.Equal(a.Streams, b.Streams);
        Assert.Equal(a["state"].ToArray(), b["state"].ToArray());
        Assert.Equal(0, rb.StreamLength(1));  // an env index that was skipped is an empty stream
    }

    [Fact]
    public void Errors_name_the_problem()
    {
        var rb = new ReplayBuffer(Spec(), 100, chunkSize: 4);
        Fill(rb, 0, 3, 10);
        Assert.False(rb.CanSample(4));
        var e = Assert.Throws<InvalidOperationException>(() => rb.Sample(2, 4, new Rng(0)));
        Assert.Contains("no sequence of 4 steps", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => rb.Sample(0, 2, new Rng(0)));
        var other = new StepRecord(new ReplaySpec(ReplayField.Float("state", 3)));
        Assert.Contains("differs", Assert.Throws<ArgumentException>(() => rb.Add(0, other)).Message);
        Assert.Contains("no field 'obs'", Assert.Throws<KeyNotFoundException>(() => new StepRecord(rb.Spec).Floats("obs")).Message);
        Assert.Contains("holds bytes", Assert.Throws<InvalidOperationException>(() => new StepRecord(rb.Spec).Floats("image")).Message);
        Assert.Contains("flag", Assert.Throws<ArgumentException>(() => new ReplaySpec(ReplayField.Float("is_first"))).Message);
        var batch = rb.Sample(1, 2, new Rng(0));
        Assert.Contains("byte fields", Assert.Throws<KeyNotFoundException>(() => batch["image"]).Message);
    }

    [Fact]
    public void Byte_fields_convert_to_scaled_tensors()
    {
        var rb = new ReplayBuffer(Spec(), 100, chunkSize: 4);
        Fill(rb, 0, 10, 10);
        var b = rb.Sample(3, 2, new Rng(9));
        var img = b.BytesAsTensor("image");
        Assert.Equal([3, 2, 2, 2, 1], img.Shape.ToArray());
        Assert.Equal(b.Starts[0] / 255f, img.Span[0], 6);
    }
}

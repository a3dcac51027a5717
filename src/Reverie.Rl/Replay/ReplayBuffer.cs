// ReplayBuffer: per-env streams of steps in fixed-size chunks, FIFO eviction by whole chunks, uniform sequence sampling.
using Reverie.Tensors;

namespace Reverie.Rl.Replay;

/// <summary>
/// Experience replay for sequence models and one-step learners alike. Each env (stream) appends its steps in
/// time order (<see cref="Add"/>); steps are stored in chunks of <see cref="ChunkSize"/> consecutive steps of one
/// stream. When more than <see cref="Capacity"/> steps are held, whole oldest chunks are dropped (FIFO over all
/// streams by creation order).
/// </summary>
/// <remarks>
/// <para><b>Sampling.</b> <see cref="Sample"/> draws sequences of T consecutive steps of one stream, uniformly over
/// every valid start position of every stream (a stream of n retained steps has n − T + 1). Such sequences may cross
/// episode boundaries, as DreamerV3's replay does: the <c>is_first</c> flag marks the reset inside the sequence and a
/// sequence model must reset its state there. <see cref="SampleSequences"/> with <c>crossEpisodes: false</c> keeps
/// each sequence inside one episode (uniform over the valid starts within episodes): length 2 gives transitions
/// (see <see cref="StepRecord"/> for the step convention), length H + 1 gives TD-MPC2's horizon windows. An episode
/// starts at a step with <c>is_first</c> or right after a step with <c>is_last</c>; the part of an episode whose
/// beginning was evicted still counts as an episode.</para>
/// <para><b>Capacity.</b> Only full chunks are evicted, never the chunk a stream is writing to, so the buffer holds
/// at most <c>Capacity + StreamCount × ChunkSize</c> steps. Keep <c>ChunkSize × envs</c> well below the capacity.</para>
/// <para><b>Determinism.</b> Sampling depends only on the stored steps and the <see cref="Rng"/> passed in; a buffer
/// saved and loaded again samples exactly the same batches from the same <see cref="Rng"/> state.</para>
/// <para>Not thread-safe: add and sample from one thread.</para>
/// </remarks>
public sealed partial class ReplayBuffer
{
    private readonly List<ReplayStream> _streams = [];
    private long _nextChunkId;

    /// <summary>An empty buffer.</summary>
    /// <param name="spec">The step layout.</param>
    /// <param name="capacity">Steps to keep (see the remarks on how exact this is).</param>
    /// <param name="chunkSize">Steps per chunk (and per chunk file); DreamerV3 uses 1024.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public ReplayBuffer(ReplaySpec spec, int capacity, int chunkSize = 1024)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (capacity <= 0) throw new ArgumentOutOfRangeException(nameof(capacity), $"replay capacity must be positive, got {capacity}");
        if (chunkSize <= 0) throw new ArgumentOutOfRangeException(nameof(chunkSize), $"replay chunk size must be positive, got {chunkSize}");
        Spec = spec; Capacity = capacity; ChunkSize = chunkSize;
    }

    /// <summary>The step layout.</summary>
    public ReplaySpec Spec { get; }

    /// <summary>Steps to keep before evicting old chunks.</summary>
    public int Capacity { get; }

    /// <summary>Steps per chunk.</summary>
    public int ChunkSize { get; }

    /// <summary>Whether <see cref="Save"/> deflates chunk files (<c>numpy.savez_compressed</c>); default true.</summary>
    public bool CompressFiles { get; set; } = true;

    /// <summary>Steps currently held.</summary>
    public int Count { get; private set; }

    /// <summary>Steps ever added (evicted ones included).</summary>
    public long TotalAdded { get; private set; }

    /// <summary>Number of streams (one per env index ever added to).</summary>
    public int StreamCount => _streams.Count;

    /// <summary>Steps currently held by stream <paramref name="stream"/>.</summary>
    public long StreamLength(int stream) => _streams[stream].Length;

    /// <summary>
    /// Appends one step to stream <paramref name="envIndex"/> (streams are created on first use). The values are copied.
    /// </summary>
    /// <exception cref="ArgumentException">The step's layout is not this buffer's.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="envIndex"/> is negative or more than 4096 past the streams in use.</exception>
    public void Add(int envIndex, StepRecord step)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (!ReferenceEquals(step.Spec, Spec) && !step.Spec.SameAs(Spec))
            throw new ArgumentException($"ReplayBuffer.Add: step layout {step.Spec} differs from the buffer's {Spec}");
        if (envIndex < 0 || envIndex > _streams.Count + 4096)
            throw new ArgumentOutOfRangeException(nameof(envIndex), $"ReplayBuffer.Add: env index {envIndex} out of range (streams in use: {_streams.Count})");
        while (_streams.Count <= envIndex) _streams.Add(new ReplayStream());
        var s = _streams[envIndex];
        if (s.Chunks.Count == 0 || s.Chunks[^1].IsFull)
            s.Chunks.Add(new ReplayChunk(Spec, _nextChunkId++, envIndex, s.End, ChunkSize));
        var c = s.Chunks[^1];
        int o = c.Count;
        for (int i = 0; i < Spec.Fields.Count; i++)
        {
            var src = step.ArrayAt(i);
            Array.Copy(src, 0, c.Data[i], (long)o * src.Length, src.Length);
        }
        c.Flags[0][o] = step.IsFirst; c.Flags[1][o] = step.IsLast; c.Flags[2][o] = step.IsTerminal;
        if (step.IsFirst || s.AfterLast) s.EpisodeStarts.Add(s.End);
        s.AfterLast = step.IsLast;
        c.Count++;
        s.End++;
        Count++;
        TotalAdded++;
        Evict();
    }

    /// <summary>Appends <c>steps[i]</c> to stream i for every i (one vector-env step).</summary>
    public void AddBatch(ReadOnlySpan<StepRecord> steps)
    {
        for (int i = 0; i < steps.Length; i++) Add(i, steps[i]);
    }

    /// <summary>Whether a sequence of <paramref name="length"/> steps can be sampled.</summary>
    public bool CanSample(int length, bool crossEpisodes = true) =>
        length > 0 && (crossEpisodes ? CrossCount(length) : EpisodeSegments(length).Total) > 0;

    /// <summary>
    /// <paramref name="batch"/> sequences of <paramref name="length"/> consecutive steps, uniform over all valid start
    /// positions; sequences may cross episode boundaries (<c>is_first</c> marks them). Same as
    /// <c>SampleSequences(batch, length, rng, crossEpisodes: true)</c>.
    /// </summary>
    public ReplayBatch Sample(int batch, int length, Rng rng) => SampleSequences(batch, length, rng, crossEpisodes: true);

    /// <summary>
    /// <paramref name="batch"/> sequences of <paramref name="length"/> consecutive steps of one stream, drawn with
    /// replacement, uniformly over the valid start positions. With <paramref name="crossEpisodes"/> false every
    /// sequence lies inside one episode.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">batch or length is not positive.</exception>
    /// <exception cref="InvalidOperationException">No sequence of that length is stored yet (see <see cref="CanSample"/>).</exception>
    public ReplayBatch SampleSequences(int batch, int length, Rng rng, bool crossEpisodes)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch), $"ReplayBuffer.Sample: batch must be positive, got {batch}");
        if (length <= 0) throw new ArgumentOutOfRangeException(nameof(length), $"ReplayBuffer.Sample: length must be positive, got {length}");
        var streams = new int[batch];
        var starts = new long[batch];
        if (crossEpisodes)
        {
            long total = CrossCount(length);
            if (total == 0) throw NoSequence(length, "");
            for (int b = 0; b < batch; b++)
            {
                long r = NextIndex(rng, total);
                int s = 0;
                for (; ; s++)
                {
                    long n = Math.Max(0, _streams[s].Length - length + 1);
                    if (r < n) break;
                    r -= n;
                }
                streams[b] = s; starts[b] = _streams[s].Begin + r;
            }
        }
        else
        {
            var seg = EpisodeSegments(length);
            if (seg.Total == 0) throw NoSequence(length, " inside one episode");
            for (int b = 0; b < batch; b++)
            {
                long r = NextIndex(rng, seg.Total);
                int k = seg.Cumulative.BinarySearch(r + 1);
                if (k < 0) k = ~k;
                long before = k == 0 ? 0 : seg.Cumulative[k - 1];
                streams[b] = seg.Stream[k]; starts[b] = seg.Begin[k] + (r - before);
            }
        }
        return Gather(batch, length, streams, starts);
    }

    private ReplayBatch Gather(int batch, int length, int[] streams, long[] starts)
    {
        var fields = Spec.Fields;
        var floats = new Dictionary<string, Tensor>();
        var bytes = new Dictionary<string, byte[]>();
        var dest = new Array[fields.Count];
        var tensors = new Tensor[fields.Count];
        for (int i = 0; i < fields.Count; i++)
        {
            var f = fields[i];
            if (f.Dtype == ReplayDtype.UInt8) bytes[f.Name] = (byte[])(dest[i] = new byte[(long)batch * length * f.Size]);
            else floats[f.Name] = tensors[i] = Tensor.Zeros(new Shape([batch, length, .. f.Shape]));
        }
        var flags = new Tensor[3];
        for (int j = 0; j < 3; j++) floats[ReplaySpec.FlagNames[j]] = flags[j] = Tensor.Zeros(new Shape(batch, length));

        for (int b = 0; b < batch; b++)
        {
            var s = _streams[streams[b]];
            long pos = starts[b];
            int t = 0;
            while (t < length)
            {
                var (c, o) = s.Locate(pos);
                int run = Math.Min(length - t, c.Count - o);   // steps to copy from this chunk
                int row = b * length + t;                       // (B, T) row of the first copied step
                for (int i = 0; i < fields.Count; i++)
                {
                    int n = fields[i].Size;
                    if (dest[i] is byte[] bd) Array.Copy((byte[])c.Data[i], (long)o * n, bd, (long)row * n, (long)run * n);
                    else ((float[])c.Data[i]).AsSpan(o * n, run * n).CopyTo(tensors[i].Span.Slice(row * n, run * n));
                }
                for (int j = 0; j < 3; j++)
                {
                    var fs = flags[j].Span;
                    var src = c.Flags[j];
                    for (int k = 0; k < run; k++) fs[row + k] = src[o + k] ? 1f : 0f;
                }
                t += run; pos += run;
            }
        }
        return new ReplayBatch(Spec, batch, length, floats, bytes, streams, starts);
    }

    private long CrossCount(int length)
    {
        long total = 0;
        foreach (var s in _streams) total += Math.Max(0, s.Length - length + 1);
        return total;
    }

    private sealed record Segments(List<int> Stream, List<long> Begin, List<long> Cumulative, long Total);

    /// <summary>Every episode piece with at least one valid start, with the running count of valid starts.</summary>
    private Segments EpisodeSegments(int length)
    {
        var stream = new List<int>(); var begin = new List<long>(); var cum = new List<long>();
        long total = 0;
        for (int si = 0; si < _streams.Count; si++)
        {
            var s = _streams[si];
            long segStart = s.Begin;
            int e = 0;
            while (e < s.EpisodeStarts.Count && s.EpisodeStarts[e] <= segStart) e++;
            while (segStart < s.End)
            {
                long segEnd = e < s.EpisodeStarts.Count ? s.EpisodeStarts[e++] : s.End;
                long n = segEnd - segStart - length + 1;
                if (n > 0) { total += n; stream.Add(si); begin.Add(segStart); cum.Add(total); }
                segStart = segEnd;
            }
        }
        return new Segments(stream, begin, cum, total);
    }

    private static long NextIndex(Rng rng, long n) =>
        n <= int.MaxValue ? rng.NextInt((int)n) : (long)(rng.NextULong() % (ulong)n);

    private InvalidOperationException NoSequence(int length, string where) => new(
        $"ReplayBuffer.Sample: no sequence of {length} steps{where} is stored yet ({Count} steps in {_streams.Count} streams, longest stream "
        + $"{(_streams.Count == 0 ? 0 : _streams.Max(s => s.Length))}); check CanSample first");

    /// <summary>Drops the oldest full chunks while more than <see cref="Capacity"/> steps are held.</summary>
    private void Evict()
    {
        while (Count > Capacity)
        {
            ReplayStream? oldest = null;
            foreach (var s in _streams)
                if (s.Chunks.Count > 1 && (oldest is null || s.Chunks[0].Id < oldest.Chunks[0].Id)) oldest = s;
            if (oldest is null) return;
            var c = oldest.Chunks[0];
            oldest.Chunks.RemoveAt(0);
            Count -= c.Count;
            long begin = oldest.Begin;
            int drop = 0;
            while (drop < oldest.EpisodeStarts.Count && oldest.EpisodeStarts[drop] < begin) drop++;
            oldest.EpisodeStarts.RemoveRange(0, drop);
        }
    }
}

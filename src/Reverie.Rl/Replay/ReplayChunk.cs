// ReplayChunk and ReplayStream: the fixed-size blocks of consecutive steps a replay buffer stores per env.
namespace Reverie.Rl.Replay;

/// <summary>Up to <see cref="Capacity"/> consecutive steps of one stream, field by field (row-major per step).</summary>
internal sealed class ReplayChunk
{
    public ReplayChunk(ReplaySpec spec, long id, int stream, long start, int capacity)
    {
        Id = id; Stream = stream; Start = start; Capacity = capacity;
        Data = spec.Fields.Select(f => f.Dtype == ReplayDtype.UInt8 ? (Array)new byte[capacity * f.Size] : new float[capacity * f.Size]).ToArray();
        Flags = [new bool[capacity], new bool[capacity], new bool[capacity]];
    }

    /// <summary>Global creation number: eviction removes the smallest first.</summary>
    public long Id { get; }
    public int Stream { get; }
    /// <summary>The stream position of the chunk's first step.</summary>
    public long Start { get; }
    public int Capacity { get; }
    public int Count { get; set; }
    public bool IsFull => Count == Capacity;
    /// <summary>Per field: float[] or byte[] of Capacity × field size.</summary>
    public Array[] Data { get; }
    /// <summary>is_first, is_last, is_terminal.</summary>
    public bool[][] Flags { get; }
}

/// <summary>The retained chunks of one env, oldest first; all but the last are full.</summary>
internal sealed class ReplayStream
{
    public List<ReplayChunk> Chunks { get; } = [];

    /// <summary>Stream positions q where an episode starts: step q is_first or step q − 1 is_last (ascending).</summary>
    public List<long> EpisodeStarts { get; } = [];

    /// <summary>Position of the oldest retained step.</summary>
    public long Begin => Chunks.Count == 0 ? End : Chunks[0].Start;

    /// <summary>Position after the newest step.</summary>
    public long End { get; set; }

    public long Length => End - Begin;

    /// <summary>True when the previous step added was a last step.</summary>
    public bool AfterLast { get; set; }

    /// <summary>The chunk holding position <paramref name="pos"/> and the offset in it.</summary>
    public (ReplayChunk Chunk, int Offset) Locate(long pos)
    {
        var first = Chunks[0];
        int k = (int)((pos - first.Start) / first.Capacity);
        var c = Chunks[k];
        return (c, (int)(pos - c.Start));
    }
}

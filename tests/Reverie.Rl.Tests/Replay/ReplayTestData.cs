// Helpers for replay tests: steps whose values encode (stream, position) so sampled sequences can be checked exactly.
using Reverie.Rl.Replay;

namespace Reverie.Rl.Tests.Replay;

internal static class ReplayTestData
{
    /// <summary>state (2,): [stream, position]; action (1,); reward (); image (2, 2, 1) bytes = position mod 256.</summary>
    public static ReplaySpec Spec() => new(ReplayField.Float("state", 2), ReplayField.Float("action", 1), ReplayField.Float("reward"),
        ReplayField.Bytes("image", 2, 2, 1));

    /// <summary>Adds <paramref name="n"/> steps to <paramref name="stream"/> with episodes of <paramref name="episodeLength"/> steps
    /// (the last one terminal when <paramref name="terminal"/>), continuing from position <paramref name="from"/>.</summary>
    public static void Fill(ReplayBuffer rb, int stream, int n, int episodeLength, long from = 0, bool terminal = true)
    {
        var step = new StepRecord(rb.Spec);
        for (long p = from; p < from + n; p++)
        {
            step.Floats("state")[0] = stream;
            step.Floats("state")[1] = p;
            step.Floats("action")[0] = -p;
            step["reward"] = p * 0.5f;
            Array.Fill(step.Bytes("image"), (byte)(p % 256));
            long k = p % episodeLength;
            step.SetFlags(isFirst: k == 0, isLast: k == episodeLength - 1, isTerminal: terminal && k == episodeLength - 1);
            rb.Add(stream, step);
        }
    }

    /// <summary>Checks that every sequence of the batch is consecutive steps of one stream and matches Streams/Starts.</summary>
    public static void AssertConsecutive(ReplayBatch b, int episodeLength)
    {
        var state = b["state"].Span;
        var reward = b["reward"].Span;
        var first = b[ReplaySpec.IsFirst].Span;
        var last = b[ReplaySpec.IsLast].Span;
        var image = b.Bytes("image");
        for (int i = 0; i < b.Batch; i++)
            for (int t = 0; t < b.Length; t++)
            {
                int row = i * b.Length + t;
                long pos = b.Starts[i] + t;
                Assert.Equal(b.Streams[i], state[row * 2]);
                Assert.Equal(pos, (long)state[row * 2 + 1]);
                Assert.Equal(pos * 0.5f, reward[row]);
                Assert.Equal(pos % episodeLength == 0 ? 1f : 0f, first[row]);
                Assert.Equal(pos % episodeLength == episodeLength - 1 ? 1f : 0f, last[row]);
                for (int k = 0; k < 4; k++) Assert.Equal((byte)(pos % 256), image[row * 4 + k]);
            }
    }
}

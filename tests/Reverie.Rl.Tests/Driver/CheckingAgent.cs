// CheckingAgent: a test agent that asserts the run loop's contract (step order, resets, batches) and counts its calls.
using System.Text.Json.Nodes;
using Reverie.Envs;
using Reverie.Rl.Agents;
using Reverie.Rl.Checkpoints;
using Reverie.Rl.Replay;

namespace Reverie.Rl.Tests.Driver;

/// <summary>
/// For the <c>count</c> env (state = steps since reset): every policy row must be 0 on a first step and
/// the previous row + 1 otherwise; every replayed sequence must follow the same rule with reward 0 on
/// first steps and 1 elsewhere. Counts policy rows and train calls; saves and loads the counts.
/// </summary>
internal sealed class CheckingAgent : IAgent
{
    // The carry: the previous state per row, valid once the policy has seen a step of every row.
    private sealed class Track(int rows) { public float[] Last = new float[rows]; public bool Valid; }

    public long PolicyRows { get; private set; }
    public long TrainCalls { get; private set; }
    /// <summary>A hash of every batch's states in the order trained on (equal only for the same sequence of batches).</summary>
    public long Digest { get; private set; }
    /// <summary>Called after each Train with the calls so far.</summary>
    public event Action<long>? Trained;
    public long FirstSteps { get; private set; }

    public object InitPolicy(int batch) => new Track(batch);

    public object Policy(object carry, Observation obs, ReadOnlySpan<bool> isFirst, PolicyMode mode, Span<float> actions)
    {
        var track = (Track)carry;
        Assert.Equal(track.Last.Length, obs.Rows);
        var state = obs.State;
        for (int i = 0; i < obs.Rows; i++)
        {
            if (isFirst[i]) { Assert.Equal(0f, state[i]); FirstSteps += mode == PolicyMode.Explore ? 1 : 0; }
            else if (track.Valid) Assert.Equal(track.Last[i] + 1, state[i]);
            track.Last[i] = state[i];
        }
        track.Valid = true;
        actions.Fill(mode == PolicyMode.Explore ? 0.5f : -0.5f);
        if (mode == PolicyMode.Explore) PolicyRows += obs.Rows;
        return carry;
    }

    public IReadOnlyDictionary<string, double> Train(ReplayBatch batch)
    {
        var s = batch["state"].Span; var r = batch["reward"].Span; var first = batch[ReplaySpec.IsFirst].Span;
        int T = batch.Length;
        for (int b = 0; b < batch.Batch; b++)
            for (int t = 1; t < T; t++)
            {
                int k = b * T + t;
                if (first[k] == 1) { Assert.Equal(0f, s[k]); Assert.Equal(0f, r[k]); }
                else { Assert.Equal(s[k - 1] + 1, s[k]); Assert.Equal(1f, r[k]); }
            }
        long sum = 0;
        foreach (float v in s) sum += (long)v;
        Digest = unchecked(Digest * 1_000_003 + sum);
        TrainCalls++;
        Trained?.Invoke(TrainCalls);
        return new Dictionary<string, double> { ["loss/check"] = 1 };
    }

    public AgentReport Report(ReplayBatch batch) =>
        new(new Dictionary<string, double> { ["calls"] = TrainCalls }, [new Video("check", 2, 2, [new byte[12], Enumerable.Repeat((byte)200, 12).ToArray()])]);

    public void Save(CheckpointContent content)
    {
        content.Extra["agent.policy_rows"] = PolicyRows;
        content.Extra["agent.train_calls"] = TrainCalls;
        content.Extra["agent.first_steps"] = FirstSteps;
        content.Extra["agent.digest"] = Digest;
    }

    public void Load(CheckpointContent content)
    {
        PolicyRows = (long)content.Extra["agent.policy_rows"]!;
        TrainCalls = (long)content.Extra["agent.train_calls"]!;
        FirstSteps = (long)content.Extra["agent.first_steps"]!;
        Digest = (long)content.Extra["agent.digest"]!;
    }

    public void Dispose() { }
}

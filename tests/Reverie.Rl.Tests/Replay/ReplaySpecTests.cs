// ReplaySpec.ForEnv and StepRecord.SetObservation: the replay layout follows an env's observation space.
using Reverie.Envs;
using Reverie.Rl.Replay;
using Reverie.Tensors;

namespace Reverie.Rl.Tests.Replay;

public class ReplaySpecTests
{
    [Fact]
    public void ForEnv_maps_observation_entries_then_action_and_reward()
    {
        var space = new DictSpace(("state", new BoxSpace(-1, 1, 3)), ("image", BoxSpace.Image(4, 5)));
        var spec = ReplaySpec.ForEnv(space, actionSize: 2);
        Assert.Equal(["state (3) float32", "image (4, 5, 3) uint8", "action (2) float32", "reward () float32"], spec.Fields.Select(f => f.ToString()));

        var obs = new Observation(space, rows: 2);
        obs.Floats("state")[3] = 7f;    // row 1
        obs.Bytes("image")[60] = 9;     // row 1, first byte
        var step = new StepRecord(spec);
        step.SetObservation(obs, row: 1);
        step.Floats("action")[1] = 0.5f;
        step["reward"] = 2f;
        step.SetFlags(true, false, false);
        var rb = new ReplayBuffer(spec, 10, chunkSize: 4);
        rb.Add(0, step);
        var b = rb.Sample(1, 1, new Rng(0));
        Assert.Equal([7f, 0f, 0f], b["state"].ToArray());
        Assert.Equal(9, b.Bytes("image")[0]);
        Assert.Equal([0f, 0.5f], b["action"].ToArray());
        Assert.Equal(2f, b["reward"].ToArray()[0]);
        Assert.Equal(1f, b[ReplaySpec.IsFirst].ToArray()[0]);

        var wrong = new Observation(new DictSpace(("state", new BoxSpace(-1, 1, 4))));
        Assert.Contains("'state'", Assert.Throws<ArgumentException>(() => step.SetObservation(wrong)).Message);
    }
}

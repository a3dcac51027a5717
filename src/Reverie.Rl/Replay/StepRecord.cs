// StepRecord: one step's data, reused by the caller to add steps to a replay buffer without allocating.
using Reverie.Envs;

namespace Reverie.Rl.Replay;

/// <summary>
/// One step to add to a <see cref="ReplayBuffer"/>: a buffer per field of a <see cref="ReplaySpec"/> plus the
/// three episode flags. Make one per env and reuse it: <see cref="ReplayBuffer.Add"/> copies the values.
/// </summary>
/// <remarks>
/// <b>Step convention</b> (as DreamerV3's driver): step t holds the observation o_t, the reward r_t received on
/// arriving at o_t (0 on a first step), the flags of o_t, and the action a_t the agent chose <i>at</i> o_t
/// (anything, e.g. zeros, on a last step). So a transition (o, a, r', o', terminal') is the pair of steps
/// (t, t + 1) of one episode.
/// </remarks>
public sealed class StepRecord
{
    private readonly Array[] _data;

    /// <summary>Zeroed buffers for every field of <paramref name="spec"/>; all flags false.</summary>
    public StepRecord(ReplaySpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Spec = spec;
        _data = spec.Fields.Select(f => f.Dtype == ReplayDtype.UInt8 ? (Array)new byte[f.Size] : new float[f.Size]).ToArray();
    }

    /// <summary>The layout.</summary>
    public ReplaySpec Spec { get; }

    /// <summary>The first step of an episode (the observation returned by a reset).</summary>
    public bool IsFirst { get; set; }

    /// <summary>The last step of an episode (terminated or truncated).</summary>
    public bool IsLast { get; set; }

    /// <summary>The episode terminated here (a true end: the value after it is zero). Implies <see cref="IsLast"/>.</summary>
    public bool IsTerminal { get; set; }

    /// <summary>The buffer of a float field, to fill in place.</summary>
    /// <exception cref="KeyNotFoundException">No such field.</exception>
    /// <exception cref="InvalidOperationException">The field holds bytes.</exception>
    public float[] Floats(string name) => _data[Spec.IndexOf(name) is var i and >= 0 ? i : Throw(name)] as float[]
        ?? throw new InvalidOperationException($"replay field '{name}' holds bytes, not floats");

    /// <summary>The buffer of a byte field, to fill in place.</summary>
    /// <exception cref="KeyNotFoundException">No such field.</exception>
    /// <exception cref="InvalidOperationException">The field holds floats.</exception>
    public byte[] Bytes(string name) => _data[Spec.IndexOf(name) is var i and >= 0 ? i : Throw(name)] as byte[]
        ?? throw new InvalidOperationException($"replay field '{name}' holds floats, not bytes");

    /// <summary>Sets a scalar float field (e.g. <c>reward</c>).</summary>
    public float this[string name]
    {
        get => Floats(name)[0];
        set => Floats(name)[0] = value;
    }

    /// <summary>The i-th field's buffer (<c>float[]</c> or <c>byte[]</c>), in <see cref="ReplaySpec.Fields"/> order.</summary>
    public Array ArrayAt(int i) => _data[i];

    /// <summary>
    /// Copies row <paramref name="row"/> of every observation entry whose name is a field of this record
    /// (entries without a field are skipped).
    /// </summary>
    /// <exception cref="ArgumentException">An entry's size or element type differs from its field.</exception>
    public void SetObservation(Observation obs, int row = 0)
    {
        ArgumentNullException.ThrowIfNull(obs);
        if ((uint)row >= (uint)obs.Rows) throw new ArgumentOutOfRangeException(nameof(row), $"row {row} of {obs.Rows}");
        for (int e = 0; e < obs.Space.Count; e++)
        {
            string name = obs.Space.Keys[e];
            int i = Spec.IndexOf(name);
            if (i < 0) continue;
            var src = obs.ArrayAt(e);
            var dst = _data[i];
            if (src.GetType() != dst.GetType() || obs.Space.SpaceAt(e).Size != dst.Length)
                throw new ArgumentException($"StepRecord.SetObservation: entry '{name}' ({obs.Space.SpaceAt(e)}) does not match field {Spec.Fields[i]}");
            Array.Copy(src, row * dst.Length, dst, 0, dst.Length);
        }
    }

    /// <summary>Sets the three flags at once.</summary>
    public void SetFlags(bool isFirst, bool isLast, bool isTerminal)
    {
        IsFirst = isFirst; IsLast = isLast; IsTerminal = isTerminal;
    }

    private int Throw(string name) => throw new KeyNotFoundException(
        $"replay has no field '{name}'; it has {string.Join(", ", Spec.Fields.Select(f => f.Name))}");
}

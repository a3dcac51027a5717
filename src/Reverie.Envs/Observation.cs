// Observation: the named arrays an env returns ("state": float[], "image": byte[] HWC), laid out by a DictSpace.
namespace Reverie.Envs;

/// <summary>
/// A set of named arrays laid out by a <see cref="DictSpace"/>: a <c>float[]</c> for each
/// <see cref="DType.Float32"/> entry and a <c>byte[]</c> for each <see cref="DType.UInt8"/> entry,
/// row-major. A batch (<see cref="Rows"/> &gt; 1, used by <see cref="VectorEnv"/>) stores row r of
/// entry k at <c>[r * space.Size, (r + 1) * space.Size)</c>.
/// </summary>
/// <remarks>
/// <b>Ownership:</b> environments and wrappers own their observation and overwrite it in place on
/// every <see cref="IEnv.Reset"/> and <see cref="IEnv.Step"/>. A caller that keeps an observation
/// past the next call must copy it (<see cref="Clone"/> or <see cref="CopyTo"/>); the vector env
/// and a replay buffer do.
/// </remarks>
public sealed class Observation
{
    private readonly Array[] _arrays;

    /// <summary>Allocates zeroed arrays for <paramref name="rows"/> observations of <paramref name="space"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> is less than 1.</exception>
    public Observation(DictSpace space, int rows = 1)
    {
        if (rows < 1) throw new ArgumentOutOfRangeException(nameof(rows), $"an observation needs rows >= 1, got {rows}");
        Space = space; Rows = rows;
        _arrays = new Array[space.Count];
        for (int i = 0; i < space.Count; i++)
        {
            var s = space.SpaceAt(i);
            _arrays[i] = s.DType == DType.UInt8 ? new byte[s.Size * rows] : new float[s.Size * rows];
        }
    }

    /// <summary>The layout.</summary>
    public DictSpace Space { get; }

    /// <summary>Number of observations stored (1 for a single env, N for a vector env).</summary>
    public int Rows { get; }

    /// <summary>The i-th entry's array (<c>float[]</c> or <c>byte[]</c>).</summary>
    public Array ArrayAt(int i) => _arrays[i];

    /// <summary>A float entry, e.g. <c>"state"</c>.</summary>
    /// <exception cref="KeyNotFoundException">No such entry.</exception>
    /// <exception cref="InvalidOperationException">The entry holds bytes.</exception>
    public float[] Floats(string name) => _arrays[Index(name)] as float[]
        ?? throw new InvalidOperationException($"observation entry '{name}' holds bytes, not floats");

    /// <summary>A byte entry, e.g. <c>"image"</c>.</summary>
    /// <exception cref="KeyNotFoundException">No such entry.</exception>
    /// <exception cref="InvalidOperationException">The entry holds floats.</exception>
    public byte[] Bytes(string name) => _arrays[Index(name)] as byte[]
        ?? throw new InvalidOperationException($"observation entry '{name}' holds floats, not bytes");

    /// <summary>The <c>"state"</c> entry.</summary>
    public float[] State => Floats("state");

    /// <summary>The <c>"image"</c> entry, (height, width, 3) bytes.</summary>
    public byte[] Image => Bytes("image");

    /// <summary>Copies every entry into <paramref name="dest"/>, which must have the same layout (<see cref="DictSpace.SameLayout"/>) and rows.</summary>
    /// <exception cref="ArgumentException">The layouts differ.</exception>
    public void CopyTo(Observation dest)
    {
        if (dest.Rows != Rows || !dest.Space.SameLayout(Space))
            throw new ArgumentException($"Observation.CopyTo: layouts differ ({Rows} x {Space} vs {dest.Rows} x {dest.Space})");
        for (int i = 0; i < _arrays.Length; i++) Array.Copy(_arrays[i], dest._arrays[i], _arrays[i].Length);
    }

    /// <summary>Copies row <paramref name="row"/> of every entry into row <paramref name="destRow"/> of <paramref name="dest"/>.</summary>
    /// <exception cref="ArgumentException">The layouts differ (<see cref="DictSpace.SameLayout"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A row index is out of range.</exception>
    public void CopyRowTo(int row, Observation dest, int destRow)
    {
        if (!dest.Space.SameLayout(Space))
            throw new ArgumentException($"Observation.CopyRowTo: layouts differ ({Space} vs {dest.Space})");
        if ((uint)row >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(row), $"row {row} of {Rows}");
        if ((uint)destRow >= (uint)dest.Rows) throw new ArgumentOutOfRangeException(nameof(destRow), $"row {destRow} of {dest.Rows}");
        for (int i = 0; i < _arrays.Length; i++)
        {
            int n = Space.SpaceAt(i).Size;
            Array.Copy(_arrays[i], row * n, dest._arrays[i], destRow * n, n);
        }
    }

    /// <summary>A deep copy.</summary>
    public Observation Clone()
    {
        var c = new Observation(Space, Rows);
        CopyTo(c);
        return c;
    }

    private int Index(string name)
    {
        int i = Space.IndexOf(name);
        return i >= 0 ? i : throw new KeyNotFoundException($"observation has no entry '{name}'; it has {string.Join(", ", Space.Keys)}");
    }
}

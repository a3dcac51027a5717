// DictSpace: an observation space, a small ordered set of named Box entries ("state", "image").
namespace Reverie.Envs;

/// <summary>
/// The observation space of an environment: named <see cref="BoxSpace"/> entries in a fixed order,
/// conventionally <c>"state"</c> (float vector) and <c>"image"</c> (uint8 64x64x3). Immutable.
/// </summary>
public sealed class DictSpace
{
    private readonly string[] _keys;
    private readonly BoxSpace[] _spaces;

    /// <summary>Creates the space from (name, box) pairs, in order.</summary>
    /// <exception cref="ArgumentException">No entries, an empty name, or a name given twice.</exception>
    public DictSpace(params (string Name, BoxSpace Space)[] entries)
    {
        if (entries.Length == 0) throw new ArgumentException("an observation space needs at least one entry");
        _keys = new string[entries.Length]; _spaces = new BoxSpace[entries.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            var (name, space) = entries[i];
            if (string.IsNullOrEmpty(name)) throw new ArgumentException("observation entry names must not be empty");
            if (Array.IndexOf(_keys, name, 0, i) >= 0) throw new ArgumentException($"observation entry '{name}' is given twice");
            _keys[i] = name; _spaces[i] = space ?? throw new ArgumentNullException(nameof(entries), $"space of '{name}' is null");
        }
    }

    /// <summary>Number of entries.</summary>
    public int Count => _keys.Length;

    /// <summary>Entry names, in order.</summary>
    public IReadOnlyList<string> Keys => _keys;

    /// <summary>The i-th entry's space.</summary>
    public BoxSpace SpaceAt(int i) => _spaces[i];

    /// <summary>Index of an entry, or -1.</summary>
    public int IndexOf(string name) => Array.IndexOf(_keys, name);

    /// <summary>True when there is an entry of that name.</summary>
    public bool Contains(string name) => IndexOf(name) >= 0;

    /// <summary>The space of a named entry.</summary>
    /// <exception cref="KeyNotFoundException">No such entry; the message lists the entries.</exception>
    public BoxSpace this[string name]
    {
        get
        {
            int i = IndexOf(name);
            return i >= 0 ? _spaces[i] : throw new KeyNotFoundException($"observation has no entry '{name}'; it has {string.Join(", ", _keys)}");
        }
    }

    /// <summary>A copy with an entry added at the end, or replaced in place if the name exists.</summary>
    public DictSpace With(string name, BoxSpace space)
    {
        var e = Entries().ToList();
        int i = IndexOf(name);
        if (i >= 0) e[i] = (name, space); else e.Add((name, space));
        return new DictSpace([.. e]);
    }

    /// <summary>A copy without the named entry (which must exist and must not be the only one).</summary>
    public DictSpace Without(string name)
    {
        _ = this[name];
        return new DictSpace([.. Entries().Where(e => e.Name != name)]);
    }

    /// <summary>The (name, space) pairs, in order.</summary>
    public IEnumerable<(string Name, BoxSpace Space)> Entries() => _keys.Select((k, i) => (k, _spaces[i]));

    /// <summary>Same names in the same order with the same spaces.</summary>
    public bool SameAs(DictSpace other) => _keys.AsSpan().SequenceEqual(other._keys)
        && _spaces.Zip(other._spaces).All(p => p.First.SameAs(p.Second));

    /// <summary>Same names, element types and sizes in the same order (bounds may differ): arrays of one copy into the other. Allocation-free.</summary>
    public bool SameLayout(DictSpace other)
    {
        if (ReferenceEquals(this, other)) return true;
        if (other._keys.Length != _keys.Length) return false;
        for (int i = 0; i < _keys.Length; i++)
            if (_keys[i] != other._keys[i] || _spaces[i].DType != other._spaces[i].DType || _spaces[i].Size != other._spaces[i].Size)
                return false;
        return true;
    }

    /// <summary>"{state: Box(...), image: Box(uint8, 0, 255, (64, 64, 3))}".</summary>
    public override string ToString() => "{" + string.Join(", ", Entries().Select(e => $"{e.Name}: {e.Space}")) + "}";
}

// ReplaySpec: the named fields one replay step holds (float vectors, byte images) besides the episode flags.
using Reverie.Envs;

namespace Reverie.Rl.Replay;

/// <summary>The element type of a replay field.</summary>
public enum ReplayDtype
{
    /// <summary>float32 values (states, actions, rewards); stored as <c>&lt;f4</c> in chunk files.</summary>
    Float32,
    /// <summary>bytes (images, HWC); stored as <c>|u1</c> in chunk files.</summary>
    UInt8,
}

/// <summary>
/// One named field of a replay step: a row-major array of <paramref name="Shape"/> per step
/// (an empty shape is a scalar, e.g. <c>reward</c>).
/// </summary>
/// <param name="Name">The field name, also the key in chunk files and batches (e.g. <c>"state"</c>, <c>"image"</c>).</param>
/// <param name="Shape">The per-step shape, e.g. <c>[64, 64, 3]</c>; empty for a scalar.</param>
/// <param name="Dtype">The element type.</param>
public sealed record ReplayField(string Name, int[] Shape, ReplayDtype Dtype)
{
    /// <summary>Elements per step (product of <see cref="Shape"/>; 1 for a scalar).</summary>
    public int Size
    {
        get { int n = 1; foreach (int d in Shape) n *= d; return n; }
    }

    /// <summary>A float field.</summary>
    public static ReplayField Float(string name, params int[] shape) => new(name, shape, ReplayDtype.Float32);

    /// <summary>A byte field (an image).</summary>
    public static ReplayField Bytes(string name, params int[] shape) => new(name, shape, ReplayDtype.UInt8);

    /// <inheritdoc/>
    public bool Equals(ReplayField? other) =>
        other is not null && Name == other.Name && Dtype == other.Dtype && Shape.AsSpan().SequenceEqual(other.Shape);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, Dtype, Shape.Length);

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({string.Join(", ", Shape)}) {(Dtype == ReplayDtype.UInt8 ? "uint8" : "float32")}";
}

/// <summary>
/// The layout of a replay step: its data fields in order. Every step also carries three flags that are not
/// listed here and always exist: <see cref="IsFirst"/> (<c>is_first</c>), <see cref="IsLast"/> (<c>is_last</c>)
/// and <see cref="IsTerminal"/> (<c>is_terminal</c>).
/// </summary>
public sealed class ReplaySpec
{
    /// <summary>The flag names, as stored in chunk files and batches.</summary>
    public const string IsFirst = "is_first", IsLast = "is_last", IsTerminal = "is_terminal";

    /// <summary>The three flag names in storage order.</summary>
    public static IReadOnlyList<string> FlagNames { get; } = [IsFirst, IsLast, IsTerminal];

    private readonly ReplayField[] _fields;

    /// <summary>A layout with the given fields.</summary>
    /// <exception cref="ArgumentException">No fields, a duplicate or empty name, a flag name used as a field, a name
    /// with a character outside [A-Za-z0-9_.-], or a negative or zero dimension.</exception>
    public ReplaySpec(IEnumerable<ReplayField> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        _fields = fields.ToArray();
        if (_fields.Length == 0) throw new ArgumentException("ReplaySpec: at least one field is needed");
        var seen = new HashSet<string>();
        foreach (var f in _fields)
        {
            if (string.IsNullOrEmpty(f.Name) || !f.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
                throw new ArgumentException($"ReplaySpec: field name '{f.Name}' must be non-empty and use only letters, digits, '_', '.', '-'");
            if (FlagNames.Contains(f.Name))
                throw new ArgumentException($"ReplaySpec: '{f.Name}' is a flag every step carries; do not list it as a field");
            if (!seen.Add(f.Name)) throw new ArgumentException($"ReplaySpec: duplicate field '{f.Name}'");
            if (f.Shape.Any(d => d <= 0))
                throw new ArgumentException($"ReplaySpec: field '{f.Name}' has shape ({string.Join(", ", f.Shape)}); dimensions must be positive");
        }
    }

    /// <summary>A layout with the given fields.</summary>
    public ReplaySpec(params ReplayField[] fields) : this((IEnumerable<ReplayField>)fields) { }

    /// <summary>
    /// The usual layout for an environment: one field per observation entry (float entries as float fields,
    /// byte entries such as <c>image</c> as byte fields, with the entry's shape), then <c>action</c>
    /// (<paramref name="actionSize"/> floats; a discrete action is stored as a one-hot or an index, the agent's
    /// choice) and <c>reward</c> (a scalar).
    /// </summary>
    public static ReplaySpec ForEnv(DictSpace observationSpace, int actionSize)
    {
        ArgumentNullException.ThrowIfNull(observationSpace);
        if (actionSize <= 0) throw new ArgumentOutOfRangeException(nameof(actionSize), $"ReplaySpec.ForEnv: actionSize must be positive, got {actionSize}");
        var fields = new List<ReplayField>();
        foreach (var (name, space) in observationSpace.Entries())
            fields.Add(new ReplayField(name, space.Shape.ToArray(), space.DType == DType.UInt8 ? ReplayDtype.UInt8 : ReplayDtype.Float32));
        fields.Add(ReplayField.Float("action", actionSize));
        fields.Add(ReplayField.Float("reward"));
        return new ReplaySpec(fields);
    }

    /// <summary>The data fields in order (flags not included).</summary>
    public IReadOnlyList<ReplayField> Fields => _fields;

    /// <summary>The position of a field, or -1.</summary>
    public int IndexOf(string name) => Array.FindIndex(_fields, f => f.Name == name);

    /// <summary>The field called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such field; the message lists the fields.</exception>
    public ReplayField this[string name]
    {
        get
        {
            int i = IndexOf(name);
            return i >= 0 ? _fields[i] : throw new KeyNotFoundException($"replay has no field '{name}'; it has {string.Join(", ", _fields.Select(f => f.Name))} and the flags {string.Join(", ", FlagNames)}");
        }
    }

    /// <summary>True when both layouts have the same fields in the same order.</summary>
    public bool SameAs(ReplaySpec other) => _fields.AsSpan().SequenceEqual(other._fields);

    /// <inheritdoc/>
    public override string ToString() => "{" + string.Join(", ", _fields.Select(f => f.ToString())) + "}";
}

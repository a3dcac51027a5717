// Args: a small command-line parser: --name value, --name=value, repeatable options, flags, positionals, --help.
namespace Reverie.Cli;

/// <summary>A usage error: bad or missing arguments or config. The command exits with <see cref="ExitCodes.Usage"/>.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// Parsed arguments of one verb. Every option must be declared by the verb (<see cref="Declare"/>);
/// unknown options are usage errors that name the option and list the known ones.
/// </summary>
public sealed class Args
{
    private readonly Dictionary<string, List<string>> _values = [];
    private readonly HashSet<string> _flags = [];

    /// <summary>Values not attached to an option, in order.</summary>
    public List<string> Positionals { get; } = [];

    /// <summary>True when <c>--help</c> or <c>-h</c> was given.</summary>
    public bool Help { get; private set; }

    /// <summary>Parses <paramref name="argv"/> against the declared options (name → takes a value).</summary>
    /// <exception cref="UsageException">An unknown option or a missing value.</exception>
    public static Args Parse(string verb, IReadOnlyList<string> argv, IReadOnlyDictionary<string, bool> declared)
    {
        var a = new Args();
        for (int i = 0; i < argv.Count; i++)
        {
            string s = argv[i];
            if (s is "--help" or "-h") { a.Help = true; continue; }
            if (!s.StartsWith("--", StringComparison.Ordinal) || s == "--") { a.Positionals.Add(s); continue; }
            string name = s[2..], value = "";
            int eq = name.IndexOf('=');
            bool inline = eq >= 0;
            if (inline) { value = name[(eq + 1)..]; name = name[..eq]; }
            if (!declared.TryGetValue(name, out bool takesValue))
                throw new UsageException($"{verb}: unknown option '--{name}'; options: {string.Join(", ", declared.Keys.Select(k => "--" + k))}, --help");
            if (!takesValue)
            {
                if (inline) throw new UsageException($"{verb}: option '--{name}' takes no value");
                a._flags.Add(name);
                continue;
            }
            if (!inline)
            {
                if (i + 1 >= argv.Count) throw new UsageException($"{verb}: option '--{name}' needs a value");
                value = argv[++i];
            }
            if (!a._values.TryGetValue(name, out var list)) a._values[name] = list = [];
            list.Add(value);
        }
        return a;
    }

    /// <summary>True when the flag was given.</summary>
    public bool Flag(string name) => _flags.Contains(name);

    /// <summary>The option's last value, or null.</summary>
    public string? Get(string name) => _values.TryGetValue(name, out var l) ? l[^1] : null;

    /// <summary>Every value of a repeatable option, as given.</summary>
    public List<string> Values(string name) => _values.TryGetValue(name, out var l) ? [.. l] : [];

    /// <summary>Every value of a repeatable option; comma-separated values are split.</summary>
    public List<string> All(string name) => _values.TryGetValue(name, out var l)
        ? [.. l.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))] : [];

    /// <summary>The option's value, required.</summary>
    /// <exception cref="UsageException">Missing.</exception>
    public string Require(string verb, string name) => Get(name) ?? throw new UsageException($"{verb}: --{name} is required (see 'reverie {verb} --help')");

    /// <summary>An integer option, or <paramref name="fallback"/>.</summary>
    /// <exception cref="UsageException">Not an integer in range.</exception>
    public long Long(string verb, string name, long fallback, long min = 0)
    {
        string? s = Get(name);
        if (s == null) return fallback;
        if (!long.TryParse(s.Replace("_", ""), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long v) || v < min)
            throw new UsageException($"{verb}: --{name} must be an integer >= {min}, got '{s}'");
        return v;
    }

    /// <summary>Builds the declaration table: names ending in '!' are flags, the others take a value.</summary>
    public static Dictionary<string, bool> Declare(params string[] names) =>
        names.ToDictionary(n => n.TrimEnd('!'), n => !n.EndsWith('!'));
}

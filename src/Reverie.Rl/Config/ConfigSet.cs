// ConfigSet: typed config sections (run, agent, ...) addressed by dotted keys; presets, --set overrides, validation, YAML out.
using System.Reflection;
using YamlDotNet.Serialization;

namespace Reverie.Rl.Config;

/// <summary>
/// A run's configuration: named sections, each a typed record with defaults (<c>run</c> → <see cref="RunConfig"/>,
/// <c>agent</c> → an agent's config record), addressed by dotted snake_case keys (<c>run.train_ratio</c>,
/// <c>agent.rssm.deter</c>). Nested records become nested keys; leaves are numbers, bools, strings, enums
/// (snake_case names), their nullable forms and arrays of them.
/// </summary>
/// <remarks>
/// Typical use: <c>var cfg = new ConfigSet().Add("run", new RunConfig()).Add("agent", new DreamerConfig());</c>
/// then <c>cfg.Resolve(PresetLibrary.Load(files), ["debug"], ["run.steps=500"])</c>, read the records with
/// <see cref="Get{T}"/> and <see cref="WriteYaml"/> them into the run directory. The records handed to
/// <see cref="Add{T}"/> are copied, never modified.
/// </remarks>
public sealed class ConfigSet
{
    private readonly Dictionary<string, object> _sections = [];
    private readonly List<string> _order = [];

    /// <summary>Adds a section holding a copy of <paramref name="defaults"/>.</summary>
    /// <exception cref="ArgumentException">The name is empty, has a dot, or is taken; or the type has an unsupported property.</exception>
    public ConfigSet Add<T>(string section, T defaults) where T : class
    {
        ArgumentNullException.ThrowIfNull(defaults);
        if (string.IsNullOrEmpty(section) || section.Contains('.')) throw new ArgumentException($"ConfigSet.Add: bad section name '{section}'");
        if (!_sections.TryAdd(section, DeepCopy(defaults))) throw new ArgumentException($"ConfigSet.Add: section '{section}' exists");
        _order.Add(section);
        return this;
    }

    /// <summary>The section's record.</summary>
    /// <exception cref="KeyNotFoundException">No such section.</exception>
    /// <exception cref="InvalidCastException">The section holds another type.</exception>
    public T Get<T>(string section) where T : class =>
        _sections.TryGetValue(section, out var o) ? (T)o : throw new KeyNotFoundException($"no config section '{section}' (sections: {string.Join(", ", _order)})");

    /// <summary>The section names in order.</summary>
    public IReadOnlyList<string> Sections => _order;

    /// <summary>Every key with its current value as config text (a string, a list of strings, or null), in declaration order.</summary>
    public List<KeyValuePair<string, object?>> Flatten()
    {
        var list = new List<KeyValuePair<string, object?>>();
        foreach (var s in _order) Walk(_sections[s], s, (key, owner, p) => list.Add(new(key, ConfigValues.Format(p.GetValue(owner)))));
        return list;
    }

    /// <summary>Every key, in declaration order.</summary>
    public IReadOnlyList<string> Keys => Flatten().Select(kv => kv.Key).ToList();

    /// <summary>Sets one key from config text (a string, a list for arrays, or null).</summary>
    /// <exception cref="ConfigException">Unknown key (with close matches) or a value that does not parse as the key's type.</exception>
    public void Set(string key, object? value, string source = "")
    {
        var (owner, prop) = Find(key, source);
        prop.SetValue(owner, ConfigValues.Parse(value, prop.PropertyType, key, source));
    }

    /// <summary>Applies <c>key=value</c> (as from <c>--set</c>); the value is read as YAML, so <c>[64, 64]</c> is a list.</summary>
    /// <exception cref="ConfigException">No '=', an unknown key, or a bad value.</exception>
    public void ApplyAssignment(string assignment)
    {
        int eq = assignment.IndexOf('=');
        if (eq <= 0) throw new ConfigException($"--set '{assignment}': expected key=value, e.g. run.steps=1000");
        string key = assignment[..eq].Trim(), text = assignment[(eq + 1)..];
        object? value = text;
        string t = text.TrimStart();
        if (t.StartsWith('[') || t.StartsWith('"') || t.StartsWith('\''))
        {
            var m = PresetLibrary.ParseMapping("v: " + text, $"--set {key}");
            value = m is null ? null : PresetLibrary.Leaf(m.Children.Values.First(), key, "--set");
        }
        Set(key, value, $" (from --set {assignment})");
    }

    /// <summary>Applies a YAML mapping of overrides (nested or dotted keys), e.g. a saved <c>config.yaml</c>.</summary>
    public void ApplyYaml(string yaml, string source)
    {
        var root = PresetLibrary.ParseMapping(yaml, source);
        if (root is null) return;
        var values = new List<(string, object?)>();
        PresetLibrary.Flatten(root, "", values, source);
        var errors = new List<string>();
        foreach (var (k, v) in values)
            try { Set(k, v, $" (in {source})"); } catch (ConfigException e) { errors.Add(e.Message); }
        if (errors.Count > 0) throw new ConfigException(string.Join("\n", errors));
    }

    /// <summary>
    /// Applies the named presets in order, then the <c>key=value</c> assignments in order, then validates. All errors
    /// are collected and thrown together.
    /// </summary>
    /// <exception cref="ConfigException">Unknown presets or keys, bad values, or failed validation; every problem on its own line.</exception>
    public ConfigSet Resolve(PresetLibrary presets, IEnumerable<string> presetNames, IEnumerable<string> assignments)
    {
        var errors = new List<string>();
        foreach (var name in presetNames.Where(n => n.Length > 0))
        {
            try
            {
                foreach (var (k, v, src) in presets.Get(name))
                    try { Set(k, v, src); } catch (ConfigException e) { errors.Add(e.Message); }
            }
            catch (ConfigException e) { errors.Add(e.Message); }
        }
        foreach (var a in assignments)
            try { ApplyAssignment(a); } catch (ConfigException e) { errors.Add(e.Message); }
        if (errors.Count == 0) errors.AddRange(Problems());
        if (errors.Count > 0) throw new ConfigException(string.Join("\n", errors));
        return this;
    }

    /// <summary>Splits a <c>--preset a,b</c> argument into names.</summary>
    public static string[] ParsePresetList(string? list) =>
        (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Runs every <see cref="IConfigValidation"/> hook.</summary>
    /// <exception cref="ConfigException">Any problem, each naming its full key.</exception>
    public void Validate()
    {
        var p = Problems();
        if (p.Count > 0) throw new ConfigException(string.Join("\n", p));
    }

    /// <summary>The config as YAML: one mapping per section, nested like the records.</summary>
    public string ToYaml()
    {
        var root = new Dictionary<string, object?>();
        foreach (var (key, value) in Flatten())
        {
            var parts = key.Split('.');
            var node = root;
            for (int i = 0; i < parts.Length - 1; i++)
            {
                if (!node.TryGetValue(parts[i], out var child)) node[parts[i]] = child = new Dictionary<string, object?>();
                node = (Dictionary<string, object?>)child!;
            }
            node[parts[^1]] = value;
        }
        return new SerializerBuilder().Build().Serialize(root);
    }

    /// <summary>Writes <see cref="ToYaml"/> to <paramref name="path"/> (e.g. <c>runDir/config.yaml</c>), atomically.</summary>
    public void WriteYaml(string path)
    {
        string? dir = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        Replay.ReplayBuffer.WriteTextAtomic(path, ToYaml());
    }

    private List<string> Problems()
    {
        var errors = new List<string>();
        foreach (var s in _order) Check(_sections[s], s, errors);
        return errors;
    }

    private static void Check(object record, string prefix, List<string> errors)
    {
        if (record is IConfigValidation v)
            foreach (var (k, problem) in v.Validate()) errors.Add($"config key '{prefix}.{k}': {problem}");
        foreach (var p in Properties(record.GetType()))
            if (!ConfigValues.IsLeaf(p.PropertyType) && p.GetValue(record) is { } child) Check(child, $"{prefix}.{KeyOf(p)}", errors);
    }

    private (object Owner, PropertyInfo Prop) Find(string key, string source)
    {
        var parts = key.Split('.');
        if (parts.Length < 2 || !_sections.TryGetValue(parts[0], out var owner)) throw Unknown(key, source);
        for (int i = 1; i < parts.Length; i++)
        {
            var p = Properties(owner.GetType()).FirstOrDefault(p => KeyOf(p) == parts[i]) ?? throw Unknown(key, source);
            if (i == parts.Length - 1)
            {
                if (!ConfigValues.IsLeaf(p.PropertyType))
                    throw new ConfigException($"config key '{key}'{source} is a group; set one of its keys: {string.Join(", ", Keys.Where(k => k.StartsWith(key + ".", StringComparison.Ordinal)))}");
                return (owner, p);
            }
            if (ConfigValues.IsLeaf(p.PropertyType)) throw Unknown(key, source);
            owner = p.GetValue(owner) ?? throw new ConfigException($"config key '{key}'{source}: group '{string.Join('.', parts[..(i + 1)])}' is null");
        }
        throw Unknown(key, source);
    }

    private ConfigException Unknown(string key, string source)
    {
        var keys = Keys;
        string last = key[(key.LastIndexOf('.') + 1)..];
        var close = keys.Where(k => ConfigNames.Distance(k, key) <= Math.Max(2, key.Length / 4) || k.EndsWith("." + last, StringComparison.Ordinal))
            .OrderBy(k => ConfigNames.Distance(k, key)).Take(5).ToList();
        string hint = close.Count > 0 ? $"; did you mean {string.Join(" or ", close.Select(c => $"'{c}'"))}?" : "";
        string section = key.Split('.')[0];
        var allowed = keys.Where(k => k.StartsWith(section + ".", StringComparison.Ordinal)).ToList();
        string list = allowed.Count > 0 ? $"(keys under '{section}': {string.Join(", ", allowed)})" : $"(sections: {string.Join(", ", _order)})";
        return new ConfigException($"unknown config key '{key}'{source}{hint} {list}");
    }

    private static void Walk(object record, string prefix, Action<string, object, PropertyInfo> leaf)
    {
        foreach (var p in Properties(record.GetType()))
        {
            string key = $"{prefix}.{KeyOf(p)}";
            if (ConfigValues.IsLeaf(p.PropertyType)) leaf(key, record, p);
            else if (p.GetValue(record) is { } child) Walk(child, key, leaf);
        }
    }

    private static IEnumerable<PropertyInfo> Properties(Type t) =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.CanWrite && p.GetIndexParameters().Length == 0 && p.GetCustomAttribute<ConfigIgnoreAttribute>() is null
                && p.Name != "EqualityContract")
            .OrderBy(p => p.MetadataToken);

    private static string KeyOf(PropertyInfo p) => p.GetCustomAttribute<ConfigNameAttribute>()?.Name ?? ConfigNames.SnakeCase(p.Name);

    /// <summary>Copies a record tree (records through their compiler-made clone, arrays by value).</summary>
    private static object DeepCopy(object o)
    {
        var clone = o.GetType().GetMethod("<Clone>$", BindingFlags.Public | BindingFlags.Instance);
        object copy = clone is not null ? clone.Invoke(o, null)!
            : o.GetType().GetMethod("MemberwiseClone", BindingFlags.NonPublic | BindingFlags.Instance)!.Invoke(o, null)!;
        foreach (var p in Properties(o.GetType()))
        {
            var v = p.GetValue(copy);
            if (v is Array a) p.SetValue(copy, a.Clone());
            else if (v is not null && !ConfigValues.IsLeaf(p.PropertyType)) p.SetValue(copy, DeepCopy(v));
        }
        return copy;
    }
}

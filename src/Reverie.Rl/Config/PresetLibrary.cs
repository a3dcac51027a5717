// PresetLibrary: named config overlays read from YAML files (top-level keys are preset names).
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Reverie.Rl.Config;

/// <summary>
/// Named presets from YAML files. Each file is a mapping from preset name to a mapping of overrides; nested
/// mappings join with dots, so <c>run: {steps: 100}</c> and <c>run.steps: 100</c> mean the same. Sequences are
/// list values (<c>units: [64, 64]</c>). A preset name may appear in several files (e.g. <c>debug</c> in
/// <c>configs/run.yaml</c> and <c>configs/dreamer.yaml</c>): applying it applies every file's part, in the order
/// the files were added.
/// </summary>
public sealed class PresetLibrary
{
    private readonly List<(string Name, string Source, List<(string Key, object? Value)> Values)> _presets = [];

    /// <summary>Loads every given YAML file, in order.</summary>
    /// <exception cref="ConfigException">A missing file or invalid YAML; the message names the file.</exception>
    public static PresetLibrary Load(IEnumerable<string> files)
    {
        var lib = new PresetLibrary();
        foreach (var f in files) lib.AddFile(f);
        return lib;
    }

    /// <summary>Adds the presets of a YAML file.</summary>
    public void AddFile(string path)
    {
        if (!File.Exists(path)) throw new ConfigException($"preset file '{path}' does not exist");
        AddYaml(File.ReadAllText(path), path);
    }

    /// <summary>Adds the presets of YAML text; <paramref name="source"/> names it in errors.</summary>
    public void AddYaml(string yaml, string source)
    {
        var root = ParseMapping(yaml, source);
        if (root is null) return;
        foreach (var (k, v) in root.Children)
        {
            string name = ((YamlScalarNode)k).Value ?? "";
            if (v is not YamlMappingNode m)
                throw new ConfigException($"preset file '{source}': preset '{name}' must be a mapping of keys to values (line {k.Start.Line})");
            var values = new List<(string, object?)>();
            Flatten(m, "", values, source);
            _presets.Add((name, source, values));
        }
    }

    /// <summary>The preset names, in first-seen order.</summary>
    public IReadOnlyList<string> Names => _presets.Select(p => p.Name).Distinct().ToList();

    /// <summary>True when a preset of that name exists.</summary>
    public bool Contains(string name) => _presets.Any(p => p.Name == name);

    /// <summary>The overrides of preset <paramref name="name"/> (every file's part, in order) with their sources.</summary>
    /// <exception cref="ConfigException">No such preset; the message lists the presets.</exception>
    public IEnumerable<(string Key, object? Value, string Source)> Get(string name)
    {
        if (!Contains(name))
        {
            var close = Names.Where(n => ConfigNames.Distance(n, name) <= Math.Max(2, name.Length / 3)).ToList();
            throw new ConfigException($"unknown preset '{name}'" + (close.Count > 0 ? $"; did you mean {string.Join(" or ", close.Select(c => $"'{c}'"))}?" : "")
                + $" (presets: {(Names.Count == 0 ? "none" : string.Join(", ", Names))})");
        }
        foreach (var p in _presets.Where(p => p.Name == name))
            foreach (var (k, v) in p.Values) yield return (k, v, $" (preset '{name}' in {p.Source})");
    }

    /// <summary>Parses a YAML document whose root is a mapping (or empty: null).</summary>
    internal static YamlMappingNode? ParseMapping(string yaml, string source)
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(yaml)); }
        catch (YamlException e) { throw new ConfigException($"'{source}' is not valid YAML: {e.Message} (line {e.Start.Line})"); }
        if (stream.Documents.Count == 0) return null;
        return stream.Documents[0].RootNode switch
        {
            YamlMappingNode m => m,
            YamlScalarNode { Value: null or "" } => null,
            var n => throw new ConfigException($"'{source}': the top level must be a mapping (line {n.Start.Line})"),
        };
    }

    /// <summary>Flattens nested mappings to dotted keys; leaves become a string, a list (sequences) or null.</summary>
    internal static void Flatten(YamlMappingNode m, string prefix, List<(string, object?)> into, string source)
    {
        foreach (var (k, v) in m.Children)
        {
            string key = prefix + (((YamlScalarNode)k).Value ?? "");
            if (v is YamlMappingNode child) Flatten(child, key + ".", into, source);
            else into.Add((key, Leaf(v, key, source)));
        }
    }

    internal static object? Leaf(YamlNode v, string key, string source) => v switch
    {
        YamlScalarNode s => s.Style == YamlDotNet.Core.ScalarStyle.Plain && s.Value is "~" or "null" or "" ? null : s.Value,
        YamlSequenceNode seq => seq.Children.Select(c => c is YamlMappingNode
            ? throw new ConfigException($"config key '{key}' in {source}: list items must be values, not mappings") : Leaf(c, key, source)).ToList(),
        _ => throw new ConfigException($"config key '{key}' in {source}: unsupported YAML node"),
    };
}

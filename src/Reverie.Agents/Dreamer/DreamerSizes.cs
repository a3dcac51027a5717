// DreamerSizes: DreamerV3's model size presets (configs.yaml size1m .. size400m) as a table.
namespace Reverie.Agents.Dreamer;

/// <summary>One DreamerV3 size preset: what its regex overrides set.</summary>
/// <param name="Deter">rssm.deter.</param>
/// <param name="Hidden">rssm.hidden.</param>
/// <param name="Classes">rssm.classes.</param>
/// <param name="Depth">CNN depth.</param>
/// <param name="Units">MLP units.</param>
public readonly record struct DreamerSize(int Deter, int Hidden, int Classes, int Depth, int Units);

/// <summary>DreamerV3's size presets, from danijar/dreamerv3 <c>configs.yaml</c> (stoch stays 32, blocks 8).</summary>
public static class DreamerSizes
{
    /// <summary>Preset name → values, smallest first. <c>size200m</c> equals the config defaults.</summary>
    public static IReadOnlyDictionary<string, DreamerSize> All { get; } = new Dictionary<string, DreamerSize>
    {
        ["size1m"] = new(512, 64, 4, 4, 64),
        ["size12m"] = new(2048, 256, 16, 16, 256),
        ["size25m"] = new(3072, 384, 24, 24, 384),
        ["size50m"] = new(4096, 512, 32, 32, 512),
        ["size100m"] = new(6144, 768, 48, 48, 768),
        ["size200m"] = new(8192, 1024, 64, 64, 1024),
        ["size400m"] = new(12288, 1536, 96, 96, 1536),
    };

    /// <summary>The preset called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    public static DreamerSize Get(string name) =>
        All.TryGetValue(name, out var s) ? s
            : throw new ArgumentException($"DreamerSizes: unknown size '{name}'; expected one of {string.Join(", ", All.Keys)}");
}

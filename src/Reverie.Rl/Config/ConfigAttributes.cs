// Config attributes and naming: property names map to snake_case keys (TrainRatio -> train_ratio) unless renamed.
using System.Text;

namespace Reverie.Rl.Config;

/// <summary>Gives a config property an explicit key instead of its snake_case name.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ConfigNameAttribute(string name) : Attribute
{
    /// <summary>The key segment.</summary>
    public string Name { get; } = name;
}

/// <summary>Leaves a property out of the config (not settable, not written).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ConfigIgnoreAttribute : Attribute;

/// <summary>A config record that checks its own values after every override has been applied.</summary>
public interface IConfigValidation
{
    /// <summary>
    /// The problems found, each as the key relative to this record (e.g. <c>batch_size</c>) and what is wrong
    /// (e.g. <c>must be at least 1, got 0</c>). Empty when the values are fine.
    /// </summary>
    IEnumerable<(string Key, string Problem)> Validate();
}

/// <summary>A bad config: unknown keys, unparsable values, failed validation. The message names every bad key.</summary>
public sealed class ConfigException(string message) : Exception(message);

/// <summary>The naming rule shared by code and config files.</summary>
public static class ConfigNames
{
    /// <summary>
    /// PascalCase to snake_case: <c>TrainRatio</c> → <c>train_ratio</c>, <c>MlpUnits</c> → <c>mlp_units</c>,
    /// <c>CNNDepth</c> → <c>cnn_depth</c>, <c>Layer2Norm</c> → <c>layer2_norm</c>.
    /// </summary>
    public static string SnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c))
            {
                bool prevLowerOrDigit = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]));
                bool acronymEnd = i > 0 && char.IsUpper(name[i - 1]) && i + 1 < name.Length && char.IsLower(name[i + 1]);
                if (prevLowerOrDigit || acronymEnd) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Levenshtein distance, for "did you mean" suggestions.</summary>
    internal static int Distance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}

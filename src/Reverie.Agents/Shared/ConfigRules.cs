// ConfigRules: the range checks agent configs share, reported both as exceptions and as config-key problems.
using Reverie.Rl.Config;

namespace Reverie.Agents.Shared;

/// <summary>One broken rule of a config: the C# property name, its value and what it must be.</summary>
public readonly record struct ConfigProblem(string Key, object Value, string Rule);

/// <summary>Helpers so an agent config lists its rules once and reports them in both forms.</summary>
public static class ConfigRules
{
    /// <summary>No problem when <paramref name="ok"/>, else one naming the property.</summary>
    public static IEnumerable<ConfigProblem> Require(bool ok, string key, object value, string rule) =>
        ok ? [] : [new ConfigProblem(key, value, rule)];

    /// <summary>Throws on the first problem: <c>{owner} config: {Key} = {value} {rule}</c>.</summary>
    /// <exception cref="ArgumentException">Some problem exists.</exception>
    public static void ThrowFirst(string owner, IEnumerable<ConfigProblem> problems)
    {
        foreach (var p in problems) throw new ArgumentException($"{owner} config: {p.Key} = {p.Value} {p.Rule}");
    }

    /// <summary>The problems under their snake_case config keys, for <see cref="IConfigValidation"/>.</summary>
    public static IEnumerable<(string Key, string Problem)> AsConfigKeys(IEnumerable<ConfigProblem> problems) =>
        problems.Select(p => (ConfigNames.SnakeCase(p.Key), $"{p.Rule}, got {p.Value}"));
}

// ConfigValues: parses config text (YAML scalars and sequences) into a property's type, with errors naming the key.
using System.Globalization;

namespace Reverie.Rl.Config;

/// <summary>Parsing and formatting of config values.</summary>
internal static class ConfigValues
{
    /// <summary>Types a config leaf may have (plus enums, nullable forms and arrays of these).</summary>
    public static bool IsLeaf(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        if (t.IsArray) return IsLeaf(t.GetElementType()!);
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal);
    }

    /// <summary>Converts <paramref name="raw"/> (a string, or a list for sequences, or null) to <paramref name="type"/>.</summary>
    public static object? Parse(object? raw, Type type, string key, string source)
    {
        var under = Nullable.GetUnderlyingType(type);
        if (raw is null || raw is string s0 && under is not null && s0 is "null" or "~" or "")
        {
            if (under is not null || !type.IsValueType && !type.IsArray && type != typeof(string)) return null;
            if (type == typeof(string)) return "";
            throw Error(key, raw, $"a value ({TypeName(type)})", source);
        }
        type = under ?? type;
        if (type.IsArray)
        {
            var elem = type.GetElementType()!;
            var items = raw as List<object?> ?? [raw];
            var arr = Array.CreateInstance(elem, items.Count);
            for (int i = 0; i < items.Count; i++) arr.SetValue(Parse(items[i], elem, $"{key}[{i}]", source), i);
            return arr;
        }
        if (raw is not string s) throw Error(key, "a list", $"a single {TypeName(type)}", source);
        var ci = CultureInfo.InvariantCulture;
        string t = s.Trim();
        if (type == typeof(string)) return s;
        if (type == typeof(bool))
        {
            if (t.Equals("true", StringComparison.OrdinalIgnoreCase)) return true;
            if (t.Equals("false", StringComparison.OrdinalIgnoreCase)) return false;
            throw Error(key, s, "true or false", source);
        }
        if (type.IsEnum)
        {
            foreach (var name in Enum.GetNames(type))
                if (name.Equals(t, StringComparison.OrdinalIgnoreCase) || ConfigNames.SnakeCase(name) == t.ToLowerInvariant())
                    return Enum.Parse(type, name);
            throw Error(key, s, "one of " + string.Join(", ", Enum.GetNames(type).Select(ConfigNames.SnakeCase)), source);
        }
        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal))
        {
            double d = t.ToLowerInvariant() switch
            {
                ".inf" or "inf" or "+inf" or "+.inf" => double.PositiveInfinity,
                "-.inf" or "-inf" => double.NegativeInfinity,
                ".nan" or "nan" => double.NaN,
                _ => double.TryParse(t.Replace("_", ""), NumberStyles.Float, ci, out double v) ? v : throw Error(key, s, "a number", source),
            };
            return type == typeof(double) ? d : type == typeof(float) ? (float)d : (object)(decimal)d;
        }
        // Integers: also accept 1e6, 1.1e6 and 1_000_000 when the value is a whole number in range.
        string u = t.Replace("_", "");
        if (!long.TryParse(u, NumberStyles.Integer, ci, out long l))
        {
            if (type == typeof(ulong) && ulong.TryParse(u, NumberStyles.Integer, ci, out ulong ul)) return ul;
            if (!double.TryParse(u, NumberStyles.Float, ci, out double d) || d != Math.Floor(d) || Math.Abs(d) > 9.0e15)
                throw Error(key, s, $"a whole number ({TypeName(type)})", source);
            l = (long)d;
        }
        try { return Convert.ChangeType(l, type, ci); }
        catch (OverflowException) { throw Error(key, s, $"a {TypeName(type)} in range", source); }
    }

    /// <summary>A value as config text: invariant numbers (round-trip), lowercase bools, snake_case enums.</summary>
    public static object? Format(object? value) => value switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        Enum e => ConfigNames.SnakeCase(e.ToString()),
        double d => FormatDouble(d),
        float f => FormatDouble(f),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        Array a => a.Cast<object?>().Select(Format).ToList(),
        _ => value.ToString(),
    };

    private static string FormatDouble(double d) =>
        double.IsPositiveInfinity(d) ? ".inf" : double.IsNegativeInfinity(d) ? "-.inf" : double.IsNaN(d) ? ".nan"
        : d.ToString("R", CultureInfo.InvariantCulture);

    public static string TypeName(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        if (t.IsArray) return $"list of {TypeName(t.GetElementType()!)}";
        if (t.IsEnum) return $"one of {string.Join(", ", Enum.GetNames(t).Select(ConfigNames.SnakeCase))}";
        return t == typeof(int) ? "int" : t == typeof(long) ? "long" : t == typeof(double) ? "double" : t == typeof(float) ? "float"
            : t == typeof(bool) ? "bool" : t == typeof(string) ? "string" : t.Name;
    }

    private static ConfigException Error(string key, object? value, string expected, string source) =>
        new($"config key '{key}'{source}: '{value}' is not valid; expected {expected}");
}

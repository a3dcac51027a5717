// Config: snake_case keys, presets from YAML (nested and dotted), --set parsing per type, and the errors for bad input.
using Reverie.Rl.Config;
using Reverie.Testing;

namespace Reverie.Rl.Tests.Config;

public enum TestNorm { None, Layer, RmsNorm }

public sealed record TestRssm
{
    public int Deter { get; init; } = 512;
    public int[] Units { get; init; } = [64, 64];
    public TestNorm Norm { get; init; } = TestNorm.Layer;
}

public sealed record TestAgent : IConfigValidation
{
    public TestRssm Rssm { get; init; } = new();
    public double Lr { get; init; } = 4e-5;
    public float? ClipNorm { get; init; }
    public string Name { get; init; } = "dreamer";
    [ConfigName("cnn_depth")] public int CNNDepth { get; init; } = 16;
    [ConfigIgnore] public int Hidden { get; init; } = 3;

    public IEnumerable<(string Key, string Problem)> Validate()
    {
        if (Rssm.Deter % 8 != 0) yield return ("rssm.deter", $"must be a multiple of 8 (blocks), got {Rssm.Deter}");
    }
}

public class ConfigTests
{
    private static ConfigSet NewSet() => new ConfigSet().Add("run", new RunConfig()).Add("agent", new TestAgent());

    private static string RepoConfigs() => RepoPaths.Of("configs");

    [Fact]
    public void Keys_are_snake_case_in_declaration_order()
    {
        Assert.Equal("train_ratio", ConfigNames.SnakeCase("TrainRatio"));
        Assert.Equal("cnn_depth", ConfigNames.SnakeCase("CNNDepth"));
        Assert.Equal("layer2_norm", ConfigNames.SnakeCase("Layer2Norm"));
        var keys = NewSet().Keys;
        Assert.Equal("run.env", keys[0]);
        Assert.Contains("run.train_ratio", keys);
        Assert.Contains("run.replay_capacity", keys);
        Assert.Equal(["agent.rssm.deter", "agent.rssm.units", "agent.rssm.norm", "agent.lr", "agent.clip_norm", "agent.name", "agent.cnn_depth"],
            keys.Where(k => k.StartsWith("agent.")).ToArray());
    }

    [Fact]
    public void Debug_preset_and_sets_apply_in_order_and_parse_every_type()
    {
        var presets = PresetLibrary.Load([Path.Combine(RepoConfigs(), "run.yaml")]);
        presets.AddYaml("""
            debug:
              agent.rssm: {deter: 16, units: [8]}
            small:
              agent:
                lr: 1e-3
                rssm: {norm: rms_norm}
              run.steps: 1.5e4
            """, "test.yaml");
        var defaults = new RunConfig();
        var cfg = NewSet().Resolve(presets, ConfigSet.ParsePresetList("debug, small"),
            ["run.seed=18446744073709551615", "run.quiet=true", "agent.clip_norm=100", "agent.name=my agent", "agent.rssm.units=[32, 16]", "run.train_ratio=0.5"]);
        var run = cfg.Get<RunConfig>("run");
        var agent = cfg.Get<TestAgent>("agent");
        Assert.Equal(15000, run.Steps);            // the later preset wins; 1.5e4 is a whole number
        Assert.Equal(4, run.BatchSize);            // from configs/run.yaml debug
        Assert.Equal(ulong.MaxValue, run.Seed);
        Assert.True(run.Quiet);
        Assert.Equal(0.5, run.TrainRatio);
        Assert.Equal(16, agent.Rssm.Deter);
        Assert.Equal([32, 16], agent.Rssm.Units);
        Assert.Equal(TestNorm.RmsNorm, agent.Rssm.Norm);
        Assert.Equal(1e-3, agent.Lr);
        Assert.Equal(100f, agent.ClipNorm);
        Assert.Equal("my agent", agent.Name);
        Assert.Equal(new RunConfig(), defaults);   // the records passed in are copied, never changed
        Assert.Equal(100_000, new RunConfig().Steps);
        Assert.Equal([64, 64], new TestAgent().Rssm.Units);
    }

    [Fact]
    public void Unknown_keys_name_the_key_and_suggest_close_ones()
    {
        var e = Assert.Throws<ConfigException>(() => NewSet().ApplyAssignment("run.trian_ratio=3"));
        Assert.Contains("unknown config key 'run.trian_ratio'", e.Message);
        Assert.Contains("did you mean 'run.train_ratio'", e.Message);
        Assert.Contains("run.batch_size", e.Message);   // lists the section's keys
        e = Assert.Throws<ConfigException>(() => NewSet().ApplyAssignment("agent.deter=3"));
        Assert.Contains("'agent.rssm.deter'", e.Message);
        e = Assert.Throws<ConfigException>(() => NewSet().ApplyAssignment("agent.hidden=3"));   // ignored properties are not keys
        Assert.Contains("unknown config key 'agent.hidden'", e.Message);
        e = Assert.Throws<ConfigException>(() => NewSet().ApplyAssignment("agent.rssm=3"));
        Assert.Contains("is a group", e.Message);
        Assert.Contains("agent.rssm.deter", e.Message);
        Assert.Contains("key=value", Assert.Throws<ConfigException>(() => NewSet().ApplyAssignment("run.steps")).Message);
    }

    [Theory]
    [InlineData("run.steps=abc", "'run.steps'", "whole number")]
    [InlineData("run.steps=1.5", "'1.5'", "whole number")]
    [InlineData("run.envs=9999999999", "'run.envs'", "in range")]
    [InlineData("run.quiet=maybe", "'maybe'", "true or false")]
    [InlineData("agent.rssm.norm=batch", "'batch'", "one of none, layer, rms_norm")]
    [InlineData("agent.lr=fast", "'agent.lr'", "a number")]
    [InlineData("agent.rssm.units=[1, x]", "'agent.rssm.units[1]'", "whole number")]
    public void Bad_values_name_the_key_the_value_and_what_is_allowed(string set, string part1, string part2)
    {
        var e = Assert.Throws<ConfigException>(() => NewSet().ApplyAssignment(set));
        Assert.Contains(part1, e.Message);
        Assert.Contains(part2, e.Message);
    }

    [Fact]
    public void Resolve_collects_every_error_including_validation_hooks()
    {
        var presets = new PresetLibrary();
        presets.AddYaml("p:\n  run.batch_sise: 3\n", "p.yaml");
        var e = Assert.Throws<ConfigException>(() => NewSet().Resolve(presets, ["p", "nope"], ["run.envs=x"]));
        Assert.Contains("run.batch_sise", e.Message);
        Assert.Contains("(preset 'p' in p.yaml)", e.Message);
        Assert.Contains("unknown preset 'nope'", e.Message);
        Assert.Contains("presets: p", e.Message);
        Assert.Contains("'run.envs'", e.Message);

        e = Assert.Throws<ConfigException>(() => NewSet().Resolve(presets, [], ["run.batch_size=0", "agent.rssm.deter=12", "run.replay_capacity=10"]));
        Assert.Contains("config key 'run.batch_size': must be at least 1, got 0", e.Message);
        Assert.Contains("config key 'agent.rssm.deter': must be a multiple of 8", e.Message);
        Assert.Contains("config key 'run.replay_capacity'", e.Message);
    }

    [Fact]
    public void Bad_yaml_and_missing_files_name_the_file()
    {
        Assert.Contains("nope.yaml", Assert.Throws<ConfigException>(() => PresetLibrary.Load(["nope.yaml"])).Message);
        var lib = new PresetLibrary();
        Assert.Contains("bad.yaml", Assert.Throws<ConfigException>(() => lib.AddYaml("a: [1, 2", "bad.yaml")).Message);
        Assert.Contains("preset 'a' must be a mapping", Assert.Throws<ConfigException>(() => lib.AddYaml("a: 3", "x.yaml")).Message);
    }

    [Fact]
    public void Written_yaml_reads_back_to_the_same_config()
    {
        using var tmp = new TempDir();
        var cfg = NewSet();
        cfg.ApplyAssignment("agent.rssm.units=[7, 8, 9]");
        cfg.ApplyAssignment("agent.name='quoted: yes'");
        cfg.ApplyAssignment("run.train_ratio=0.1");
        cfg.ApplyAssignment("agent.clip_norm=null");
        string path = Path.Combine(tmp.Path, "config.yaml");
        cfg.WriteYaml(path);
        var back = NewSet();
        back.ApplyYaml(File.ReadAllText(path), path);
        Assert.Equal(cfg.Flatten().Select(kv => $"{kv.Key}={Show(kv.Value)}"), back.Flatten().Select(kv => $"{kv.Key}={Show(kv.Value)}"));
        Assert.Equal("quoted: yes", back.Get<TestAgent>("agent").Name);
        Assert.Null(back.Get<TestAgent>("agent").ClipNorm);
        Assert.Contains("train_ratio: 0.1", File.ReadAllText(path));
    }

    private static string Show(object? v) => v is List<object?> l ? "[" + string.Join(",", l) + "]" : v?.ToString() ?? "null";
}

// TorchFixtureInventoryTests: the golden PyTorch fixtures load with our strict reader and match their README exactly.
using System.Text.RegularExpressions;
using Reverie.Tensors.IO;

namespace Reverie.Tensors.Tests.IO;

public partial class TorchFixtureInventoryTests
{
    [GeneratedRegex(@"^## \d+\. `(?<file>[\w.]+\.safetensors)`")]
    private static partial Regex Section();

    [GeneratedRegex(@"^\| `(?<name>[^`]+)` \| (?<shape>\([\d, ]*\)) \|$")]
    private static partial Regex Row();

    [GeneratedRegex(@"\{(?<a>\d+)\.\.(?<b>\d+)\}")]
    private static partial Regex Range();

    /// <summary>The README's tables: file → (name → shape text), with {a..b} expanded.</summary>
    private static Dictionary<string, Dictionary<string, string>> Readme()
    {
        var files = new Dictionary<string, Dictionary<string, string>>();
        Dictionary<string, string>? current = null;
        foreach (var line in File.ReadLines(Fixtures.Path("torch", "fixtures_README.md")))
        {
            var s = Section().Match(line);
            if (s.Success) { files[s.Groups["file"].Value] = current = new(); continue; }
            var r = Row().Match(line);
            if (!r.Success || current is null) continue;
            string name = r.Groups["name"].Value, shape = r.Groups["shape"].Value;
            var m = Range().Match(name);
            if (!m.Success) { current.Add(name, shape); continue; }
            for (int i = int.Parse(m.Groups["a"].Value); i <= int.Parse(m.Groups["b"].Value); i++)
                current.Add(name[..m.Index] + i + name[(m.Index + m.Length)..], shape);
        }
        return files;
    }

    [Fact]
    public void Every_fixture_loads_and_matches_its_README_table()
    {
        var readme = Readme();
        Assert.Equal(6, readme.Count);
        var onDisk = Directory.GetFiles(Fixtures.Path("torch"), "*.safetensors").Select(Path.GetFileName).Order();
        Assert.Equal(readme.Keys.Order(), onDisk);
        foreach (var (file, table) in readme)
        {
            string path = Fixtures.Path("torch", file);
            var entries = SafeTensors.ReadEntries(path).ToDictionary(e => e.Name, e => e.ShapeText);
            Assert.True(table.Count == entries.Count && table.All(kv => entries.TryGetValue(kv.Key, out var s) && s == kv.Value),
                $"{file}: README lists [{string.Join(", ", table.Select(kv => kv.Key + " " + kv.Value))}] " +
                $"but the file holds [{string.Join(", ", entries.Select(kv => kv.Key + " " + kv.Value))}]");
            var tensors = SafeTensors.Load(path, out var meta);
            Assert.Equal(Path.GetFileNameWithoutExtension(file), meta["fixture"]);
            Assert.All(tensors.Values, t => Assert.All(t.ToArray(), v => Assert.True(float.IsFinite(v))));
            foreach (var name in tensors.Keys.Where(k => k.StartsWith("param.", StringComparison.Ordinal)))
                Assert.True(tensors.ContainsKey("grad." + name), $"{file}: {name} has no grad.{name}");
        }
    }

    [Fact]
    public void Twohot_bins_follow_the_documented_formula_and_the_loss_its_definition()
    {
        var t = SafeTensors.Load(Fixtures.Path("torch", "twohot_ce.safetensors"));
        var bins = t["bins"].ToArray();
        for (int i = 0; i < 255; i++) Assert.Equal((float)(-20 + 40.0 * i / 254), bins[i]);
        float[] logits = t["logits"].ToArray(), target = t["target"].ToArray(), grad = t["grad.logits"].ToArray();
        double total = 0;
        for (int b = 0; b < 6; b++)
        {
            var row = logits.AsSpan(b * 255, 255);
            double max = double.NegativeInfinity, sum = 0, ce = 0;
            foreach (var v in row) max = Math.Max(max, v);
            foreach (var v in row) sum += Math.Exp(v - max);
            for (int k = 0; k < 255; k++)
            {
                double logp = row[k] - max - Math.Log(sum);
                ce -= target[b * 255 + k] * logp;
                CheckOp.AssertClose((Math.Exp(logp) - target[b * 255 + k]) / 6, grad[b * 255 + k], 1e-7, 1e-4, $"grad.logits[{b},{k}]");
            }
            CheckOp.AssertClose(ce, t["loss_per_example"].ToArray()[b], 1e-5, 1e-5, $"loss_per_example[{b}]");
            total += ce / 6;
        }
        CheckOp.AssertClose(total, t["loss"].Item(), 1e-5, 1e-5, "loss");
    }

    [Fact]
    public void Adam_first_step_follows_the_documented_update()
    {
        // At t = 1: m = 0.1 g, v = 0.001 g², so p1 = p0 - lr * g / (|g| + eps).
        var t = SafeTensors.Load(Fixtures.Path("torch", "adam10.safetensors"));
        foreach (var name in new[] { "0.weight", "0.bias", "2.weight", "2.bias" })
        {
            float[] p0 = t["param." + name].ToArray(), g = t["grad.param." + name].ToArray(), p1 = t["step1.param." + name].ToArray();
            for (int i = 0; i < p0.Length; i++)
            {
                double m = 0.1 * g[i], v = 0.001 * (double)g[i] * g[i];
                double expected = p0[i] - 1e-2 / (1 - 0.9) * m / (Math.Sqrt(v) / Math.Sqrt(1 - 0.999) + 1e-8);
                CheckOp.AssertClose(expected, p1[i], 1e-6, 1e-5, $"step1.param.{name}[{i}]");
            }
        }
    }
}

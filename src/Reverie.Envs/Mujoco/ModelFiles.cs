// ModelFiles: writes our embedded MJCF models to a private temporary folder once, because MuJoCo loads models from files.
using System.Reflection;

namespace Reverie.Envs.Mujoco;

/// <summary>
/// The MJCF files shipped inside Reverie.Envs (<c>Dmc/Models/*.xml</c>). MuJoCo 2.2.2 loads models
/// from files (loading from memory needs a 2 MB virtual file system), so the first call writes
/// them all to a folder under the temporary directory named after this build of the assembly;
/// later calls and other processes reuse it.
/// </summary>
public static class ModelFiles
{
    private const string Prefix = "Reverie.Envs.Dmc.Models.";
    private static readonly Lazy<string> Folder = new(WriteAll, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The path of a model file, e.g. <c>Path("cartpole")</c>.</summary>
    /// <exception cref="ArgumentException">No such model is embedded.</exception>
    public static string Path(string name)
    {
        string path = System.IO.Path.Combine(Folder.Value, name + ".xml");
        return File.Exists(path) ? path
            : throw new ArgumentException($"no embedded MJCF model '{name}'; there are: {string.Join(", ", Names())}");
    }

    /// <summary>Names of the embedded models.</summary>
    public static IEnumerable<string> Names() => typeof(ModelFiles).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".xml", StringComparison.Ordinal))
        .Select(n => n[Prefix.Length..^4]);

    private static string WriteAll()
    {
        var asm = typeof(ModelFiles).Assembly;
        string dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"reverie-mjcf-{asm.ManifestModule.ModuleVersionId:N}");
        Directory.CreateDirectory(dir);
        foreach (string res in asm.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            string target = System.IO.Path.Combine(dir, res[Prefix.Length..]);
            if (File.Exists(target)) continue;
            // Write under a unique name, then move: a concurrent process never sees a half-written file.
            string tmp = target + "." + Guid.NewGuid().ToString("N");
            using (var src = asm.GetManifestResourceStream(res)!)
            using (var dst = File.Create(tmp))
                src.CopyTo(dst);
            File.Move(tmp, target, overwrite: true);
        }
        return dir;
    }
}

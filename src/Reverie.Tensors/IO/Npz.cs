// Npz: read and write NumPy .npz archives (a zip of .npy files, as numpy.savez / savez_compressed make them).
using System.IO.Compression;

namespace Reverie.Tensors.IO;

/// <summary>
/// NumPy's <c>.npz</c>: a zip archive with one <c>name.npy</c> entry per array. Names in this API never carry
/// the <c>.npy</c> suffix (as with <c>np.load(...)[name]</c>). Reads stored and deflated entries; writes
/// either (<c>numpy.savez</c> stores, <c>numpy.savez_compressed</c> deflates).
/// </summary>
public static class Npz
{
    /// <summary>
    /// Reads every array of a .npz file, in archive order. Entry names lose a trailing <c>.npy</c>; directory
    /// entries are skipped; every other entry must be a valid .npy.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a zip archive, a corrupt entry, an entry that is not a valid
    /// supported .npy (see <see cref="Npy.Read(string)"/>), or two entries with the same name. The message
    /// names the file and the entry.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static Dictionary<string, NpyArray> Read(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        ZipArchive zip;
        try { zip = new ZipArchive(fs, ZipArchiveMode.Read); }
        catch (InvalidDataException e) { throw new InvalidDataException($"npz file '{path}': not a readable zip archive ({e.Message})", e); }
        using (zip)
        {
            var result = new Dictionary<string, NpyArray>(StringComparer.Ordinal);
            foreach (var entry in zip.Entries)
            {
                if (entry.FullName.EndsWith('/')) continue;
                string name = entry.FullName.EndsWith(".npy", StringComparison.Ordinal) ? entry.FullName[..^4] : entry.FullName;
                string source = $"npz file '{path}', entry '{entry.FullName}'";
                if (result.ContainsKey(name)) throw new InvalidDataException($"{source}: the name '{name}' appears twice");
                try
                {
                    using var s = entry.Open();
                    result.Add(name, Npy.Read(s, source, entry.Length));
                }
                catch (InvalidDataException e) when (!e.Message.StartsWith(source, StringComparison.Ordinal))
                {
                    throw new InvalidDataException($"{source}: corrupt entry ({e.Message})", e);
                }
            }
            return result;
        }
    }

    /// <summary>
    /// Writes <paramref name="arrays"/> as a .npz, atomically (through <c>path + ".tmp"</c> and a rename, so a
    /// crash leaves any previous file intact). Each array becomes the entry <c>name + ".npy"</c> in version 1.0
    /// format, in enumeration order.
    /// </summary>
    /// <param name="path">The destination file.</param>
    /// <param name="arrays">Names (without <c>.npy</c>) and arrays.</param>
    /// <param name="compress">Deflate the entries (like <c>numpy.savez_compressed</c>) instead of storing them
    /// (like <c>numpy.savez</c>).</param>
    /// <exception cref="ArgumentException">A name is empty, contains '/' or '\', or appears twice; an array is null.</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, NpyArray>> arrays, bool compress = false)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        var list = arrays.ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, a) in list)
        {
            if (string.IsNullOrEmpty(name)) throw new ArgumentException("Npz.Write: an array name is empty");
            if (name.Contains('/') || name.Contains('\\')) throw new ArgumentException($"Npz.Write: the name '{name}' contains a path separator");
            if (!seen.Add(name)) throw new ArgumentException($"Npz.Write: the name '{name}' appears twice");
            if (a is null) throw new ArgumentException($"Npz.Write: array '{name}' is null");
        }
        var level = compress ? CompressionLevel.Optimal : CompressionLevel.NoCompression;
        AtomicFile.Write(path, fs =>
        {
            using var zip = new ZipArchive(fs, ZipArchiveMode.Create, leaveOpen: true);
            foreach (var (name, a) in list)
            {
                var entry = zip.CreateEntry(name + ".npy", level);
                entry.LastWriteTime = new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero); // reproducible bytes
                using var s = entry.Open();
                Npy.Write(s, a);
            }
        });
    }

    /// <summary>Writes tensors as float32 arrays (see <see cref="Write(string, IEnumerable{KeyValuePair{string, NpyArray}}, bool)"/>).</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, bool compress = false)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        Write(path, tensors.Select(kv => new KeyValuePair<string, NpyArray>(kv.Key,
            kv.Value is null ? null! : NpyArray.FromTensor(kv.Value))).ToList(), compress);
    }
}

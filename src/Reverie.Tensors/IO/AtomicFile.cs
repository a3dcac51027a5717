// AtomicFile: writes a file through "<path>.tmp" and a rename, so a crash never leaves a half-written file.
namespace Reverie.Tensors.IO;

/// <summary>Atomic file replacement: write to <c>path + ".tmp"</c>, flush to disk, then rename over <c>path</c>.</summary>
internal static class AtomicFile
{
    /// <summary>
    /// Calls <paramref name="write"/> with a stream on <c>path + ".tmp"</c>, flushes it to disk and moves it over
    /// <paramref name="path"/> (replacing an existing file). If <paramref name="write"/> throws, the temporary
    /// file is deleted and the previous file at <paramref name="path"/>, if any, is left untouched.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string tmp = path + ".tmp";
        try
        {
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}

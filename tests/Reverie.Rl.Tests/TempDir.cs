// TempDir: a fresh temporary directory per test, deleted afterwards.
namespace Reverie.Rl.Tests;

internal sealed class TempDir : IDisposable
{
    public TempDir() { Path = Directory.CreateTempSubdirectory("reverie-rl-").FullName; }

    public string Path { get; }

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

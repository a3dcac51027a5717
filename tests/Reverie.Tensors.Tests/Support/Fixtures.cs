// Fixtures: locates committed fixture files (copied next to the test assembly) and makes throwaway temp folders.
namespace Reverie.Tensors.Tests;

public static class Fixtures
{
    /// <summary>The path of a committed fixture, e.g. <c>Fixtures.Path("io", "npy_f4.npy")</c>.</summary>
    public static string Path(params string[] parts)
    {
        var p = System.IO.Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);
        Assert.True(File.Exists(p) || Directory.Exists(p), $"fixture '{p}' is missing (is Fixtures/** copied to the output?)");
        return p;
    }
}

/// <summary>A fresh temporary folder, deleted with its contents on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("reverie-test-").FullName;

    public string File(string name) => System.IO.Path.Combine(Root, name);

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

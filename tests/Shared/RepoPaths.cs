// RepoPaths: where the repository's committed files (configs/, docs/) are, for tests that read them.
namespace Reverie.Testing;

/// <summary>Paths inside the repository, found from the test binaries' directory upwards (the folder holding Reverie.sln).</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> RootDir = new(Find);

    /// <summary>The repository root.</summary>
    public static string Root => RootDir.Value;

    /// <summary>A path under the repository root, e.g. <c>Of("configs", "dreamer.yaml")</c>.</summary>
    public static string Of(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Reverie.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no Reverie.sln above {AppContext.BaseDirectory}: these tests read the repository's files");
    }
}

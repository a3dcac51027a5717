// TensorBoardWriter: appends scalar summaries to an events.out.tfevents.* file that TensorBoard reads.
namespace Reverie.Rl.Logging;

/// <summary>
/// Writes TensorBoard scalars to a new <c>events.out.tfevents.&lt;unix seconds&gt;.&lt;host&gt;</c> file in a
/// directory (one file per writer, as TensorBoard's own writers do; TensorBoard merges the files of a directory).
/// </summary>
public sealed class TensorBoardWriter : IDisposable
{
    private readonly FileStream _stream;

    /// <summary>Creates the directory if needed and a new event file whose first record is the file version.</summary>
    public TensorBoardWriter(string dir)
    {
        Directory.CreateDirectory(dir);
        double now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        string host = new string(Environment.MachineName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());
        string name = $"events.out.tfevents.{(long)now}.{host}";
        for (int i = 1; File.Exists(Path.Combine(dir, name)); i++) name = $"events.out.tfevents.{(long)now}.{host}.{i}";
        FilePath = Path.Combine(dir, name);
        _stream = new FileStream(FilePath, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        TfEvents.WriteRecord(_stream, TfEvents.FileVersionEvent(now));
        _stream.Flush();
    }

    /// <summary>The event file's path.</summary>
    public string FilePath { get; }

    /// <summary>Appends one scalar. Wall time defaults to now.</summary>
    public void AddScalar(string tag, float value, long step, double? wallTime = null) => AddScalars(step, [(tag, value)], wallTime);

    /// <summary>Appends several scalars of one step as one event.</summary>
    public void AddScalars(long step, IEnumerable<(string Tag, float Value)> scalars, double? wallTime = null)
    {
        double t = wallTime ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        TfEvents.WriteRecord(_stream, TfEvents.ScalarEvent(t, step, scalars));
    }

    /// <summary>Flushes written records to the file.</summary>
    public void Flush() => _stream.Flush();

    /// <inheritdoc/>
    public void Dispose() => _stream.Dispose();
}

// GifWriter: an animated GIF89a encoder (per-frame palettes, LZW) for evaluation videos.
using System.Text;

namespace Reverie.Rl.Media;

/// <summary>
/// Writes an animated GIF (GIF89a, looping forever) frame by frame. Every frame carries its own
/// 256-entry palette (<see cref="Palette"/>): exact when the frame has at most 256 colours,
/// median cut otherwise. Frames are full-size, drawn over the previous one (disposal: keep).
/// </summary>
/// <example><code>
/// using var gif = new GifWriter("videos/eval_1000.gif", height: 64, width: 64, delayMs: 50);
/// foreach (var frame in frames) gif.AddFrame(frame);
/// </code></example>
public sealed class GifWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly int _delayCs;
    private readonly byte[] _indices;
    private bool _finished;

    /// <summary>Starts a GIF file at <paramref name="path"/> (replaced if it exists).</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="height">Frame height in pixels (1 to 65535).</param>
    /// <param name="width">Frame width in pixels (1 to 65535).</param>
    /// <param name="delayMs">Time each frame is shown, rounded to GIF's 10 ms unit (at least 10 ms).</param>
    public GifWriter(string path, int height, int width, int delayMs = 50)
        : this(File.Create(path), height, width, delayMs, ownsStream: true) { }

    /// <summary>Starts a GIF on a stream; <paramref name="ownsStream"/>: dispose it at the end.</summary>
    /// <exception cref="ArgumentException">A size outside 1..65535 or a negative delay.</exception>
    public GifWriter(Stream stream, int height, int width, int delayMs = 50, bool ownsStream = false)
    {
        if (height is < 1 or > 65535 || width is < 1 or > 65535)
            throw new ArgumentException($"gif: frame size {height}x{width} must be within 1..65535 on each side");
        if (delayMs < 0) throw new ArgumentException($"gif: delayMs must be >= 0, got {delayMs}");
        _stream = stream; _ownsStream = ownsStream;
        Height = height; Width = width;
        _delayCs = Math.Max(1, (delayMs + 5) / 10);
        _indices = new byte[height * width];
        var w = new BinaryWriter(_stream, Encoding.ASCII, leaveOpen: true);
        w.Write("GIF89a"u8);
        w.Write((ushort)width); w.Write((ushort)height);
        w.Write((byte)0x70); // no global colour table; 8 bits of colour resolution
        w.Write((byte)0); w.Write((byte)0); // background index, aspect ratio
        w.Write([0x21, 0xFF, 0x0B]); w.Write("NETSCAPE2.0"u8); // loop forever
        w.Write([0x03, 0x01, 0x00, 0x00, 0x00]);
        w.Flush();
    }

    /// <summary>Frame height in pixels.</summary>
    public int Height { get; }

    /// <summary>Frame width in pixels.</summary>
    public int Width { get; }

    /// <summary>Frames written so far.</summary>
    public int Frames { get; private set; }

    /// <summary>Appends one (height, width, 3) RGB frame, row-major, top row first.</summary>
    /// <exception cref="ArgumentException">The frame is not height * width * 3 bytes.</exception>
    /// <exception cref="InvalidOperationException">The writer was already finished.</exception>
    public void AddFrame(ReadOnlySpan<byte> rgb)
    {
        if (_finished) throw new InvalidOperationException("gif: AddFrame after Finish");
        if (rgb.Length != Height * Width * 3)
            throw new ArgumentException($"gif: frame has {rgb.Length} bytes but {Height}x{Width} RGB needs {Height * Width * 3}");
        var palette = Palette.Build(rgb);
        palette.Map(rgb, _indices);
        var w = new BinaryWriter(_stream, Encoding.ASCII, leaveOpen: true);
        w.Write([0x21, 0xF9, 0x04, 0x04]); // graphic control: disposal 1 (keep), no transparency
        w.Write((ushort)_delayCs);
        w.Write([0x00, 0x00]);
        w.Write((byte)0x2C); // image descriptor
        w.Write((ushort)0); w.Write((ushort)0); w.Write((ushort)Width); w.Write((ushort)Height);
        w.Write((byte)0x87); // local colour table of 2^(7+1) = 256 entries
        w.Write(palette.Colors);
        w.Flush();
        Lzw.Encode(_indices, _stream);
        Frames++;
    }

    /// <summary>Writes the trailer; the file is complete. Called by <see cref="Dispose"/> if needed.</summary>
    public void Finish()
    {
        if (_finished) return;
        _finished = true;
        _stream.WriteByte(0x3B);
        _stream.Flush();
    }

    /// <summary>Finishes the file and closes the stream if the writer owns it.</summary>
    public void Dispose()
    {
        Finish();
        if (_ownsStream) _stream.Dispose();
    }

    /// <summary>Writes a whole animation in one call.</summary>
    public static void Write(string path, IEnumerable<byte[]> frames, int height, int width, int delayMs = 50)
    {
        using var gif = new GifWriter(path, height, width, delayMs);
        foreach (var f in frames) gif.AddFrame(f);
    }
}

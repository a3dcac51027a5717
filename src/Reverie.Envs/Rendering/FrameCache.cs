// FrameCache: keeps an env's static background (track, hill, goal line) so each render only draws what moves.
namespace Reverie.Envs.Rendering;

/// <summary>Draws into a canvas; used to paint a cached background once.</summary>
public delegate void Painter(ref Canvas canvas);

/// <summary>
/// One cached frame per env instance: <see cref="Paint"/> copies the background into the canvas,
/// drawing it with the painter only when the frame size changes. Not thread-safe (an env renders
/// from one thread at a time).
/// </summary>
public sealed class FrameCache
{
    private byte[]? _frame;
    private int _height, _width;

    /// <summary>Fills <paramref name="canvas"/> with the background drawn by <paramref name="paint"/>, from the cache when the size matches.</summary>
    public void Paint(ref Canvas canvas, Painter paint)
    {
        if (_frame == null || _height != canvas.Height || _width != canvas.Width)
        {
            var frame = new byte[canvas.Height * canvas.Width * 3];
            var c = new Canvas(frame, canvas.Height, canvas.Width);
            paint(ref c);
            (_frame, _height, _width) = (frame, canvas.Height, canvas.Width);
        }
        canvas.CopyFrom(_frame);
    }
}

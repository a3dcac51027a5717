// Canvas: a tiny anti-aliased 2-D rasterizer over an RGB byte span (circles, capsules, convex polygons).
namespace Reverie.Envs.Rendering;

/// <summary>An RGB colour.</summary>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    /// <summary>White.</summary>
    public static Rgb White => new(255, 255, 255);
    /// <summary>Black.</summary>
    public static Rgb Black => new(0, 0, 0);
}

/// <summary>
/// Draws filled shapes into a (height, width, 3) RGB span, in world coordinates (x right, y up)
/// mapped to pixels by a square view (<see cref="View"/>). Edges are anti-aliased from the signed
/// distance of each pixel centre to the shape: coverage = clamp(0.5 - distance, 0, 1) in pixels.
/// Allocation-free; shapes outside the frame are clipped.
/// </summary>
public ref struct Canvas
{
    private readonly Span<byte> _rgb;
    private double _scale, _ox, _oy;

    /// <summary>Wraps a buffer; the initial view maps world [-1, 1] onto the shorter side.</summary>
    /// <exception cref="ArgumentException">The buffer is not height * width * 3 bytes.</exception>
    public Canvas(Span<byte> rgb, int height, int width)
    {
        if (height < 1 || width < 1 || rgb.Length != height * width * 3)
            throw new ArgumentException($"Canvas: buffer of {rgb.Length} bytes does not hold {height}x{width} RGB ({height * width * 3} bytes)");
        _rgb = rgb; Height = height; Width = width;
        View(0, 0, 1);
    }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Pixels per world unit.</summary>
    public readonly double Scale => _scale;

    /// <summary>Centres the view on (<paramref name="cx"/>, <paramref name="cy"/>) showing <paramref name="halfExtent"/> world units each side along the shorter side.</summary>
    public void View(double cx, double cy, double halfExtent)
    {
        _scale = Math.Min(Width, Height) / (2 * halfExtent);
        _ox = Width / 2.0 - cx * _scale;
        _oy = Height / 2.0 + cy * _scale;
    }

    /// <summary>World x to pixel x (pixel i spans [i, i+1)).</summary>
    public readonly double PixelX(double x) => _ox + x * _scale;

    /// <summary>World y to pixel y (y grows downwards in pixels).</summary>
    public readonly double PixelY(double y) => _oy - y * _scale;

    /// <summary>Pixel x (at a pixel centre, i + 0.5) to world x.</summary>
    public readonly double WorldX(double px) => (px - _ox) / _scale;

    /// <summary>Pixel y to world y.</summary>
    public readonly double WorldY(double py) => (_oy - py) / _scale;

    /// <summary>Fills the whole frame.</summary>
    public void Clear(Rgb c)
    {
        if (c.R == c.G && c.G == c.B) { _rgb.Fill(c.R); return; }
        var row = _rgb[..(Width * 3)];
        for (int i = 0; i < row.Length; i += 3) { row[i] = c.R; row[i + 1] = c.G; row[i + 2] = c.B; }
        for (int y = 1; y < Height; y++) row.CopyTo(_rgb[(y * Width * 3)..]);
    }

    /// <summary>Copies a finished frame of the same size into this one (for cached backgrounds).</summary>
    /// <exception cref="ArgumentException">The frame has a different size.</exception>
    public readonly void CopyFrom(ReadOnlySpan<byte> frame)
    {
        if (frame.Length != _rgb.Length) throw new ArgumentException($"Canvas.CopyFrom: frame has {frame.Length} bytes, the canvas {_rgb.Length}");
        frame.CopyTo(_rgb);
    }

    /// <summary>Fills pixels [<paramref name="x0"/>, <paramref name="x1"/>) of row <paramref name="y"/> with <paramref name="c"/>, clipped to the frame.</summary>
    public void FillRow(int y, int x0, int x1, Rgb c)
    {
        if ((uint)y >= (uint)Height) return;
        x0 = Math.Max(x0, 0); x1 = Math.Min(x1, Width);
        var row = _rgb.Slice(y * Width * 3, Width * 3);
        for (int x = x0; x < x1; x++) { row[3 * x] = c.R; row[3 * x + 1] = c.G; row[3 * x + 2] = c.B; }
    }

    /// <summary>Mixes <paramref name="c"/> into pixel (<paramref name="px"/>, <paramref name="py"/>) with weight <paramref name="alpha"/> in [0, 1]; ignores pixels outside the frame.</summary>
    public void Blend(int px, int py, Rgb c, double alpha)
    {
        if ((uint)px >= (uint)Width || (uint)py >= (uint)Height || alpha <= 0) return;
        int i = (py * Width + px) * 3;
        if (alpha >= 1) { _rgb[i] = c.R; _rgb[i + 1] = c.G; _rgb[i + 2] = c.B; return; }
        _rgb[i] = Mix(_rgb[i], c.R, alpha);
        _rgb[i + 1] = Mix(_rgb[i + 1], c.G, alpha);
        _rgb[i + 2] = Mix(_rgb[i + 2], c.B, alpha);
    }

    /// <summary>A filled disc of world radius <paramref name="r"/>.</summary>
    public void FillCircle(double x, double y, double r, Rgb c) => FillCapsule(x, y, x, y, r, c);

    /// <summary>A thick segment with round ends: all points within world distance <paramref name="r"/> of the segment.</summary>
    public void FillCapsule(double x0, double y0, double x1, double y1, double r, Rgb c)
    {
        double ax = PixelX(x0), ay = PixelY(y0), bx = PixelX(x1), by = PixelY(y1), rp = r * _scale;
        double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
        ClipBox(Math.Min(ax, bx) - rp, Math.Min(ay, by) - rp, Math.Max(ax, bx) + rp, Math.Max(ay, by) + rp,
            out int i0, out int j0, out int i1, out int j1);
        for (int j = j0; j <= j1; j++)
            for (int i = i0; i <= i1; i++)
            {
                double px = i + 0.5 - ax, py = j + 0.5 - ay;
                double t = len2 > 0 ? Math.Clamp((px * dx + py * dy) / len2, 0, 1) : 0;
                double ex = px - t * dx, ey = py - t * dy;
                Blend(i, j, c, 0.5 - (Math.Sqrt(ex * ex + ey * ey) - rp));
            }
    }

    /// <summary>A filled convex polygon given by its world vertices in either winding order (3 to 8 vertices).</summary>
    /// <exception cref="ArgumentException">Fewer than 3 or more than 8 vertices.</exception>
    public void FillPolygon(scoped ReadOnlySpan<(double X, double Y)> pts, Rgb c)
    {
        if (pts.Length < 3 || pts.Length > 8) throw new ArgumentException($"Canvas.FillPolygon: needs 3 to 8 vertices, got {pts.Length}");
        // Edge lines as unit normals pointing outwards: distance(p) = n . p - d (positive outside).
        Span<double> nx = stackalloc double[pts.Length], ny = stackalloc double[pts.Length], nd = stackalloc double[pts.Length];
        double area = 0, xmin = double.MaxValue, ymin = double.MaxValue, xmax = double.MinValue, ymax = double.MinValue;
        for (int k = 0; k < pts.Length; k++)
        {
            var (p, q) = (pts[k], pts[(k + 1) % pts.Length]);
            area += PixelX(p.X) * PixelY(q.Y) - PixelX(q.X) * PixelY(p.Y);
        }
        double sign = area >= 0 ? 1 : -1;
        for (int k = 0; k < pts.Length; k++)
        {
            var (p, q) = (pts[k], pts[(k + 1) % pts.Length]);
            double px = PixelX(p.X), py = PixelY(p.Y), qx = PixelX(q.X), qy = PixelY(q.Y);
            double ex = qx - px, ey = qy - py, len = Math.Sqrt(ex * ex + ey * ey);
            if (len == 0) { nx[k] = 0; ny[k] = 0; nd[k] = -1e9; continue; }
            nx[k] = sign * ey / len; ny[k] = -sign * ex / len; nd[k] = nx[k] * px + ny[k] * py;
            xmin = Math.Min(xmin, px); xmax = Math.Max(xmax, px); ymin = Math.Min(ymin, py); ymax = Math.Max(ymax, py);
        }
        ClipBox(xmin - 1, ymin - 1, xmax + 1, ymax + 1, out int i0, out int j0, out int i1, out int j1);
        for (int j = j0; j <= j1; j++)
            for (int i = i0; i <= i1; i++)
            {
                double x = i + 0.5, y = j + 0.5, d = double.MinValue;
                for (int k = 0; k < pts.Length; k++) d = Math.Max(d, nx[k] * x + ny[k] * y - nd[k]);
                Blend(i, j, c, 0.5 - d);
            }
    }

    /// <summary>An axis-aligned filled rectangle in world coordinates.</summary>
    public void FillRect(double x0, double y0, double x1, double y1, Rgb c) =>
        FillPolygon([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], c);

    /// <summary>A straight line <paramref name="widthPx"/> pixels wide between two world points.</summary>
    public void Line(double x0, double y0, double x1, double y1, double widthPx, Rgb c) =>
        FillCapsule(x0, y0, x1, y1, widthPx / 2 / _scale, c);

    private readonly void ClipBox(double x0, double y0, double x1, double y1, out int i0, out int j0, out int i1, out int j1)
    {
        // Clamped before the casts so that far-off or NaN shapes draw nothing instead of overflowing.
        i0 = (int)Math.Clamp(Math.Floor(x0), 0, Width); j0 = (int)Math.Clamp(Math.Floor(y0), 0, Height);
        i1 = (int)Math.Clamp(Math.Ceiling(x1), -1, Width - 1); j1 = (int)Math.Clamp(Math.Ceiling(y1), -1, Height - 1);
        if (double.IsNaN(x0) || double.IsNaN(y0) || double.IsNaN(x1) || double.IsNaN(y1)) { i0 = 1; i1 = 0; }
    }

    private static byte Mix(byte a, byte b, double t) => (byte)(a + (b - a) * t + 0.5); // in [0, 255.5): truncation rounds
}

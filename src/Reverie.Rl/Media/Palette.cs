// Palette: a 256-colour palette for one RGB frame (exact if it fits, else median cut) and the pixel mapping.
namespace Reverie.Rl.Media;

/// <summary>
/// A 256-entry RGB palette for one frame. <see cref="Build"/> keeps the frame's colours exactly
/// when there are at most 256 of them (flat renders); otherwise it runs median cut (Heckbert) over
/// the frame's colours at 5 bits per channel, weighted by pixel count, and maps each pixel to the
/// nearest entry. Unused entries are black.
/// </summary>
public sealed class Palette
{
    private readonly Dictionary<int, byte>? _exact;
    private readonly short[]? _nearest; // 15-bit colour -> entry, -1 until computed

    private Palette(byte[] colors, int count, Dictionary<int, byte>? exact)
    {
        Colors = colors; Count = count; _exact = exact;
        if (exact == null) { _nearest = new short[32768]; Array.Fill(_nearest, (short)-1); }
    }

    /// <summary>256 x (R, G, B) bytes, the layout of a GIF colour table.</summary>
    public byte[] Colors { get; }

    /// <summary>Entries in use.</summary>
    public int Count { get; }

    /// <summary>True when every colour of the frame is in the palette unchanged.</summary>
    public bool IsExact => _exact != null;

    /// <summary>Builds the palette of a (pixels, 3) RGB frame.</summary>
    public static Palette Build(ReadOnlySpan<byte> rgb)
    {
        var colors = new byte[768];
        var exact = new Dictionary<int, byte>();
        for (int i = 0; i + 2 < rgb.Length; i += 3)
        {
            int key = rgb[i] << 16 | rgb[i + 1] << 8 | rgb[i + 2];
            if (exact.ContainsKey(key)) continue;
            if (exact.Count == 256) { exact = null; break; }
            int e = exact.Count;
            exact[key] = (byte)e;
            colors[3 * e] = rgb[i]; colors[3 * e + 1] = rgb[i + 1]; colors[3 * e + 2] = rgb[i + 2];
        }
        if (exact != null) return new Palette(colors, Math.Max(exact.Count, 1), exact);
        return new Palette(colors, MedianCut(rgb, colors), null);
    }

    /// <summary>Writes the palette index of every pixel of <paramref name="rgb"/> into <paramref name="indices"/>.</summary>
    /// <exception cref="ArgumentException">The lengths disagree.</exception>
    public void Map(ReadOnlySpan<byte> rgb, Span<byte> indices)
    {
        if (rgb.Length != indices.Length * 3)
            throw new ArgumentException($"palette: {rgb.Length} RGB bytes do not match {indices.Length} indices");
        for (int p = 0; p < indices.Length; p++)
        {
            byte r = rgb[3 * p], g = rgb[3 * p + 1], b = rgb[3 * p + 2];
            if (_exact != null && _exact.TryGetValue(r << 16 | g << 8 | b, out byte e)) { indices[p] = e; continue; }
            int q = (r >> 3) << 10 | (g >> 3) << 5 | (b >> 3);
            if (_nearest![q] < 0) _nearest[q] = (short)Nearest(r, g, b);
            indices[p] = (byte)_nearest[q];
        }
    }

    private int Nearest(int r, int g, int b)
    {
        int best = 0, bestD = int.MaxValue;
        for (int e = 0; e < Count; e++)
        {
            int dr = Colors[3 * e] - r, dg = Colors[3 * e + 1] - g, db = Colors[3 * e + 2] - b;
            int d = 2 * dr * dr + 4 * dg * dg + 3 * db * db; // rough perceptual weights
            if (d < bestD) { bestD = d; best = e; }
        }
        return best;
    }

    // Median cut over a 15-bit histogram: split the box with the most pixels-times-extent along its
    // longest axis at the weighted median, until 256 boxes; each entry is its box's weighted mean.
    private static int MedianCut(ReadOnlySpan<byte> rgb, byte[] colors)
    {
        var hist = new int[32768];
        for (int i = 0; i + 2 < rgb.Length; i += 3) hist[(rgb[i] >> 3) << 10 | (rgb[i + 1] >> 3) << 5 | (rgb[i + 2] >> 3)]++;
        var cells = new List<int>();
        for (int q = 0; q < hist.Length; q++) if (hist[q] > 0) cells.Add(q);
        var boxes = new List<List<int>> { cells };
        while (boxes.Count < 256)
        {
            int pick = -1; long bestScore = 0; int axis = 0;
            for (int k = 0; k < boxes.Count; k++)
            {
                if (boxes[k].Count < 2) continue;
                var (ax, extent) = LongestAxis(boxes[k]);
                long weight = 0; foreach (int q in boxes[k]) weight += hist[q];
                long score = weight * extent;
                if (score > bestScore) { bestScore = score; pick = k; axis = ax; }
            }
            if (pick < 0) break;
            var box = boxes[pick];
            box.Sort((x, y) => Channel(x, axis).CompareTo(Channel(y, axis)));
            long total = 0; foreach (int q in box) total += hist[q];
            long acc = 0; int cut = 1;
            for (int j = 0; j < box.Count - 1; j++) { acc += hist[box[j]]; cut = j + 1; if (2 * acc >= total) break; }
            boxes[pick] = box.GetRange(0, cut);
            boxes.Add(box.GetRange(cut, box.Count - cut));
        }
        for (int k = 0; k < boxes.Count; k++)
        {
            double r = 0, g = 0, b = 0, w = 0;
            foreach (int q in boxes[k])
            {
                int n = hist[q];
                r += n * (Channel(q, 0) * 8 + 4); g += n * (Channel(q, 1) * 8 + 4); b += n * (Channel(q, 2) * 8 + 4); w += n;
            }
            colors[3 * k] = (byte)Math.Round(r / w); colors[3 * k + 1] = (byte)Math.Round(g / w); colors[3 * k + 2] = (byte)Math.Round(b / w);
        }
        return boxes.Count;
    }

    private static int Channel(int q, int axis) => (q >> (10 - 5 * axis)) & 31;

    private static (int Axis, int Extent) LongestAxis(List<int> box)
    {
        int best = 0, bestExtent = -1;
        for (int a = 0; a < 3; a++)
        {
            int lo = 31, hi = 0;
            foreach (int q in box) { int v = Channel(q, a); lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
            if (hi - lo > bestExtent) { bestExtent = hi - lo; best = a; }
        }
        return (best, bestExtent);
    }
}

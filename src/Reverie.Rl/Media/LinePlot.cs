// LinePlot: learning curves (mean line + shaded band per series) written as SVG and as PNG.
using System.Globalization;
using System.Text;
using Reverie.Envs.Rendering;

namespace Reverie.Rl.Media;

/// <summary>One curve: a mean line over <see cref="X"/> and an optional band [<see cref="Low"/>, <see cref="High"/>].</summary>
/// <param name="Name">Legend label.</param>
/// <param name="X">Increasing x values (env steps).</param>
/// <param name="Mean">The line, one value per x.</param>
/// <param name="Low">Lower edge of the shaded band (e.g. min or mean − std across seeds), or null.</param>
/// <param name="High">Upper edge of the band, or null.</param>
public sealed record PlotSeries(string Name, double[] X, double[] Mean, double[]? Low = null, double[]? High = null);

/// <summary>
/// A line plot with axes, "nice" ticks, axis labels, a title and a legend. <see cref="ToSvg"/> writes
/// vector text; <see cref="ToRgb"/> rasterizes the same layout (anti-aliased lines through
/// <see cref="Canvas"/>, a 5x7 bitmap font) for <see cref="Png"/>.
/// </summary>
public sealed class LinePlot
{
    private static readonly (byte R, byte G, byte B)[] Colors =
        [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75), (227, 119, 194), (127, 127, 127)];

    private const int Left = 80, Right = 20, Top = 40, Bottom = 50;

    /// <summary>Creates a plot; every series must have matching array lengths.</summary>
    /// <exception cref="ArgumentException">A series whose arrays differ in length, or only one band edge.</exception>
    public LinePlot(string title, string xLabel, string yLabel, IReadOnlyList<PlotSeries> series, int width = 800, int height = 500)
    {
        if (width < Left + Right + 50 || height < Top + Bottom + 50) throw new ArgumentException($"plot: {width}x{height} is too small");
        foreach (var s in series)
        {
            if (s.Mean.Length != s.X.Length) throw new ArgumentException($"plot: series '{s.Name}' has {s.X.Length} x values but {s.Mean.Length} means");
            if ((s.Low == null) != (s.High == null)) throw new ArgumentException($"plot: series '{s.Name}' needs both band edges or neither");
            if (s.Low != null && (s.Low.Length != s.X.Length || s.High!.Length != s.X.Length))
                throw new ArgumentException($"plot: series '{s.Name}' band edges must have {s.X.Length} values");
        }
        Title = title; XLabel = xLabel; YLabel = yLabel; Series = series; Width = width; Height = height;
        (XTicks, XMin, XMax) = Axis(series.SelectMany(s => s.X));
        (YTicks, YMin, YMax) = Axis(series.SelectMany(s => s.Mean.Concat(s.Low ?? []).Concat(s.High ?? [])));
    }

    public string Title { get; }
    public string XLabel { get; }
    public string YLabel { get; }
    public IReadOnlyList<PlotSeries> Series { get; }
    public int Width { get; }
    public int Height { get; }
    public double XMin { get; }
    public double XMax { get; }
    public double YMin { get; }
    public double YMax { get; }

    /// <summary>Tick positions on the x axis (data units).</summary>
    public double[] XTicks { get; }

    /// <summary>Tick positions on the y axis (data units).</summary>
    public double[] YTicks { get; }

    private double Px(double x) => Left + (x - XMin) / (XMax - XMin) * (Width - Left - Right);
    private double Py(double y) => Height - Bottom - (y - YMin) / (YMax - YMin) * (Height - Top - Bottom);

    /// <summary>Writes <c>path.svg</c> and <c>path.png</c> (<paramref name="basePath"/> without extension).</summary>
    public void Save(string basePath)
    {
        File.WriteAllText(basePath + ".svg", ToSvg());
        Png.Write(basePath + ".png", ToRgb(), Height, Width);
    }

    /// <summary>The plot as an SVG document.</summary>
    public string ToSvg()
    {
        var sb = new StringBuilder();
        sb.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        sb.Append(Inv($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n"));
        foreach (double t in XTicks)
            sb.Append(Inv($"<line x1=\"{Px(t):0.##}\" y1=\"{Top}\" x2=\"{Px(t):0.##}\" y2=\"{Height - Bottom}\" stroke=\"#e5e5e5\"/>\n<text x=\"{Px(t):0.##}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{Tick(t, XTicks)}</text>\n"));
        foreach (double t in YTicks)
            sb.Append(Inv($"<line x1=\"{Left}\" y1=\"{Py(t):0.##}\" x2=\"{Width - Right}\" y2=\"{Py(t):0.##}\" stroke=\"#e5e5e5\"/>\n<text x=\"{Left - 6}\" y=\"{Py(t) + 4:0.##}\" text-anchor=\"end\">{Tick(t, YTicks)}</text>\n"));
        for (int k = 0; k < Series.Count; k++)
        {
            var s = Series[k];
            string color = Hex(Colors[k % Colors.Length]);
            if (s.Low != null && s.X.Length > 0)
            {
                var pts = s.X.Select((x, i) => Inv($"{Px(x):0.##},{Py(s.High![i]):0.##}"))
                    .Concat(s.X.Select((x, i) => Inv($"{Px(x):0.##},{Py(s.Low[i]):0.##}")).Reverse());
                sb.Append($"<polygon points=\"{string.Join(' ', pts)}\" fill=\"{color}\" fill-opacity=\"0.2\" stroke=\"none\"/>\n");
            }
            var line = s.X.Select((x, i) => Inv($"{Px(x):0.##},{Py(s.Mean[i]):0.##}"));
            sb.Append($"<polyline points=\"{string.Join(' ', line)}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"/>\n");
        }
        sb.Append(Inv($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{Width - Left - Right}\" height=\"{Height - Top - Bottom}\" fill=\"none\" stroke=\"black\"/>\n"));
        sb.Append(Inv($"<text x=\"{Width / 2}\" y=\"{Top - 14}\" text-anchor=\"middle\" font-size=\"16\">{Esc(Title)}</text>\n"));
        sb.Append(Inv($"<text x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 12}\" text-anchor=\"middle\">{Esc(XLabel)}</text>\n"));
        sb.Append(Inv($"<text x=\"18\" y=\"{(Top + Height - Bottom) / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 18 {(Top + Height - Bottom) / 2})\">{Esc(YLabel)}</text>\n"));
        for (int k = 0; k < Series.Count; k++)
        {
            int y = Top + 14 + 16 * k;
            sb.Append(Inv($"<line x1=\"{Left + 10}\" y1=\"{y - 4}\" x2=\"{Left + 30}\" y2=\"{y - 4}\" stroke=\"{Hex(Colors[k % Colors.Length])}\" stroke-width=\"3\"/>"));
            sb.Append(Inv($"<text x=\"{Left + 36}\" y=\"{y}\">{Esc(Series[k].Name)}</text>\n"));
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    /// <summary>The plot as a (Height, Width, 3) RGB image.</summary>
    public byte[] ToRgb()
    {
        var rgb = new byte[Height * Width * 3];
        var c = new Canvas(rgb, Height, Width);
        c.Clear(Rgb.White);
        c.View(Width / 2.0, -Height / 2.0, Math.Min(Width, Height) / 2.0); // world (x, -y) = pixel (x, y)
        var grid = new Rgb(229, 229, 229);
        var black = ((byte)0, (byte)0, (byte)0);
        foreach (double t in XTicks)
        {
            c.Line(Px(t), -Top, Px(t), -(Height - Bottom), 1, grid);
            string s = Tick(t, XTicks);
            BitmapFont.Draw(rgb, Height, Width, s, (int)Px(t) - BitmapFont.Measure(s) / 2, Height - Bottom + 8, black);
        }
        foreach (double t in YTicks)
        {
            c.Line(Left, -Py(t), Width - Right, -Py(t), 1, grid);
            string s = Tick(t, YTicks);
            BitmapFont.Draw(rgb, Height, Width, s, Left - 6 - BitmapFont.Measure(s), (int)Py(t) - 3, black);
        }
        for (int k = 0; k < Series.Count; k++)
        {
            var s = Series[k];
            var col = Colors[k % Colors.Length];
            if (s.Low == null) continue;
            var tint = new Rgb(Tint(col.R), Tint(col.G), Tint(col.B));
            for (int i = 0; i + 1 < s.X.Length; i++)
                c.FillPolygon([(Px(s.X[i]), -Py(s.Low[i])), (Px(s.X[i + 1]), -Py(s.Low[i + 1])),
                    (Px(s.X[i + 1]), -Py(s.High![i + 1])), (Px(s.X[i]), -Py(s.High[i]))], tint);
        }
        for (int k = 0; k < Series.Count; k++)
        {
            var s = Series[k];
            var col = Colors[k % Colors.Length];
            var line = new Rgb(col.R, col.G, col.B);
            for (int i = 0; i + 1 < s.X.Length; i++) c.Line(Px(s.X[i]), -Py(s.Mean[i]), Px(s.X[i + 1]), -Py(s.Mean[i + 1]), 2, line);
            if (s.X.Length == 1) c.FillCircle(Px(s.X[0]), -Py(s.Mean[0]), 2, line);
            int y = Top + 14 + 16 * k;
            c.Line(Left + 10, -(y - 4), Left + 30, -(y - 4), 3, line);
            BitmapFont.Draw(rgb, Height, Width, s.Name, Left + 36, y - 7, black);
        }
        c.Line(Left, -Top, Width - Right, -Top, 1, Rgb.Black);
        c.Line(Left, -(Height - Bottom), Width - Right, -(Height - Bottom), 1, Rgb.Black);
        c.Line(Left, -Top, Left, -(Height - Bottom), 1, Rgb.Black);
        c.Line(Width - Right, -Top, Width - Right, -(Height - Bottom), 1, Rgb.Black);
        var (title, scale) = FitTitle(Title, Width - 20);
        BitmapFont.Draw(rgb, Height, Width, title, (Width - BitmapFont.Measure(title, scale)) / 2, 10, black, scale: scale);
        BitmapFont.Draw(rgb, Height, Width, XLabel, (Left + Width - Right - BitmapFont.Measure(XLabel)) / 2, Height - 20, black);
        BitmapFont.Draw(rgb, Height, Width, YLabel, 10, (Top + Height - Bottom + BitmapFont.Measure(YLabel)) / 2, black, vertical: true);
        return rgb;
    }

    /// <summary>The title at double size if it fits in <paramref name="room"/> pixels, else at single size, cut short
    /// with "..." if even that is too wide (the bitmap font would otherwise clip it at both edges).</summary>
    internal static (string Text, int Scale) FitTitle(string title, int room)
    {
        if (BitmapFont.Measure(title, 2) <= room) return (title, 2);
        if (BitmapFont.Measure(title, 1) <= room) return (title, 1);
        int n = title.Length;
        while (n > 0 && BitmapFont.Measure(title[..n] + "...", 1) > room) n--;
        return (title[..n] + "...", 1);
    }

    /// <summary>Axis range padded to whole "nice" ticks (steps of 1, 2, 2.5 or 5 times a power of ten), about 5 to 10 of them.</summary>
    internal static (double[] Ticks, double Min, double Max) Axis(IEnumerable<double> values)
    {
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (double v in values) if (double.IsFinite(v)) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
        if (double.IsInfinity(lo)) { lo = 0; hi = 1; }
        if (hi - lo < 1e-12 * Math.Max(1, Math.Abs(hi))) { lo -= Math.Max(0.5, Math.Abs(lo) * 0.1); hi += Math.Max(0.5, Math.Abs(hi) * 0.1); }
        double raw = (hi - lo) / 6, mag = Math.Pow(10, Math.Floor(Math.Log10(raw))), step = mag * 10;
        foreach (double m in (double[])[1, 2, 2.5, 5, 10]) if (m * mag >= raw) { step = m * mag; break; }
        double min = Math.Floor(lo / step) * step, max = Math.Ceiling(hi / step) * step;
        int n = (int)Math.Round((max - min) / step);
        var ticks = new double[n + 1];
        for (int i = 0; i <= n; i++) ticks[i] = min + i * step;
        return (ticks, min, max);
    }

    /// <summary>A tick label: 1.5k / 2M style for large numbers, otherwise just enough decimals for the step.</summary>
    internal static string Tick(double v, double[] ticks)
    {
        double step = ticks.Length > 1 ? ticks[1] - ticks[0] : 1;
        if (Math.Abs(v) < step * 1e-9) return "0";
        double a = Math.Abs(Math.Max(Math.Abs(ticks[0]), Math.Abs(ticks[^1])));
        if (a >= 1e6 && step >= 1e4) return Inv($"{v / 1e6:0.##}M");
        if (a >= 1e4 && step >= 100) return Inv($"{v / 1e3:0.##}k");
        int decimals = Math.Clamp((int)Math.Ceiling(-Math.Log10(step) + 0.3), 0, 6);
        return v.ToString("F" + decimals, CultureInfo.InvariantCulture);
    }

    private static byte Tint(byte v) => (byte)(255 - (255 - v) * 0.25);
    private static string Hex((byte R, byte G, byte B) c) => $"#{c.R:x2}{c.G:x2}{c.B:x2}";
    private static string Esc(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

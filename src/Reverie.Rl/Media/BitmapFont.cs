// BitmapFont: a 5x7 pixel font (digits, letters, common punctuation) for text in PNG plots.
namespace Reverie.Rl.Media;

/// <summary>
/// A fixed 5x7 font drawn into RGB buffers. Lower-case letters are drawn as capitals; characters
/// without a glyph are drawn as a box. Each glyph advances 6 pixels times the scale.
/// </summary>
internal static class BitmapFont
{
    public const int GlyphWidth = 5, GlyphHeight = 7, Advance = 6;

    private static readonly Dictionary<char, string[]> Glyphs = new()
    {
        [' '] = ["     ", "     ", "     ", "     ", "     ", "     ", "     "],
        ['0'] = [" ### ", "#   #", "#  ##", "# # #", "##  #", "#   #", " ### "],
        ['1'] = ["  #  ", " ##  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "],
        ['2'] = [" ### ", "#   #", "    #", "   # ", "  #  ", " #   ", "#####"],
        ['3'] = ["#####", "   # ", "  #  ", "   # ", "    #", "#   #", " ### "],
        ['4'] = ["   # ", "  ## ", " # # ", "#  # ", "#####", "   # ", "   # "],
        ['5'] = ["#####", "#    ", "#### ", "    #", "    #", "#   #", " ### "],
        ['6'] = ["  ## ", " #   ", "#    ", "#### ", "#   #", "#   #", " ### "],
        ['7'] = ["#####", "    #", "   # ", "  #  ", " #   ", " #   ", " #   "],
        ['8'] = [" ### ", "#   #", "#   #", " ### ", "#   #", "#   #", " ### "],
        ['9'] = [" ### ", "#   #", "#   #", " ####", "    #", "   # ", " ##  "],
        ['A'] = [" ### ", "#   #", "#   #", "#####", "#   #", "#   #", "#   #"],
        ['B'] = ["#### ", "#   #", "#   #", "#### ", "#   #", "#   #", "#### "],
        ['C'] = [" ### ", "#   #", "#    ", "#    ", "#    ", "#   #", " ### "],
        ['D'] = ["###  ", "#  # ", "#   #", "#   #", "#   #", "#  # ", "###  "],
        ['E'] = ["#####", "#    ", "#    ", "#### ", "#    ", "#    ", "#####"],
        ['F'] = ["#####", "#    ", "#    ", "#### ", "#    ", "#    ", "#    "],
        ['G'] = [" ### ", "#   #", "#    ", "# ###", "#   #", "#   #", " ####"],
        ['H'] = ["#   #", "#   #", "#   #", "#####", "#   #", "#   #", "#   #"],
        ['I'] = [" ### ", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "],
        ['J'] = ["  ###", "   # ", "   # ", "   # ", "   # ", "#  # ", " ##  "],
        ['K'] = ["#   #", "#  # ", "# #  ", "##   ", "# #  ", "#  # ", "#   #"],
        ['L'] = ["#    ", "#    ", "#    ", "#    ", "#    ", "#    ", "#####"],
        ['M'] = ["#   #", "## ##", "# # #", "# # #", "#   #", "#   #", "#   #"],
        ['N'] = ["#   #", "#   #", "##  #", "# # #", "#  ##", "#   #", "#   #"],
        ['O'] = [" ### ", "#   #", "#   #", "#   #", "#   #", "#   #", " ### "],
        ['P'] = ["#### ", "#   #", "#   #", "#### ", "#    ", "#    ", "#    "],
        ['Q'] = [" ### ", "#   #", "#   #", "#   #", "# # #", "#  # ", " ## #"],
        ['R'] = ["#### ", "#   #", "#   #", "#### ", "# #  ", "#  # ", "#   #"],
        ['S'] = [" ####", "#    ", "#    ", " ### ", "    #", "    #", "#### "],
        ['T'] = ["#####", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ", "  #  "],
        ['U'] = ["#   #", "#   #", "#   #", "#   #", "#   #", "#   #", " ### "],
        ['V'] = ["#   #", "#   #", "#   #", "#   #", "#   #", " # # ", "  #  "],
        ['W'] = ["#   #", "#   #", "#   #", "# # #", "# # #", "# # #", " # # "],
        ['X'] = ["#   #", "#   #", " # # ", "  #  ", " # # ", "#   #", "#   #"],
        ['Y'] = ["#   #", "#   #", " # # ", "  #  ", "  #  ", "  #  ", "  #  "],
        ['Z'] = ["#####", "    #", "   # ", "  #  ", " #   ", "#    ", "#####"],
        ['.'] = ["     ", "     ", "     ", "     ", "     ", " ##  ", " ##  "],
        [','] = ["     ", "     ", "     ", "     ", " ##  ", "  #  ", " #   "],
        ['-'] = ["     ", "     ", "     ", "#####", "     ", "     ", "     "],
        ['+'] = ["     ", "  #  ", "  #  ", "#####", "  #  ", "  #  ", "     "],
        ['_'] = ["     ", "     ", "     ", "     ", "     ", "     ", "#####"],
        ['/'] = ["     ", "    #", "   # ", "  #  ", " #   ", "#    ", "     "],
        ['('] = ["   # ", "  #  ", " #   ", " #   ", " #   ", "  #  ", "   # "],
        [')'] = [" #   ", "  #  ", "   # ", "   # ", "   # ", "  #  ", " #   "],
        ['['] = [" ### ", " #   ", " #   ", " #   ", " #   ", " #   ", " ### "],
        [']'] = [" ### ", "   # ", "   # ", "   # ", "   # ", "   # ", " ### "],
        [':'] = ["     ", " ##  ", " ##  ", "     ", " ##  ", " ##  ", "     "],
        ['='] = ["     ", "     ", "#####", "     ", "#####", "     ", "     "],
        ['%'] = ["##   ", "##  #", "   # ", "  #  ", " #   ", "#  ##", "   ##"],
        ['*'] = ["     ", "  #  ", "# # #", " ### ", "# # #", "  #  ", "     "],
        ['<'] = ["   # ", "  #  ", " #   ", "#    ", " #   ", "  #  ", "   # "],
        ['>'] = [" #   ", "  #  ", "   # ", "    #", "   # ", "  #  ", " #   "],
        ['\''] = ["  #  ", "  #  ", " #   ", "     ", "     ", "     ", "     "],
        ['#'] = [" # # ", " # # ", "#####", " # # ", "#####", " # # ", " # # "],
        ['±'] = ["  #  ", "  #  ", "#####", "  #  ", "  #  ", "     ", "#####"],
    };

    private static readonly string[] Unknown = ["#####", "#   #", "#   #", "#   #", "#   #", "#   #", "#####"];

    /// <summary>Width in pixels of <paramref name="text"/> at <paramref name="scale"/>.</summary>
    public static int Measure(string text, int scale = 1) => text.Length == 0 ? 0 : (text.Length * Advance - 1) * scale;

    /// <summary>
    /// Draws <paramref name="text"/> with its top-left corner at (x, y) in pixels; with
    /// <paramref name="vertical"/> the text runs bottom to top (rotated 90° counter-clockwise) and
    /// (x, y) is its bottom-left corner.
    /// </summary>
    public static void Draw(Span<byte> rgb, int height, int width, string text, int x, int y, (byte R, byte G, byte B) color,
        int scale = 1, bool vertical = false)
    {
        for (int k = 0; k < text.Length; k++)
        {
            var glyph = Glyphs.TryGetValue(char.ToUpperInvariant(text[k]), out var g) ? g : Unknown;
            for (int row = 0; row < GlyphHeight; row++)
                for (int col = 0; col < GlyphWidth; col++)
                {
                    if (glyph[row][col] == ' ') continue;
                    for (int sy = 0; sy < scale; sy++)
                        for (int sx = 0; sx < scale; sx++)
                        {
                            int gx = (k * Advance + col) * scale + sx, gy = row * scale + sy;
                            int px = vertical ? x + gy : x + gx, py = vertical ? y - gx : y + gy;
                            if ((uint)px >= (uint)width || (uint)py >= (uint)height) continue;
                            int i = (py * width + px) * 3;
                            rgb[i] = color.R; rgb[i + 1] = color.G; rgb[i + 2] = color.B;
                        }
                }
        }
    }
}

// SafeTensorsEntry and SafeTensorsLoadReport: what a safetensors header says about one tensor, and what LoadInto did.
namespace Reverie.Tensors.IO;

/// <summary>One tensor as described by a safetensors header.</summary>
/// <param name="Name">The tensor's name (the header key).</param>
/// <param name="Dtype">The safetensors dtype string, e.g. <c>F32</c>, <c>BF16</c>, <c>I64</c>.</param>
/// <param name="Shape">The dimensions (empty for a scalar).</param>
/// <param name="Begin">Start of the tensor's bytes, relative to the start of the data section.</param>
/// <param name="End">End (exclusive) of the tensor's bytes, relative to the start of the data section.</param>
public sealed record SafeTensorsEntry(string Name, string Dtype, int[] Shape, long Begin, long End)
{
    /// <summary>Number of elements (product of <see cref="Shape"/>; 1 for a scalar).</summary>
    public long Count
    {
        get
        {
            long n = 1;
            foreach (int d in Shape) n *= d;
            return n;
        }
    }

    /// <summary>The shape in PyTorch style, e.g. <c>(3, 4)</c>.</summary>
    public string ShapeText => Shape.Length == 1 ? $"({Shape[0]},)" : "(" + string.Join(", ", Shape) + ")";
}

/// <summary>
/// The outcome of <see cref="SafeTensors.LoadInto"/>: which names were copied, and which did not match.
/// </summary>
/// <param name="Loaded">Names present in both the file and the target with equal shapes; their values were copied.</param>
/// <param name="Missing">Names in the target that the file lacks (left unchanged).</param>
/// <param name="Unexpected">Names in the file that the target lacks (ignored).</param>
/// <param name="ShapeMismatched">One line per name present in both with different shapes (left unchanged),
/// e.g. <c>enc.weight: file (4, 3) vs target (3, 4)</c>.</param>
public sealed record SafeTensorsLoadReport(
    IReadOnlyList<string> Loaded, IReadOnlyList<string> Missing,
    IReadOnlyList<string> Unexpected, IReadOnlyList<string> ShapeMismatched)
{
    /// <summary>True when every target tensor was loaded and the file held nothing else.</summary>
    public bool IsExact => Missing.Count == 0 && Unexpected.Count == 0 && ShapeMismatched.Count == 0;

    /// <summary>A multi-line description of the mismatches (empty when <see cref="IsExact"/>).</summary>
    public string Describe()
    {
        var lines = new List<string>();
        if (Missing.Count > 0) lines.Add($"missing from the file ({Missing.Count}): {string.Join(", ", Missing)}");
        if (Unexpected.Count > 0) lines.Add($"unexpected in the file ({Unexpected.Count}): {string.Join(", ", Unexpected)}");
        if (ShapeMismatched.Count > 0) lines.Add($"shape mismatches ({ShapeMismatched.Count}): {string.Join("; ", ShapeMismatched)}");
        return string.Join(Environment.NewLine, lines);
    }
}

// Optional run-time checks (domain errors, NaN/Inf outputs) that name the op that produced them.
namespace Reverie.Tensors;

/// <summary>Thrown when a debug check finds a NaN/Inf or a value outside an op's domain.</summary>
public sealed class NumericException(string message) : ArithmeticException(message);

public sealed partial class Tensor
{
    /// <summary>
    /// When true, ops check their inputs' domains (log/sqrt of negatives) and their outputs for
    /// NaN/Inf, and throw <see cref="NumericException"/> naming the op. Off by default (it costs a
    /// pass over every output); on when the environment variable REVERIE_DEBUG_CHECKS=1.
    /// </summary>
    public static bool DebugChecks
    {
        get => _debugChecks || _debugChecksThread;
        set => _debugChecks = value;
    }

    private static bool _debugChecks = Environment.GetEnvironmentVariable("REVERIE_DEBUG_CHECKS") == "1";
    [ThreadStatic] private static bool _debugChecksThread;

    /// <summary>
    /// Turns debug checks on for the calling thread only until disposed (tests use this so that
    /// other code running in parallel keeps its own setting).
    /// </summary>
    internal static ThreadDebugChecks DebugChecksOnThisThread()
    {
        var previous = _debugChecksThread;
        _debugChecksThread = true;
        return new ThreadDebugChecks(previous);
    }

    internal readonly struct ThreadDebugChecks(bool previous) : IDisposable
    {
        public void Dispose() => _debugChecksThread = previous;
    }

    internal static void CheckDomain(Tensor x, string op, bool allowZero)
    {
        if (!DebugChecks) return;
        var s = x.Span;
        for (int i = 0; i < s.Length; i++)
        {
            float v = s[i];
            if (v < 0 || (!allowZero && v == 0) || float.IsNaN(v))
                throw new NumericException($"{op}: input {x.Shape} has the value {v} at flat index {i}, outside the domain of {op}");
        }
    }

    internal static void CheckFinite(Tensor y, string op, params ReadOnlySpan<Tensor> inputs)
    {
        var s = y.Span;
        for (int i = 0; i < s.Length; i++)
            if (!float.IsFinite(s[i]))
            {
                var shapes = new List<string>();
                foreach (var t in inputs) shapes.Add(t.Shape.ToString());
                throw new NumericException($"{op}: output {y.Shape} has {s[i]} at flat index {i} (inputs {string.Join(", ", shapes)})");
            }
    }
}

// Autograd: the tape node, Backward (reverse topological walk) and the NoGrad switch.
namespace Reverie.Tensors;

/// <summary>
/// One recorded operation: its inputs and the function that, given the gradient of the op's
/// output, accumulates gradients into the inputs that need them.
/// </summary>
public sealed class Node
{
    /// <summary>The op's name (for error messages and debugging).</summary>
    public string Op { get; }

    /// <summary>The op's tensor inputs.</summary>
    public Tensor[] Inputs { get; }

    internal readonly Action<Tensor> BackwardFn;

    internal Node(string op, Tensor[] inputs, Action<Tensor> backward)
    {
        Op = op;
        Inputs = inputs;
        BackwardFn = backward;
    }

    public override string ToString() => Op;
}

/// <summary>Turns gradient recording off on this thread until disposed.</summary>
public readonly struct NoGradScope : IDisposable
{
    private readonly bool _previous;
    internal NoGradScope(bool previous) { _previous = previous; }
    public void Dispose() => Tensor.GradEnabledFlag = _previous;
}

public sealed partial class Tensor
{
    [ThreadStatic] private static bool _gradDisabled;
    [ThreadStatic] private static List<Tensor>? _topo;
    [ThreadStatic] private static Stack<(Tensor, int)>? _dfs;
    private static int _stamp;

    internal static bool GradEnabledFlag { get => !_gradDisabled; set => _gradDisabled = !value; }

    /// <summary>Whether ops on this thread record the graph.</summary>
    public static bool IsGradEnabled => !_gradDisabled;

    /// <summary>Turns off graph recording on this thread: <c>using var _ = Tensor.NoGrad();</c></summary>
    public static NoGradScope NoGrad()
    {
        var s = new NoGradScope(!_gradDisabled);
        _gradDisabled = true;
        return s;
    }

    /// <summary>Whether an op on these inputs must record a node.</summary>
    internal static bool NeedsGrad(Tensor a) => !_gradDisabled && a.RequiresGrad;
    internal static bool NeedsGrad(Tensor a, Tensor b) => !_gradDisabled && (a.RequiresGrad || b.RequiresGrad);
    internal static bool NeedsGrad(ReadOnlySpan<Tensor> xs)
    {
        if (_gradDisabled) return false;
        foreach (var x in xs) if (x.RequiresGrad) return true;
        return false;
    }

    /// <summary>Attaches an autograd node to <paramref name="output"/>; returns the output.</summary>
    internal static Tensor Record(Tensor output, string op, Tensor[] inputs, Action<Tensor> backward)
    {
        output.RequiresGrad = true;
        output.Node = new Node(op, inputs, backward);
        return output;
    }

    /// <summary>
    /// The gradient buffer of this tensor, created (zero-filled) on first use. Leaves get a
    /// GC-owned buffer that outlives scopes; intermediates get a scoped one. Backward functions add into it.
    /// </summary>
    internal Span<float> GradSpan()
    {
        if (Grad is null)
        {
            Grad = Node is null ? Persistent(Shape) : Zeros(Shape);
        }
        return Grad.Span;
    }

    /// <summary>
    /// The gradient buffer to write into, and whether it must be accumulated: when an intermediate's
    /// gradient does not exist yet, a fresh uninitialized buffer is returned with <paramref name="beta"/> = 0
    /// (overwrite); otherwise the existing buffer with beta = 1 (add). Saves a zero-fill pass.
    /// </summary>
    internal Span<float> GradDest(out float beta)
    {
        if (Grad is null && Node is not null)
        {
            Grad = Empty(Shape);
            beta = 0f;
            return Grad.Span;
        }
        beta = 1f;
        return GradSpan();
    }

    /// <summary>Adds <paramref name="g"/> (same size) into this tensor's gradient.</summary>
    internal void AccumulateGrad(ReadOnlySpan<float> g)
    {
        if (Grad is null && Node is not null)
        {
            Grad = Empty(Shape);
            g.CopyTo(Grad.Span);
            return;
        }
        var dst = GradSpan();
        System.Numerics.Tensors.TensorPrimitives.Add(dst, g, dst);
    }

    /// <summary>
    /// Back-propagates from this tensor: for a one-element tensor with <paramref name="grad"/> null,
    /// the seed gradient is 1. Gradients accumulate (+=) into every tensor that requires grad.
    /// </summary>
    /// <exception cref="InvalidOperationException">The tensor does not require grad, or has many elements and no seed.</exception>
    public void Backward(Tensor? grad = null)
    {
        if (!RequiresGrad)
            throw new InvalidOperationException($"Backward: tensor {Shape} does not require grad (was it computed under NoGrad or from tensors without RequiresGrad?)");
        if (grad is null && Size != 1)
            throw new InvalidOperationException($"Backward: tensor {Shape} has {Size} elements; pass a seed gradient of the same shape");
        if (grad is not null && grad.Shape != Shape)
            throw new ArgumentException($"Backward: seed gradient {grad.Shape} does not match tensor {Shape}");

        var topo = _topo ??= new List<Tensor>(256);
        var dfs = _dfs ??= new Stack<(Tensor, int)>(64);
        topo.Clear();
        int stamp = Interlocked.Increment(ref _stamp);
        // Iterative post-order DFS: a node is appended after all its inputs.
        VisitStamp = stamp;
        dfs.Push((this, 0));
        while (dfs.Count > 0)
        {
            var (t, i) = dfs.Pop();
            var inputs = t.Node?.Inputs;
            if (inputs is not null && i < inputs.Length)
            {
                dfs.Push((t, i + 1));
                var x = inputs[i];
                if (x.RequiresGrad && x.VisitStamp != stamp)
                {
                    x.VisitStamp = stamp;
                    dfs.Push((x, 0));
                }
            }
            else topo.Add(t);
        }

        if (grad is null)
        {
            var seed = GradSpan();
            seed[0] += 1f;
        }
        else AccumulateGrad(grad.Span);

        using (NoGrad())
        {
            for (int k = topo.Count - 1; k >= 0; k--)
            {
                var t = topo[k];
                if (t.Node is null || t.Grad is null) continue;
                t.Node.BackwardFn(t.Grad);
                if (!ReferenceEquals(t, this)) t.Grad = null; // consumed; a second Backward must not re-send it
            }
        }
        topo.Clear();
    }
}

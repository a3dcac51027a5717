// TensorScope: hands the memory of temporary tensors back to the pool in one go.
namespace Reverie.Tensors;

/// <summary>
/// A region of code whose tensors borrow pooled memory. Disposing the scope releases every tensor
/// created inside it (on this thread) that was not kept. Scope objects are reused per thread, so
/// opening one allocates nothing in steady state.
/// </summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static List<TensorScope>? _stack;
    [ThreadStatic] private static int _depth;

    private readonly List<Tensor> _tracked = new(256);
    private readonly int _level;
    private bool _open;

    private TensorScope(int level) { _level = level; }

    /// <summary>The innermost open scope on this thread, or null.</summary>
    internal static TensorScope? Current => _depth == 0 ? null : _stack![_depth - 1];

    internal static TensorScope Open()
    {
        _stack ??= new List<TensorScope>();
        if (_stack.Count == _depth) _stack.Add(new TensorScope(_depth));
        var s = _stack[_depth++];
        s._open = true;
        return s;
    }

    internal void Track(Tensor t) => _tracked.Add(t);

    /// <summary>Number of tensors created in this scope so far.</summary>
    public int Count => _tracked.Count;

    /// <summary>Releases every tensor of this scope that was not kept.</summary>
    /// <exception cref="InvalidOperationException">Scopes were disposed out of order.</exception>
    public void Dispose()
    {
        if (!_open) return;
        if (_depth - 1 != _level)
            throw new InvalidOperationException("Tensor scopes must be disposed in reverse order of opening");
        // Views first (they point at bases), then owners; order inside a list does not matter
        // because Release only drops references and returns owned arrays once.
        var list = _tracked;
        for (int i = list.Count - 1; i >= 0; i--) list[i].Release();
        list.Clear();
        _open = false;
        _depth--;
    }
}

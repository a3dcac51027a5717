// WorkerGroup: W-1 dedicated threads plus the caller run W fixed partitions of a job, with low hand-off latency.
using System.Runtime.ExceptionServices;

namespace Reverie.Envs;

/// <summary>
/// Runs <c>job(w)</c> for w = 0..W-1 at once: the caller runs partition 0, one dedicated background
/// thread per other partition runs the rest, and <see cref="Run"/> returns when all are done.
/// Dedicated threads (not the thread pool, whose worker may start late and leave the caller doing
/// every partition) keep the hand-off to a few microseconds: waits spin briefly before blocking.
/// The first exception of a run is rethrown on the caller. Not reentrant.
/// </summary>
internal sealed class WorkerGroup : IDisposable
{
    private readonly Action<int> _job;
    private readonly Thread[] _threads;
    private readonly ManualResetEventSlim[] _go;
    private readonly ManualResetEventSlim _done = new(false, spinCount: 2000);
    private int _pending;
    private volatile bool _stopping;
    private ExceptionDispatchInfo? _error;

    public WorkerGroup(int workers, Action<int> job)
    {
        _job = job;
        _threads = new Thread[workers - 1];
        _go = new ManualResetEventSlim[workers - 1];
        for (int i = 0; i < _threads.Length; i++)
        {
            int w = i + 1;
            _go[i] = new ManualResetEventSlim(false, spinCount: 2000);
            _threads[i] = new Thread(() => Loop(w)) { IsBackground = true, Name = $"Reverie.Envs vector worker {w}" };
            _threads[i].Start();
        }
    }

    /// <summary>Number of partitions, the caller's included.</summary>
    public int Workers => _threads.Length + 1;

    public void Run()
    {
        _error = null;
        _done.Reset();
        Volatile.Write(ref _pending, _threads.Length);
        foreach (var go in _go) go.Set();
        try { _job(0); }
        catch (Exception e) { Interlocked.CompareExchange(ref _error, ExceptionDispatchInfo.Capture(e), null); }
        if (_threads.Length > 0) _done.Wait();
        _error?.Throw();
    }

    private void Loop(int w)
    {
        var go = _go[w - 1];
        while (true)
        {
            go.Wait();
            go.Reset();
            if (_stopping) return;
            try { _job(w); }
            catch (Exception e) { Interlocked.CompareExchange(ref _error, ExceptionDispatchInfo.Capture(e), null); }
            if (Interlocked.Decrement(ref _pending) == 0) _done.Set();
        }
    }

    public void Dispose()
    {
        _stopping = true;
        foreach (var go in _go) go.Set();
        foreach (var t in _threads) t.Join();
        foreach (var go in _go) go.Dispose();
        _done.Dispose();
    }
}

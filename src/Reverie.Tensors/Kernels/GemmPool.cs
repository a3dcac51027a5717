// GemmPool: a tiny persistent worker pool for sgemm (no per-call allocation, microsecond wake-up).
using System.Runtime.CompilerServices;

namespace Reverie.Tensors.Kernels;

/// <summary>Work split into a fixed number of parts; part p of n must depend only on (p, n).</summary>
internal abstract class GemmJob
{
    /// <summary>Runs part <paramref name="part"/> of <paramref name="parts"/>.</summary>
    public abstract void Run(int part, int parts);

    /// <summary>Barrier shared by the parts of one run (jobs that pack shared panels use it).</summary>
    public readonly SpinBarrier Barrier = new();
}

/// <summary>A sense-reversing spinning barrier for the few threads of one sgemm call.</summary>
internal sealed class SpinBarrier
{
    private int _remaining;
    private volatile int _phase;

    /// <summary>Arms the barrier for <paramref name="parts"/> participants (before they start).</summary>
    public void Reset(int parts) => _remaining = parts;

    /// <summary>Blocks until all <paramref name="parts"/> participants arrived.</summary>
    public void Wait(int parts)
    {
        if (parts <= 1) return;
        int phase = _phase;
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            _remaining = parts;
            _phase = phase + 1;
            return;
        }
        var sw = new SpinWait();
        while (_phase == phase) sw.SpinOnce(sleep1Threshold: -1);
    }
}

/// <summary>
/// Runs a <see cref="GemmJob"/> on the calling thread (part 0) and up to ProcessorCount-1 persistent
/// background workers. One call uses the workers at a time; a concurrent caller runs its job as a
/// single part instead (jobs give the same bits for any part count, so this changes only speed).
/// </summary>
internal static class GemmPool
{
    private static readonly object Gate = new();
    private static Worker[] _workers = [];
    private static int _pending;

    /// <summary>Most parts a job can be split into (the caller plus the workers it may start).</summary>
    public static int MaxParts => Math.Max(1, Math.Min(Gemm.MaxThreads, Environment.ProcessorCount));

    /// <summary>Runs all parts of <paramref name="job"/>; returns when every part has finished.</summary>
    public static void Run(GemmJob job, int parts)
    {
        if (parts <= 1 || !Monitor.TryEnter(Gate))
        {
            job.Barrier.Reset(1);
            job.Run(0, 1);
            return;
        }
        try
        {
            EnsureWorkers(parts - 1);
            job.Barrier.Reset(parts);
            Volatile.Write(ref _pending, parts - 1);
            for (int p = 1; p < parts; p++) _workers[p - 1].Start(job, p, parts);
            Exception? error = null;
            try { job.Run(0, parts); }
            catch (Exception e) { error = e; }
            var sw = new SpinWait();
            while (Volatile.Read(ref _pending) != 0) sw.SpinOnce(sleep1Threshold: -1);
            for (int p = 1; p < parts; p++) error ??= _workers[p - 1].TakeError();
            if (error != null) throw new InvalidOperationException("sgemm: a worker part failed", error);
        }
        finally { Monitor.Exit(Gate); }
    }

    private static void EnsureWorkers(int n)
    {
        if (_workers.Length >= n) return;
        var ws = new Worker[n];
        Array.Copy(_workers, ws, _workers.Length);
        for (int i = _workers.Length; i < n; i++) ws[i] = new Worker(i + 1);
        _workers = ws;
    }

    private sealed class Worker
    {
        private readonly SemaphoreSlim _wake = new(0);
        private volatile int _generation;
        private int _sleeping;
        private GemmJob? _job;
        private int _part, _parts;
        private Exception? _error;

        public Worker(int id)
        {
            var t = new Thread(Loop) { IsBackground = true, Name = $"reverie-gemm-{id}" };
            t.Start();
        }

        public void Start(GemmJob job, int part, int parts)
        {
            _job = job; _part = part; _parts = parts;
            _generation++;
            if (Interlocked.Exchange(ref _sleeping, 0) == 1) _wake.Release();
        }

        public Exception? TakeError() { var e = _error; _error = null; return e; }

        private void Loop()
        {
            int seen = 0;
            while (true)
            {
                // Spin a little (back-to-back calls), then sleep on the semaphore until Start.
                var sw = new SpinWait();
                for (int i = 0; i < 2000 && _generation == seen; i++) sw.SpinOnce(sleep1Threshold: -1);
                while (_generation == seen)
                {
                    Interlocked.Exchange(ref _sleeping, 1);
                    if (_generation != seen) break;
                    _wake.Wait();
                }
                Interlocked.Exchange(ref _sleeping, 0);
                seen = _generation;
                Execute();
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Execute()
        {
            try { _job!.Run(_part, _parts); }
            catch (Exception e) { _error = e; }
            finally
            {
                _job = null;
                Interlocked.Decrement(ref _pending);
            }
        }
    }
}

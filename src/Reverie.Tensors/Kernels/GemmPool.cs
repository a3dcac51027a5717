// GemmPool: a tiny persistent worker pool for sgemm with dynamic work claiming (no per-call allocation).
using System.Runtime.CompilerServices;

namespace Reverie.Tensors.Kernels;

/// <summary>
/// Work split into <see cref="Units"/> units whose boundaries depend only on the shape (and at most on
/// the thread count, never changing which arithmetic produces a C element). Threads claim units with
/// an interlocked counter until none remain, so a thread that is descheduled (the other core is busy)
/// simply claims fewer: the caller always participates and finishes all the work if nobody helps.
/// </summary>
internal abstract class GemmJob
{
    private const long Open = 1L << 31, CountMask = Open - 1;
    // (generation << 32) | open bit | number of helper threads inside this run.
    private long _gate;
    private int _next;
    private Exception? _error;

    /// <summary>Work units of the current run.</summary>
    public int Units;

    /// <summary>Prepares a run of <paramref name="units"/> units (before anyone calls <see cref="Work"/>).</summary>
    public void Begin(int units) { Units = units; _next = 0; }

    /// <summary>Claims the next unit, or -1 when none remain.</summary>
    protected int Claim()
    {
        if (Volatile.Read(ref _next) >= Units) return -1;
        int u = Interlocked.Increment(ref _next) - 1;
        return u < Units ? u : -1;
    }

    /// <summary>Claims and runs units until none remain (called concurrently by all participants).</summary>
    public abstract void Work();

    /// <summary>Lets helpers of run <paramref name="generation"/> enter.</summary>
    internal void OpenGate(int generation) => Volatile.Write(ref _gate, ((long)generation << 32) | Open);

    /// <summary>A helper enters run <paramref name="generation"/> if it is still open; false when it is too late.</summary>
    internal bool TryEnter(int generation)
    {
        while (true)
        {
            long s = Volatile.Read(ref _gate);
            if ((int)(s >> 32) != generation || (s & Open) == 0) return false;
            if (Interlocked.CompareExchange(ref _gate, s + 1, s) == s) return true;
        }
    }

    internal void Leave(Exception? error)
    {
        if (error != null) Interlocked.CompareExchange(ref _error, error, null);
        Interlocked.Decrement(ref _gate);
    }

    /// <summary>Shuts the gate and waits for the helpers inside (each finishing the unit it claimed); returns their error.</summary>
    internal Exception? CloseAndWait()
    {
        Interlocked.And(ref _gate, ~Open);
        var sw = new SpinWait();
        while ((Volatile.Read(ref _gate) & CountMask) != 0) sw.SpinOnce(sleep1Threshold: -1);
        return Interlocked.Exchange(ref _error, null);
    }
}

/// <summary>
/// Runs a <see cref="GemmJob"/> on the calling thread and up to ProcessorCount-1 persistent background
/// workers that join when they get a core. One call uses the workers at a time; a concurrent caller
/// runs its job alone instead (results never depend on who computes a unit, so this changes only speed).
/// </summary>
internal static class GemmPool
{
    private static readonly object Gate = new();
    private static Worker[] _workers = [];
    private static int _generation;

    /// <summary>Most threads a job can use (the caller plus the workers it may wake).</summary>
    public static int MaxParts => Math.Max(1, Math.Min(Gemm.MaxThreads, Environment.ProcessorCount));

    /// <summary>Runs all units of <paramref name="job"/> (after Begin) with up to <paramref name="threads"/> threads.</summary>
    public static void Run(GemmJob job, int threads)
    {
        threads = Math.Min(threads, job.Units);
        if (threads <= 1 || !Monitor.TryEnter(Gate))
        {
            job.Work();
            return;
        }
        try
        {
            EnsureWorkers(threads - 1);
            int gen = ++_generation;
            job.OpenGate(gen);
            for (int w = 0; w < threads - 1; w++) _workers[w].Start(job, gen);
            Exception? error = null;
            try { job.Work(); }
            catch (Exception e) { error = e; }
            error ??= job.CloseAndWait();
            if (error != null) throw new InvalidOperationException("sgemm: a worker failed", error);
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
        private volatile int _ticket;
        private int _sleeping;
        private volatile GemmJob? _job;
        private volatile int _gen;

        public Worker(int id)
        {
            var t = new Thread(Loop) { IsBackground = true, Name = $"reverie-gemm-{id}" };
            t.Start();
        }

        /// <summary>Asks the worker to join run <paramref name="gen"/> of <paramref name="job"/> (if it gets there in time).</summary>
        public void Start(GemmJob job, int gen)
        {
            _job = job; _gen = gen;
            _ticket++;
            if (Interlocked.Exchange(ref _sleeping, 0) == 1) _wake.Release();
        }

        private void Loop()
        {
            int seen = 0;
            while (true)
            {
                // Spin a little (back-to-back calls), then sleep on the semaphore until Start.
                var sw = new SpinWait();
                for (int i = 0; i < 2000 && _ticket == seen; i++) sw.SpinOnce(sleep1Threshold: -1);
                while (_ticket == seen)
                {
                    Interlocked.Exchange(ref _sleeping, 1);
                    if (_ticket != seen) break;
                    _wake.Wait();
                }
                Interlocked.Exchange(ref _sleeping, 0);
                seen = _ticket;
                Execute(_job, _gen);
            }
        }

        // A stale (job, gen) pair, or a run that already ended, fails TryEnter and does nothing.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void Execute(GemmJob? job, int gen)
        {
            if (job == null || !job.TryEnter(gen)) return;
            Exception? error = null;
            try { job.Work(); }
            catch (Exception e) { error = e; }
            job.Leave(error);
        }
    }
}

// VectorEnv: steps N envs as one batch with same-step autoreset, sequentially or on all cores by a fixed partition.
using System.Diagnostics;

namespace Reverie.Envs;

/// <summary>How a <see cref="VectorEnv"/> spreads its envs over threads.</summary>
public enum VectorMode
{
    /// <summary>Measure the first steps sequentially, then go parallel if one batch step takes at least <see cref="VectorEnvOptions.ParallelMinMicros"/>.</summary>
    Auto,
    /// <summary>Always one thread.</summary>
    Sequential,
    /// <summary>Always <see cref="VectorEnvOptions.Workers"/> threads.</summary>
    Parallel,
}

/// <summary>Threading options of a <see cref="VectorEnv"/>.</summary>
public sealed record VectorEnvOptions
{
    /// <summary>How to spread the envs over threads.</summary>
    public VectorMode Mode { get; init; } = VectorMode.Auto;

    /// <summary>Threads in parallel mode (the caller plus Workers − 1 dedicated background threads); env i runs on worker i * Workers / N (a fixed contiguous partition).</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// In <see cref="VectorMode.Auto"/>: go parallel when the median sequential batch step takes at
    /// least this many microseconds. Measured on the shared 2-core reference machine
    /// (docs/performance.md): the hand-off costs 6–8 µs; with the other core free, parallel pays
    /// from about 25–40 µs per batch, with it busy never. 200 µs keeps the classic envs (2–70 µs per
    /// batch of 8) sequential and bounds the loss on a busy machine to a few percent.
    /// </summary>
    public double ParallelMinMicros { get; init; } = 200;

    /// <summary>Sequential steps measured before <see cref="VectorMode.Auto"/> decides (after 4 unmeasured warm-up steps).</summary>
    public int ProbeSteps { get; init; } = 16;
}

/// <summary>
/// Steps N envs with the same spaces as one batch. Observations are batched per entry (row i =
/// env i, see <see cref="Observation"/>), actions are N rows of <c>ActionSpace.Size</c> floats.
/// </summary>
/// <remarks>
/// <para><b>Same-step autoreset:</b> when env i ends on a step (terminated or truncated), that same
/// <see cref="Step"/> resets it (continuing its generator) and row i of <see cref="Observations"/>
/// holds the <em>first observation of the new episode</em>; the ended episode's last observation is
/// row i of <see cref="FinalObservations"/>, and <see cref="Rewards"/>, <see cref="Terminated"/>,
/// <see cref="Truncated"/> describe the ending step. <see cref="IsFirst"/>[i] is true when row i of
/// <see cref="Observations"/> starts an episode (all rows after <see cref="Reset"/>). Rows of
/// <see cref="FinalObservations"/> are meaningful only where the env ended on the last step.</para>
/// <para><b>Ownership:</b> all arrays are reused and overwritten by the next call; copy what you
/// keep. The vector env owns its envs and disposes them.</para>
/// </remarks>
public sealed class VectorEnv : IDisposable
{
    private readonly IEnv[] _envs;
    private readonly VectorEnvOptions _options;
    private readonly float[] _actions;
    private WorkerGroup? _group;
    private readonly long[] _probe;
    private const int ProbeWarmup = 4;
    private int _probed, _unprobed, _workers;
    private bool _started;

    /// <summary>Batches <paramref name="envs"/>, which must share their observation and action spaces.</summary>
    /// <exception cref="ArgumentException">No envs, or their spaces differ, or an invalid option.</exception>
    public VectorEnv(IReadOnlyList<IEnv> envs, VectorEnvOptions? options = null)
    {
        if (envs.Count == 0) throw new ArgumentException("a vector env needs at least one env");
        _options = options ?? new VectorEnvOptions();
        if (_options.Workers < 1) throw new ArgumentException($"VectorEnvOptions.Workers must be >= 1, got {_options.Workers}");
        if (_options.ProbeSteps < 1) throw new ArgumentException($"VectorEnvOptions.ProbeSteps must be >= 1, got {_options.ProbeSteps}");
        _envs = [.. envs];
        ObservationSpace = _envs[0].ObservationSpace;
        ActionSpace = _envs[0].ActionSpace;
        for (int i = 1; i < _envs.Length; i++)
        {
            if (!_envs[i].ObservationSpace.SameAs(ObservationSpace))
                throw new ArgumentException($"vector env: env {i} ({_envs[i].Id}) observes {_envs[i].ObservationSpace} but env 0 ({_envs[0].Id}) observes {ObservationSpace}");
            if (!_envs[i].ActionSpace.SameAs(ActionSpace))
                throw new ArgumentException($"vector env: env {i} ({_envs[i].Id}) acts in {_envs[i].ActionSpace} but env 0 ({_envs[0].Id}) in {ActionSpace}");
        }
        int n = _envs.Length;
        Observations = new Observation(ObservationSpace, n);
        FinalObservations = new Observation(ObservationSpace, n);
        Rewards = new float[n]; Terminated = new bool[n]; Truncated = new bool[n]; IsFirst = new bool[n];
        _actions = new float[n * ActionSpace.Size];
        _probe = new long[_options.ProbeSteps];
        _workers = _options.Mode == VectorMode.Parallel ? Math.Min(_options.Workers, n) : 1;
    }

    /// <summary>Creates <paramref name="count"/> copies of a registered env and batches them.</summary>
    public static VectorEnv Make(string id, int count, EnvOptions? options = null, VectorEnvOptions? vectorOptions = null)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), $"vector env needs count >= 1, got {count}");
        var envs = new IEnv[count];
        for (int i = 0; i < count; i++) envs[i] = EnvRegistry.Make(id, options);
        return new VectorEnv(envs, vectorOptions);
    }

    /// <summary>Number of envs.</summary>
    public int Count => _envs.Length;

    /// <summary>The envs, in row order.</summary>
    public IReadOnlyList<IEnv> Envs => _envs;

    /// <summary>Observation space of one env.</summary>
    public DictSpace ObservationSpace { get; }

    /// <summary>Action space of one env.</summary>
    public Space ActionSpace { get; }

    /// <summary>Threads currently used for a step (1 until <see cref="VectorMode.Auto"/> decides otherwise).</summary>
    public int Workers => _workers;

    /// <summary>Current observations, N rows (after autoreset: the new episode's first observation).</summary>
    public Observation Observations { get; }

    /// <summary>Last observations of episodes that ended on the last step (rows where <see cref="Terminated"/> or <see cref="Truncated"/>).</summary>
    public Observation FinalObservations { get; }

    /// <summary>Rewards of the last step.</summary>
    public float[] Rewards { get; }

    /// <summary>Which envs terminated on the last step.</summary>
    public bool[] Terminated { get; }

    /// <summary>Which envs were truncated on the last step.</summary>
    public bool[] Truncated { get; }

    /// <summary>Which rows of <see cref="Observations"/> are the first of an episode.</summary>
    public bool[] IsFirst { get; }

    /// <summary>Resets every env, env i with seed <paramref name="seed"/> + i; returns <see cref="Observations"/>.</summary>
    public Observation Reset(ulong seed)
    {
        for (int i = 0; i < _envs.Length; i++)
        {
            _envs[i].Reset(seed + (ulong)i).CopyRowTo(0, Observations, i);
            Rewards[i] = 0; Terminated[i] = false; Truncated[i] = false; IsFirst[i] = true;
        }
        _started = true;
        return Observations;
    }

    /// <summary>Steps every env with its row of <paramref name="actions"/> (N x ActionSpace.Size floats) and autoresets the ones that end.</summary>
    /// <exception cref="InvalidOperationException">Called before <see cref="Reset"/>.</exception>
    /// <exception cref="ArgumentException">Wrong number of action floats, or an env rejects its action (the message names the env and row; in sequential mode the rows before it have already stepped).</exception>
    public void Step(ReadOnlySpan<float> actions)
    {
        if (!_started) throw new InvalidOperationException("vector env: Step called before Reset");
        if (actions.Length != _actions.Length)
            throw new ArgumentException($"vector env: actions have {actions.Length} floats but {Count} envs x {ActionSpace} need {_actions.Length}", nameof(actions));
        actions.CopyTo(_actions);
        if (_workers == 1)
        {
            bool probe = _probed < _probe.Length && ++_unprobed > ProbeWarmup; // skip the first steps (JIT)
            long t0 = probe ? Stopwatch.GetTimestamp() : 0;
            StepRange(0, _envs.Length);
            if (probe) Probe(Stopwatch.GetTimestamp() - t0);
            return;
        }
        _group ??= new WorkerGroup(_workers, w => StepRange(w * _envs.Length / _workers, (w + 1) * _envs.Length / _workers));
        _group.Run();
    }

    private void Probe(long ticks)
    {
        _probe[_probed++] = ticks;
        if (_probed < _probe.Length || _options.Mode != VectorMode.Auto) return;
        Array.Sort(_probe);
        double micros = _probe[_probe.Length / 2] * 1e6 / Stopwatch.Frequency;
        if (micros >= _options.ParallelMinMicros) _workers = Math.Min(_options.Workers, _envs.Length);
    }

    private void StepRange(int start, int end)
    {
        int a = ActionSpace.Size;
        for (int i = start; i < end; i++)
        {
            var env = _envs[i];
            StepResult r;
            try { r = env.Step(_actions.AsSpan(i * a, a)); }
            catch (ArgumentException e) { throw new ArgumentException($"vector env row {i}: {e.Message}", e); }
            Rewards[i] = r.Reward; Terminated[i] = r.Terminated; Truncated[i] = r.Truncated;
            IsFirst[i] = r.Done;
            if (!r.Done) { r.Observation.CopyRowTo(0, Observations, i); continue; }
            r.Observation.CopyRowTo(0, FinalObservations, i);
            env.Reset().CopyRowTo(0, Observations, i);
        }
    }

    /// <summary>Stops the worker threads (if any) and disposes every env.</summary>
    public void Dispose()
    {
        _group?.Dispose();
        _group = null;
        foreach (var e in _envs) e.Dispose();
    }
}

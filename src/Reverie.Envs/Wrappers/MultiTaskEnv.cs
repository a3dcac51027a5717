// MultiTaskEnv: several tasks behind one env, one task per episode, padded observations and actions (TD-MPC2's MultitaskWrapper).
namespace Reverie.Envs;

/// <summary>
/// Plays one of K task envs per episode so that one agent can learn them all (TD-MPC2's multi-task setting). The
/// observation has three entries: <c>state</c>, the task's state zero-padded to the largest state size;
/// <c>task</c>, the one-hot task (K,); <c>action_mask</c>, 1 on the action dimensions the task uses and 0 on the
/// padding. Actions have the largest action size, in [−1, 1]; the task gets the first of them. Tasks rotate per
/// episode (round robin); <see cref="Reset"/> with a seed s plays task s mod K and seeds that task's env with s, so
/// consecutive seeds alternate tasks. Each task env keeps its own time limit and action repeat.
/// </summary>
public sealed class MultiTaskEnv : IEnv
{
    private static readonly object Gate = new();
    private static readonly Dictionary<string, string[]> Registered = [];
    private readonly IEnv[] _tasks;
    private readonly Observation _obs;
    private readonly int _stateSize;
    private int _current, _next;

    /// <summary>Combines <paramref name="tasks"/> (each with a Box action space and a <c>state</c> entry; disposed with this env).</summary>
    /// <exception cref="ArgumentException">No task, a task without a state entry, or a task with non-Box actions.</exception>
    public MultiTaskEnv(string id, IReadOnlyList<IEnv> tasks)
    {
        if (tasks.Count == 0) throw new ArgumentException($"{id}: a multi-task env needs at least one task");
        foreach (var t in tasks)
        {
            if (!t.ObservationSpace.Contains("state")) throw new ArgumentException($"{id}: task {t.Id} has no 'state' observation ({t.ObservationSpace})");
            if (t.ActionSpace is not BoxSpace) throw new ArgumentException($"{id}: task {t.Id} has {t.ActionSpace} actions; a multi-task env needs continuous (Box) actions");
        }
        Id = id;
        _tasks = [.. tasks];
        _stateSize = tasks.Max(t => t.ObservationSpace["state"].Size);
        int actions = tasks.Max(t => t.ActionSpace.Size);
        ObservationSpace = new DictSpace(("state", new BoxSpace(float.NegativeInfinity, float.PositiveInfinity, _stateSize)),
            ("task", new BoxSpace(0f, 1f, tasks.Count)), ("action_mask", new BoxSpace(0f, 1f, actions)));
        ActionSpace = new BoxSpace(-1f, 1f, actions);
        _obs = new Observation(ObservationSpace);
    }

    /// <inheritdoc/>
    public string Id { get; }

    /// <inheritdoc/>
    public DictSpace ObservationSpace { get; }

    /// <inheritdoc/>
    public Space ActionSpace { get; }

    /// <summary>The task envs.</summary>
    public IReadOnlyList<IEnv> Tasks => _tasks;

    /// <summary>The index of the task being played.</summary>
    public int CurrentTask => _current;

    /// <inheritdoc/>
    public Observation Reset(ulong? seed = null)
    {
        _current = seed is ulong s ? (int)(s % (ulong)_tasks.Length) : _next;
        _next = (_current + 1) % _tasks.Length;
        return Fill(_tasks[_current].Reset(seed));
    }

    /// <inheritdoc/>
    public StepResult Step(ReadOnlySpan<float> action)
    {
        if (action.Length != ActionSpace.Size)
            throw new ArgumentException($"{Id}: action has {action.Length} values but the action space needs {ActionSpace.Size}");
        var task = _tasks[_current];
        var r = task.Step(action[..task.ActionSpace.Size]);
        return r with { Observation = Fill(r.Observation) };
    }

    /// <inheritdoc/>
    public void Render(Span<byte> rgb, int height, int width) => _tasks[_current].Render(rgb, height, width);

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var t in _tasks) t.Dispose();
    }

    private Observation Fill(Observation inner)
    {
        var state = _obs.Floats("state");
        Array.Clear(state);
        inner.Floats("state").CopyTo(state, 0);
        var task = _obs.Floats("task");
        Array.Clear(task);
        task[_current] = 1f;
        var mask = _obs.Floats("action_mask");
        Array.Clear(mask);
        mask.AsSpan(0, _tasks[_current].ActionSpace.Size).Fill(1f);
        return _obs;
    }

    /// <summary>
    /// A registry entry for a multi-task env of the registered ids <paramref name="taskIds"/> (each built with its own
    /// defaults); the combined env adds no time limit or action repeat of its own, its reward range covers one agent step
    /// of any task, and its suite is the tasks' when they share one. <see cref="TasksOf"/> then names the tasks.
    /// </summary>
    /// <exception cref="KeyNotFoundException">A task id is not registered.</exception>
    public static EnvSpec Spec(string id, params string[] taskIds)
    {
        lock (Gate) Registered[id] = [.. taskIds];
        var specs = taskIds.Select(EnvRegistry.Spec).ToList();
        float lo = specs.Min(s => Math.Min(s.RewardRange.Min, s.ActionRepeat * s.RewardRange.Min));
        float hi = specs.Max(s => Math.Max(s.RewardRange.Max, s.ActionRepeat * s.RewardRange.Max));
        return new EnvSpec(id, name => new MultiTaskEnv(name, taskIds.Select(t => EnvRegistry.Make(t)).ToList()), 0, (lo, hi),
            $"the task's own reward per agent step; tasks {string.Join(", ", taskIds)} in turn, one per episode", "TD-MPC2-style multi-task env",
            Suite: specs.Select(s => s.Suite).Distinct().Count() == 1 ? specs[0].Suite : "multitask");
    }

    /// <summary>The task ids of a multi-task env id registered through <see cref="Spec"/>, or null for any other id.</summary>
    public static IReadOnlyList<string>? TasksOf(string id)
    {
        lock (Gate) return Registered.TryGetValue(id, out var t) ? t : null;
    }
}

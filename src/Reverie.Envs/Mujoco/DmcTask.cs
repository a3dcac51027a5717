// DmcTask: the shared base of the DeepMind-Control-style tasks — model loading, control steps, physics-failure handling, pixels.
namespace Reverie.Envs.Mujoco;

/// <summary>
/// A DeepMind Control Suite task on MuJoCo (<c>../shared/ENVS.md</c> §4): actions in [−1, 1] go to
/// the actuators (clipped to their control range), each <see cref="IEnv.Step"/> runs
/// <see cref="Substeps"/> physics steps (dm_control's control timestep) and then computes the
/// observation <c>"state"</c> (dm_control's observation dict flattened in its key order) and a
/// reward in [0, 1]. Tasks never terminate; the 1000-step limit is the registry's time limit.
/// A subclass writes <see cref="InitializeEpisode"/>, <see cref="WriteState"/> and <see cref="Reward"/>.
/// </summary>
/// <remarks>
/// <para><b>Physics failures</b> never corrupt an episode silently: when MuJoCo reports an
/// instability (a NaN, infinity or huge value in qpos, qvel or qacc, after which it resets the
/// state itself) or raises an error during a step, that step ends the episode with
/// <c>Truncated = true</c>, reward 0 and <see cref="PhysicsFailed"/> set (the message in
/// <see cref="PhysicsError"/>); the state is reset to the model's defaults so the observation stays
/// finite (all zeros if even that state cannot be computed). An error during <see cref="Reset"/> throws <see cref="MujocoException"/>.</para>
/// <para><b>Pixels:</b> <see cref="Render"/> ray-casts camera 0 of the model (<see cref="RayCamera"/>).</para>
/// </remarks>
public abstract class DmcTask : IEnv
{
    private enum Phase { NotReset, Running, Ended }

    private readonly RayCamera _camera;
    private readonly Observation _obs;
    private Phase _phase;

    /// <summary>Loads the embedded model <paramref name="model"/> and sets the spaces.</summary>
    /// <param name="id">The env id, for messages.</param>
    /// <param name="model">Embedded MJCF name (<see cref="ModelFiles"/>).</param>
    /// <param name="stateSize">Length of the flattened observation.</param>
    /// <param name="controlTimestep">Seconds per env step; must be a whole multiple of the model's timestep.</param>
    /// <param name="checker">Floor checker size for the camera (m).</param>
    /// <exception cref="MujocoException">MuJoCo is not installed (the message says what to install) or the model does not load.</exception>
    protected DmcTask(string id, string model, int stateSize, double controlTimestep, double checker = 0.5)
    {
        Id = id;
        Sim = new MjSim(ModelFiles.Path(model));
        double ratio = controlTimestep / Sim.Timestep;
        Substeps = (int)Math.Round(ratio);
        if (Substeps < 1 || Math.Abs(ratio - Substeps) > 1e-8)
            throw new ArgumentException($"{id}: control timestep {controlTimestep} is not a whole multiple of the physics timestep {Sim.Timestep}");
        ObservationSpace = new DictSpace(("state", new BoxSpace(float.NegativeInfinity, float.PositiveInfinity, stateSize)));
        ActionSpace = new BoxSpace(-1f, 1f, Sim.Nu);
        _obs = new Observation(ObservationSpace);
        _camera = new RayCamera(Sim, 0, checker);
        Rng = new EnvRng(0);
    }

    /// <inheritdoc/>
    public string Id { get; }

    /// <inheritdoc/>
    public DictSpace ObservationSpace { get; }

    /// <inheritdoc/>
    public Space ActionSpace { get; }

    /// <summary>The simulation (model and data); tasks and tests read and set its state.</summary>
    public MjSim Sim { get; }

    /// <summary>Physics steps per env step.</summary>
    public int Substeps { get; }

    /// <summary>True when the last step ended because the physics failed (see the remarks).</summary>
    public bool PhysicsFailed { get; private set; }

    /// <summary>What went wrong in the failed step (MuJoCo's warning or error message), or null.</summary>
    public string? PhysicsError { get; private set; }

    /// <summary>The env's generator; <see cref="Reset"/> with a seed restarts it.</summary>
    protected EnvRng Rng { get; }

    /// <inheritdoc/>
    public Observation Reset(ulong? seed = null)
    {
        if (seed is ulong s) Rng.Seed(s);
        Sim.ResetData();
        InitializeEpisode();
        Sim.Forward();
        Begin();
        return _obs;
    }

    /// <summary>Starts an episode from the state the caller has just put in <see cref="Sim"/> (qpos, qvel): forwards it and writes the observation.</summary>
    /// <exception cref="MujocoException">MuJoCo raised an error.</exception>
    public Observation SetState(ReadOnlySpan<double> qpos, ReadOnlySpan<double> qvel)
    {
        if (qpos.Length != Sim.Nq || qvel.Length != Sim.Nv)
            throw new ArgumentException($"{Id}: state needs qpos of {Sim.Nq} and qvel of {Sim.Nv}, got {qpos.Length} and {qvel.Length}");
        qpos.CopyTo(Sim.Qpos); qvel.CopyTo(Sim.Qvel);
        Sim.Forward();
        Begin();
        return _obs;
    }

    private void Begin()
    {
        Sim.Ctrl.Clear();
        PhysicsFailed = false; PhysicsError = null;
        WriteState(_obs.State);
        _phase = Phase.Running;
    }

    /// <inheritdoc/>
    public StepResult Step(ReadOnlySpan<float> action)
    {
        if (_phase != Phase.Running)
            throw _phase == Phase.NotReset ? EnvChecks.StepBeforeReset(Id) : EnvChecks.StepAfterEnd(Id, terminated: false);
        EnvChecks.Action(Id, ActionSpace, action);
        Span<double> ctrl = Sim.Ctrl;
        ReadOnlySpan<double> range = Sim.ActuatorCtrlRange;
        for (int i = 0; i < ctrl.Length; i++) ctrl[i] = Math.Clamp(action[i], range[2 * i], range[2 * i + 1]);
        int warnings = Sim.InstabilityWarnings;
        string? error = Sim.ControlStep(Substeps);
        if (error != null || Sim.InstabilityWarnings != warnings)
        {
            PhysicsFailed = true;
            PhysicsError = error != null ? $"MuJoCo error: {error}" : $"MuJoCo instability: {MjNative.LastWarning ?? "bad qpos, qvel or qacc"}";
            Sim.ResetData();
            if (Sim.TryForward() is string again) { PhysicsError += $"; again after resetting the state: {again}"; _obs.State.AsSpan().Clear(); }
            else WriteState(_obs.State);
            _phase = Phase.Ended;
            return new StepResult(_obs, 0f, false, true);
        }
        WriteState(_obs.State);
        return new StepResult(_obs, (float)Reward(), false, false);
    }

    /// <summary>Ray-casts camera 0 (see <see cref="RayCamera"/>).</summary>
    public void Render(Span<byte> rgb, int height, int width)
    {
        EnvChecks.RenderBuffer(Id, rgb.Length, height, width);
        _camera.Render(rgb, height, width);
    }

    /// <summary>Sets the initial state (qpos, qvel, model edits) from <see cref="Rng"/>; the data has just been reset and is forwarded afterwards.</summary>
    protected abstract void InitializeEpisode();

    /// <summary>Writes the flattened observation for the current (forwarded) state.</summary>
    protected abstract void WriteState(Span<float> state);

    /// <summary>The reward for the current state and controls, in [0, 1].</summary>
    protected abstract double Reward();

    /// <summary>dm_control's <c>randomize_limited_and_rotational_joints</c>: limited hinges and slides uniform in range, unlimited hinges uniform in [−π, π), free and ball joints a uniform random orientation; unlimited slides untouched.</summary>
    protected void RandomizeJoints()
    {
        Span<int> type = Sim.JntType, adr = Sim.JntQposAdr;
        Span<byte> limited = Sim.JntLimited;
        Span<double> range = Sim.JntRange, qpos = Sim.Qpos;
        for (int j = 0; j < type.Length; j++)
        {
            int a = adr[j];
            switch (type[j])
            {
                case 3 or 2 when limited[j] != 0: qpos[a] = Rng.Uniform(range[2 * j], range[2 * j + 1]); break;
                case 3: qpos[a] = Rng.Uniform(-Math.PI, Math.PI); break;
                case 1: RandomQuaternion(qpos.Slice(a, 4)); break;
                case 0: RandomQuaternion(qpos.Slice(a + 3, 4)); break;
            }
        }
    }

    /// <summary>A standard normal draw from <see cref="Rng"/> (Box–Muller, one value per call).</summary>
    protected double Normal() => Math.Sqrt(-2 * Math.Log(1 - Rng.NextDouble())) * Math.Cos(2 * Math.PI * Rng.NextDouble());

    private void RandomQuaternion(Span<double> q)
    {
        double n = 0;
        for (int i = 0; i < 4; i++) { q[i] = Normal(); n += q[i] * q[i]; }
        n = Math.Sqrt(n);
        for (int i = 0; i < 4; i++) q[i] /= n;
    }

    /// <summary>Frees the MuJoCo model and data.</summary>
    public void Dispose()
    {
        Sim.Dispose();
        GC.SuppressFinalize(this);
    }
}

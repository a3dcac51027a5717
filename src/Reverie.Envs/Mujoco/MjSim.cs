// MjSim: one MuJoCo model and its data, with the array fields read at MuJoCo 2.2.2's fixed offsets (x86-64).
using System.Runtime.InteropServices;

namespace Reverie.Envs.Mujoco;

/// <summary>MuJoCo object types, for <see cref="MjSim.Id"/> (<c>mjtObj</c>).</summary>
public enum MjObj
{
    /// <summary>A body (its inertial frame).</summary>
    Body = 1,
    /// <summary>A body's regular frame.</summary>
    XBody = 2,
    /// <summary>A joint.</summary>
    Joint = 3,
    /// <summary>A geom.</summary>
    Geom = 5,
    /// <summary>A site.</summary>
    Site = 6,
    /// <summary>A camera.</summary>
    Camera = 7,
    /// <summary>A sensor.</summary>
    Sensor = 19,
}

/// <summary>
/// A loaded MuJoCo model (<c>mjModel</c>) with one <c>mjData</c>. Arrays are exposed as spans over
/// MuJoCo's own memory, read at the fixed offsets of the 2.2.2 structs (checked once: every
/// <c>mjData</c>/<c>mjModel</c> array field is an 8-byte pointer in <c>mjxmacro.h</c> order). Each
/// env owns its own <see cref="MjSim"/>, so tasks may edit model fields (target size, damping). Not
/// thread-safe; dispose to free the native memory.
/// </summary>
public sealed unsafe class MjSim : IDisposable
{
    // mjData offsets (header 222, x86-64).
    private const int DWarning = 24, DNcon = 40332, DTime = 40336, DQpos = 40376, DQvel = 40384, DCtrl = 40408,
        DSensordata = 40472, DXpos = 40480, DXmat = 40496, DXipos = 40504, DGeomXpos = 40536, DGeomXmat = 40544,
        DSiteXpos = 40552, DCamXpos = 40568, DCamXmat = 40576;
    // mjModel offsets.
    private const int MNq = 0, MNv = 4, MNu = 8, MNbody = 16, MNjnt = 20, MNgeom = 24, MNsite = 28, MNcam = 32,
        MNmat = 100, MNsensordata = 224, MTimestep = 232, MIntegrator = 432, MJntType = 1280, MJntQposadr = 1288,
        MJntDofadr = 1296, MJntLimited = 1320, MJntRange = 1368, MDofDamping = 1464, MGeomType = 1488, MGeomBodyid = 1520,
        MGeomMatid = 1536, MGeomGroup = 1544, MGeomSize = 1592, MGeomPos = 1608, MGeomRgba = 1664, MSiteSize = 1712,
        MSiteRgba = 1744, MCamFovy = 1816, MMatRgba = 2368, MActuatorCtrlrange = 2792, MSensorAdr = 2928;
    private const int MNsensor = 124;
    private const int WarnBadQpos = 4, WarnBadCtrl = 7;

    private IntPtr _m, _d;

    /// <summary>Loads an MJCF file and makes its data (already forwarded: positions are computed).</summary>
    /// <exception cref="MujocoException">MuJoCo is not installed (the message says what to install), or the model does not load (MuJoCo's message).</exception>
    public MjSim(string xmlPath)
    {
        MjNative.Require();
        var err = new byte[1000];
        fixed (byte* p = MjNative.Utf8z(xmlPath), e = err)
            _m = MjNative.LoadXml(p, IntPtr.Zero, e, err.Length);
        if (_m == IntPtr.Zero)
            throw new MujocoException($"MuJoCo could not load '{xmlPath}': {System.Text.Encoding.UTF8.GetString(err).TrimEnd('\0').Trim()}");
        if (MjNative.ShimMakeData != null)
        {
            IntPtr d;
            if (MjNative.ShimMakeData(_m, &d) != 0) { Free(); throw new MujocoException($"MuJoCo error making data for '{xmlPath}': {MjNative.LastShimError()}"); }
            _d = d;
        }
        else _d = MjNative.MakeData(_m);
        if (_d == IntPtr.Zero) { Free(); throw new MujocoException($"MuJoCo could not allocate data for '{xmlPath}'"); }
        Path = xmlPath;
        Forward();
    }

    /// <summary>The file the model was loaded from.</summary>
    public string Path { get; }

    /// <summary>Native <c>mjModel*</c>.</summary>
    public IntPtr Model => _m;

    /// <summary>Native <c>mjData*</c>.</summary>
    public IntPtr Data => _d;

    /// <summary>Position coordinates.</summary>
    public int Nq => MI(MNq);
    /// <summary>Degrees of freedom.</summary>
    public int Nv => MI(MNv);
    /// <summary>Actuators.</summary>
    public int Nu => MI(MNu);
    /// <summary>Bodies, including the world body 0.</summary>
    public int NBody => MI(MNbody);
    /// <summary>Joints.</summary>
    public int NJnt => MI(MNjnt);
    /// <summary>Geoms.</summary>
    public int NGeom => MI(MNgeom);
    /// <summary>Sites.</summary>
    public int NSite => MI(MNsite);
    /// <summary>Cameras.</summary>
    public int NCam => MI(MNcam);
    /// <summary>Materials.</summary>
    public int NMat => MI(MNmat);
    /// <summary>Sensor outputs.</summary>
    public int NSensorData => MI(MNsensordata);
    /// <summary>Physics timestep (s).</summary>
    public double Timestep => *(double*)((byte*)_m + MTimestep);
    /// <summary>0 Euler, 1 RK4, 2 implicit.</summary>
    public int Integrator => MI(MIntegrator);

    /// <summary>Simulation time (s).</summary>
    public double Time { get => *(double*)((byte*)_d + DTime); set => *(double*)((byte*)_d + DTime) = value; }
    /// <summary>Number of contacts after the last forward pass.</summary>
    public int Ncon => *(int*)((byte*)_d + DNcon);

    /// <summary>Joint positions (nq).</summary>
    public Span<double> Qpos => DA(DQpos, Nq);
    /// <summary>Joint velocities (nv).</summary>
    public Span<double> Qvel => DA(DQvel, Nv);
    /// <summary>Controls (nu).</summary>
    public Span<double> Ctrl => DA(DCtrl, Nu);
    /// <summary>Sensor outputs (nsensordata).</summary>
    public Span<double> SensorData => DA(DSensordata, NSensorData);
    /// <summary>Body frame positions (nbody, 3).</summary>
    public Span<double> Xpos => DA(DXpos, NBody * 3);
    /// <summary>Body frame orientations, row-major 3x3 (nbody, 9): index 8 is zz, 2 is xz, 0 is xx.</summary>
    public Span<double> Xmat => DA(DXmat, NBody * 9);
    /// <summary>Body centre-of-mass positions (nbody, 3).</summary>
    public Span<double> Xipos => DA(DXipos, NBody * 3);
    /// <summary>Geom positions (ngeom, 3).</summary>
    public Span<double> GeomXpos => DA(DGeomXpos, NGeom * 3);
    /// <summary>Geom orientations (ngeom, 9).</summary>
    public Span<double> GeomXmat => DA(DGeomXmat, NGeom * 9);
    /// <summary>Site positions (nsite, 3).</summary>
    public Span<double> SiteXpos => DA(DSiteXpos, NSite * 3);
    /// <summary>Camera positions (ncam, 3).</summary>
    public Span<double> CamXpos => DA(DCamXpos, NCam * 3);
    /// <summary>Camera orientations (ncam, 9); columns are right, up and backwards.</summary>
    public Span<double> CamXmat => DA(DCamXmat, NCam * 9);

    /// <summary>Joint types (njnt): 0 free, 1 ball, 2 slide, 3 hinge.</summary>
    public Span<int> JntType => MA<int>(MJntType, NJnt);
    /// <summary>First qpos index of each joint.</summary>
    public Span<int> JntQposAdr => MA<int>(MJntQposadr, NJnt);
    /// <summary>First qvel index of each joint.</summary>
    public Span<int> JntDofAdr => MA<int>(MJntDofadr, NJnt);
    /// <summary>1 where the joint has limits.</summary>
    public Span<byte> JntLimited => MA<byte>(MJntLimited, NJnt);
    /// <summary>Joint ranges (njnt, 2), radians for hinges.</summary>
    public Span<double> JntRange => MA<double>(MJntRange, NJnt * 2);
    /// <summary>Damping per dof (nv).</summary>
    public Span<double> DofDamping => MA<double>(MDofDamping, Nv);
    /// <summary>Geom types (ngeom): 0 plane, 2 sphere, 3 capsule, 4 ellipsoid, 5 cylinder, 6 box.</summary>
    public Span<int> GeomType => MA<int>(MGeomType, NGeom);
    /// <summary>Body of each geom.</summary>
    public Span<int> GeomBodyId => MA<int>(MGeomBodyid, NGeom);
    /// <summary>Material of each geom, or -1.</summary>
    public Span<int> GeomMatId => MA<int>(MGeomMatid, NGeom);
    /// <summary>Visual group of each geom.</summary>
    public Span<int> GeomGroup => MA<int>(MGeomGroup, NGeom);
    /// <summary>Geom sizes (ngeom, 3).</summary>
    public Span<double> GeomSize => MA<double>(MGeomSize, NGeom * 3);
    /// <summary>Geom positions in their body frame (ngeom, 3).</summary>
    public Span<double> GeomPos => MA<double>(MGeomPos, NGeom * 3);
    /// <summary>Geom colours (ngeom, 4).</summary>
    public Span<float> GeomRgba => MA<float>(MGeomRgba, NGeom * 4);
    /// <summary>Site sizes (nsite, 3).</summary>
    public Span<double> SiteSize => MA<double>(MSiteSize, NSite * 3);
    /// <summary>Site colours (nsite, 4).</summary>
    public Span<float> SiteRgba => MA<float>(MSiteRgba, NSite * 4);
    /// <summary>Vertical field of view of each camera (degrees).</summary>
    public Span<double> CamFovy => MA<double>(MCamFovy, NCam);
    /// <summary>Material colours (nmat, 4).</summary>
    public Span<float> MatRgba => MA<float>(MMatRgba, NMat * 4);
    /// <summary>Control ranges (nu, 2).</summary>
    public Span<double> ActuatorCtrlRange => MA<double>(MActuatorCtrlrange, Nu * 2);

    /// <summary>First sensordata index of each sensor.</summary>
    public Span<int> SensorAdr => MA<int>(MSensorAdr, MI(MNsensor));

    /// <summary>The sensordata index where the named sensor's output starts.</summary>
    /// <exception cref="ArgumentException">No sensor of that name.</exception>
    public int SensorIndex(string name) => SensorAdr[Id(MjObj.Sensor, name)];

    /// <summary>Sum of MuJoCo's bad-qpos/qvel/qacc/ctrl warning counters; MuJoCo resets the state when it raises one.</summary>
    public int InstabilityWarnings
    {
        get
        {
            int n = 0;
            for (int k = WarnBadQpos; k <= WarnBadCtrl; k++) n += *(int*)((byte*)_d + DWarning + 8 * k + 4);
            return n;
        }
    }

    /// <summary>The id of a named object.</summary>
    /// <exception cref="ArgumentException">No object of that type and name.</exception>
    public int Id(MjObj type, string name)
    {
        int id;
        fixed (byte* p = MjNative.Utf8z(name)) id = MjNative.Name2Id(_m, (int)type, p);
        return id >= 0 ? id : throw new ArgumentException($"{System.IO.Path.GetFileName(Path)}: no {type.ToString().ToLowerInvariant()} named '{name}'");
    }

    /// <summary>Resets the data to the model's defaults (qpos0, zero velocities, controls and warnings; time 0).</summary>
    public void ResetData() => MjNative.ResetData(_m, _d);

    /// <summary>Computes every derived quantity (kinematics, contacts, sensors) for the current state.</summary>
    /// <exception cref="MujocoException">MuJoCo raised an error.</exception>
    public void Forward()
    {
        if (TryForward() is string error) throw new MujocoException($"MuJoCo error in mj_forward: {error}");
    }

    /// <summary>As <see cref="Forward"/>, but returns MuJoCo's error message (or null) instead of throwing.</summary>
    public string? TryForward()
    {
        if (MjNative.ShimForward != null) return MjNative.ShimForward(_m, _d) != 0 ? MjNative.LastShimError() : null;
        MjNative.ForwardRaw(_m, _d);
        return null;
    }

    /// <summary>Runs <paramref name="n"/> plain <c>mj_step</c>s (used to let a model settle). Returns MuJoCo's error message, or null.</summary>
    public string? Steps(int n)
    {
        if (MjNative.ShimSteps != null) return MjNative.ShimSteps(_m, _d, n) != 0 ? MjNative.LastShimError() : null;
        for (int i = 0; i < n; i++) MjNative.StepRaw(_m, _d);
        return null;
    }

    /// <summary>
    /// One control step: <paramref name="substeps"/> physics steps with the current controls, then
    /// <c>mj_step1</c> so that positions, velocities and position/velocity sensors describe the new
    /// state (dm_control's legacy stepping). For Euler models the first step is <c>mj_step2</c>,
    /// reusing the previous <c>mj_step1</c>. Returns MuJoCo's error message, or null.
    /// </summary>
    public string? ControlStep(int substeps)
    {
        int legacy = Integrator == 0 ? 1 : 0;
        if (MjNative.ShimControlStep != null)
            return MjNative.ShimControlStep(_m, _d, substeps, legacy) != 0 ? MjNative.LastShimError() : null;
        int i = 0;
        if (legacy == 1) { MjNative.Step2Raw(_m, _d); i = 1; }
        for (; i < substeps; i++) MjNative.StepRaw(_m, _d);
        MjNative.Step1Raw(_m, _d);
        return null;
    }

    /// <summary>
    /// Casts a ray from <paramref name="pnt"/> along <paramref name="vec"/> (<c>mj_ray</c>) against the
    /// geoms of the groups marked in <paramref name="geomGroup"/> (6 bytes). Returns the distance in
    /// units of |vec| (−1 on a miss) and the geom hit.
    /// </summary>
    public double Ray(double* pnt, double* vec, byte* geomGroup, out int geomId)
    {
        int g;
        double dist = MjNative.Ray(_m, _d, pnt, vec, geomGroup, 1, -1, &g);
        geomId = g;
        return dist;
    }

    /// <summary>Frees the model and data.</summary>
    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees native memory if <see cref="Dispose"/> was not called.</summary>
    ~MjSim() => Free();

    private void Free()
    {
        if (_d != IntPtr.Zero) { MjNative.DeleteData(_d); _d = IntPtr.Zero; }
        if (_m != IntPtr.Zero) { MjNative.DeleteModel(_m); _m = IntPtr.Zero; }
    }

    private int MI(int offset) => *(int*)((byte*)_m + offset);

    private Span<double> DA(int offset, int n) => new(*(double**)((byte*)_d + offset), n);

    private Span<T> MA<T>(int offset, int n) where T : unmanaged => new(*(T**)((byte*)_m + offset), n);
}

// MjNative: finds libmujoco 2.2.2 and the optional error shim at run time and binds the few C functions we call.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Reverie.Envs.Mujoco;

/// <summary>
/// The native side of the MuJoCo envs. Nothing is loaded until first use; when
/// <c>libmujoco.so.2.2.2</c> is missing, <see cref="IsAvailable"/> is false and
/// <see cref="Require"/> throws a <see cref="MujocoException"/> that says what to install.
/// </summary>
/// <remarks>
/// Functions are bound as unmanaged function pointers from <see cref="NativeLibrary.GetExport"/>
/// (no <c>DllImport</c> resolver, so nothing global is claimed). Errors: with the shim
/// (<c>libmjshim.so</c>, built by gcc during the build) every step and forward call runs guarded and a
/// <c>mju_error</c> comes back as a return code; without it a managed handler ends the process with
/// <see cref="Environment.FailFast(string)"/> and the message (never MuJoCo's default handler,
/// which waits on stdin). Warnings (NaN or huge values in qpos/qvel/qacc) are counted by MuJoCo in
/// <c>mjData.warning</c>; our handler only keeps the last message (per thread) instead of printing.
/// </remarks>
public static unsafe class MjNative
{
    /// <summary>The one-line setup for users (Debian/Ubuntu).</summary>
    public const string InstallHint = "sudo apt-get install -y libmujoco2.2.2 gcc";

    private static readonly Lazy<string?> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    [ThreadStatic] private static string? _lastWarning;

    internal static delegate* unmanaged<int> Version;
    internal static delegate* unmanaged<byte*, IntPtr, byte*, int, IntPtr> LoadXml;
    internal static delegate* unmanaged<IntPtr, IntPtr> MakeData;
    internal static delegate* unmanaged<IntPtr, void> DeleteData;
    internal static delegate* unmanaged<IntPtr, void> DeleteModel;
    internal static delegate* unmanaged<IntPtr, IntPtr, void> ResetData;
    internal static delegate* unmanaged<IntPtr, IntPtr, void> StepRaw;
    internal static delegate* unmanaged<IntPtr, IntPtr, void> Step1Raw;
    internal static delegate* unmanaged<IntPtr, IntPtr, void> Step2Raw;
    internal static delegate* unmanaged<IntPtr, IntPtr, void> ForwardRaw;
    internal static delegate* unmanaged<IntPtr, int, byte*, int> Name2Id;
    internal static delegate* unmanaged[SuppressGCTransition]<IntPtr, IntPtr, double*, double*, byte*, byte, int, int*, double> Ray;
    // Shim (null when absent).
    internal static delegate* unmanaged<IntPtr, IntPtr, int, int, int> ShimControlStep;
    internal static delegate* unmanaged<IntPtr, IntPtr, int, int> ShimSteps;
    internal static delegate* unmanaged<IntPtr, IntPtr, int> ShimForward;
    internal static delegate* unmanaged<IntPtr, IntPtr*, int> ShimMakeData;
    internal static delegate* unmanaged<byte*> ShimLastError;

    /// <summary>True when libmujoco 2.2.2 was found and bound.</summary>
    public static bool IsAvailable => Loaded.Value == null;

    /// <summary>Why MuJoCo is unavailable (with the install command), or null when it is available.</summary>
    public static string? UnavailableReason => Loaded.Value;

    /// <summary>True when the error shim is loaded, so MuJoCo errors become exceptions or ended episodes instead of ending the process.</summary>
    public static bool HasShim => Loaded.Value == null && ShimControlStep != null;

    /// <summary>The last MuJoCo warning on this thread (e.g. "Nan, Inf or huge value in QACC at DOF 0..."), or null.</summary>
    public static string? LastWarning => _lastWarning;

    /// <summary>Throws unless MuJoCo is available.</summary>
    /// <exception cref="MujocoException">libmujoco 2.2.2 cannot be loaded; the message says what to install.</exception>
    public static void Require()
    {
        if (Loaded.Value is string reason) throw new MujocoException(reason);
    }

    internal static string LastShimError() => ShimLastError != null ? Marshal.PtrToStringUTF8((IntPtr)ShimLastError()) ?? "" : "";

    private static string? Load()
    {
        if (Environment.GetEnvironmentVariable("REVERIE_MUJOCO") == "off") // to check the no-MuJoCo path on a machine that has it
            return $"MuJoCo is switched off by REVERIE_MUJOCO=off; to install it: {InstallHint}";
        if (!OperatingSystem.IsLinux())
            return $"MuJoCo envs need Linux with libmujoco 2.2.2 (Debian/Ubuntu: {InstallHint})";
        if (!NativeLibrary.TryLoad("libmujoco.so.2.2.2", out var lib))
            return $"MuJoCo 2.2.2 is not installed: libmujoco.so.2.2.2 was not found. Install it with: {InstallHint}";
        IntPtr F(string name) => NativeLibrary.GetExport(lib, name);
        Version = (delegate* unmanaged<int>)F("mj_version");
        int v = Version();
        if (v != 222)
            return $"libmujoco.so.2.2.2 reports version {v}, expected 222 (the memory layout we read is 2.2.2's). Install it with: {InstallHint}";
        LoadXml = (delegate* unmanaged<byte*, IntPtr, byte*, int, IntPtr>)F("mj_loadXML");
        MakeData = (delegate* unmanaged<IntPtr, IntPtr>)F("mj_makeData");
        DeleteData = (delegate* unmanaged<IntPtr, void>)F("mj_deleteData");
        DeleteModel = (delegate* unmanaged<IntPtr, void>)F("mj_deleteModel");
        ResetData = (delegate* unmanaged<IntPtr, IntPtr, void>)F("mj_resetData");
        StepRaw = (delegate* unmanaged<IntPtr, IntPtr, void>)F("mj_step");
        Step1Raw = (delegate* unmanaged<IntPtr, IntPtr, void>)F("mj_step1");
        Step2Raw = (delegate* unmanaged<IntPtr, IntPtr, void>)F("mj_step2");
        ForwardRaw = (delegate* unmanaged<IntPtr, IntPtr, void>)F("mj_forward");
        Name2Id = (delegate* unmanaged<IntPtr, int, byte*, int>)F("mj_name2id");
        Ray = (delegate* unmanaged[SuppressGCTransition]<IntPtr, IntPtr, double*, double*, byte*, byte, int, int*, double>)F("mj_ray");

        *(IntPtr*)F("mju_user_warning") = (IntPtr)(delegate* unmanaged<byte*, void>)&OnWarning;
        string shimPath = Path.Combine(Path.GetDirectoryName(typeof(MjNative).Assembly.Location) ?? AppContext.BaseDirectory, "libmjshim.so");
        if (NativeLibrary.TryLoad(shimPath, out var shim))
        {
            ShimControlStep = (delegate* unmanaged<IntPtr, IntPtr, int, int, int>)NativeLibrary.GetExport(shim, "mjs_control_step");
            ShimSteps = (delegate* unmanaged<IntPtr, IntPtr, int, int>)NativeLibrary.GetExport(shim, "mjs_steps");
            ShimForward = (delegate* unmanaged<IntPtr, IntPtr, int>)NativeLibrary.GetExport(shim, "mjs_forward");
            ShimMakeData = (delegate* unmanaged<IntPtr, IntPtr*, int>)NativeLibrary.GetExport(shim, "mjs_make_data");
            ShimLastError = (delegate* unmanaged<byte*>)NativeLibrary.GetExport(shim, "mjs_last_error");
            ((delegate* unmanaged<void>)NativeLibrary.GetExport(shim, "mjs_install"))();
        }
        else
        {
            *(IntPtr*)F("mju_user_error") = (IntPtr)(delegate* unmanaged<byte*, void>)&OnErrorFailFast;
        }
        return null;
    }

    [UnmanagedCallersOnly]
    private static void OnWarning(byte* msg) => _lastWarning = Marshal.PtrToStringUTF8((IntPtr)msg);

    [UnmanagedCallersOnly]
    private static void OnErrorFailFast(byte* msg) =>
        Environment.FailFast($"MuJoCo error: {Marshal.PtrToStringUTF8((IntPtr)msg)} (the error shim libmjshim.so was not built, so this cannot be recovered; install gcc and rebuild to turn MuJoCo errors into exceptions)");

    /// <summary>A UTF-8, zero-terminated copy of <paramref name="s"/> for native calls.</summary>
    internal static byte[] Utf8z(string s)
    {
        var b = new byte[System.Text.Encoding.UTF8.GetByteCount(s) + 1];
        System.Text.Encoding.UTF8.GetBytes(s, b);
        return b;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ClearWarning() => _lastWarning = null;
}

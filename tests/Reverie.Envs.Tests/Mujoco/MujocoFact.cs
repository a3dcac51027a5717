// [MujocoFact] / [MujocoTheory]: tests that need libmujoco 2.2.2 are skipped, with the install command, where it is absent.
using Reverie.Envs.Mujoco;

namespace Reverie.Envs.Tests.Mujoco;

/// <summary>A fact skipped (with what to install) when libmujoco 2.2.2 cannot be loaded; optionally also when the error shim was not built.</summary>
public sealed class MujocoFactAttribute : FactAttribute
{
    public MujocoFactAttribute(bool requiresShim = false)
    {
        if (!MjNative.IsAvailable) Skip = MjNative.UnavailableReason;
        else if (requiresShim && !MjNative.HasShim) Skip = "needs the MuJoCo error shim libmjshim.so (built by gcc during the build; install gcc)";
    }
}

/// <summary>A theory skipped (with what to install) when libmujoco 2.2.2 cannot be loaded.</summary>
public sealed class MujocoTheoryAttribute : TheoryAttribute
{
    public MujocoTheoryAttribute()
    {
        if (!MjNative.IsAvailable) Skip = MjNative.UnavailableReason;
    }
}

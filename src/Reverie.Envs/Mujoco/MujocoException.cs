// MujocoException: a MuJoCo problem turned into a managed error (missing library, model load failure, mju_error).
namespace Reverie.Envs.Mujoco;

/// <summary>
/// MuJoCo could not be used: the library is missing (the message says what to install), a model
/// failed to load (MuJoCo's own message), or MuJoCo raised an error in a call that cannot end an
/// episode instead (reset, model setup).
/// </summary>
public sealed class MujocoException(string message) : Exception(message);

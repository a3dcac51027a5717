// EnvSpec: one registered env id with its factory, defaults and the facts the docs page lists.
namespace Reverie.Envs;

/// <summary>
/// A registered environment: how to create it and its defaults. One line registers an id, e.g.
/// <code>EnvRegistry.Register(new EnvSpec("pendulum", id => new Pendulum(id), 200, (-16.2736f, 0), "−(θ² + 0.1θ̇² + 0.001u²)", "Gymnasium Pendulum-v1"));</code>
/// </summary>
/// <param name="Id">The id users pass to <see cref="EnvRegistry.Make"/>, lower-case with dashes (<c>walker-walk</c>).</param>
/// <param name="Create">Creates the bare env (no wrappers); its argument is the id, for error messages.</param>
/// <param name="MaxEpisodeSteps">Default time limit in inner steps; 0 for none.</param>
/// <param name="RewardRange">Smallest and largest reward of one inner step.</param>
/// <param name="Reward">The reward in words/formula, for the docs page.</param>
/// <param name="Source">Where the definition comes from (e.g. "Gymnasium CartPole-v1").</param>
/// <param name="ActionRepeat">Default inner steps per agent step.</param>
/// <param name="Suite">A group name: "classic", "test", "dmc", ...</param>
public sealed record EnvSpec(
    string Id,
    Func<string, IEnv> Create,
    int MaxEpisodeSteps,
    (float Min, float Max) RewardRange,
    string Reward,
    string Source,
    int ActionRepeat = 1,
    string Suite = "classic");

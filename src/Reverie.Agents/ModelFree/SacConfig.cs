// SacConfig: SAC's hyperparameters with CleanRL's defaults (sac_continuous_action.py), and the named presets.
using Reverie.Rl.Config;

using Reverie.Agents.Shared;

namespace Reverie.Agents.ModelFree;

/// <summary>
/// SAC hyperparameters. Defaults are CleanRL's <c>sac_continuous_action.py</c>; names follow its
/// arguments in .NET casing. <see cref="Pendulum"/> shortens the random warm-up for a 15k-step budget.
/// </summary>
public sealed record SacConfig : IConfigValidation
{
    /// <summary>Parallel envs (num_envs); one update per vector step. Not a config key: the Driver's agent uses <c>run.envs</c>.</summary>
    [ConfigIgnore]
    public int NumEnvs { get; init; } = 1;
    /// <summary>Total env steps of the run (for drivers; the learner itself has no horizon). Not a config key: the Driver's agent uses <c>run.steps</c>.</summary>
    [ConfigIgnore]
    public long TotalSteps { get; init; } = 1_000_000;
    /// <summary>Replay capacity in transitions (buffer_size). Not a config key: the Driver's agent uses <c>run.replay_capacity</c>.</summary>
    [ConfigIgnore]
    public int BufferSize { get; init; } = 1_000_000;
    /// <summary>Discount γ.</summary>
    public float Gamma { get; init; } = 0.99f;
    /// <summary>Polyak rate of the target critics (tau).</summary>
    public float Tau { get; init; } = 0.005f;
    /// <summary>Transitions per update (batch_size). Not a config key: the Driver's agent uses <c>run.batch_size</c>.</summary>
    [ConfigIgnore]
    public int BatchSize { get; init; } = 256;
    /// <summary>Env steps of uniformly random actions before the policy acts and updates start (learning_starts). Not a config key: the Driver's agent uses <c>run.prefill</c>.</summary>
    [ConfigIgnore]
    public long LearningStarts { get; init; } = 5000;
    /// <summary>Adam learning rate of the actor (policy_lr).</summary>
    public double PolicyLr { get; init; } = 3e-4;
    /// <summary>Adam learning rate of the critics and of the temperature (q_lr).</summary>
    public double QLr { get; init; } = 1e-3;
    /// <summary>Every PolicyFrequency-th critic update is followed by PolicyFrequency actor (and temperature) updates (TD3's delay, compensated).</summary>
    public int PolicyFrequency { get; init; } = 2;
    /// <summary>Polyak-update the targets every this many critic updates (target_network_frequency).</summary>
    public int TargetNetworkFrequency { get; init; } = 1;
    /// <summary>Entropy coefficient α when not tuned (alpha).</summary>
    public float Alpha { get; init; } = 0.2f;
    /// <summary>Tune α so the policy's entropy tracks −|A| (autotune).</summary>
    public bool Autotune { get; init; } = true;
    /// <summary>Hidden widths of the actor and of each critic.</summary>
    public int[] Hidden { get; init; } = [256, 256];
    /// <summary>Lower bound of the actor's log-std (via tanh squashing).</summary>
    public float LogStdMin { get; init; } = -5f;
    /// <summary>Upper bound of the actor's log-std.</summary>
    public float LogStdMax { get; init; } = 2f;

    /// <summary>CleanRL's defaults with a 1000-step random warm-up and a 15k-step run (Pendulum's budget).</summary>
    public static SacConfig Pendulum { get; } = new() { LearningStarts = 1000, TotalSteps = 15_000 };

    /// <summary>The named presets (<c>default</c>, <c>pendulum</c>).</summary>
    public static IReadOnlyDictionary<string, SacConfig> Presets { get; } = new Dictionary<string, SacConfig>
    {
        ["default"] = new(),
        ["pendulum"] = Pendulum,
    };

    /// <summary>Throws naming the first bad key.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate()
    {
        ConfigRules.ThrowFirst("sac", Problems());
    }

    /// <summary>The problems as config keys (<c>gamma</c>) for the <c>agent</c> section.</summary>
    IEnumerable<(string Key, string Problem)> IConfigValidation.Validate() => ConfigRules.AsConfigKeys(Problems());

    private IEnumerable<ConfigProblem> Problems()
    {
        return new[]
        {
            ConfigRules.Require(NumEnvs >= 1, nameof(NumEnvs), NumEnvs, "must be >= 1"),
            ConfigRules.Require(BufferSize >= 1, nameof(BufferSize), BufferSize, "must be >= 1"),
            ConfigRules.Require(Gamma >= 0 && Gamma <= 1, nameof(Gamma), Gamma, "must be in [0, 1]"),
            ConfigRules.Require(Tau >= 0 && Tau <= 1, nameof(Tau), Tau, "must be in [0, 1]"),
            ConfigRules.Require(BatchSize >= 1, nameof(BatchSize), BatchSize, "must be >= 1"),
            ConfigRules.Require(LearningStarts >= 0, nameof(LearningStarts), LearningStarts, "must be >= 0"),
            ConfigRules.Require(PolicyLr > 0, nameof(PolicyLr), PolicyLr, "must be > 0"),
            ConfigRules.Require(QLr > 0, nameof(QLr), QLr, "must be > 0"),
            ConfigRules.Require(PolicyFrequency >= 1, nameof(PolicyFrequency), PolicyFrequency, "must be >= 1"),
            ConfigRules.Require(TargetNetworkFrequency >= 1, nameof(TargetNetworkFrequency), TargetNetworkFrequency, "must be >= 1"),
            ConfigRules.Require(Alpha >= 0, nameof(Alpha), Alpha, "must be >= 0"),
            ConfigRules.Require(Hidden.Length >= 1 && Hidden.All(h => h >= 1), nameof(Hidden), $"[{string.Join(", ", Hidden)}]", "must list at least one positive width"),
            ConfigRules.Require(LogStdMin < LogStdMax, nameof(LogStdMin), LogStdMin, $"must be below LogStdMax = {LogStdMax}"),
        }.SelectMany(p => p);
    }
}

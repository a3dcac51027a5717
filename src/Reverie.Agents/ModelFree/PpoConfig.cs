// PpoConfig: PPO's hyperparameters with CleanRL's defaults, and the named presets.
using Reverie.Rl.Config;

using Reverie.Agents.Shared;

namespace Reverie.Agents.ModelFree;

/// <summary>
/// PPO hyperparameters. The defaults are CleanRL's <c>ppo.py</c> (CartPole); <see cref="Continuous"/>
/// is CleanRL's <c>ppo_continuous_action.py</c>. Names follow CleanRL's arguments in .NET casing.
/// </summary>
public sealed record PpoConfig : IConfigValidation
{
    /// <summary>Parallel envs (num_envs). Not a config key: the agent takes <c>run.envs</c>.</summary>
    [ConfigIgnore]
    public int NumEnvs { get; init; } = 4;
    /// <summary>Steps per env per rollout (num_steps); a rollout has NumEnvs × NumSteps transitions.</summary>
    public int NumSteps { get; init; } = 128;
    /// <summary>Total env steps of the run; the learning rate anneals to 0 over TotalSteps / BatchSize updates. Not a config key: the agent takes <c>run.steps</c>.</summary>
    [ConfigIgnore]
    public long TotalSteps { get; init; } = 100_000;
    /// <summary>Adam's learning rate at the start.</summary>
    public double LearningRate { get; init; } = 2.5e-4;
    /// <summary>Anneal the learning rate linearly to 0 over the run (anneal_lr).</summary>
    public bool AnnealLr { get; init; } = true;
    /// <summary>Adam's epsilon (CleanRL: 1e-5).</summary>
    public double AdamEps { get; init; } = 1e-5;
    /// <summary>Discount γ.</summary>
    public float Gamma { get; init; } = 0.99f;
    /// <summary>GAE λ (gae_lambda).</summary>
    public float GaeLambda { get; init; } = 0.95f;
    /// <summary>Minibatches per epoch (num_minibatches).</summary>
    public int NumMinibatches { get; init; } = 4;
    /// <summary>Passes over the rollout per update (update_epochs).</summary>
    public int UpdateEpochs { get; init; } = 4;
    /// <summary>Normalize advantages per minibatch (norm_adv).</summary>
    public bool NormAdv { get; init; } = true;
    /// <summary>Surrogate clipping ε (clip_coef); also the value clipping range.</summary>
    public float ClipCoef { get; init; } = 0.2f;
    /// <summary>Clip the value loss as the PPO paper's code does (clip_vloss).</summary>
    public bool ClipVloss { get; init; } = true;
    /// <summary>Entropy bonus coefficient (ent_coef).</summary>
    public float EntCoef { get; init; } = 0.01f;
    /// <summary>Value loss coefficient (vf_coef).</summary>
    public float VfCoef { get; init; } = 0.5f;
    /// <summary>Global gradient-norm clip (max_grad_norm).</summary>
    public float MaxGradNorm { get; init; } = 0.5f;
    /// <summary>Stop the epochs of an update once approx_kl exceeds this (target_kl); null = never.</summary>
    public float? TargetKl { get; init; }
    /// <summary>Bootstrap from V(final observation) on time-limit truncation instead of treating it as terminal (CleanRL treats it as terminal).</summary>
    public bool BootstrapTruncated { get; init; } = true;
    /// <summary>Hidden units of the actor and of the critic (separate networks).</summary>
    public int[] Hidden { get; init; } = [64, 64];
    /// <summary>Hidden activation.</summary>
    public string Act { get; init; } = "tanh";
    /// <summary>Normalize observations with running statistics, then clip to ±ObsClip (Gymnasium's NormalizeObservation).</summary>
    public bool NormObs { get; init; }
    /// <summary>Scale rewards by the running std of the discounted return, then clip to ±RewardClip (NormalizeReward).</summary>
    public bool NormReward { get; init; }
    /// <summary>Clip of normalized observations.</summary>
    public float ObsClip { get; init; } = 10f;
    /// <summary>Clip of normalized rewards.</summary>
    public float RewardClip { get; init; } = 10f;
    /// <summary>Initial log-std of the Gaussian policy (continuous actions only).</summary>
    public float InitLogStd { get; init; }

    /// <summary>Transitions per rollout: NumEnvs × NumSteps.</summary>
    public int BatchSize => NumEnvs * NumSteps;
    /// <summary>BatchSize / NumMinibatches.</summary>
    public int MinibatchSize => BatchSize / NumMinibatches;
    /// <summary>Updates in the run (TotalSteps / BatchSize, at least 1), the annealing horizon.</summary>
    public long NumIterations => Math.Max(1, TotalSteps / BatchSize);

    /// <summary>CleanRL's <c>ppo_continuous_action.py</c>: 1 env × 2048 steps, lr 3e-4, 32 minibatches, 10 epochs, no entropy bonus, normalized observations and rewards.</summary>
    public static PpoConfig Continuous { get; } = new()
    {
        NumEnvs = 1, NumSteps = 2048, TotalSteps = 1_000_000, LearningRate = 3e-4, NumMinibatches = 32, UpdateEpochs = 10,
        EntCoef = 0f, NormObs = true, NormReward = true,
    };

    /// <summary>
    /// rl-baselines3-zoo's tuned CartPole-v1 setting for a 100k-step budget: 8 envs × 32 steps, one
    /// minibatch of 256, 20 epochs, γ 0.98, λ 0.8, lr 1e-3 annealed, no entropy bonus, no value clipping.
    /// </summary>
    public static PpoConfig Zoo { get; } = new()
    {
        NumEnvs = 8, NumSteps = 32, NumMinibatches = 1, UpdateEpochs = 20, Gamma = 0.98f, GaeLambda = 0.8f,
        LearningRate = 1e-3, EntCoef = 0f, ClipVloss = false,
    };

    /// <summary>The named presets: <c>cleanrl</c> (the defaults), <c>cartpole</c> (<see cref="Zoo"/>, the recommended one for CartPole), <c>continuous</c>.</summary>
    public static IReadOnlyDictionary<string, PpoConfig> Presets { get; } = new Dictionary<string, PpoConfig>
    {
        ["cleanrl"] = new(),
        ["cartpole"] = Zoo,
        ["continuous"] = Continuous,
    };

    /// <summary>Throws naming the first bad key.</summary>
    /// <exception cref="ArgumentException">A value is out of range or the batch does not split into minibatches.</exception>
    public void Validate()
    {
        ConfigRules.ThrowFirst("ppo", Problems());
    }

    /// <summary>The problems as config keys (<c>gamma</c>) for the <c>agent</c> section.</summary>
    IEnumerable<(string Key, string Problem)> IConfigValidation.Validate() => ConfigRules.AsConfigKeys(Problems());

    private IEnumerable<ConfigProblem> Problems()
    {
        return new[]
        {
            ConfigRules.Require(NumEnvs >= 1, nameof(NumEnvs), NumEnvs, "must be >= 1"),
            ConfigRules.Require(NumSteps >= 1, nameof(NumSteps), NumSteps, "must be >= 1"),
            ConfigRules.Require(TotalSteps >= 1, nameof(TotalSteps), TotalSteps, "must be >= 1"),
            ConfigRules.Require(LearningRate > 0, nameof(LearningRate), LearningRate, "must be > 0"),
            ConfigRules.Require(Gamma >= 0 && Gamma <= 1, nameof(Gamma), Gamma, "must be in [0, 1]"),
            ConfigRules.Require(GaeLambda >= 0 && GaeLambda <= 1, nameof(GaeLambda), GaeLambda, "must be in [0, 1]"),
            ConfigRules.Require(NumMinibatches >= 1 && BatchSize % NumMinibatches == 0, nameof(NumMinibatches), NumMinibatches,
            $"must be >= 1 and divide the batch NumEnvs x NumSteps = {BatchSize}"),
            ConfigRules.Require(UpdateEpochs >= 1, nameof(UpdateEpochs), UpdateEpochs, "must be >= 1"),
            ConfigRules.Require(ClipCoef >= 0, nameof(ClipCoef), ClipCoef, "must be >= 0"),
            ConfigRules.Require(MaxGradNorm > 0, nameof(MaxGradNorm), MaxGradNorm, "must be > 0"),
            ConfigRules.Require(Hidden.Length >= 1 && Hidden.All(h => h >= 1), nameof(Hidden), $"[{string.Join(", ", Hidden)}]", "must list at least one positive width"),
            ConfigRules.Require(ObsClip > 0, nameof(ObsClip), ObsClip, "must be > 0"),
            ConfigRules.Require(RewardClip > 0, nameof(RewardClip), RewardClip, "must be > 0"),
        }.SelectMany(p => p);
    }
}

// TdMpc2Config: TD-MPC2's hyperparameters (nicklashansen/tdmpc2 config.yaml), named as there, with the model sizes and presets.
using Reverie.Agents.Shared;
using Reverie.Rl.Config;

namespace Reverie.Agents.TdMpc;

/// <summary>
/// TD-MPC2's agent hyperparameters. Defaults are nicklashansen/tdmpc2 <c>config.yaml</c> with model size 5
/// (the single-task default); keys are its names (<c>enc_lr_scale</c>, <c>num_pi_trajs</c>, ...). The batch size,
/// the random seed steps and the pretraining updates are the run loop's (<c>run.batch_size</c>,
/// <c>run.prefill</c>, <c>run.pretrain</c>); <c>run.batch_length</c> must be <see cref="Horizon"/> + 1.
/// <see cref="Presets"/> holds the named variants (<c>size1</c>, <c>size5</c>, <c>tdmpc</c>, <c>debug</c>, <c>multitask</c>, and the per-domain <c>pendulum</c> and <c>dmc</c>).
/// </summary>
public sealed record TdMpc2Config : IConfigValidation
{
    // ---------------------------------------------------------------- architecture
    /// <summary>Hidden width of the state encoder (<c>enc_dim</c>).</summary>
    public int EncDim { get; init; } = 256;
    /// <summary>Hidden width of the dynamics, reward, termination, policy and Q networks (<c>mlp_dim</c>).</summary>
    public int MlpDim { get; init; } = 512;
    /// <summary>Latent state size (<c>latent_dim</c>); a multiple of <see cref="SimnormDim"/> with SimNorm.</summary>
    public int LatentDim { get; init; } = 512;
    /// <summary>Encoder layers: max(num_enc_layers − 1, 1) hidden layers of enc_dim, then the latent layer (<c>num_enc_layers</c>).</summary>
    public int NumEncLayers { get; init; } = 2;
    /// <summary>Q functions in the ensemble (<c>num_q</c>); TD targets use the min of two drawn at random.</summary>
    public int NumQ { get; init; } = 5;
    /// <summary>Dropout after the first layer of every Q function (<c>dropout</c>).</summary>
    public float Dropout { get; init; } = 0.01f;
    /// <summary>Normalize encoder and dynamics outputs with SimNorm (softmax over groups); false: a plain Linear output (TD-MPC).</summary>
    public bool Simnorm { get; init; } = true;
    /// <summary>SimNorm group size (<c>simnorm_dim</c>).</summary>
    public int SimnormDim { get; init; } = 8;
    /// <summary>Two-hot bins of the reward and Q heads (<c>num_bins</c>); 0: a scalar head with an MSE loss on raw targets (TD-MPC), 1: MSE in symlog space.</summary>
    public int NumBins { get; init; } = 101;
    /// <summary>Lowest bin, in symlog space (<c>vmin</c>).</summary>
    public float Vmin { get; init; } = -10f;
    /// <summary>Highest bin, in symlog space (<c>vmax</c>).</summary>
    public float Vmax { get; init; } = 10f;
    /// <summary>Size of the learned task embedding on a multi-task env (<c>task_dim</c>; unused on one task).</summary>
    public int TaskDim { get; init; } = 64;

    // ---------------------------------------------------------------- actor
    /// <summary>Lower bound of the policy prior's log-std (<c>log_std_min</c>).</summary>
    public float LogStdMin { get; init; } = -10f;
    /// <summary>Upper bound of the policy prior's log-std (<c>log_std_max</c>).</summary>
    public float LogStdMax { get; init; } = 2f;
    /// <summary>Weight of the action-dimension-scaled entropy in the policy loss (<c>entropy_coef</c>).</summary>
    public float EntropyCoef { get; init; } = 1e-4f;

    // ---------------------------------------------------------------- training
    /// <summary>Latent rollout length of the update and planning horizon (<c>horizon</c>).</summary>
    public int Horizon { get; init; } = 3;
    /// <summary>Adam learning rate of the world model and the policy (<c>lr</c>).</summary>
    public double Lr { get; init; } = 3e-4;
    /// <summary>The encoder learns at lr × this (<c>enc_lr_scale</c>).</summary>
    public double EncLrScale { get; init; } = 0.3;
    /// <summary>Global gradient-norm clip of both updates (<c>grad_clip_norm</c>).</summary>
    public float GradClipNorm { get; init; } = 20f;
    /// <summary>Polyak rate of the target Qs and of the running return scale (<c>tau</c>).</summary>
    public float Tau { get; init; } = 0.01f;
    /// <summary>Per-step weight decay ρ^t of the rollout losses (<c>rho</c>).</summary>
    public float Rho { get; init; } = 0.5f;
    /// <summary>Weight of the latent consistency loss (<c>consistency_coef</c>).</summary>
    public float ConsistencyCoef { get; init; } = 20f;
    /// <summary>Weight of the reward loss (<c>reward_coef</c>).</summary>
    public float RewardCoef { get; init; } = 0.1f;
    /// <summary>Weight of the value loss (<c>value_coef</c>).</summary>
    public float ValueCoef { get; init; } = 0.1f;
    /// <summary>Weight of the termination loss (<c>termination_coef</c>; only with <see cref="Episodic"/>).</summary>
    public float TerminationCoef { get; init; } = 1f;
    /// <summary>Learn a termination head and stop returns at predicted terminations (<c>episodic</c>).</summary>
    public bool Episodic { get; init; }
    /// <summary>
    /// Discount γ; null: from the episode length L in agent steps, clip((L/d − 1)/(L/d), min, max) with
    /// d = <see cref="DiscountDenom"/> (TD-MPC2's heuristic; 0.99 for 500-step DMC episodes, 0.975 for pendulum).
    /// </summary>
    public float? Discount { get; init; }
    /// <summary>d of the discount heuristic (<c>discount_denom</c>).</summary>
    public float DiscountDenom { get; init; } = 5f;
    /// <summary>Lower clip of the discount heuristic (<c>discount_min</c>).</summary>
    public float DiscountMin { get; init; } = 0.95f;
    /// <summary>Upper clip of the discount heuristic (<c>discount_max</c>).</summary>
    public float DiscountMax { get; init; } = 0.995f;

    // ---------------------------------------------------------------- planning
    /// <summary>Plan with MPPI (<c>mpc</c>); false: act with the policy prior alone.</summary>
    public bool Mpc { get; init; } = true;
    /// <summary>MPPI iterations per action (<c>iterations</c>; 2 more when the action has 20 or more dimensions).</summary>
    public int Iterations { get; init; } = 6;
    /// <summary>Action sequences evaluated per iteration, policy trajectories included (<c>num_samples</c>).</summary>
    public int NumSamples { get; init; } = 512;
    /// <summary>Best sequences that refit the sampling distribution (<c>num_elites</c>).</summary>
    public int NumElites { get; init; } = 64;
    /// <summary>Sequences proposed by rolling out the policy prior (<c>num_pi_trajs</c>).</summary>
    public int NumPiTrajs { get; init; } = 24;
    /// <summary>Lower clip of the sampling std (<c>min_std</c>).</summary>
    public float MinStd { get; init; } = 0.05f;
    /// <summary>Initial and upper std (<c>max_std</c>).</summary>
    public float MaxStd { get; init; } = 2f;
    /// <summary>Inverse temperature of the elite weights exp(temperature·(G − max G)) (<c>temperature</c>).</summary>
    public float Temperature { get; init; } = 0.5f;

    // ---------------------------------------------------------------- presets
    /// <summary>TD-MPC2's model size 1 (1M parameters): enc 256, mlp 384, latent 128, 2 Qs.</summary>
    public static TdMpc2Config Size1 { get; } = new() { EncDim = 256, MlpDim = 384, LatentDim = 128, NumEncLayers = 2, NumQ = 2 };

    /// <summary>TD-MPC2's model size 5 (5M parameters, the single-task default): enc 256, mlp 512, latent 512, 5 Qs.</summary>
    public static TdMpc2Config Size5 { get; } = new();

    /// <summary>
    /// TD-MPC (v1)'s choices on this implementation (nicklashansen/tdmpc <c>default.yaml</c>): no SimNorm, scalar
    /// reward and Q heads with MSE losses, one pair of Qs, latent 50, horizon 5, lr 1e-3, consistency 2,
    /// reward 0.5, value 0.1, gradient clip 10, discount 0.99, 25 policy trajectories (mixture 0.05), no entropy
    /// bonus. Its batch of 512 is <c>run.batch_size</c> (the <c>tdmpc</c> preset sets it).
    /// </summary>
    public static TdMpc2Config TdMpc { get; } = new()
    {
        Simnorm = false, NumBins = 0, NumQ = 2, Dropout = 0f, LatentDim = 50, Horizon = 5, Lr = 1e-3, EncLrScale = 1,
        ConsistencyCoef = 2f, RewardCoef = 0.5f, ValueCoef = 0.1f, GradClipNorm = 10f, Discount = 0.99f, NumPiTrajs = 25,
        EntropyCoef = 0f,
    };

    /// <summary>Tiny networks and a cheap planner: the whole pipeline runs in seconds.</summary>
    public static TdMpc2Config Debug { get; } = new()
    {
        EncDim = 16, MlpDim = 16, LatentDim = 16, NumQ = 2, NumBins = 11, TaskDim = 4,
        Iterations = 2, NumSamples = 16, NumElites = 4, NumPiTrajs = 2,
    };

    /// <summary>
    /// The <c>pendulum</c> preset: model size 1 and a planner of 256 samples, 32 elites, 12 policy trajectories and 4
    /// iterations (a one-dimensional action on a CPU budget).
    /// </summary>
    public static TdMpc2Config Pendulum { get; } = Size1 with { NumSamples = 256, NumElites = 32, NumPiTrajs = 12, Iterations = 4 };

    /// <summary>
    /// The <c>dmc</c> preset's agent settings, the same as <see cref="Pendulum"/>: model size 1 and the 256-sample,
    /// 4-iteration planner, ~4x cheaper per agent step than size 5 with TD-MPC2's planner (a CPU default; it reached
    /// 823.6 on cartpole-swingup at 40k env steps). <see cref="Size5"/> is TD-MPC2's own configuration.
    /// </summary>
    public static TdMpc2Config Dmc { get; } = Pendulum;

    /// <summary>The settings of a multi-task run (a task embedding of 64, TD-MPC2's mt30 size-5 choice; the CLI applies it after <see cref="Dmc"/>).</summary>
    public static TdMpc2Config MultiTask { get; } = new() { TaskDim = 64 };

    /// <summary>The named presets (<c>default</c> = <c>size5</c>, <c>size1</c>, <c>size5</c>, <c>tdmpc</c>, <c>debug</c>, <c>multitask</c>, <c>pendulum</c>, <c>dmc</c>).</summary>
    public static IReadOnlyDictionary<string, TdMpc2Config> Presets { get; } = new Dictionary<string, TdMpc2Config>
    {
        ["default"] = Size5,
        ["size1"] = Size1,
        ["size5"] = Size5,
        ["tdmpc"] = TdMpc,
        ["debug"] = Debug,
        ["multitask"] = MultiTask,
        ["pendulum"] = Pendulum,
        ["dmc"] = Dmc,
    };

    /// <summary>The MPPI iterations for an action of <paramref name="actionDim"/> dimensions (+2 from 20 on, as TD-MPC2).</summary>
    public int IterationsFor(int actionDim) => Iterations + (actionDim >= 20 ? 2 : 0);

    /// <summary>The discount: <see cref="Discount"/> when set, else TD-MPC2's heuristic for episodes of <paramref name="episodeLength"/> agent steps.</summary>
    /// <exception cref="ArgumentException">No discount is set and the episode length is not positive.</exception>
    public float DiscountFor(int episodeLength)
    {
        if (Discount is float d) return d;
        if (episodeLength <= 0)
            throw new ArgumentException($"tdmpc2: the env has no time limit, so the discount cannot come from the episode length; set agent.discount");
        float frac = episodeLength / DiscountDenom;
        return Math.Clamp((frac - 1f) / frac, DiscountMin, DiscountMax);
    }

    /// <summary>Throws naming the first bad key.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate() => ConfigRules.ThrowFirst("tdmpc2", Problems());

    /// <summary>The problems as config keys (<c>num_q</c>) for the <c>agent</c> section.</summary>
    IEnumerable<(string Key, string Problem)> IConfigValidation.Validate() => ConfigRules.AsConfigKeys(Problems());

    private IEnumerable<ConfigProblem> Problems()
    {
        return new[]
        {
            ConfigRules.Require(EncDim >= 1, nameof(EncDim), EncDim, "must be >= 1"),
            ConfigRules.Require(MlpDim >= 1, nameof(MlpDim), MlpDim, "must be >= 1"),
            ConfigRules.Require(LatentDim >= 1, nameof(LatentDim), LatentDim, "must be >= 1"),
            ConfigRules.Require(!Simnorm || (SimnormDim >= 1 && LatentDim % SimnormDim == 0), nameof(LatentDim), LatentDim, $"must be a multiple of SimnormDim = {SimnormDim} with SimNorm"),
            ConfigRules.Require(SimnormDim >= 1, nameof(SimnormDim), SimnormDim, "must be >= 1"),
            ConfigRules.Require(NumEncLayers >= 1, nameof(NumEncLayers), NumEncLayers, "must be >= 1"),
            ConfigRules.Require(NumQ >= 2, nameof(NumQ), NumQ, "must be >= 2 (targets take the min of two)"),
            ConfigRules.Require(Dropout >= 0 && Dropout < 1, nameof(Dropout), Dropout, "must be in [0, 1)"),
            ConfigRules.Require(NumBins == 0 || NumBins == 1 || NumBins >= 2 && Vmin < Vmax, nameof(NumBins), NumBins, $"must be 0, 1, or >= 2 with Vmin < Vmax (got [{Vmin}, {Vmax}])"),
            ConfigRules.Require(NumBins >= 0, nameof(NumBins), NumBins, "must be >= 0"),
            ConfigRules.Require(TaskDim >= 1, nameof(TaskDim), TaskDim, "must be >= 1"),
            ConfigRules.Require(LogStdMin < LogStdMax, nameof(LogStdMin), LogStdMin, $"must be below LogStdMax = {LogStdMax}"),
            ConfigRules.Require(EntropyCoef >= 0, nameof(EntropyCoef), EntropyCoef, "must be >= 0"),
            ConfigRules.Require(Horizon >= 1, nameof(Horizon), Horizon, "must be >= 1"),
            ConfigRules.Require(Lr > 0, nameof(Lr), Lr, "must be > 0"),
            ConfigRules.Require(EncLrScale >= 0, nameof(EncLrScale), EncLrScale, "must be >= 0"),
            ConfigRules.Require(GradClipNorm > 0, nameof(GradClipNorm), GradClipNorm, "must be > 0"),
            ConfigRules.Require(Tau >= 0 && Tau <= 1, nameof(Tau), Tau, "must be in [0, 1]"),
            ConfigRules.Require(Rho > 0 && Rho <= 1, nameof(Rho), Rho, "must be in (0, 1]"),
            ConfigRules.Require(ConsistencyCoef >= 0, nameof(ConsistencyCoef), ConsistencyCoef, "must be >= 0"),
            ConfigRules.Require(RewardCoef >= 0, nameof(RewardCoef), RewardCoef, "must be >= 0"),
            ConfigRules.Require(ValueCoef >= 0, nameof(ValueCoef), ValueCoef, "must be >= 0"),
            ConfigRules.Require(TerminationCoef >= 0, nameof(TerminationCoef), TerminationCoef, "must be >= 0"),
            ConfigRules.Require(Discount is null || Discount >= 0 && Discount <= 1, nameof(Discount), Discount ?? 0, "must be in [0, 1]"),
            ConfigRules.Require(DiscountDenom > 0, nameof(DiscountDenom), DiscountDenom, "must be > 0"),
            ConfigRules.Require(DiscountMin <= DiscountMax, nameof(DiscountMin), DiscountMin, $"must be <= DiscountMax = {DiscountMax}"),
            ConfigRules.Require(Iterations >= 1, nameof(Iterations), Iterations, "must be >= 1"),
            ConfigRules.Require(NumSamples >= 1, nameof(NumSamples), NumSamples, "must be >= 1"),
            ConfigRules.Require(NumElites >= 1 && NumElites <= NumSamples, nameof(NumElites), NumElites, $"must be in [1, NumSamples = {NumSamples}]"),
            ConfigRules.Require(NumPiTrajs >= 0 && NumPiTrajs < NumSamples, nameof(NumPiTrajs), NumPiTrajs, $"must be in [0, NumSamples = {NumSamples})"),
            ConfigRules.Require(MinStd > 0 && MinStd <= MaxStd, nameof(MinStd), MinStd, $"must be in (0, MaxStd = {MaxStd}]"),
            ConfigRules.Require(Temperature >= 0, nameof(Temperature), Temperature, "must be >= 0"),
        }.SelectMany(p => p);
    }
}

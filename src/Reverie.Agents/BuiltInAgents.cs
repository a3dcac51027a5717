// BuiltInAgents: registers Reverie.Agents' algorithms with the run loop's AgentRegistry, one line each.
using Reverie.Agents.Dreamer;
using Reverie.Agents.ModelFree;
using Reverie.Agents.TdMpc;
using Reverie.Rl.Agents;

namespace Reverie.Agents;

/// <summary>
/// Adds this assembly's agents to <see cref="AgentRegistry"/> (Reverie.Rl cannot name them itself). The
/// <c>reverie</c> command calls <see cref="Register"/> at start; hosts that build runs themselves call it once.
/// </summary>
public static class BuiltInAgents
{
    /// <summary>Registers <c>ppo</c>, <c>sac</c>, <c>dreamer</c> and <c>tdmpc2</c> (again: replaces them; idempotent).</summary>
    public static void Register()
    {
        AgentRegistry.Register(new AgentSpec("ppo", c => new PpoAgent(c), "proximal policy optimization, on-policy (CleanRL; tuned for cartpole)") { Config = () => new PpoConfig(), DefaultPresets = PpoAgent.DefaultPresets }, replace: true);
        AgentRegistry.Register(new AgentSpec("sac", c => new SacAgent(c), "soft actor-critic, off-policy, continuous actions (CleanRL)") { Config = () => new SacConfig(), DefaultPresets = SacAgent.DefaultPresets }, replace: true);
        AgentRegistry.Register(new AgentSpec("dreamer", c => new DreamerAgent(c), "DreamerV3 world model + imagination actor-critic (presets dreamerv1, dreamerv2); vector, pixel, discrete or continuous") { Config = () => new DreamerConfig(), DefaultPresets = DreamerAgent.DefaultPresets }, replace: true);
        AgentRegistry.Register(new AgentSpec("tdmpc2", c => new TdMpc2Agent(c), "TD-MPC2: latent world model + MPPI planning, continuous actions (--preset tdmpc for TD-MPC)") { Config = () => new TdMpc2Config(), DefaultPresets = TdMpc2Agent.DefaultPresets }, replace: true);
    }
}

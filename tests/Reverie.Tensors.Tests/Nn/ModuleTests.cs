// Checks of the Module base: hierarchical names, state dicts, load errors, train/eval, ZeroGrad.
using Reverie.Tensors;
using Reverie.Tensors.Nn;

namespace Reverie.Tensors.Tests.Nn;

public class ModuleTests
{
    private sealed class Rssm : Module
    {
        public readonly GruCell Gru;
        public readonly Dropout Drop;
        public Rssm(Rng rng)
        {
            RegisterParameter("scale", Tensor.Parameter(new Shape(2)));
            Gru = RegisterModule("gru", new GruCell(3, 2, rng));
            Drop = RegisterModule("drop", new Dropout(0.5f, rng));
            RegisterBuffer("steps", Tensor.Zeros(new Shape(1)));
        }
    }

    private sealed class WorldModel : Module
    {
        public readonly Rssm Rssm;
        public WorldModel(Rng rng)
        {
            Rssm = RegisterModule("rssm", new Rssm(rng));
            RegisterModule("head", new Linear(2, 1, rng));
        }
    }

    private sealed class Agent : Module
    {
        public readonly WorldModel Wm;
        public Agent(Rng rng) { Wm = RegisterModule("wm", new WorldModel(rng)); }
    }

    private sealed class Bad : Module
    {
        public void Add(string name, Tensor t) => RegisterParameter(name, t);
        public void AddModule(string name, Module m) => RegisterModule(name, m);
    }

    private static readonly string[] AgentParams =
    [
        "wm.rssm.scale", "wm.rssm.gru.weight_ih", "wm.rssm.gru.weight_hh", "wm.rssm.gru.bias_ih",
        "wm.rssm.gru.bias_hh", "wm.head.weight", "wm.head.bias",
    ];

    [Fact]
    public void Names_are_hierarchical_and_in_registration_order()
    {
        var agent = new Agent(new Rng(1));
        Assert.Equal(AgentParams, agent.NamedParameters().Select(p => p.Name));
        // Tensor.Name carries the full name from the root.
        Assert.Equal(AgentParams, agent.Parameters().Select(p => p.Name));
        Assert.Equal(["wm.rssm.steps"], agent.NamedBuffers().Select(b => b.Name));
        Assert.Equal(["", "wm", "wm.rssm", "wm.rssm.gru", "wm.rssm.drop", "wm.head"], agent.NamedModules().Select(m => m.Name));
        Assert.Equal(["rssm.gru.weight_ih"], agent.Wm.NamedParameters().Select(p => p.Name).Where(n => n.EndsWith("weight_ih")));
        Assert.Equal("x.scale", agent.Wm.Rssm.NamedParameters("x").First().Name);
        Assert.Equal(2 + (6 * 3 + 6 * 2 + 6 + 6) + (2 + 1), agent.ParameterCount);
        Assert.All(agent.Parameters(), p => Assert.True(p.RequiresGrad));
    }

    [Fact]
    public void State_dict_round_trips_into_a_fresh_module()
    {
        var a = new Agent(new Rng(1));
        var b = new Agent(new Rng(2));
        var sd = a.StateDict();
        Assert.Equal(AgentParams.Append("wm.rssm.steps").OrderBy(s => s), sd.Keys.OrderBy(s => s));
        Assert.Same(a.Wm.Rssm.Gru.WeightIh, sd["wm.rssm.gru.weight_ih"]);   // live tensors, not copies
        sd["wm.rssm.steps"].Span[0] = 42f;
        Assert.NotEqual(sd["wm.head.weight"].ToArray(), b.StateDict()["wm.head.weight"].ToArray());
        var keep = b.Wm.Rssm.Gru.WeightIh;
        var (missing, unexpected) = b.LoadStateDict(sd);
        Assert.Empty(missing);
        Assert.Empty(unexpected);
        Assert.Same(keep, b.Wm.Rssm.Gru.WeightIh);                        // loaded in place
        foreach (var (name, t) in b.StateDict()) Assert.Equal(sd[name].ToArray(), t.ToArray());
        Assert.Equal(42f, b.StateDict()["wm.rssm.steps"].Span[0]);
    }

    [Fact]
    public void LoadStateDict_reports_missing_unexpected_and_mismatched_names()
    {
        var m = new Agent(new Rng(1));
        var sd = new Agent(new Rng(2)).StateDict();
        sd.Remove("wm.head.bias");
        sd["wm.extra"] = Tensor.Zeros(new Shape(3));
        var before = m.Wm.Rssm.Gru.WeightIh.ToArray();
        var e = Assert.Throws<ArgumentException>(() => m.LoadStateDict(sd));
        Assert.Contains("missing 1 key(s): wm.head.bias", e.Message);
        Assert.Contains("unexpected 1 key(s): wm.extra", e.Message);
        Assert.Equal(before, m.Wm.Rssm.Gru.WeightIh.ToArray());           // nothing was copied

        var (missing, unexpected) = m.LoadStateDict(sd, strict: false);
        Assert.Equal(["wm.head.bias"], missing);
        Assert.Equal(["wm.extra"], unexpected);
        Assert.Equal(sd["wm.rssm.gru.weight_ih"].ToArray(), m.Wm.Rssm.Gru.WeightIh.ToArray());

        sd = m.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value);
        sd["wm.rssm.gru.weight_hh"] = Tensor.Zeros(new Shape(6, 3));
        e = Assert.Throws<ArgumentException>(() => m.LoadStateDict(sd, strict: false));
        Assert.Contains("'wm.rssm.gru.weight_hh' has shape (6, 3) in the state dict but (6, 2) in the module", e.Message);
    }

    [Fact]
    public void Train_and_Eval_propagate_to_every_descendant()
    {
        var a = new Agent(new Rng(1));
        Assert.All(a.NamedModules(), m => Assert.True(m.Module.Training));
        Assert.Same(a, a.Eval());
        Assert.All(a.NamedModules(), m => Assert.False(m.Module.Training));
        a.Wm.Train();
        Assert.False(a.Training);
        Assert.True(a.Wm.Rssm.Drop.Training);
        a.Train(false);
        var x = Tensor.Ones(new Shape(4));
        Assert.Same(x, a.Wm.Rssm.Drop.Forward(x));                       // dropout is the identity in eval
        // A child registered into a module in eval mode takes that mode.
        var parent = new Bad();
        parent.Eval();
        var child = new Linear(1, 1, new Rng(1));
        parent.AddModule("c", child);
        Assert.False(child.Training);
    }

    [Fact]
    public void ZeroGrad_zeroes_in_place_and_leaves_missing_grads_null()
    {
        var lin = new Linear(3, 2, new Rng(1));
        var gru = new GruCell(2, 2, new Rng(2));
        using (Tensor.Scope())
            Tensor.Linear(Tensor.Ones(new Shape(4, 3)), lin.Weight, lin.Bias).Square().Sum().Backward();
        var g = lin.Weight.Grad!;
        Assert.Contains(g.ToArray(), v => v != 0f);
        lin.ZeroGrad();
        Assert.Same(g, lin.Weight.Grad);
        Assert.All(g.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(lin.Bias!.Grad!.ToArray(), v => Assert.Equal(0f, v));
        gru.ZeroGrad();
        Assert.All(gru.Parameters(), p => Assert.Null(p.Grad));
    }

    [Fact]
    public void Registration_errors_are_clear()
    {
        var m = new Bad();
        m.Add("w", Tensor.Parameter(new Shape(1)));
        Assert.Contains("already registered", Assert.Throws<ArgumentException>(() => m.Add("w", Tensor.Parameter(new Shape(1)))).Message);
        Assert.Contains("invalid name 'a.b'", Assert.Throws<ArgumentException>(() => m.Add("a.b", Tensor.Parameter(new Shape(1)))).Message);
        Assert.Contains("does not require grad", Assert.Throws<ArgumentException>(() => m.Add("z", Tensor.Zeros(new Shape(1)))).Message);
        var child = new Linear(1, 1, new Rng(1));
        m.AddModule("c", child);
        Assert.Contains("already registered in another module", Assert.Throws<ArgumentException>(() => new Bad().AddModule("c", child)).Message);
        Assert.Contains("own child", Assert.Throws<ArgumentException>(() => m.AddModule("self", m)).Message);
    }
}

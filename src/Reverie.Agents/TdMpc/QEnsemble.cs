// QEnsemble: TD-MPC2's ensemble of Q heads (layers.Ensemble), each a TdMlp with dropout after its first layer.
using Reverie.Tensors;
using Reverie.Tensors.Nn;

namespace Reverie.Agents.TdMpc;

/// <summary>
/// <see cref="Count"/> independent Q functions (…, in) → (…, bins), each <c>mlp(in, [mlp, mlp], bins, dropout)</c>
/// with a zero-initialized output weight, and its own dropout generator (TD-MPC2 vmaps with
/// <c>randomness="different"</c>). Modules <c>q0</c>, <c>q1</c>, ...
/// </summary>
public sealed class QEnsemble : Module
{
    private readonly TdMlp[] _members;

    /// <summary>Creates the ensemble.</summary>
    public QEnsemble(int count, int inFeatures, int[] hidden, int outFeatures, float dropout, Rng rng)
    {
        if (count < 1) throw new ArgumentException($"QEnsemble: count must be >= 1, got {count}");
        _members = new TdMlp[count];
        for (int k = 0; k < count; k++)
            _members[k] = RegisterModule($"q{k}", new TdMlp(inFeatures, hidden, outFeatures, rng, dropout: dropout, zeroOutput: true));
        ParameterList = Parameters().ToList();
    }

    /// <summary>Members.</summary>
    public int Count => _members.Length;

    /// <summary>Member <paramref name="k"/>.</summary>
    public TdMlp this[int k] => _members[k];

    /// <summary>All parameters in order (for Polyak averaging and freezing).</summary>
    public IReadOnlyList<Tensor> ParameterList { get; }

    /// <summary>Every member's outputs for the same input.</summary>
    public Tensor[] ForwardAll(Tensor x)
    {
        var outs = new Tensor[_members.Length];
        for (int k = 0; k < outs.Length; k++) outs[k] = _members[k].Forward(x);
        return outs;
    }

    /// <summary>Turns the members' parameter gradients on or off (off: gradients still reach the inputs).</summary>
    public void SetRequiresGrad(bool on)
    {
        foreach (var p in ParameterList) p.RequiresGrad = on;
    }
}

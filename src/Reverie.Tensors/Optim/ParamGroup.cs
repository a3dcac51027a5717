// ParamGroup: a list of parameters (optionally named) that share one learning-rate scale.
namespace Reverie.Tensors.Optim;

/// <summary>
/// Parameters that an optimizer updates with the learning rate multiplied by <see cref="LrScale"/>
/// (TD-MPC2 trains its encoder at lr × 0.3 this way). Parameters are leaf tensors; their
/// <see cref="Tensor.Grad"/> holds the gradient. Names, when given, key the optimizer's state in
/// <see cref="Optimizer.StateDict"/>; unnamed parameters are keyed by their position among all of
/// the optimizer's parameters ("0", "1", ...).
/// </summary>
public sealed class ParamGroup
{
    /// <summary>The parameters, in order.</summary>
    public IReadOnlyList<Tensor> Params { get; }

    /// <summary>One name per parameter, or null when the group is unnamed.</summary>
    public IReadOnlyList<string>? Names { get; }

    /// <summary>Factor applied to the optimizer's learning rate for this group.</summary>
    public double LrScale { get; }

    private ParamGroup(IReadOnlyList<Tensor> ps, IReadOnlyList<string>? names, double lrScale)
    {
        if (!(lrScale >= 0) || double.IsInfinity(lrScale))
            throw new ArgumentOutOfRangeException(nameof(lrScale), $"ParamGroup: lrScale must be finite and >= 0 but is {lrScale}");
        Params = ps;
        Names = names;
        LrScale = lrScale;
    }

    /// <summary>An unnamed group (state keys are the parameters' positions).</summary>
    /// <exception cref="ArgumentNullException">The list or one of its tensors is null.</exception>
    public static ParamGroup Of(IReadOnlyList<Tensor> parameters, double lrScale = 1f)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var ps = new Tensor[parameters.Count];
        for (int i = 0; i < ps.Length; i++)
            ps[i] = parameters[i] ?? throw new ArgumentNullException(nameof(parameters), $"ParamGroup: parameter {i} is null");
        return new ParamGroup(ps, null, lrScale);
    }

    /// <summary>A named group, e.g. from a module's named parameters (<c>wm.rssm.gru.weight</c>).</summary>
    /// <exception cref="ArgumentNullException">The list, a name or a tensor is null.</exception>
    public static ParamGroup Of(IReadOnlyList<(string Name, Tensor Param)> parameters, double lrScale = 1f)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var ps = new Tensor[parameters.Count];
        var names = new string[parameters.Count];
        for (int i = 0; i < ps.Length; i++)
        {
            names[i] = parameters[i].Name ?? throw new ArgumentNullException(nameof(parameters), $"ParamGroup: the name of parameter {i} is null");
            ps[i] = parameters[i].Param ?? throw new ArgumentNullException(nameof(parameters), $"ParamGroup: parameter '{names[i]}' is null");
        }
        return new ParamGroup(ps, names, lrScale);
    }
}

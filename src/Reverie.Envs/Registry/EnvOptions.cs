// EnvOptions: how the registry builds an env (pixels, action repeat, time limit, frame stack, checks).
namespace Reverie.Envs;

/// <summary>
/// Options for <see cref="EnvRegistry.Make"/>. Null fields take the id's defaults from its
/// <see cref="EnvSpec"/>. Wrappers are applied innermost first: time limit, action rescaling,
/// action repeat, pixels, frame stack, checks.
/// </summary>
public sealed record EnvOptions
{
    /// <summary>Add an <c>"image"</c> entry rendered after every reset and step.</summary>
    public bool Pixels { get; init; }

    /// <summary>With <see cref="Pixels"/>, keep the <c>"state"</c> entry too (false: image only).</summary>
    public bool KeepState { get; init; } = true;

    /// <summary>Side of the square image in pixels.</summary>
    public int ImageSize { get; init; } = 64;

    /// <summary>Inner steps per agent step; null: the id's default.</summary>
    public int? ActionRepeat { get; init; }

    /// <summary>Time limit in <em>inner</em> env steps (before action repeat); 0 disables it; null: the id's default.</summary>
    public int? MaxEpisodeSteps { get; init; }

    /// <summary>Stack this many frames of every entry (1: no stacking).</summary>
    public int FrameStack { get; init; } = 1;

    /// <summary>Map a finite Box action space onto [-1, 1] (on by default, so agents always see [-1, 1]).</summary>
    public bool RescaleActions { get; init; } = true;

    /// <summary>Wrap the result in <see cref="CheckedEnv"/> (on by default).</summary>
    public bool Checks { get; init; } = true;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad option.</summary>
    public void Validate()
    {
        if (ImageSize < 1 || ImageSize > 4096) throw new ArgumentException($"EnvOptions.ImageSize must be in [1, 4096], got {ImageSize}");
        if (ActionRepeat is < 1) throw new ArgumentException($"EnvOptions.ActionRepeat must be >= 1, got {ActionRepeat}");
        if (MaxEpisodeSteps is < 0) throw new ArgumentException($"EnvOptions.MaxEpisodeSteps must be >= 0 (0 disables the limit), got {MaxEpisodeSteps}");
        if (FrameStack < 1) throw new ArgumentException($"EnvOptions.FrameStack must be >= 1, got {FrameStack}");
    }
}

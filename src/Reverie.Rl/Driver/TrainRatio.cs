// TrainRatio: how many training updates are due, so that replayed steps / env steps equals the train ratio.
namespace Reverie.Rl.Driver;

/// <summary>
/// Schedules training by the <b>train ratio</b>: replayed steps per env step. One update replays
/// <c>batch_size × batch_length</c> steps, so the updates per env step are
/// <c>train_ratio / (batch_size × batch_length)</c>; the fractional part carries over between calls
/// (DreamerV3's <c>embodied.when.Ratio</c>). The first call after construction or <see cref="Restore"/>
/// of a fresh schedule allows one update.
/// </summary>
public sealed class TrainRatio
{
    private readonly double _updatesPerStep;
    private double _last = double.NaN; // the env step up to which updates have been handed out

    /// <summary>A schedule for <paramref name="trainRatio"/> replayed steps per env step.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative or non-finite ratio, or a non-positive batch size or length.</exception>
    public TrainRatio(double trainRatio, int batchSize, int batchLength)
    {
        if (!(trainRatio >= 0) || double.IsInfinity(trainRatio))
            throw new ArgumentOutOfRangeException(nameof(trainRatio), $"train_ratio must be finite and >= 0, got {trainRatio}");
        if (batchSize < 1 || batchLength < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), $"batch_size and batch_length must be >= 1, got {batchSize} and {batchLength}");
        Ratio = trainRatio;
        StepsPerUpdate = (long)batchSize * batchLength;
        _updatesPerStep = trainRatio / StepsPerUpdate;
    }

    /// <summary>Replayed steps per env step.</summary>
    public double Ratio { get; }

    /// <summary>Replayed steps per update (batch_size × batch_length).</summary>
    public long StepsPerUpdate { get; }

    /// <summary>The updates due now that <paramref name="envSteps"/> env steps have been taken (0 when the ratio is 0).</summary>
    public int Due(long envSteps)
    {
        if (_updatesPerStep == 0) return 0;
        if (double.IsNaN(_last)) { _last = envSteps; return 1; }
        int n = (int)Math.Floor((envSteps - _last) * _updatesPerStep + 1e-9);
        _last += n / _updatesPerStep;
        return Math.Max(n, 0);
    }

    /// <summary>The schedule's state for a checkpoint (NaN before the first call).</summary>
    public double State => _last;

    /// <summary>Continues a schedule saved by <see cref="State"/>.</summary>
    public void Restore(double state) => _last = state;
}

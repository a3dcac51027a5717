// Schedule: learning-rate multipliers as functions of the update count (warmup, constant, linear, cosine, joins).
namespace Reverie.Tensors.Optim;

/// <summary>
/// A multiplier of the base learning rate as a function of <c>step</c>, the number of updates
/// already applied (so the first update sees step 0), as optax counts. Set one on
/// <see cref="Optimizer.Schedule"/>, or read <see cref="Factor"/> yourself. Evaluating allocates nothing.
/// </summary>
public abstract class Schedule
{
    /// <summary>The multiplier at <paramref name="step"/> (>= 0).</summary>
    public abstract double Factor(long step);

    /// <summary>Always <paramref name="value"/>.</summary>
    public static Schedule Constant(double value = 1) => new ConstantSchedule(value);

    /// <summary>
    /// optax's <c>linear_schedule(from, to, steps)</c>: <c>from + (to − from)·min(step, steps)/steps</c>,
    /// then <paramref name="to"/>; just <paramref name="from"/> when steps &lt;= 0.
    /// PPO's learning-rate anneal (CleanRL: <c>lr·(1 − (iteration − 1)/iterations)</c>) is <c>Linear(1, 0, iterations)</c>.
    /// </summary>
    public static Schedule Linear(double from, double to, long steps) => new LinearSchedule(from, to, steps);

    /// <summary>Linear warmup from 0 to 1 over <paramref name="steps"/> updates, then 1: <c>min(step/steps, 1)</c> (1 when steps is 0).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="steps"/> is negative.</exception>
    public static Schedule Warmup(long steps)
    {
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), $"Schedule.Warmup: steps must be >= 0 but is {steps}");
        return new LinearSchedule(steps == 0 ? 1 : 0, 1, steps);
    }

    /// <summary>
    /// optax's <c>cosine_decay_schedule(1, steps, alpha)</c>:
    /// <c>(1 − alpha)·½(1 + cos(π·min(step, steps)/steps)) + alpha</c>.
    /// (DreamerV3's 'cosine' passes <c>0.1·lr</c> as alpha, so it decays to ≈ lr·0.1·lr; pass the same to match it.)
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="steps"/> is not positive.</exception>
    public static Schedule Cosine(long steps, double alpha = 0)
    {
        if (steps <= 0) throw new ArgumentOutOfRangeException(nameof(steps), $"Schedule.Cosine: steps must be > 0 but is {steps}");
        return new CosineSchedule(steps, alpha);
    }

    /// <summary>
    /// optax's <c>join_schedules([first, then], [boundary])</c>: <paramref name="first"/> before
    /// <paramref name="boundary"/>, then <c>then(step − boundary)</c>.
    /// </summary>
    public static Schedule Join(Schedule first, long boundary, Schedule then)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(then);
        if (boundary < 0) throw new ArgumentOutOfRangeException(nameof(boundary), $"Schedule.Join: boundary must be >= 0 but is {boundary}");
        return new JoinSchedule(first, boundary, then);
    }

    /// <summary>DreamerV3's schedule: a linear warmup over <paramref name="warmup"/> updates joined to <paramref name="then"/>.</summary>
    public static Schedule WarmupThen(long warmup, Schedule then) => warmup > 0 ? Join(Warmup(warmup), warmup, then) : then;

    private sealed class ConstantSchedule(double value) : Schedule
    {
        public override double Factor(long step) => value;
    }

    private sealed class LinearSchedule(double from, double to, long steps) : Schedule
    {
        public override double Factor(long step)
        {
            if (steps <= 0) return from;
            double frac = 1 - (double)Math.Clamp(step, 0, steps) / steps;
            return (from - to) * frac + to;   // optax's form
        }
    }

    private sealed class CosineSchedule(long steps, double alpha) : Schedule
    {
        public override double Factor(long step)
        {
            double c = Math.Min(Math.Max(step, 0), steps);
            return (1 - alpha) * 0.5 * (1 + Math.Cos(Math.PI * c / steps)) + alpha;
        }
    }

    private sealed class JoinSchedule(Schedule first, long boundary, Schedule then) : Schedule
    {
        public override double Factor(long step) => step < boundary ? first.Factor(step) : then.Factor(step - boundary);
    }
}

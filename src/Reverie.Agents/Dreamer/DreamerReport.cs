// DreamerReport: the world model's open-loop predictions beside the truth, as GIFs (images) and plots (state vectors).
using Reverie.Rl.Agents;
using Reverie.Rl.Media;
using Reverie.Tensors;

namespace Reverie.Agents.Dreamer;

/// <summary>
/// DreamerV3's <c>report</c>: for the first few replayed sequences, the posterior filters the first
/// <see cref="Context"/> observations, then the prior predicts the rest open loop from the replayed actions
/// (latent modes, no observations). The decoder's predictions are compared with the truth:
/// <list type="bullet">
/// <item>metrics <c>openloop/state_mse_context</c>, <c>openloop/state_mse_open</c> (mean squared error per state
/// feature, observed and open-loop steps) and the same for <c>image</c> (per pixel, in [−0.5, 0.5] units);</item>
/// <item>video <c>openloop</c> (image envs): per frame, one column per sequence with the truth, the prediction and the
/// error ((prediction − truth) / 2, gray = 0) stacked;</item>
/// <item>video <c>openloop_state</c> (vector envs): one image of two plots: the first sequence's true and predicted
/// state features over time, and below it the squared error per step (mean over the shown sequences and all
/// features), which jumps where the open loop starts.</item>
/// </list>
/// </summary>
public static class DreamerReport
{
    /// <summary>Observed steps before the open loop (DreamerV3: 5).</summary>
    public const int Context = 5;
    /// <summary>Sequences shown.</summary>
    public const int Sequences = 4;
    /// <summary>State features plotted.</summary>
    public const int PlottedFeatures = 4;

    /// <summary>The report on a batch (see the class summary).</summary>
    public static AgentReport OpenLoop(DreamerLearner learner, DreamerBatch batch, ObsLayout layout)
    {
        using var _ = Tensor.NoGrad();
        int T = batch.T, n = Math.Min(batch.B, Sequences), ctx = Math.Min(Context, T - 1);
        if (ctx < 1) return AgentReport.Empty;
        var wm = learner.Wm;
        var dyn = wm.Dynamics;
        var obs = new ObsTensors(batch.Obs.State?.Narrow(0, 0, n * T), batch.Obs.Image?.Narrow(0, 0, n * T));
        var embed = wm.Encoder.Forward(obs);
        embed = embed.Reshape(n, T, embed.Shape[1]);                                // (n, T, E)
        var prev = batch.PrevAction().Narrow(0, 0, n);                             // (n, T, A)
        var first = batch.IsFirst.Narrow(0, 0, n);
        var post = dyn.Observe(embed.Narrow(1, 0, ctx), prev.Narrow(1, 0, ctx), first.Narrow(1, 0, ctx), dyn.Initial(n), learner.Rng);
        int open = T - ctx, step = 0;
        var img = dyn.Imagine(_ => prev.Narrow(1, ctx + step++, 1).Squeeze(1), post.Last, open, learner.Rng, mode: true);
        var feat = Tensor.Concat([dyn.Features(post.Deter, post.Stoch), dyn.Features(img.Deter, img.Stoch)], 1);   // (n, T, F)
        var flat = feat.Reshape(n * T, feat.Shape[2]);
        var metrics = new Dictionary<string, double>();
        var videos = new List<Video>();
        if (layout.StateSize > 0)
        {
            var pred = wm.Decoder.StateValues(wm.Decoder.PredictState(flat));        // (n·T, Ds)
            var truth = obs.State!;
            var err = StepErrors(pred.ReadOnlySpan, truth.ReadOnlySpan, n, T, layout.StateSize);
            metrics["openloop/state_mse_context"] = err[..ctx].Average();
            metrics["openloop/state_mse_open"] = err[ctx..].Average();
            videos.Add(StatePlot(pred.ReadOnlySpan, truth.ReadOnlySpan, err, n, T, ctx, layout.StateSize));
        }
        if (layout.HasImage)
        {
            var pred = wm.Decoder.PredictImage(flat);                                 // (n·T, C, H, W)
            var truth = obs.Image!;
            int px = layout.Channels * layout.Height * layout.Width;
            var err = StepErrors(pred.ReadOnlySpan, truth.ReadOnlySpan, n, T, px);
            metrics["openloop/image_mse_context"] = err[..ctx].Average();
            metrics["openloop/image_mse_open"] = err[ctx..].Average();
            videos.Add(ImageGrid(pred.ReadOnlySpan, truth.ReadOnlySpan, n, T, layout));
        }
        return new AgentReport(metrics, videos);
    }

    // `err`: the squared error per step (StepErrors of the same rows).
    private static Video StatePlot(ReadOnlySpan<float> pred, ReadOnlySpan<float> truth, double[] err, int n, int T, int ctx, int size)
    {
        var xs = Enumerable.Range(0, T).Select(t => (double)t).ToArray();
        var series = new List<PlotSeries>();
        for (int f = 0; f < Math.Min(size, PlottedFeatures); f++)
        {
            var tv = new double[T]; var pv = new double[T];
            for (int t = 0; t < T; t++) { tv[t] = truth[t * size + f]; pv[t] = pred[t * size + f]; }
            series.Add(new PlotSeries($"state[{f}] true", xs, tv));
            series.Add(new PlotSeries($"state[{f}] predicted", xs, pv));
        }
        var plot = new LinePlot($"open loop: steps 0-{ctx - 1} observed, then imagined", "step", "value", series, 640, 400);
        var errPlot = new LinePlot($"squared error per step ({n} sequences, {size} features)", "step", "error",
            [new PlotSeries("mean squared error", xs, err)], plot.Width, 240);
        return new Video("openloop_state", plot.Height + errPlot.Height, plot.Width, [[.. plot.ToRgb(), .. errPlot.ToRgb()]]);
    }

    // Mean over the n sequences and the features of (pred − truth)² at each step; rows in (b, t) order of `size` floats.
    internal static double[] StepErrors(ReadOnlySpan<float> pred, ReadOnlySpan<float> truth, int n, int T, int size)
    {
        var e = new double[T];
        for (int b = 0; b < n; b++)
            for (int t = 0; t < T; t++)
            {
                int o = (b * T + t) * size;
                for (int i = 0; i < size; i++) { double d = pred[o + i] - truth[o + i]; e[t] += d * d; }
            }
        for (int t = 0; t < T; t++) e[t] /= n * size;
        return e;
    }

    private static Video ImageGrid(ReadOnlySpan<float> pred, ReadOnlySpan<float> truth, int n, int T, ObsLayout layout)
    {
        int H = layout.Height, W = layout.Width, C = layout.Channels, px = C * H * W;
        int gw = n * W, gh = 3 * H;
        var frames = new List<byte[]>(T);
        var err = new float[px];
        for (int t = 0; t < T; t++)
        {
            var frame = new byte[gh * gw * 3];
            for (int b = 0; b < n; b++)
            {
                int o = (b * T + t) * px;
                var tr = truth.Slice(o, px); var pr = pred.Slice(o, px);
                for (int i = 0; i < px; i++) err[i] = (pr[i] - tr[i]) * 0.5f;
                Blit(frame, gw, 0, b * W, DreamerData.ToRgb(tr, C, H, W), H, W);
                Blit(frame, gw, H, b * W, DreamerData.ToRgb(pr, C, H, W), H, W);
                Blit(frame, gw, 2 * H, b * W, DreamerData.ToRgb(err, C, H, W), H, W);
            }
            frames.Add(frame);
        }
        return new Video("openloop", gh, gw, frames);
    }

    private static void Blit(byte[] dst, int dstWidth, int top, int left, byte[] src, int h, int w)
    {
        for (int y = 0; y < h; y++)
            Array.Copy(src, y * w * 3, dst, ((top + y) * dstWidth + left) * 3, w * 3);
    }
}

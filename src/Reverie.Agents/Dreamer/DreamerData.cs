// DreamerData: converts env observations and replayed batches into Dreamer's tensors (images to NCHW in [−0.5, 0.5], discrete actions to one-hot).
using Reverie.Envs;
using Reverie.Rl.Replay;
using Reverie.Tensors;

namespace Reverie.Agents.Dreamer;

/// <summary>Builds <see cref="ObsTensors"/> and <see cref="DreamerBatch"/> from the run loop's data.</summary>
public static class DreamerData
{
    /// <summary>The observations of the envs, one row each.</summary>
    public static ObsTensors FromObservation(Observation obs, ObsLayout layout)
    {
        int rows = obs.Rows;
        Tensor? state = null, image = null;
        if (layout.StateSize > 0)
            state = Tensor.FromArray(obs.Floats("state").AsSpan(0, rows * layout.StateSize), new Shape(rows, layout.StateSize));
        if (layout.HasImage) image = ImageTensor(obs.Bytes("image"), rows, layout);
        return new ObsTensors(state, image);
    }

    /// <summary>
    /// A replayed batch: state (B, T, Ds) → (B·T, Ds); image (B, T, H, W, C) bytes → (B·T, C, H, W) floats x / 255 − 0.5;
    /// action (B, T, A) as stored, or discrete indices (B, T, 1) → one-hot (B, T, classes).
    /// </summary>
    /// <exception cref="ArgumentException">A field is missing or has another size than the layout.</exception>
    public static DreamerBatch FromReplay(ReplayBatch batch, ObsLayout layout, int actionSize, bool discrete)
    {
        int B = batch.Batch, T = batch.Length, N = B * T;
        Tensor? state = null, image = null;
        if (layout.StateSize > 0)
        {
            var s = batch["state"];
            if (s.Size != N * layout.StateSize) throw new ArgumentException($"dreamer: replayed state has shape {s.Shape} but ({B}, {T}, {layout.StateSize}) was expected");
            state = s.Reshape(N, layout.StateSize);
        }
        if (layout.HasImage) image = ImageTensor(batch.Bytes("image"), N, layout);
        var stored = batch["action"];
        Tensor action;
        if (discrete)
        {
            var idx = stored.ReadOnlySpan;
            if (idx.Length != N) throw new ArgumentException($"dreamer: replayed discrete actions have shape {stored.Shape} but ({B}, {T}, 1) was expected");
            var oneHot = new float[N * actionSize];
            for (int i = 0; i < N; i++)
            {
                int a = (int)idx[i];
                if (a < 0 || a >= actionSize) throw new ArgumentException($"dreamer: replayed action {idx[i]} is not an index below {actionSize}");
                oneHot[i * actionSize + a] = 1f;
            }
            action = Tensor.FromArray(oneHot, new Shape(B, T, actionSize));
        }
        else
        {
            if (stored.Size != N * actionSize) throw new ArgumentException($"dreamer: replayed actions have shape {stored.Shape} but ({B}, {T}, {actionSize}) was expected");
            action = stored.Reshape(B, T, actionSize);
        }
        return new DreamerBatch(new ObsTensors(state, image), action, batch["reward"].Reshape(B, T),
            batch[ReplaySpec.IsFirst].Reshape(B, T), batch[ReplaySpec.IsLast].Reshape(B, T), batch[ReplaySpec.IsTerminal].Reshape(B, T));
    }

    /// <summary>(rows, H, W, C) bytes → (rows, C, H, W) floats x / 255 − 0.5.</summary>
    /// <exception cref="ArgumentException">Too few bytes for the layout.</exception>
    public static Tensor ImageTensor(ReadOnlySpan<byte> bytes, int rows, ObsLayout layout)
    {
        return Tensor.FromImageBytes(bytes, rows, layout.Height, layout.Width, layout.Channels, 1f / 255f, -0.5f);
    }

    /// <summary>(C, H, W) floats in [−0.5, 0.5] → (H, W, 3) RGB bytes (gray repeated when C = 1).</summary>
    public static byte[] ToRgb(ReadOnlySpan<float> chw, int C, int H, int W)
    {
        var rgb = new byte[H * W * 3];
        int plane = H * W;
        for (int p = 0; p < plane; p++)
            for (int k = 0; k < 3; k++)
            {
                float v = chw[Math.Min(k, C - 1) * plane + p] + 0.5f;
                rgb[p * 3 + k] = (byte)Math.Clamp((int)MathF.Round(v * 255f), 0, 255);
            }
        return rgb;
    }
}

// OptimKernels: fused in-place update loops (Vector<float> body + scalar tail) with scalar reference twins.
// Both paths do the same IEEE operations in the same order (no FMA), so they agree bit for bit.
// Vector<float> rather than Vector512: it is 16 wide where the runtime enables AVX-512 and 8 wide
// where it does not (this machine's Xeon reports Vector.IsHardwareAccelerated = false).
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Reverie.Tensors.Kernels;
using V = System.Numerics.Vector<float>;

namespace Reverie.Tensors.Optim;

/// <summary>Per-step constants of one Adam update (PyTorch's names in the comments).</summary>
internal readonly struct AdamCoefficients
{
    public float B1 { get; init; }          // beta1
    public float OneMinusB1 { get; init; }  // 1 - beta1
    public float B2 { get; init; }          // beta2
    public float OneMinusB2 { get; init; }  // 1 - beta2
    public float Bc2Sqrt { get; init; }     // sqrt(1 - beta2^step)
    public float Eps { get; init; }         // eps
    public float NegStepSize { get; init; } // -lr / (1 - beta1^step)
    public float L2 { get; init; }          // weight_decay added to the gradient (Adam), 0 for AdamW
}

/// <summary>Per-step constants of one RMS-then-momentum update (DreamerV3's chain, LaProp).</summary>
internal readonly struct RmsMomentumCoefficients
{
    public float Scale { get; init; }       // AGC factor applied to the gradient (1 = none)
    public float B2 { get; init; }
    public float OneMinusB2 { get; init; }
    public float Bc2 { get; init; }         // 1 - beta2^step
    public float Eps { get; init; }
    public bool Momentum { get; init; }
    public bool Nesterov { get; init; }
    public float B1 { get; init; }
    public float OneMinusB1 { get; init; }
    public float Bc1 { get; init; }         // 1 - beta1^step
    public float Wd { get; init; }          // optax.add_decayed_weights (0 = none)
    public float NegLr { get; init; }
}

internal static class OptimKernels
{
    private static void Check(int n, int a, int b, int c, string what)
    {
        if (a != n || b != n || c != n)
            throw new ArgumentException($"{what}: spans of lengths ({n}, {a}, {b}, {c}) differ");
    }

    /// <summary>
    /// PyTorch Adam, element by element: g' = g + L2·p; m = m·β1 + (1-β1)·g'; v = v·β2 + (1-β2)·g'·g';
    /// p = p + (-step)·(m / (√v / √bc2 + eps)).
    /// </summary>
    public static void Adam(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, in AdamCoefficients c)
    {
        int n = p.Length;
        Check(n, g.Length, m.Length, v.Length, "adam");
        ref float pr = ref MemoryMarshal.GetReference(p);
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float mr = ref MemoryMarshal.GetReference(m);
        ref float vr = ref MemoryMarshal.GetReference(v);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            V b1 = Vector.Create(c.B1), omb1 = Vector.Create(c.OneMinusB1), b2 = Vector.Create(c.B2), omb2 = Vector.Create(c.OneMinusB2);
            V bc2 = Vector.Create(c.Bc2Sqrt), eps = Vector.Create(c.Eps), step = Vector.Create(c.NegStepSize), l2 = Vector.Create(c.L2);
            bool useL2 = c.L2 != 0f;
            for (; i <= n - V.Count; i += V.Count)
            {
                var pv = Vector.LoadUnsafe(ref pr, (nuint)i);
                var gv = Vector.LoadUnsafe(ref gr, (nuint)i);
                if (useL2) gv += pv * l2;
                var mv = Vector.LoadUnsafe(ref mr, (nuint)i) * b1 + gv * omb1;
                var vv = Vector.LoadUnsafe(ref vr, (nuint)i) * b2 + omb2 * gv * gv;
                mv.StoreUnsafe(ref mr, (nuint)i);
                vv.StoreUnsafe(ref vr, (nuint)i);
                var denom = Vector.SquareRoot(vv) / bc2 + eps;
                (pv + step * (mv / denom)).StoreUnsafe(ref pr, (nuint)i);
            }
        }
        for (; i < n; i++) AdamScalar(ref Unsafe.Add(ref pr, i), Unsafe.Add(ref gr, i), ref Unsafe.Add(ref mr, i), ref Unsafe.Add(ref vr, i), c);
    }

    /// <summary>Floats per block when an elementwise update is split over the worker pool.</summary>
    private const int Block = 4096;

    /// <summary>
    /// <see cref="Adam"/>, split into blocks of 4096 floats that the calling thread and the sgemm pool's workers
    /// claim when the tensor has at least <see cref="RowJob.ParallelFloats"/> floats (the update is elementwise, so
    /// the bits are the same for any number of threads). Memory-bound: one core's streams do not saturate the bus.
    /// </summary>
    public static unsafe void AdamParallel(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, in AdamCoefficients c)
    {
        int n = p.Length;
        if (n < RowJob.ParallelFloats || GemmPool.MaxParts <= 1) { Adam(p, g, m, v, c); return; }
        Check(n, g.Length, m.Length, v.Length, "adam");
        fixed (float* pp = p, gp = g, mp = m, vp = v)
        {
            var job = RowJob.Current;
            job.P0 = pp; job.P1 = gp; job.P2 = mp; job.P3 = vp; job.N = n; job.Adam = c;
            job.Body = &AdamBlocks;
            job.Run((n + Block - 1) / Block, Block);
        }
    }

    private static unsafe void AdamBlocks(RowJob j, int r0, int r1)
    {
        int i0 = r0 * Block, len = Math.Min(j.N, r1 * Block) - i0;
        Adam(new Span<float>(j.P0 + i0, len), new ReadOnlySpan<float>(j.P1 + i0, len), new Span<float>(j.P2 + i0, len),
            new Span<float>(j.P3 + i0, len), j.Adam);
    }

    /// <summary>Zeroes a span, split over the worker pool like <see cref="AdamParallel"/> when it is large.</summary>
    public static unsafe void ClearParallel(Span<float> x)
    {
        int n = x.Length;
        if (n < RowJob.ParallelFloats || GemmPool.MaxParts <= 1) { x.Clear(); return; }
        fixed (float* px = x)
        {
            var job = RowJob.Current;
            job.P0 = px; job.N = n;
            job.Body = &ClearBlocks;
            job.Run((n + Block - 1) / Block, Block);
        }
    }

    private static unsafe void ClearBlocks(RowJob j, int r0, int r1)
    {
        int i0 = r0 * Block;
        new Span<float>(j.P0 + i0, Math.Min(j.N, r1 * Block) - i0).Clear();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AdamScalar(ref float p, float g, ref float m, ref float v, in AdamCoefficients c)
    {
        if (c.L2 != 0f) g += p * c.L2;
        m = m * c.B1 + g * c.OneMinusB1;
        v = v * c.B2 + c.OneMinusB2 * g * g;
        float denom = MathF.Sqrt(v) / c.Bc2Sqrt + c.Eps;
        p += c.NegStepSize * (m / denom);
    }

    /// <summary>
    /// The DreamerV3 chain for one tensor, element by element, in optax's order:
    /// u = g·scale; ν = β2·ν + (1-β2)·u²; r = u / (√(ν / bc2) + eps); μ = (1-β1)·r + β1·μ;
    /// out = μ / bc1 (Nesterov: ((1-β1)·r + β1·μ) / bc1; no momentum: r); out += wd·p; p = p + (-lr)·out.
    /// <paramref name="mu"/> is ignored (may be empty) when momentum is off.
    /// </summary>
    public static void RmsMomentum(Span<float> p, ReadOnlySpan<float> g, Span<float> nu, Span<float> mu, in RmsMomentumCoefficients c)
    {
        int n = p.Length;
        Check(n, g.Length, nu.Length, c.Momentum ? mu.Length : n, "rms_momentum");
        ref float pr = ref MemoryMarshal.GetReference(p);
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float nr = ref MemoryMarshal.GetReference(nu);
        ref float mr = ref MemoryMarshal.GetReference(mu);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            V scale = Vector.Create(c.Scale), b2 = Vector.Create(c.B2), omb2 = Vector.Create(c.OneMinusB2), bc2 = Vector.Create(c.Bc2);
            V eps = Vector.Create(c.Eps), b1 = Vector.Create(c.B1), omb1 = Vector.Create(c.OneMinusB1), bc1 = Vector.Create(c.Bc1);
            V wd = Vector.Create(c.Wd), negLr = Vector.Create(c.NegLr);
            for (; i <= n - V.Count; i += V.Count)
            {
                var u = Vector.LoadUnsafe(ref gr, (nuint)i) * scale;
                var nv = b2 * Vector.LoadUnsafe(ref nr, (nuint)i) + omb2 * (u * u);
                nv.StoreUnsafe(ref nr, (nuint)i);
                var r = u / (Vector.SquareRoot(nv / bc2) + eps);
                var o = r;
                if (c.Momentum)
                {
                    var mv = omb1 * r + b1 * Vector.LoadUnsafe(ref mr, (nuint)i);
                    mv.StoreUnsafe(ref mr, (nuint)i);
                    o = (c.Nesterov ? omb1 * r + b1 * mv : mv) / bc1;
                }
                var pv = Vector.LoadUnsafe(ref pr, (nuint)i);
                if (c.Wd != 0f) o += wd * pv;
                (pv + negLr * o).StoreUnsafe(ref pr, (nuint)i);
            }
        }
        for (; i < n; i++)
            RmsMomentumScalar(ref Unsafe.Add(ref pr, i), Unsafe.Add(ref gr, i), ref Unsafe.Add(ref nr, i),
                ref c.Momentum ? ref Unsafe.Add(ref mr, i) : ref Unsafe.NullRef<float>(), c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RmsMomentumScalar(ref float p, float g, ref float nu, ref float mu, in RmsMomentumCoefficients c)
    {
        float u = g * c.Scale;
        nu = c.B2 * nu + c.OneMinusB2 * (u * u);
        float r = u / (MathF.Sqrt(nu / c.Bc2) + c.Eps);
        float o = r;
        if (c.Momentum)
        {
            mu = c.OneMinusB1 * r + c.B1 * mu;
            o = (c.Nesterov ? c.OneMinusB1 * r + c.B1 * mu : mu) / c.Bc1;
        }
        if (c.Wd != 0f) o += c.Wd * p;
        p += c.NegLr * o;
    }

    /// <summary>target = (1 - tau)·target + tau·source.</summary>
    public static void Polyak(Span<float> target, ReadOnlySpan<float> source, float tau)
    {
        int n = target.Length;
        Check(n, source.Length, n, n, "polyak");
        ref float tr = ref MemoryMarshal.GetReference(target);
        ref float sr = ref MemoryMarshal.GetReference(source);
        float keep = 1f - tau;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            V kv = Vector.Create(keep), tv = Vector.Create(tau);
            for (; i <= n - V.Count; i += V.Count)
                (kv * Vector.LoadUnsafe(ref tr, (nuint)i) + tv * Vector.LoadUnsafe(ref sr, (nuint)i)).StoreUnsafe(ref tr, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref tr, i) = keep * Unsafe.Add(ref tr, i) + tau * Unsafe.Add(ref sr, i);
    }

    /// <summary>Scalar twins of the fused loops (tests compare the fast paths against them).</summary>
    public static class Reference
    {
        public static void Adam(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, in AdamCoefficients c)
        {
            for (int i = 0; i < p.Length; i++) AdamScalar(ref p[i], g[i], ref m[i], ref v[i], c);
        }

        public static void RmsMomentum(Span<float> p, ReadOnlySpan<float> g, Span<float> nu, Span<float> mu, in RmsMomentumCoefficients c)
        {
            for (int i = 0; i < p.Length; i++)
                RmsMomentumScalar(ref p[i], g[i], ref nu[i], ref c.Momentum ? ref mu[i] : ref Unsafe.NullRef<float>(), c);
        }

        public static void Polyak(Span<float> target, ReadOnlySpan<float> source, float tau)
        {
            for (int i = 0; i < target.Length; i++) target[i] = (1f - tau) * target[i] + tau * source[i];
        }
    }
}

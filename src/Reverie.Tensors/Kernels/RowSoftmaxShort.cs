// RowSoftmaxShort: the row softmax kernels for rows of 2, 4, 8 or 16 floats (categorical latents, small
// action sets): 16/n rows per Vector512, with the per-row max and sums taken by an in-register butterfly
// (lane i meets lane i xor 2^l, l < log2 n), so no row costs a horizontal reduction or a masked tail.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using V = System.Runtime.Intrinsics.Vector512<float>;

namespace Reverie.Tensors.Kernels;

internal static unsafe class RowSoftmaxShort
{
    private static readonly Vector512<int>[] Swap = [Xor(1), Xor(2), Xor(4), Xor(8)];

    private static Vector512<int> Xor(int bit)
    {
        var idx = new int[16];
        for (int i = 0; i < 16; i++) idx[i] = i ^ bit;
        return Vector512.Create(idx);
    }

    /// <summary>Whether rows of n floats take this path.</summary>
    public static bool Handles(int n) => n is 2 or 4 or 8 or 16;

    private static int Levels(int n) => n switch { 2 => 1, 4 => 2, 8 => 3, _ => 4 };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V GroupMax(V v, int levels)
    {
        for (int l = 0; l < levels; l++) v = Vector512.MaxNative(v, Avx512F.PermuteVar16x32(v, Swap[l]));
        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V GroupSum(V v, int levels)
    {
        for (int l = 0; l < levels; l++) v += Avx512F.PermuteVar16x32(v, Swap[l]);
        return v;
    }

    public enum Kind { Soft, Log, Unimix }

    /// <summary>Forward over len = rows·n floats: softmax, log-softmax, or unimix (p into y, ln p into lp).</summary>
    public static void Forward(float* x, float* y, float* lp, int len, int n, Kind kind, float unimix)
    {
        int levels = Levels(n);
        var a = Vector512.Create(1f - unimix); var b = Vector512.Create(unimix / n);
        for (int i = 0; i < len; i += 16)
        {
            var mask = i + 16 <= len ? Vector512<float>.AllBitsSet : RowSimd.Mask(len - i);
            var v = RowSimd.Load(x + i, mask, V.Zero);                         // 16/n rows
            var d = v - GroupMax(v, levels);
            var e = Ew.VExp(d);
            var s = GroupSum(e, levels);
            if (kind == Kind.Log) { RowSimd.Store(y + i, mask, d - Ew.VLog(s)); continue; }
            var p = e * Ew.Reciprocal(s);                                      // s ≥ 1
            if (kind == Kind.Unimix)
            {
                p = Avx512F.FusedMultiplyAdd(p, a, b);
                RowSimd.Store(lp + i, mask, Ew.VLog(p));
            }
            RowSimd.Store(y + i, mask, p);
        }
    }

    /// <summary>
    /// Backward over len floats: softmax dx = y ⊙ (g − Σ g·y); log-softmax dx = g − exp(y)·Σ g; unimix
    /// (y = p) dx = (p − b) ⊙ (t − Σ t·(p − b)/(1 − u)), t = g or g / p. Added into gx when accumulating.
    /// </summary>
    public static void Backward(float* g, float* y, float* gx, int len, int n, Kind kind, float unimix, bool ofLogProbs, bool accumulate)
    {
        int levels = Levels(n);
        var b = Vector512.Create(kind == Kind.Unimix ? unimix / n : 0f);
        var scale = Vector512.Create(kind == Kind.Unimix ? 1f / (1f - unimix) : 1f);
        for (int i = 0; i < len; i += 16)
        {
            var mask = i + 16 <= len ? Vector512<float>.AllBitsSet : RowSimd.Mask(len - i);
            var gv = RowSimd.Load(g + i, mask, V.Zero);
            var yv = RowSimd.Load(y + i, mask, V.One);
            V r;
            if (kind == Kind.Log) r = gv - Ew.VExp(yv) * GroupSum(gv, levels);
            else
            {
                if (ofLogProbs) gv *= Ew.Reciprocal(yv);                        // p > 0
                var q = yv - b;
                r = q * (gv - GroupSum(gv * q, levels) * scale);
            }
            if (accumulate) r += RowSimd.Load(gx + i, mask, V.Zero);
            RowSimd.Store(gx + i, mask, r);
        }
    }
}

// RowSimd: helpers for kernels that work row by row with Vector512 directly: tail masks, masked loads and
// stores (AVX-512 fault suppression: masked-off lanes are never touched) and horizontal reductions.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using V = System.Runtime.Intrinsics.Vector512<float>;

namespace Reverie.Tensors.Kernels;

internal static unsafe class RowSimd
{
    /// <summary>Whether the row kernels' Vector512 paths run (AVX-512F: they use its masked loads and stores).</summary>
    public static readonly bool Enabled = Avx512F.IsSupported;

    // Sixteen all-ones lanes then sixteen zero lanes: loading 16 lanes from [16 - n] gives a mask of n leading lanes.
    private static readonly int[] MaskTable = [-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>A mask whose first <paramref name="n"/> lanes (0 ≤ n ≤ 16) are set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Mask(int n) => Vector512.LoadUnsafe(ref MaskTable[16 - n]).AsSingle();

    /// <summary>The first lanes of <paramref name="mask"/> from p; the other lanes are <paramref name="fill"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Load(float* p, V mask, V fill) => Avx512F.MaskLoad(p, mask, fill);

    /// <summary>Stores the lanes of <paramref name="mask"/> only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, V mask, V x) => Avx512F.MaskStore(p, mask, x);

    /// <summary>Σ of the 16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(V x)
    {
        var s8 = x.GetLower() + x.GetUpper();
        var s4 = s8.GetLower() + s8.GetUpper();
        s4 += Vector128.Shuffle(s4, Vector128.Create(2, 3, 0, 1));
        s4 += Vector128.Shuffle(s4, Vector128.Create(1, 0, 3, 2));
        return s4.ToScalar();
    }

    /// <summary>The largest of the 16 lanes (a NaN lane may or may not win).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max(V x)
    {
        var m8 = Vector256.MaxNative(x.GetLower(), x.GetUpper());
        var m4 = Vector128.MaxNative(m8.GetLower(), m8.GetUpper());
        m4 = Vector128.MaxNative(m4, Vector128.Shuffle(m4, Vector128.Create(2, 3, 0, 1)));
        m4 = Vector128.MaxNative(m4, Vector128.Shuffle(m4, Vector128.Create(1, 0, 3, 2)));
        return m4.ToScalar();
    }

    /// <summary>max over x[0..n), n ≥ 1 (NaN-free rows: any NaN makes the caller's sums NaN anyway).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float RowMax(float* x, int n)
    {
        var vm = Vector512.Create(float.NegativeInfinity);
        int i = 0;
        for (; i + 16 <= n; i += 16) vm = Vector512.MaxNative(vm, Vector512.Load(x + i));
        if (i < n) vm = Vector512.MaxNative(vm, Load(x + i, Mask(n - i), Vector512.Create(float.NegativeInfinity)));
        return Max(vm);
    }

    /// <summary>Σ x[0..n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float RowSum(float* x, int n)
    {
        V s = V.Zero;
        int i = 0;
        for (; i + 16 <= n; i += 16) s += Vector512.Load(x + i);
        if (i < n) s += Load(x + i, Mask(n - i), V.Zero);
        return Sum(s);
    }

    /// <summary>Σ a[k]·b[k] over k &lt; n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float RowDot(float* a, float* b, int n)
    {
        V s = V.Zero;
        int i = 0;
        for (; i + 16 <= n; i += 16) s = Avx512F.FusedMultiplyAdd(Vector512.Load(a + i), Vector512.Load(b + i), s);
        if (i < n)
        {
            var m = Mask(n - i);
            s = Avx512F.FusedMultiplyAdd(Load(a + i, m, V.Zero), Load(b + i, m, V.Zero), s);
        }
        return Sum(s);
    }

    /// <summary>dst[r·n + j] = row[j] for r &lt; rows, n = row.Length (a bias broadcast over rows).</summary>
    public static void FillRows(ReadOnlySpan<float> row, Span<float> dst, int rows)
    {
        int n = row.Length;
        if (dst.Length < (long)rows * n) throw new ArgumentException($"fill_rows: destination of length {dst.Length} is shorter than {rows}·{n}");
        if (!Enabled || n > 256) { for (int r = 0; r < rows; r++) row.CopyTo(dst.Slice(r * n, n)); return; }
        fixed (float* s = row, d = dst)
            for (int r = 0; r < rows; r++)
            {
                float* dr = d + (nint)r * n;
                int j = 0;
                for (; j + 16 <= n; j += 16) Vector512.Store(Vector512.Load(s + j), dr + j);
                if (j < n) { var m = Mask(n - j); Store(dr + j, m, Load(s + j, m, Vector512<float>.Zero)); }
            }
    }

    /// <summary>acc[j] += Σ_r src[r·n + j] for r &lt; rows, n = acc.Length (a bias gradient): columns in
    /// chunks of 64 summed down all rows in registers, then added to acc once.</summary>
    public static void AddRows(ReadOnlySpan<float> src, int rows, Span<float> acc)
    {
        int n = acc.Length;
        if (src.Length < (long)rows * n) throw new ArgumentException($"add_rows: source of length {src.Length} is shorter than {rows}·{n}");
        if (!Enabled)
        {
            for (int r = 0; r < rows; r++) System.Numerics.Tensors.TensorPrimitives.Add(acc, src.Slice(r * n, n), acc);
            return;
        }
        fixed (float* s = src, a = acc)
            for (int j = 0; j < n; j += 64)
            {
                int w = Math.Min(64, n - j);
                V m0 = Mask(Math.Clamp(w, 0, 16)), m1 = Mask(Math.Clamp(w - 16, 0, 16)), m2 = Mask(Math.Clamp(w - 32, 0, 16)), m3 = Mask(Math.Clamp(w - 48, 0, 16));
                V a0 = V.Zero, a1 = V.Zero, a2 = V.Zero, a3 = V.Zero;
                float* p = s + j;
                if (w == 64)
                    for (int r = 0; r < rows; r++, p += n)
                    {
                        a0 += Vector512.Load(p); a1 += Vector512.Load(p + 16); a2 += Vector512.Load(p + 32); a3 += Vector512.Load(p + 48);
                    }
                else
                    for (int r = 0; r < rows; r++, p += n)
                    {
                        a0 += Load(p, m0, V.Zero); a1 += Load(p + 16, m1, V.Zero); a2 += Load(p + 32, m2, V.Zero); a3 += Load(p + 48, m3, V.Zero);
                    }
                Store(a + j, m0, Load(a + j, m0, V.Zero) + a0);
                Store(a + j + 16, m1, Load(a + j + 16, m1, V.Zero) + a1);
                Store(a + j + 32, m2, Load(a + j + 32, m2, V.Zero) + a2);
                Store(a + j + 48, m3, Load(a + j + 48, m3, V.Zero) + a3);
            }
    }
}

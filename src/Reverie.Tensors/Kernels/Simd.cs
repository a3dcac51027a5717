// Simd: the SIMD loop machinery, written once. Ops supply tiny operator structs (scalar + Vector512).
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Reverie.Tensors.Kernels;

/// <summary>y = f(x) elementwise.</summary>
public interface IUnaryOp
{
    static abstract float Invoke(float x);
    static abstract Vector512<float> Invoke(Vector512<float> x);
}

/// <summary>z = f(x, y) elementwise.</summary>
public interface IBinaryOp
{
    static abstract float Invoke(float x, float y);
    static abstract Vector512<float> Invoke(Vector512<float> x, Vector512<float> y);
}

/// <summary>w = f(x, y, z) elementwise (backward rules: x input, y output, z upstream gradient).</summary>
public interface ITernaryOp
{
    static abstract float Invoke(float x, float y, float z);
    static abstract Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> z);
}

/// <summary>Span-in/span-out elementwise loops over operator structs, Vector512 body and scalar tail.</summary>
public static class Simd
{
    /// <summary>
    /// Whether the Vector512 loops run. .NET reports <c>Vector512.IsHardwareAccelerated</c> = false on
    /// Intel parts where it prefers 256-bit code (e.g. Skylake/Cascade Lake Xeons) unless
    /// DOTNET_PreferredVectorBitWidth=512 is set, yet it still emits AVX-512 for explicit Vector512
    /// code there, which measured faster than the 256-bit path; so AVX-512F support is enough.
    /// </summary>
    public static readonly bool UseVector512 = Vector512.IsHardwareAccelerated || System.Runtime.Intrinsics.X86.Avx512F.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckLengths<TOp>(int n, int m)
    {
        if (m < n) ThrowLength(typeof(TOp).Name, n, m);
    }

    private static void ThrowLength(string what, int n, int m) =>
        throw new ArgumentException($"{what}: destination of length {m} is shorter than the input of length {n}");

    /// <summary>dst[i] = Op(x[i]).</summary>
    public static void Map<TOp>(ReadOnlySpan<float> x, Span<float> dst) where TOp : IUnaryOp
    {
        CheckLengths<TOp>(x.Length, dst.Length);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float dr = ref MemoryMarshal.GetReference(dst);
        int n = x.Length, i = 0;
        if (UseVector512)
            for (; i <= n - 16; i += 16)
                TOp.Invoke(Vector512.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref dr, i) = TOp.Invoke(Unsafe.Add(ref xr, i));
    }

    /// <summary>dst[i] = Op(x[i], y[i]).</summary>
    public static void Map<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst) where TOp : IBinaryOp
    {
        CheckLengths<TOp>(x.Length, y.Length);
        CheckLengths<TOp>(x.Length, dst.Length);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float dr = ref MemoryMarshal.GetReference(dst);
        int n = x.Length, i = 0;
        if (UseVector512)
            for (; i <= n - 16; i += 16)
                TOp.Invoke(Vector512.LoadUnsafe(ref xr, (nuint)i), Vector512.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref dr, i) = TOp.Invoke(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i));
    }

    /// <summary>dst[i] += Op(x[i], y[i], z[i]) — the shape of every elementwise backward rule.</summary>
    public static void Accumulate<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z, Span<float> dst) where TOp : ITernaryOp
    {
        int n = dst.Length;
        if (x.Length < n || y.Length < n || z.Length < n)
            throw new ArgumentException($"{typeof(TOp).Name}: inputs ({x.Length}, {y.Length}, {z.Length}) are shorter than the destination ({n})");
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float zr = ref MemoryMarshal.GetReference(z);
        ref float dr = ref MemoryMarshal.GetReference(dst);
        int i = 0;
        if (UseVector512)
            for (; i <= n - 16; i += 16)
            {
                var v = TOp.Invoke(Vector512.LoadUnsafe(ref xr, (nuint)i), Vector512.LoadUnsafe(ref yr, (nuint)i), Vector512.LoadUnsafe(ref zr, (nuint)i));
                (Vector512.LoadUnsafe(ref dr, (nuint)i) + v).StoreUnsafe(ref dr, (nuint)i);
            }
        for (; i < n; i++) Unsafe.Add(ref dr, i) += TOp.Invoke(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i), Unsafe.Add(ref zr, i));
    }

    /// <summary>dst[i] = Op(x[i], y[i], z[i]).</summary>
    public static void Map<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z, Span<float> dst) where TOp : ITernaryOp
    {
        int n = dst.Length;
        if (x.Length < n || y.Length < n || z.Length < n)
            throw new ArgumentException($"{typeof(TOp).Name}: inputs ({x.Length}, {y.Length}, {z.Length}) are shorter than the destination ({n})");
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float zr = ref MemoryMarshal.GetReference(z);
        ref float dr = ref MemoryMarshal.GetReference(dst);
        int i = 0;
        if (UseVector512)
            for (; i <= n - 16; i += 16)
                TOp.Invoke(Vector512.LoadUnsafe(ref xr, (nuint)i), Vector512.LoadUnsafe(ref yr, (nuint)i), Vector512.LoadUnsafe(ref zr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref dr, i) = TOp.Invoke(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i), Unsafe.Add(ref zr, i));
    }

    /// <summary>dst[i] = Op(x, y[i]) for a scalar x.</summary>
    public static void MapScalarX<TOp>(float x, ReadOnlySpan<float> y, Span<float> dst) where TOp : IBinaryOp
    {
        CheckLengths<TOp>(y.Length, dst.Length);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float dr = ref MemoryMarshal.GetReference(dst);
        int n = y.Length, i = 0;
        var xv = Vector512.Create(x);
        if (UseVector512)
            for (; i <= n - 16; i += 16)
                TOp.Invoke(xv, Vector512.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref dr, i) = TOp.Invoke(x, Unsafe.Add(ref yr, i));
    }

    /// <summary>dst[i] = Op(x[i], y) for a scalar y.</summary>
    public static void MapScalarY<TOp>(ReadOnlySpan<float> x, float y, Span<float> dst) where TOp : IBinaryOp
    {
        CheckLengths<TOp>(x.Length, dst.Length);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float dr = ref MemoryMarshal.GetReference(dst);
        int n = x.Length, i = 0;
        var yv = Vector512.Create(y);
        if (UseVector512)
            for (; i <= n - 16; i += 16)
                TOp.Invoke(Vector512.LoadUnsafe(ref xr, (nuint)i), yv).StoreUnsafe(ref dr, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref dr, i) = TOp.Invoke(Unsafe.Add(ref xr, i), y);
    }

    /// <summary>Reference twin of the Map/Accumulate loops: scalar only (tests compare against it).</summary>
    public static class Reference
    {
        public static void Map<TOp>(ReadOnlySpan<float> x, Span<float> dst) where TOp : IUnaryOp
        {
            for (int i = 0; i < x.Length; i++) dst[i] = TOp.Invoke(x[i]);
        }

        public static void Map<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst) where TOp : IBinaryOp
        {
            for (int i = 0; i < x.Length; i++) dst[i] = TOp.Invoke(x[i], y[i]);
        }

        public static void Accumulate<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z, Span<float> dst) where TOp : ITernaryOp
        {
            for (int i = 0; i < dst.Length; i++) dst[i] += TOp.Invoke(x[i], y[i], z[i]);
        }
    }
}

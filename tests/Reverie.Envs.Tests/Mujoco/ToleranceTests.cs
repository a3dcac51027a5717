// Tolerance: every sigmoid meets its definition (s(0) = 1, s(1) = value at margin, hand-computed points), bounds and errors.
using Reverie.Envs.Mujoco;

namespace Reverie.Envs.Tests.Mujoco;

public class ToleranceTests
{
    public static TheoryData<Sigmoid> All() => [.. Enum.GetValues<Sigmoid>()];

    [Theory]
    [MemberData(nameof(All))]
    public void OutsideTheBoundsItFallsFromOneToTheValueAtTheMargin(Sigmoid s)
    {
        foreach (double vm in new[] { 0.1, 0.5, 0.9 })
        {
            Assert.Equal(1, Tolerance.Value(1, -1, 1, margin: 2, sigmoid: s, valueAtMargin: vm), 12);       // on the bound
            Assert.Equal(vm, Tolerance.Value(3, -1, 1, margin: 2, sigmoid: s, valueAtMargin: vm), 12);      // one margin above
            Assert.Equal(vm, Tolerance.Value(-3, -1, 1, margin: 2, sigmoid: s, valueAtMargin: vm), 12);     // one margin below
            double prev = 1;
            for (double x = 1; x <= 5; x += 0.25)
            {
                double v = Tolerance.Value(x, -1, 1, margin: 2, sigmoid: s, valueAtMargin: vm);
                Assert.InRange(v, 0, prev + 1e-15); // never rises away from the bounds
                prev = v;
            }
        }
    }

    [Theory]
    [InlineData(Sigmoid.Gaussian, 0.5, 0.1, 0.5623413251903491)]   // exp(−½(0.5·√(2 ln 10))²) = 10^(−1/4)
    [InlineData(Sigmoid.Hyperbolic, 0.5, 0.1, 0.42640143271122083)] // 1/cosh(0.5·acosh 10)
    [InlineData(Sigmoid.LongTail, 0.5, 0.1, 0.3076923076923077)]   // 1/(0.25·9 + 1) = 4/13
    [InlineData(Sigmoid.Reciprocal, 0.5, 0.1, 0.18181818181818182)] // 1/(0.5·9 + 1) = 2/11
    [InlineData(Sigmoid.Cosine, 0.5, 0.1, 0.658113883008419)]     // (1 + cos(π·0.5·acos(−0.8)/π))/2
    [InlineData(Sigmoid.Linear, 0.5, 0.1, 0.55)]                   // 1 − 0.5·0.9
    [InlineData(Sigmoid.Quadratic, 0.5, 0.1, 0.775)]               // 1 − 0.25·0.9
    [InlineData(Sigmoid.TanhSquared, 0.5, 0.1, 0.4805061467040842)] // 1 − tanh²(0.5·atanh √0.9)
    [InlineData(Sigmoid.Linear, 2, 0.1, 0)]                        // past the zero of the finite shapes
    [InlineData(Sigmoid.Quadratic, 1.2, 0, 0)]
    [InlineData(Sigmoid.Cosine, 1, 0, 0)]
    public void HandComputedPoints(Sigmoid s, double d, double vm, double expected)
    {
        Assert.Equal(expected, Tolerance.Shape(d, vm, s), 12);
        Assert.Equal(expected, Tolerance.Value(10 + d * 3, 0, 10, margin: 3, sigmoid: s, valueAtMargin: vm), 12);
    }

    [Fact]
    public void BoundsWithoutMarginAreAnIndicatorAndInfiniteBoundsWork()
    {
        Assert.Equal(1, Tolerance.Value(0.3, 0.25, 0.5));
        Assert.Equal(0, Tolerance.Value(0.2, 0.25, 0.5));
        Assert.Equal(1, Tolerance.Value(0));
        Assert.Equal(0, Tolerance.Value(1e-9));
        Assert.Equal(1, Tolerance.Value(1e9, 10, double.PositiveInfinity));
        // cheetah: clip(v/10, 0, 1)
        foreach (double v in new[] { -3.0, 0, 2.5, 7, 10, 13 })
            Assert.Equal(Math.Clamp(v / 10, 0, 1), Tolerance.Value(v, 10, double.PositiveInfinity, margin: 10, sigmoid: Sigmoid.Linear, valueAtMargin: 0), 12);
    }

    [Fact]
    public void BadArgumentsAreNamed()
    {
        Assert.Contains("lower bound 1 is greater than upper bound 0", Assert.Throws<ArgumentException>(() => Tolerance.Value(0, 1, 0)).Message);
        Assert.Contains("margin must be >= 0, got -1", Assert.Throws<ArgumentException>(() => Tolerance.Value(0, margin: -1)).Message);
        Assert.Contains("valueAtMargin must be in (0, 1) for the Gaussian sigmoid, got 0",
            Assert.Throws<ArgumentException>(() => Tolerance.Value(0, margin: 1, valueAtMargin: 0)).Message);
        Assert.Contains("valueAtMargin must be in [0, 1) for the Linear sigmoid, got 1",
            Assert.Throws<ArgumentException>(() => Tolerance.Value(0, margin: 1, sigmoid: Sigmoid.Linear, valueAtMargin: 1)).Message);
    }
}

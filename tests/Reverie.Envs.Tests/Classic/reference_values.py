# Reference numbers for ClassicControlTests.cs: Gymnasium's classic-control updates (ENVS.md §3)
# written out in plain Python floats (double precision, NumPy-1.x promotion rules), independent of
# the C# code. Run: python3 reference_values.py  (no dependencies).
import math, struct

def f32(x):  # round to float32, as Gymnasium does when it stores float32 arrays
    return struct.unpack('f', struct.pack('f', x))[0]

def cartpole(s, a):
    x, xd, th, thd = s
    g, mc, mp, l, tau = 9.8, 1.0, 0.1, 0.5, 0.02
    M = mp + mc
    F = 10.0 if a == 1 else -10.0
    c, sn = math.cos(th), math.sin(th)
    temp = (F + mp * l * thd ** 2 * sn) / M
    thacc = (g * sn - c * temp) / (l * (4.0 / 3.0 - mp * c ** 2 / M))
    xacc = temp - mp * l * thacc * c / M
    return (x + tau * xd, xd + tau * xacc, th + tau * thd, thd + tau * thacc)

def pendulum(s, u):
    th, thd = s
    g, m, l, dt = 10.0, 1.0, 1.0, 0.05
    u = min(max(u, -2.0), 2.0)
    thn = ((th + math.pi) % (2 * math.pi)) - math.pi
    cost = thn ** 2 + 0.1 * thd ** 2 + 0.001 * u ** 2
    nthd = thd + (3 * g / (2 * l) * math.sin(th) + 3.0 / (m * l ** 2) * u) * dt
    nthd = min(max(nthd, -8.0), 8.0)
    return (th + nthd * dt, nthd), -cost

def acro_derivs(s, a):
    m1 = m2 = l1 = I1 = I2 = 1.0; lc1 = lc2 = 0.5; g = 9.8
    t1, t2, d1_, d2_ = s
    d1 = m1 * lc1 ** 2 + m2 * (l1 ** 2 + lc2 ** 2 + 2 * l1 * lc2 * math.cos(t2)) + I1 + I2
    d2 = m2 * (lc2 ** 2 + l1 * lc2 * math.cos(t2)) + I2
    phi2 = m2 * lc2 * g * math.cos(t1 + t2 - math.pi / 2.0)
    phi1 = (-m2 * l1 * lc2 * d2_ ** 2 * math.sin(t2) - 2 * m2 * l1 * lc2 * d2_ * d1_ * math.sin(t2)
            + (m1 * lc1 + m2 * l1) * g * math.cos(t1 - math.pi / 2) + phi2)
    dd2 = (a + d2 / d1 * phi1 - m2 * l1 * lc2 * d1_ ** 2 * math.sin(t2) - phi2) / (m2 * lc2 ** 2 + I2 - d2 ** 2 / d1)
    dd1 = -(d2 * dd2 + phi1) / d1
    return (d1_, d2_, dd1, dd2)

def acrobot(s, action):
    a = [-1.0, 0.0, 1.0][action]
    h = 0.2
    add = lambda y, k, c: tuple(yi + c * ki for yi, ki in zip(y, k))
    k1 = acro_derivs(s, a); k2 = acro_derivs(add(s, k1, h / 2), a)
    k3 = acro_derivs(add(s, k2, h / 2), a); k4 = acro_derivs(add(s, k3, h), a)
    y = tuple(s[i] + h / 6.0 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]) for i in range(4))
    def wrap(x):
        while x > math.pi: x -= 2 * math.pi
        while x < -math.pi: x += 2 * math.pi
        return x
    ns = (wrap(y[0]), wrap(y[1]), min(max(y[2], -4 * math.pi), 4 * math.pi), min(max(y[3], -9 * math.pi), 9 * math.pi))
    term = -math.cos(ns[0]) - math.cos(ns[1] + ns[0]) > 1.0
    return ns, (0.0 if term else -1.0), term

def mountaincar(s, a):
    x, v = s
    force = min(max(a, -1.0), 1.0)
    v += force * 0.0015 - 0.0025 * math.cos(3 * x)
    v = min(max(v, -0.07), 0.07)
    x += v
    x = min(max(x, -1.2), 0.6)
    if x == -1.2 and v < 0: v = 0.0
    term = x >= 0.45 and v >= 0
    r = (100.0 if term else 0.0) - a ** 2 * 0.1
    return (f32(x), f32(v)), r, term

print("cartpole one step", cartpole((0.1, -0.2, 0.05, 0.3), 1))
s = (0.01, 0.02, -0.03, 0.04)
for t in range(100):
    s = cartpole(s, t % 2 if t < 20 else 0)
    if abs(s[0]) > 2.4 or abs(s[2]) > 12 * 2 * math.pi / 360: break
print("cartpole terminates after", t + 1, "steps in", s)
print("pendulum one step", pendulum((2.0, -3.0), 1.5))
print("pendulum clipped", pendulum((4.5, 7.9), 5.0))
s = (math.pi - 0.1, 0.5)
for t in range(50): s, _ = pendulum(s, f32(2.0 * math.sin(0.3 * t)))  # the C# test passes float torques
print("pendulum 50 steps", s)
print("acrobot one step", acrobot((0.3, -0.2, 0.5, -1.0), 2))
s = (f32(0.05), f32(-0.02), f32(0.01), f32(0.03))
for t in range(40): s, _, _ = acrobot(s, [2, 0, 1][t % 3] if t < 30 else 2)
print("acrobot 40 steps", s)
print("mountaincar one step", mountaincar((-0.5, 0.01), 0.7))
s = (-0.5, 0.0)
for t in range(100): s, _, _ = mountaincar(s, 1.0 if (t // 25) % 2 == 0 else -1.0)
print("mountaincar 100 steps", s)

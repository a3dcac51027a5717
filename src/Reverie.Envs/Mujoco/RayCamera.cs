// RayCamera: renders a MuJoCo scene without OpenGL — one mj_ray per pixel, shaded in C# (headlight + top light, checker floor, gradient sky).
namespace Reverie.Envs.Mujoco;

/// <summary>
/// A GL-free camera for <see cref="MjSim"/> scenes (<c>../shared/ENVS.md</c> §2.4). For each pixel
/// centre a ray leaves the camera (<c>cam_xpos</c>, <c>cam_xmat</c>, <c>cam_fovy</c>) and
/// <c>mj_ray</c> returns the nearest visible geom of groups 0–2 (as MuJoCo's default visual
/// options). The surface normal comes from the geom's primitive (sphere, capsule, cylinder, box,
/// ellipsoid, plane) and the colour from its material or rgba, lit by an ambient term, a headlight
/// and a light from above; planes get a checker pattern and misses a sky gradient (DMC's colours).
/// No shadows, reflections or anti-aliasing; sites are invisible. Deterministic: the same state
/// gives the same bytes. Allocation-free after construction.
/// </summary>
public sealed unsafe class RayCamera
{
    private const double Ambient = 0.35, Head = 0.45, Top = 0.35;
    private readonly MjSim _sim;
    private readonly float[] _rgb; // (ngeom, 3) base colour, refreshed per frame (tasks may edit colours)

    /// <summary>A camera over <paramref name="sim"/>; <paramref name="checker"/> is the floor's checker cell size in metres.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The camera id is out of range or the checker size not positive.</exception>
    public RayCamera(MjSim sim, int camera = 0, double checker = 0.5)
    {
        if ((uint)camera >= (uint)sim.NCam) throw new ArgumentOutOfRangeException(nameof(camera), $"camera {camera} of {sim.NCam} in {System.IO.Path.GetFileName(sim.Path)}");
        if (!(checker > 0)) throw new ArgumentOutOfRangeException(nameof(checker), $"checker size must be > 0, got {checker}");
        _sim = sim; Camera = camera; Checker = checker;
        _rgb = new float[sim.NGeom * 3];
    }

    /// <summary>The camera id.</summary>
    public int Camera { get; }

    /// <summary>Checker cell size on planes (m).</summary>
    public double Checker { get; }

    /// <summary>Renders (height, width, 3) RGB bytes, top row first. The sim's kinematics must be current (after a forward or control step).</summary>
    /// <exception cref="ArgumentException">The buffer is not height * width * 3 bytes.</exception>
    public void Render(Span<byte> rgb, int height, int width)
    {
        if (height < 1 || width < 1 || rgb.Length != height * width * 3)
            throw new ArgumentException($"render buffer has {rgb.Length} bytes but {height}x{width} RGB needs {height * width * 3}");
        RefreshColours();
        ReadOnlySpan<double> cp = _sim.CamXpos.Slice(3 * Camera, 3), R = _sim.CamXmat.Slice(9 * Camera, 9);
        double t = Math.Tan(_sim.CamFovy[Camera] * Math.PI / 360), aspect = (double)width / height;
        double* pnt = stackalloc double[3];
        double* vec = stackalloc double[3];
        byte* groups = stackalloc byte[6];
        groups[0] = groups[1] = groups[2] = 1; groups[3] = groups[4] = groups[5] = 0;
        pnt[0] = cp[0]; pnt[1] = cp[1]; pnt[2] = cp[2];
        for (int y = 0; y < height; y++)
        {
            double v = (1 - 2 * (y + 0.5) / height) * t;
            for (int x = 0; x < width; x++)
            {
                double u = (2 * (x + 0.5) / width - 1) * t * aspect;
                // Columns of the camera frame: right, up, backwards.
                double dx = R[0] * u + R[1] * v - R[2], dy = R[3] * u + R[4] * v - R[5], dz = R[6] * u + R[7] * v - R[8];
                double inv = 1 / Math.Sqrt(dx * dx + dy * dy + dz * dz);
                vec[0] = dx * inv; vec[1] = dy * inv; vec[2] = dz * inv;
                double dist = _sim.Ray(pnt, vec, groups, out int g);
                int o = (y * width + x) * 3;
                if (dist < 0 || g < 0) Sky(rgb.Slice(o, 3), vec[2]);
                else Shade(rgb.Slice(o, 3), g, pnt[0] + dist * vec[0], pnt[1] + dist * vec[1], pnt[2] + dist * vec[2], vec);
            }
        }
    }

    private void RefreshColours()
    {
        Span<int> mat = _sim.GeomMatId;
        Span<float> geom = _sim.GeomRgba, mats = _sim.MatRgba;
        for (int g = 0; g < mat.Length; g++)
        {
            var c = mat[g] >= 0 ? mats.Slice(4 * mat[g], 3) : geom.Slice(4 * g, 3);
            _rgb[3 * g] = c[0]; _rgb[3 * g + 1] = c[1]; _rgb[3 * g + 2] = c[2];
        }
    }

    private static void Sky(Span<byte> px, double dirZ)
    {
        // DMC's skybox gradient: (.4, .6, .8) above, black below.
        double s = Math.Clamp(0.5 + 0.5 * dirZ, 0, 1);
        px[0] = ToByte(0.4 * s); px[1] = ToByte(0.6 * s); px[2] = ToByte(0.8 * s);
    }

    private void Shade(Span<byte> px, int g, double hx, double hy, double hz, double* dir)
    {
        ReadOnlySpan<double> gp = _sim.GeomXpos.Slice(3 * g, 3), M = _sim.GeomXmat.Slice(9 * g, 9), size = _sim.GeomSize.Slice(3 * g, 3);
        // Hit point in the geom's frame: l = Mᵀ (h − p).
        double ex = hx - gp[0], ey = hy - gp[1], ez = hz - gp[2];
        double lx = M[0] * ex + M[3] * ey + M[6] * ez, ly = M[1] * ex + M[4] * ey + M[7] * ez, lz = M[2] * ex + M[5] * ey + M[8] * ez;
        double nx, ny, nz, r, gr, b;
        int type = _sim.GeomType[g];
        switch (type)
        {
            case 0: // plane: checker in its own xy
                (nx, ny, nz) = (0, 0, 1);
                break;
            case 3: // capsule: from the nearest point of the axis segment
                (nx, ny, nz) = (lx, ly, lz - Math.Clamp(lz, -size[1], size[1]));
                break;
            case 4: // ellipsoid: gradient of Σ (l_i / s_i)²
                (nx, ny, nz) = (lx / (size[0] * size[0]), ly / (size[1] * size[1]), lz / (size[2] * size[2]));
                break;
            case 5: // cylinder: caps or side
                {
                    double radial = Math.Sqrt(lx * lx + ly * ly);
                    (nx, ny, nz) = Math.Abs(lz) / size[1] > radial / size[0] ? (0, 0, Math.Sign(lz)) : (lx, ly, 0);
                    break;
                }
            case 6: // box: the face whose normalized coordinate is largest
                {
                    double ax = Math.Abs(lx) / size[0], ay = Math.Abs(ly) / size[1], az = Math.Abs(lz) / size[2];
                    (nx, ny, nz) = ax >= ay && ax >= az ? (Math.Sign(lx), 0, 0) : ay >= az ? (0, Math.Sign(ly), 0) : (0, 0, Math.Sign(lz));
                    break;
                }
            default: // sphere and anything else: radial
                (nx, ny, nz) = (lx, ly, lz);
                break;
        }
        // Back to world: n = M l.
        double wx = M[0] * nx + M[1] * ny + M[2] * nz, wy = M[3] * nx + M[4] * ny + M[5] * nz, wz = M[6] * nx + M[7] * ny + M[8] * nz;
        double len = Math.Sqrt(wx * wx + wy * wy + wz * wz);
        if (len > 0) { wx /= len; wy /= len; wz /= len; } else { wx = -dir[0]; wy = -dir[1]; wz = -dir[2]; }
        double facing = -(wx * dir[0] + wy * dir[1] + wz * dir[2]);
        if (facing < 0) { facing = -facing; wz = -wz; } // seen from behind
        double light = Ambient + Head * facing + Top * Math.Max(0, wz);
        if (type == 0)
        {
            // DMC's grid material: a checker of (.1, .2, .3) and (.2, .3, .4), texture repeats in metres.
            bool odd = (((long)Math.Floor(lx / Checker) + (long)Math.Floor(ly / Checker)) & 1) != 0;
            (r, gr, b) = odd ? (0.2, 0.3, 0.4) : (0.1, 0.2, 0.3);
            light = 0.6 + 0.6 * facing;
        }
        else (r, gr, b) = (_rgb[3 * g], _rgb[3 * g + 1], _rgb[3 * g + 2]);
        px[0] = ToByte(r * light); px[1] = ToByte(gr * light); px[2] = ToByte(b * light);
    }

    private static byte ToByte(double c) => (byte)(Math.Clamp(c, 0, 1) * 255 + 0.5);
}

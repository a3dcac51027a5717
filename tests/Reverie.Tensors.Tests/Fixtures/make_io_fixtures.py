#!/usr/bin/python3
"""Reference files for Reverie's IO tests (Reverie.Tensors.IO: Npy, Npz, SafeTensors).

Run from anywhere with Debian's Python (numpy 1.24):
    /usr/bin/python3 tests/Reverie.Tensors.Tests/Fixtures/make_io_fixtures.py
It (re)writes the small files under Fixtures/io/. The values are deterministic: they come from
closed-form formulas the C# tests recompute (see the docstring of each helper). Only the .npz files
change bytes between runs (numpy's zipfile stamps the current time on each entry).

    /usr/bin/python3 tests/Reverie.Tensors.Tests/Fixtures/make_io_fixtures.py --verify DIR
checks, with NumPy and a by-hand safetensors parser, the files that Reverie wrote into DIR when the
tests ran with REVERIE_IO_EXPORT_DIR=DIR (see IoInteropTests.cs).

The `safetensors` package is not installed here, so safetensors files are written by hand with
struct + json, following https://github.com/huggingface/safetensors#format exactly: u64 little-endian
header length N, compact JSON header (keys per tensor: dtype, shape, data_offsets; __metadata__
first), padded with spaces so N % 8 == 0, then the data, tiling the data section without holes.
"""
import json
import os
import struct
import sys
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "io")


def grid(n):
    """v[i] = (i % 11 - 5) * 0.25 + i / 1024: exact in float32 for the sizes used here."""
    i = np.arange(n, dtype=np.float64)
    return (i % 11 - 5) * 0.25 + i / 1024


def thirds(n):
    """v[i] = (i + 1) / 3 - 2 in float64 (not exact in float32: tests the f8 -> f4 rounding)."""
    i = np.arange(n, dtype=np.float64)
    return (i + 1) / 3 - 2


def u8(n):
    """v[i] = (7 * i) % 256."""
    return ((7 * np.arange(n)) % 256).astype(np.uint8)


def flags(n):
    """v[i] = (5 * i) % 3 == 0."""
    return (5 * np.arange(n)) % 3 == 0


INT32S = np.array([-2147483648, -1, 0, 1, 2, 1000000, 2147483647], dtype=np.int32)
INT64S = np.array([[-2147483648, -5, 0], [3, 77, 2147483647]], dtype=np.int64)


def save_safetensors(path, tensors, metadata=None):
    """tensors: list of (name, dtype string, shape, raw little-endian bytes), written in list order."""
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    offset = 0
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for _, _, _, raw in tensors:
            f.write(raw)


def load_safetensors(path):
    """By-hand reader: returns ({name: float32 array}, metadata). Checks the layout like the spec."""
    sizes = {"F32": ("<f4", 4), "F64": ("<f8", 8), "F16": ("<f2", 2)}
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    assert 8 + n <= len(blob) and n % 8 == 0, "bad header length"
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data = blob[8 + n:]
    metadata = header.pop("__metadata__", {})
    pos, out = 0, {}
    for name, e in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        b, end = e["data_offsets"]
        assert b == pos, f"hole or overlap at {name}"
        descr, size = sizes[e["dtype"]]
        assert end - b == size * int(np.prod(e["shape"], dtype=np.int64)), f"size mismatch at {name}"
        out[name] = np.frombuffer(data[b:end], dtype=descr).reshape(e["shape"]).astype(np.float32)
        pos = end
    assert pos == len(data), "trailing bytes"
    return out, metadata


def f32(a):
    return np.ascontiguousarray(a, dtype="<f4")


def bf16_bytes(a32):
    """float32 -> bfloat16 with round-to-nearest-even (what torch's .to(torch.bfloat16) does for finite values)."""
    bits = f32(a32).view("<u4").astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype("<u2")


def make():
    os.makedirs(OUT, exist_ok=True)
    p = lambda name: os.path.join(OUT, name)

    # --- .npy, one per dtype, written by numpy.save (format 1.0)
    np.save(p("npy_f4.npy"), f32(grid(30).reshape(2, 3, 5)))
    np.save(p("npy_f8.npy"), thirds(12).reshape(4, 3))
    np.save(p("npy_i4.npy"), INT32S)
    np.save(p("npy_i8.npy"), INT64S)
    np.save(p("npy_u1.npy"), u8(48).reshape(4, 4, 3))
    np.save(p("npy_b1.npy"), flags(9).reshape(3, 3))
    np.save(p("npy_scalar.npy"), np.float32(3.5))
    np.save(p("npy_empty.npy"), np.zeros((0, 3), dtype=np.float32))
    np.save(p("npy_f4_1d.npy"), f32(grid(7)))
    np.save(p("npy_f4_rank4.npy"), f32(grid(2 * 1 * 3 * 2).reshape(2, 1, 3, 2)))
    with open(p("npy_v2.npy"), "wb") as f:
        np.lib.format.write_array(f, f32(grid(12).reshape(3, 4)), version=(2, 0))
    # --- files Reverie must refuse with a clear message
    np.save(p("npy_fortran.npy"), np.asfortranarray(f32(grid(6).reshape(2, 3))))
    np.save(p("npy_i8_big.npy"), np.array([0, 2 ** 40], dtype=np.int64))
    np.save(p("npy_f2.npy"), np.array([1, 2], dtype=np.float16))
    np.save(p("npy_big_endian.npy"), np.array([1, 2], dtype=">f4"))

    # --- .npz: numpy.savez (stored) and numpy.savez_compressed (deflated), same content
    arrays = dict(obs=f32(grid(30).reshape(2, 3, 5)), action=INT32S, image=u8(48).reshape(4, 4, 3),
                  done=flags(9).reshape(3, 3), reward=thirds(12).reshape(4, 3))
    np.savez(p("npz_stored.npz"), **arrays)
    np.savez_compressed(p("npz_deflated.npz"), **arrays)
    for name, method in (("npz_stored.npz", zipfile.ZIP_STORED), ("npz_deflated.npz", zipfile.ZIP_DEFLATED)):
        with zipfile.ZipFile(p(name)) as z:
            assert all(i.compress_type == method for i in z.infolist()), name

    # --- safetensors as PyTorch's writer lays them out (largest dtype first, then by name),
    # with every float dtype Reverie reads. "emb_bf16_expected" is the F32 value of each BF16 element.
    emb = f32(thirds(6).reshape(2, 3))
    emb_bf16 = bf16_bytes(emb)
    emb_back = (emb_bf16.astype(np.uint32) << 16).view("<f4").reshape(2, 3)
    half = np.array([-2.0, -0.5, 0.0, 0.333984375, 65504.0], dtype="<f2")
    save_safetensors(p("st_torch_style.safetensors"), [
        ("double_f64", "F64", (2, 2), thirds(4).reshape(2, 2).astype("<f8").tobytes()),
        ("emb_bf16_expected", "F32", (2, 3), f32(emb_back).tobytes()),
        ("empty", "F32", (0, 4), b""),
        ("scalar", "F32", (), f32(np.float32(2.5)).tobytes()),
        ("weight_f32", "F32", (3, 4), f32(grid(12).reshape(3, 4)).tobytes()),
        ("bias_f16", "F16", (5,), half.tobytes()),
        ("emb_bf16", "BF16", (2, 3), emb_bf16.tobytes()),
    ], metadata={"format": "pt", "source": "make_io_fixtures.py"})

    # F32 only, in the exact layout Reverie's writer produces (metadata first with sorted keys, tensors
    # in the given order): the C# test writes the same tensors and compares bytes.
    save_safetensors(p("st_f32_reference.safetensors"), [
        ("a", "F32", (2, 3), f32(grid(6).reshape(2, 3)).tobytes()),
        ("b.weight", "F32", (4,), f32(thirds(4)).tobytes()),
        ("c", "F32", (), f32(np.float32(-1.25)).tobytes()),
    ], metadata={"format": "pt", "step": "10"})

    # A readable header with a dtype Reverie does not convert (I64).
    save_safetensors(p("st_i64.safetensors"), [
        ("ids", "I64", (3,), np.array([1, 2, 3], dtype="<i8").tobytes()),
        ("w", "F32", (2,), f32(grid(2)).tobytes()),
    ])

    # Round-trip check of the by-hand reader on what we just wrote.
    got, meta = load_safetensors(p("st_f32_reference.safetensors"))
    assert meta == {"format": "pt", "step": "10"} and np.array_equal(got["a"], f32(grid(6).reshape(2, 3)))
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"wrote {len(os.listdir(OUT))} files to {OUT} ({total} bytes)")


def verify(d):
    """Checks the files Reverie's tests export (see IoInteropTests.Export_files_for_numpy)."""
    a = np.load(os.path.join(d, "reverie_f4.npy"))
    assert a.dtype == np.float32 and a.shape == (2, 3, 5) and np.array_equal(a, f32(grid(30).reshape(2, 3, 5)))
    b = np.load(os.path.join(d, "reverie_i4.npy"))
    assert b.dtype == np.int32 and np.array_equal(b, INT32S)
    c = np.load(os.path.join(d, "reverie_u1.npy"))
    assert c.dtype == np.uint8 and np.array_equal(c, u8(48).reshape(4, 4, 3))
    e = np.load(os.path.join(d, "reverie_b1.npy"))
    assert e.dtype == np.bool_ and np.array_equal(e, flags(9).reshape(3, 3))
    s = np.load(os.path.join(d, "reverie_scalar.npy"))
    assert s.shape == () and s == np.float32(3.5)
    for name, method in (("reverie_stored.npz", zipfile.ZIP_STORED), ("reverie_deflated.npz", zipfile.ZIP_DEFLATED)):
        with zipfile.ZipFile(os.path.join(d, name)) as z:
            assert all(i.compress_type == method for i in z.infolist()), name
        z = np.load(os.path.join(d, name))
        assert sorted(z.files) == ["done", "image", "obs"], z.files
        assert np.array_equal(z["obs"], f32(grid(30).reshape(2, 3, 5)))
        assert np.array_equal(z["image"], u8(48).reshape(4, 4, 3))
        assert np.array_equal(z["done"], flags(9).reshape(3, 3))
    t, meta = load_safetensors(os.path.join(d, "reverie.safetensors"))
    assert meta == {"format": "pt", "step": "10"}, meta
    assert list(t) == ["a", "b.weight", "c"]
    assert np.array_equal(t["a"], f32(grid(6).reshape(2, 3))) and np.array_equal(t["b.weight"], f32(thirds(4)))
    assert t["c"].shape == () and t["c"] == np.float32(-1.25)
    print(f"verified Reverie-written files in {d}: NumPy and the safetensors layout accept them")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--verify":
        verify(sys.argv[2])
    else:
        make()

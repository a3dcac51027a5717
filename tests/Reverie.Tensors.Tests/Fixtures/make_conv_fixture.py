#!/usr/bin/env python3
"""Writes Fixtures/conv/*.json: PyTorch reference values for ConvTests.

Each case holds the inputs (x, weight, bias), the seed gradient w, the output out, and the
gradients of loss = sum(out * w) with respect to x, weight and bias. Arrays are flat, row-major,
float32 printed with 9 significant digits. Run from anywhere: /usr/bin/python3 make_conv_fixture.py
"""
import json
import os

import torch
import torch.nn.functional as F


def f32(t):
    return [float("%.9g" % v) for v in t.detach().reshape(-1).tolist()]


def case(name, transposed, x_shape, w_shape, stride, padding, output_padding, gen):
    x = torch.randn(*x_shape, generator=gen).requires_grad_()
    w = (torch.randn(*w_shape, generator=gen) * 0.5).requires_grad_()
    b = torch.randn(w_shape[1] if transposed else w_shape[0], generator=gen).requires_grad_()
    if transposed:
        out = F.conv_transpose2d(x, w, b, stride=stride, padding=padding, output_padding=output_padding)
    else:
        out = F.conv2d(x, w, b, stride=stride, padding=padding)
    seed = torch.randn(*out.shape, generator=gen)
    (out * seed).sum().backward()
    return {
        "name": name, "transposed": transposed,
        "stride": stride, "padding": padding, "output_padding": output_padding,
        "x_shape": list(x.shape), "w_shape": list(w.shape), "out_shape": list(out.shape),
        "x": f32(x), "weight": f32(w), "bias": f32(b), "seed": f32(seed), "out": f32(out),
        "grad_x": f32(x.grad), "grad_weight": f32(w.grad), "grad_bias": f32(b.grad),
    }


def main():
    gen = torch.Generator().manual_seed(1234)
    cases = [
        # The world-model encoder path: kernel 4, stride 2, padding 1, odd spatial size.
        case("conv2d_k4s2p1", False, (2, 3, 9, 8), (5, 3, 4, 4), 2, 1, 0, gen),
        # Non-square kernel, stride 1, no padding.
        case("conv2d_k3x2", False, (1, 2, 5, 6), (3, 2, 3, 2), 1, 0, 0, gen),
        # The decoder path: kernel 4, stride 2, padding 1, plus an output_padding case.
        case("conv_transpose2d_k4s2p1", True, (2, 4, 4, 3), (4, 3, 4, 4), 2, 1, 0, gen),
        case("conv_transpose2d_k3x2_op1", True, (2, 2, 3, 4), (2, 3, 3, 2), 2, 1, 1, gen),
    ]
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "conv")
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "conv_cases.json")
    with open(path, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Golden PyTorch fixtures for Reverie's Nn/Optim/Dist modules.

Run with Debian's Python and PyTorch (1.13, CPU):
    /usr/bin/python3 tests/Reverie.Tensors.Tests/Fixtures/make_torch_fixtures.py
It rewrites Fixtures/torch/<fixture>.safetensors, one file per fixture, bit-for-bit the same on every
run (fixed seeds, float32, single thread). Fixtures/torch/fixtures_README.md describes every tensor.

Naming inside each file:
    param.<state_dict name>   parameters, named exactly as the PyTorch module's state_dict
    grad.<input name>         d loss / d input, e.g. grad.x
    grad.param.<name>         d loss / d parameter
    loss                      the scalar loss (shape [])
Metadata (__metadata__) records the fixture name, the torch version, the seed and the constants.

Files are safetensors written by hand (struct + json, the `safetensors` package is not installed),
F32 only, in the layout Reverie's own writer produces: compact JSON, __metadata__ first with sorted
keys, tensors in insertion order, header padded with spaces to a multiple of 8.
Each fixture also checks the equations the README states against PyTorch (asserts below), so the
README's semantics are verified, not just described.
"""
import json
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch")


def save(name, tensors, meta):
    """tensors: dict name -> float32 tensor (insertion order = file order). meta: dict of str -> str/number."""
    meta = {"fixture": name, "torch_version": torch.__version__, **{k: str(v) for k, v in meta.items()}}
    header = {"__metadata__": {k: meta[k] for k in sorted(meta)}}
    blobs, offset = [], 0
    for key, t in tensors.items():
        t = t.detach().to(torch.float32).contiguous()
        raw = t.numpy().astype("<f4").tobytes()
        header[key] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    path = os.path.join(OUT, name + ".safetensors")
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
    size = os.path.getsize(path)
    assert size < 200_000, f"{name} is {size} bytes"
    print(f"{name:18s} {len(tensors):3d} tensors {size:7d} bytes")


def params_and_grads(module):
    out = {}
    for k, p in module.state_dict(keep_vars=True).items():
        out["param." + k] = p
    for k, p in module.named_parameters():
        out["grad.param." + k] = p.grad
    return out


def close(a, b, tol=1e-5):
    assert torch.allclose(a, b, atol=tol, rtol=tol), (a - b).abs().max()


# ----------------------------------------------------------------------------- 1. MLP + LayerNorm + SiLU
def mlp_ln_silu():
    torch.manual_seed(1)
    eps = 1e-5
    net = nn.Sequential(nn.Linear(7, 16), nn.LayerNorm(16, eps=eps), nn.SiLU(),
                        nn.Linear(16, 16), nn.LayerNorm(16, eps=eps), nn.SiLU(), nn.Linear(16, 3))
    with torch.no_grad():  # non-trivial LayerNorm affine parameters (default is 1 and 0)
        for i in (1, 4):
            net[i].weight.copy_(1 + 0.2 * torch.randn(16))
            net[i].bias.copy_(0.2 * torch.randn(16))
    x = torch.randn(5, 7, requires_grad=True)
    w = torch.randn(5, 3)
    acts, h = {}, x
    for i, layer in enumerate(net):
        h = layer(h)
        acts[f"act.{i}"] = h
    out = h
    loss = (out * w).sum()
    loss.backward()
    # the documented LayerNorm: biased variance over the last axis, eps inside the sqrt
    a0 = acts["act.0"]
    mu, var = a0.mean(-1, keepdim=True), a0.var(-1, unbiased=False, keepdim=True)
    close(acts["act.1"], (a0 - mu) / torch.sqrt(var + eps) * net[1].weight + net[1].bias)
    close(acts["act.2"], acts["act.1"] * torch.sigmoid(acts["act.1"]))
    save("mlp_ln_silu", {"x": x, "w": w, **params_and_grads(net), "out": out, **acts, "loss": loss, "grad.x": x.grad},
         {"seed": 1, "layernorm_eps": eps, "loss_def": "sum(out * w)",
          "layers": "Linear(7,16) LayerNorm(16) SiLU Linear(16,16) LayerNorm(16) SiLU Linear(16,3)"})


# ----------------------------------------------------------------------------- 2. GRU cell
def gru_cell():
    torch.manual_seed(2)
    I, H = 6, 8
    cell = nn.GRUCell(I, H)
    x = torch.randn(4, I, requires_grad=True)
    h = torch.randn(4, H, requires_grad=True)
    w = torch.randn(4, H)
    h_next = cell(x, h)
    loss = (h_next * w).sum()
    loss.backward()
    # the documented equations, gate order (r, z, n) along the 3H axis
    gi = x @ cell.weight_ih.T + cell.bias_ih
    gh = h @ cell.weight_hh.T + cell.bias_hh
    r = torch.sigmoid(gi[:, :H] + gh[:, :H])
    z = torch.sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
    n = torch.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
    close(h_next, (1 - z) * n + z * h)
    save("gru_cell", {"x": x, "h": h, "w": w, **params_and_grads(cell), "h_next": h_next,
                      "r": r, "z": z, "n": n, "loss": loss, "grad.x": x.grad, "grad.h": h.grad},
         {"seed": 2, "input_size": I, "hidden_size": H, "gate_order": "r,z,n", "loss_def": "sum(h_next * w)"})


# ----------------------------------------------------------------------------- 3. Conv2d
def conv2d():
    torch.manual_seed(3)
    conv = nn.Conv2d(3, 4, kernel_size=3, stride=2, padding=1)
    x = torch.randn(2, 3, 9, 9, requires_grad=True)
    out = conv(x)
    assert out.shape == (2, 4, 5, 5)
    w = torch.randn(out.shape)
    loss = (out * w).sum()
    loss.backward()
    # the documented definition: zero padding, cross-correlation (no kernel flip)
    xp = F.pad(x, (1, 1, 1, 1))
    ref = torch.zeros_like(out)
    for i in range(5):
        for j in range(5):
            patch = xp[:, :, 2 * i:2 * i + 3, 2 * j:2 * j + 3]          # (B, C, 3, 3)
            ref[:, :, i, j] = torch.einsum("bckl,ockl->bo", patch, conv.weight) + conv.bias
    close(out, ref)
    save("conv2d", {"x": x, "w": w, **params_and_grads(conv), "out": out, "loss": loss, "grad.x": x.grad},
         {"seed": 3, "in_channels": 3, "out_channels": 4, "kernel_size": 3, "stride": 2, "padding": 1,
          "weight_layout": "[out, in, kH, kW]", "loss_def": "sum(out * w)"})


# ----------------------------------------------------------------------------- 4. ConvTranspose2d
def conv_transpose2d():
    torch.manual_seed(4)
    deconv = nn.ConvTranspose2d(4, 3, kernel_size=4, stride=2, padding=1)
    x = torch.randn(2, 4, 5, 5, requires_grad=True)
    out = deconv(x)
    assert out.shape == (2, 3, 10, 10)
    w = torch.randn(out.shape)
    loss = (out * w).sum()
    loss.backward()
    # the documented definition: scatter x[b,c,i,j] * W[c,o,ki,kj] to (i*s - p + ki, j*s - p + kj)
    s, p, k = 2, 1, 4
    full = torch.zeros(2, 3, (5 - 1) * s + k, (5 - 1) * s + k)
    for i in range(5):
        for j in range(5):
            full[:, :, i * s:i * s + k, j * s:j * s + k] += torch.einsum("bc,cokl->bokl", x[:, :, i, j], deconv.weight)
    ref = full[:, :, p:p + 10, p:p + 10] + deconv.bias.view(1, 3, 1, 1)
    close(out, ref)
    save("conv_transpose2d", {"x": x, "w": w, **params_and_grads(deconv), "out": out, "loss": loss,
                              "grad.x": x.grad},
         {"seed": 4, "in_channels": 4, "out_channels": 3, "kernel_size": 4, "stride": 2, "padding": 1,
          "output_padding": 0, "weight_layout": "[in, out, kH, kW]", "loss_def": "sum(out * w)"})


# ----------------------------------------------------------------------------- 5. symlog two-hot CE
def symlog(x):
    return torch.sign(x) * torch.log1p(torch.abs(x))


def twohot(x, bins):
    """DreamerV3's two-hot encoding of x (B,) over sorted bins (K,) -> (B, K)."""
    K = len(bins)
    below = (bins <= x[:, None]).sum(-1) - 1
    above = K - (bins > x[:, None]).sum(-1)
    below, above = below.clamp(0, K - 1), above.clamp(0, K - 1)
    equal = below == above
    dist_below = torch.where(equal, torch.ones_like(x), (bins[below] - x).abs())
    dist_above = torch.where(equal, torch.ones_like(x), (bins[above] - x).abs())
    total = dist_below + dist_above
    w_below, w_above = dist_above / total, dist_below / total
    return F.one_hot(below, K) * w_below[:, None] + F.one_hot(above, K) * w_above[:, None]


def twohot_ce():
    torch.manual_seed(5)
    K = 255
    # bins[i] = float32(-20 + 40 * i / 254), computed in double (exactly what C# gets from
    # (float)(-20 + 40.0 * i / 254)); torch.linspace in float32 is not symmetric (its bin 127 is -1.2e-7).
    bins = torch.tensor([-20 + 40 * i / (K - 1) for i in range(K)], dtype=torch.float64).float()
    # an interior bin hit exactly: the first k from 200 whose symexp survives the float32 round trip
    k = next(k for k in range(200, K) if symlog(torch.expm1(bins[k:k + 1]))[0] == bins[k])
    # six targets: 0 (the middle bin), beyond the top, below the bottom, exactly bin k, two in between
    y = torch.tensor([0.0, 1e10, -1e9, torch.expm1(bins[k]).item(), 3.7, -0.42])
    logits = (2 * torch.randn(6, K)).requires_grad_()
    sy = symlog(y)
    target = twohot(sy, bins)
    logp = F.log_softmax(logits, -1)
    loss_per_example = -(target * logp).sum(-1)
    loss = loss_per_example.mean()
    loss.backward()
    assert sy[1] > 20 and sy[2] < -20 and sy[3] == bins[k] and sy[0] == 0
    assert target[1, -1] == 1 and target[2, 0] == 1 and target[3, k] == 1 and target[0, (K - 1) // 2] == 1
    close(target.sum(-1), torch.ones(6))
    close(logits.grad, (F.softmax(logits, -1) - target) / 6)
    save("twohot_ce", {"bins": bins, "y": y, "symlog_y": sy, "target": target, "logits": logits,
                       "loss_per_example": loss_per_example, "loss": loss, "grad.logits": logits.grad},
         {"seed": 5, "num_bins": K, "low": -20, "high": 20, "exact_bin_index": k,
          "loss_def": "mean_b(-sum_k(twohot(symlog(y))[b,k] * log_softmax(logits)[b,k]))"})


# ----------------------------------------------------------------------------- 6. Adam, 10 steps
def adam10():
    torch.manual_seed(6)
    net = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))
    x = torch.randn(16, 4)
    target = torch.randn(16, 2)
    lr, b1, b2, eps = 1e-2, 0.9, 0.999, 1e-8
    opt = torch.optim.Adam(net.parameters(), lr=lr, betas=(b1, b2), eps=eps)
    tensors = {"x": x, "target": target}
    tensors.update({"param." + k: v.detach().clone() for k, v in net.state_dict().items()})
    # a hand-written Adam (the README's equations) run beside torch's
    mine = {k: v.detach().clone() for k, v in net.named_parameters()}
    m = {k: torch.zeros_like(v) for k, v in mine.items()}
    v2 = {k: torch.zeros_like(v) for k, v in mine.items()}
    losses = []
    for step in range(1, 11):
        opt.zero_grad()
        loss = F.mse_loss(net(x), target)
        loss.backward()
        losses.append(loss.item())
        if step == 1:
            tensors.update({"grad.param." + k: p.grad.clone() for k, p in net.named_parameters()})
        for k, p in net.named_parameters():
            g = p.grad
            m[k] = b1 * m[k] + (1 - b1) * g
            v2[k] = b2 * v2[k] + (1 - b2) * g * g
            denom = v2[k].sqrt() / (1 - b2 ** step) ** 0.5 + eps
            mine[k] = mine[k] - lr / (1 - b1 ** step) * m[k] / denom
        opt.step()
        for k, p in net.named_parameters():
            close(p.detach(), mine[k], 1e-6)
            tensors[f"step{step}.param.{k}"] = p.detach().clone()
    tensors["loss"] = torch.tensor(losses)
    tensors["loss_after"] = F.mse_loss(net(x), target).detach()
    for k, p in net.named_parameters():
        st = opt.state[p]
        tensors[f"state.exp_avg.param.{k}"] = st["exp_avg"]
        tensors[f"state.exp_avg_sq.param.{k}"] = st["exp_avg_sq"]
    save("adam10", tensors, {"seed": 6, "lr": lr, "beta1": b1, "beta2": b2, "eps": eps, "weight_decay": 0,
                             "amsgrad": False, "steps": 10, "loss_def": "mean((net(x) - target)^2)",
                             "layers": "Linear(4,8) Tanh Linear(8,2)"})


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for make in (mlp_ln_silu, gru_cell, conv2d, conv_transpose2d, twohot_ce, adam10):
        make()
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    assert total < 1_000_000, total
    print(f"total {total} bytes in {OUT}")

# Makes nn_torch.json: PyTorch (torch 1.13, CPU, float32) reference numbers for Reverie's Nn modules.
# Run from this folder with Debian's python: /usr/bin/python3 make_nn_fixture.py
# For each module: its state dict, the inputs, the output y, a random weight w and the gradients of
# sum(w * y) with respect to the inputs and every parameter.
import json
import torch

torch.manual_seed(0)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def case(module, inputs):
    inputs = [x.clone().requires_grad_(True) for x in inputs]
    y = module(*inputs)
    w = torch.randn_like(y)
    (w * y).sum().backward()
    return {
        "state": {k: {"shape": list(v.shape), "data": flat(v)} for k, v in module.state_dict().items()},
        "inputs": [{"shape": list(x.shape), "data": flat(x)} for x in inputs],
        "y": {"shape": list(y.shape), "data": flat(y)},
        "w": flat(w),
        "input_grads": [flat(x.grad) for x in inputs],
        "param_grads": {k: flat(p.grad) for k, p in module.named_parameters()},
    }


out = {}
out["gru_cell"] = case(torch.nn.GRUCell(5, 4), [torch.randn(3, 5), torch.randn(3, 4)])
ln = torch.nn.LayerNorm(6, eps=1e-5)
with torch.no_grad():
    ln.weight.copy_(torch.randn(6))
    ln.bias.copy_(torch.randn(6))
out["layer_norm"] = case(ln, [torch.randn(2, 3, 6) * 3 + 1])
out["linear"] = case(torch.nn.Linear(7, 3), [torch.randn(4, 7)])

with open("nn_torch.json", "w") as f:
    json.dump(out, f, indent=1)

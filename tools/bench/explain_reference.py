"""PyTorch reference for tools/bench/explain.ts: the same MLP (weights from the tfjs checkpoint), the
same inputs and the same Gauss-Legendre integrated gradients (numpy leggauss mapped to [0, 1], as
Captum), by autograd. Prints one JSON line per (threads, internal batch size) with inputs/s and the
largest difference from the tfjs attributions."""
import json, sys, time
import numpy as np
import torch

d = sys.argv[1]
meta = json.load(open(f"{d}/meta.json"))
params = json.load(open(f"{d}/params.json"))
weights = np.fromfile(f"{d}/model/weights.bin", dtype="<f4")
tensors, offset = {}, 0
for p in params:
    size = int(np.prod(p["shape"]))
    tensors[p["name"]] = torch.from_numpy(weights[offset:offset + size].reshape(p["shape"]).copy())
    offset += size
layers = sorted({name.split("/")[0] for name in tensors if name.startswith("hidden")}) + ["output"]
n, f, steps = meta["inputs"], meta["features"], meta["steps"]
x = torch.from_numpy(np.fromfile(f"{d}/inputs.bin", dtype="<f4").reshape(n, f))
reference = np.fromfile(f"{d}/attributions.bin", dtype="<f4").reshape(n, f)


def forward(z):
    h = z
    for name in layers[:-1]:
        h = torch.relu(h @ tensors[f"{name}/kernel"] + tensors[f"{name}/bias"])
    return (h @ tensors["output/kernel"] + tensors["output/bias"]).squeeze(1)


nodes, w = np.polynomial.legendre.leggauss(steps)
alphas = torch.tensor(0.5 * (1 + nodes), dtype=torch.float32)
step_weights = torch.tensor(0.5 * w, dtype=torch.float32)


def integrated_gradients(inputs, internal_batch):
    baseline = torch.zeros_like(inputs)
    total = torch.zeros_like(inputs)
    pairs = inputs.shape[0] * steps
    example = torch.arange(pairs) // steps
    step = torch.arange(pairs) % steps
    for start in range(0, pairs, internal_batch):
        e, s = example[start:start + internal_batch], step[start:start + internal_batch]
        scaled = (baseline[e] + alphas[s, None] * (inputs[e] - baseline[e])).requires_grad_(True)
        (grad,) = torch.autograd.grad(forward(scaled).sum(), scaled)
        total.index_add_(0, e, grad * step_weights[s, None])
    return (inputs - baseline) * total


for threads in (1, 2):
    torch.set_num_threads(threads)
    for internal_batch in meta["internalBatchSizes"]:
        integrated_gradients(x[:64], internal_batch)
        started, cpu_started = time.perf_counter(), time.process_time()
        attributions = integrated_gradients(x, internal_batch).numpy()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        diff = np.abs(attributions - reference)
        print(json.dumps({"threads": threads, "internalBatchSize": internal_batch, "inputsPerSecond": n / seconds,
                          "inputsPerCpuSecond": n / cpu, "maxAbsDiff": float(diff.max()), "p99AbsDiff": float(np.quantile(diff, 0.99)),
                          "maxRelDiff": float(diff.max() / np.abs(reference).max())}), flush=True)

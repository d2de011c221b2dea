"""PyTorch reference for tools/bench/train.ts: the same four architectures, data, batch size and
optimizer (AdamW, class-weighted BCE), timed on N threads (argv[2], default 2). Reads the arrays the TypeScript bench
wrote; prints one JSON line per model with samples/s."""
import json, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

d = sys.argv[1]
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
torch.set_num_threads(threads)
torch.manual_seed(0)
meta = json.load(open(f"{d}/meta.json"))
B = meta["batchSize"]


from pytorch_models import Lstm, Mlp, TabTransformer, Tcn  # noqa: E402


def bench(name, model, x, y, w, epochs):
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4, eps=1e-7)
    n = x.shape[0]
    def epoch():
        perm = torch.randperm(n)
        for i in range(0, n, B):
            idx = perm[i:i + B]
            loss = (F.binary_cross_entropy_with_logits(model(x[idx]), y[idx], reduction="none") * w[idx]).mean()
            opt.zero_grad(); loss.backward(); opt.step()
    model.train()
    epoch()  # warm-up
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(epochs):
        epoch()
    dt, dc = time.perf_counter() - t0, time.process_time() - c0
    print(json.dumps({"model": name, "samplesPerSecond": n * epochs / dt, "samplesPerCpuSecond": n * epochs / dc,
                      "parameters": sum(p.numel() for p in model.parameters())}), flush=True)


y = torch.from_numpy(np.fromfile(f"{d}/y.bin", dtype=np.float32))
w = torch.from_numpy(np.fromfile(f"{d}/w.bin", dtype=np.float32))
for name in meta["models"]:
    if name in ("mlp", "tabtransformer"):
        x = torch.from_numpy(np.fromfile(f"{d}/tabular.bin", dtype=np.float32).reshape(-1, meta["features"]))
        model = Mlp(meta["features"]) if name == "mlp" else TabTransformer(meta["features"], meta["featureToken"])
    else:
        x = torch.from_numpy(np.fromfile(f"{d}/series.bin", dtype=np.float32).reshape(-1, meta["hours"], meta["inputs"]))
        model = Lstm(meta["inputs"]) if name == "lstm" else Tcn(meta["inputs"])
    bench(name, model, x, y, w, meta["epochs"])

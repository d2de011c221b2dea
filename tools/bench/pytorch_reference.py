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


class Mlp(nn.Module):
    def __init__(s, f, hidden=(128, 64), p=0.2):
        super().__init__()
        layers, prev = [], f
        for h in hidden:
            layers += [nn.Linear(prev, h), nn.ReLU(), nn.Dropout(p)]
            prev = h
        s.body, s.out = nn.Sequential(*layers), nn.Linear(prev, 1)
    def forward(s, x):
        return s.out(s.body(x)).squeeze(1)


class Lstm(nn.Module):
    def __init__(s, c, h=64, p=0.2):
        super().__init__()
        s.lstm, s.drop, s.out = nn.LSTM(c, h, batch_first=True), nn.Dropout(p), nn.Linear(h, 1)
    def forward(s, x):
        _, (h, _) = s.lstm(x)
        return s.out(s.drop(h[-1])).squeeze(1)


class Tcn(nn.Module):
    def __init__(s, c, ch=32, k=3, dil=(1, 2, 4), p=0.1):
        super().__init__()
        s.k, s.blocks = k, nn.ModuleList()
        for i, dl in enumerate(dil):
            cin = c if i == 0 else ch
            s.blocks.append(nn.ModuleDict({"c1": nn.Conv1d(cin, ch, k, dilation=dl), "c2": nn.Conv1d(ch, ch, k, dilation=dl),
                                           "res": nn.Conv1d(cin, ch, 1) if cin != ch else nn.Identity()}))
        s.dil, s.drop, s.out = dil, nn.Dropout1d(p), nn.Linear(2 * ch, 1)
    def forward(s, x):
        h = x.transpose(1, 2)
        for b, dl in zip(s.blocks, s.dil):
            pad = (s.k - 1) * dl
            y = s.drop(F.relu(b["c1"](F.pad(h, (pad, 0)))))
            y = s.drop(F.relu(b["c2"](F.pad(y, (pad, 0)))))
            h = F.relu(y + b["res"](h))
        return s.out(torch.cat([h[:, :, -1], h.mean(2)], 1)).squeeze(1)


class TabTransformer(nn.Module):
    def __init__(s, f, groups, d=32, heads=4, layers=2, ff=64, p=0.1):
        super().__init__()
        G = max(groups) + 1
        m = torch.zeros(f, G, 1)
        m[torch.arange(f), torch.tensor(groups), 0] = 1
        s.register_buffer("mask", m)
        s.w, s.b, s.cls = nn.Parameter(torch.randn(f, 1, d) * 0.1), nn.Parameter(torch.zeros(G, d)), nn.Parameter(torch.zeros(1, 1, d))
        layer = nn.TransformerEncoderLayer(d, heads, ff, p, activation="relu", batch_first=True, norm_first=True)
        s.enc, s.ln, s.out = nn.TransformerEncoder(layer, layers), nn.LayerNorm(d), nn.Linear(d, 1)
        s.G, s.d = G, d
    def forward(s, x):
        tok = (x @ (s.w * s.mask).reshape(x.shape[1], -1)).reshape(-1, s.G, s.d) + s.b
        h = s.enc(torch.cat([s.cls.expand(x.shape[0], -1, -1), tok], 1))
        return s.out(s.ln(h[:, 0])).squeeze(1)


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

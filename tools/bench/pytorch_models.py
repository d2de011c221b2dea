"""The study's four architectures in PyTorch, mirroring @ehr-backdoor/train's defaults: shared by the
train benchmark (pytorch_reference.py) and the sweep benchmark (pytorch_cell.py)."""
import torch
import torch.nn as nn
import torch.nn.functional as F


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

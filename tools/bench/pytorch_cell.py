"""Sweep cells in PyTorch, for tools/bench/sweep.ts: train the same architecture on the same
normalised (poisoned) training inputs with the same optimizer, batch size, class weights and epochs,
then predict the clean test stays and the triggered ones. Prints one JSON line per cell (AUROC, ASR,
seconds, and the seconds of training and of prediction).

usage: python3 pytorch_cell.py CELL_DIR THREADS     one cell, then exit (a process per cell)
       python3 pytorch_cell.py --serve THREADS      cells read from stdin, a directory a line, until it
                                                    closes (one long-lived process: imports paid once)"""
import json, sys, time

t_start = time.perf_counter()
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from pytorch_models import Lstm, Mlp, TabTransformer, Tcn  # noqa: E402


def auroc(y, p):
    order = np.argsort(p, kind="mergesort")
    ranks = np.empty(len(p))
    ranks[order] = np.arange(1, len(p) + 1)
    for v in np.unique(p):  # average ranks of ties
        m = p == v
        ranks[m] = ranks[m].mean()
    pos = y == 1
    return (ranks[pos].sum() - pos.sum() * (pos.sum() + 1) / 2) / (pos.sum() * (~pos).sum())


def run_cell(d, started):
    meta = json.load(open(f"{d}/meta.json"))
    torch.manual_seed(meta["seed"])

    def load(name, rows):
        x = np.fromfile(f"{d}/{name}.bin", dtype=np.float32)
        return torch.from_numpy(x.reshape(rows, *meta["shape"]))

    x_train = load("train", meta["nTrain"])
    y_train = torch.from_numpy(np.fromfile(f"{d}/y_train.bin", dtype=np.float32))
    w = torch.tensor(meta["classWeights"], dtype=torch.float32)[y_train.long()]
    x_test, x_trig = load("test", meta["nTest"]), load("triggered", meta["nTriggered"])
    y_test = np.fromfile(f"{d}/y_test.bin", dtype=np.float32)
    kind = meta["model"]
    if kind == "mlp":
        model = Mlp(meta["shape"][0])
    elif kind == "tabtransformer":
        model = TabTransformer(meta["shape"][0], meta["featureToken"])
    elif kind == "lstm":
        model = Lstm(meta["shape"][1])
    else:
        model = Tcn(meta["shape"][1])
    t_built = time.perf_counter()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4, eps=1e-7)
    B, n = meta["batchSize"], x_train.shape[0]
    model.train()
    for _ in range(meta["epochs"]):
        perm = torch.randperm(n)
        for i in range(0, n, B):
            idx = perm[i:i + B]
            loss = (F.binary_cross_entropy_with_logits(model(x_train[idx]), y_train[idx], reduction="none") * w[idx]).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    t_trained = time.perf_counter()
    model.eval()
    with torch.no_grad():
        p_test = torch.sigmoid(model(x_test)).numpy()
        p_trig = torch.sigmoid(model(x_trig)).numpy()
    t_predicted = time.perf_counter()
    # Phases, for sweep.ts's table beside the runner's own: training and the two predictions; the rest
    # (Python and the imports for a process per cell, reading the inputs, building the model) is seconds
    # minus these.
    return {"model": kind, "auroc": float(auroc(y_test, p_test)), "asr": float((p_trig > 0.5).mean()),
            "seconds": time.perf_counter() - started,
            "train_seconds": t_trained - t_built, "predict_seconds": t_predicted - t_trained}


torch.set_num_threads(int(sys.argv[2]))
if sys.argv[1] == "--serve":
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(run_cell(line.strip(), time.perf_counter())), flush=True)
else:
    print(json.dumps(run_cell(sys.argv[1], t_start)), flush=True)

"""Markdown tables of a sweep's aggregated.csv (from ehr-backdoor-aggregate), for docs/results.md.

usage: python3 tools/scripts/results-tables.py runs/default-report/aggregated.csv"""
import csv, sys
from collections import defaultdict

rows = list(csv.DictReader(open(sys.argv[1])))
get = defaultdict(dict)
for r in rows:
    if r["detector"]:
        continue
    get[(r["model"], r["trigger"], float(r["poison_rate"]))][r["metric"]] = r


def fmt(r, digits=3):
    if not r or r["mean"] == "":
        return "—"
    m = float(r["mean"])
    if r["ci_low"] and r["ci_high"]:
        return f"{m:.{digits}f} [{float(r['ci_low']):.{digits}f}, {float(r['ci_high']):.{digits}f}]"
    return f"{m:.{digits}f}"


models = sorted({k[0] for k in get}, key=["mlp", "tabtransformer", "lstm", "tcn"].index)
triggers = sorted({k[1] for k in get if k[1] != "none"})
rates = sorted({k[2] for k in get if k[2] > 0})

print("### Clean models (rate 0), test set, mean [95 % t-interval over seeds]\n")
print("| model | n | AUROC | AUPRC | accuracy | ECE | Brier |")
print("|---|---|---|---|---|---|---|")
for m in models:
    g = get[(m, "none", 0.0)]
    print(f"| {m} | {g.get('auroc', {}).get('n', '')} | {fmt(g.get('auroc'))} | {fmt(g.get('auprc'))} | {fmt(g.get('accuracy'))} | {fmt(g.get('ece'))} | {fmt(g.get('brier'))} |")

for metric, title in [("asr", "Attack success rate"), ("clean_auroc_drop", "Clean-AUROC drop (clean run − poisoned run, same seed)"), ("confidence_shift", "Confidence shift (mean p(target) triggered − untriggered)")]:
    print(f"\n### {title}\n")
    head = ["model", "trigger"] + (["0 (clean model)"] if metric != "clean_auroc_drop" else []) + [f"{r:g}" for r in rates]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for m in models:
        for t in triggers:
            if not any((m, t, r) in get for r in rates):
                continue
            cells = []
            if metric != "clean_auroc_drop":
                base = get[(m, "none", 0.0)].get(f"{metric}@{t}") or get.get((m, t, 0.0), {}).get(metric)
                cells.append(fmt(base, 2))
            cells += [fmt(get.get((m, t, r), {}).get(metric), 2 if metric != "clean_auroc_drop" else 3) for r in rates]
            print(f"| {m} | {t} | " + " | ".join(cells) + " |")

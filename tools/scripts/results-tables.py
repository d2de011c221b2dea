"""Markdown tables of a sweep's aggregated.csv (from ehr-backdoor-aggregate), for docs/results.md.

usage: python3 tools/scripts/results-tables.py runs/default-report/aggregated.csv

Every table says how its figures were measured (read from stats.json beside the CSV): what the poison
rate is a share of, the operating-threshold rule, the label, and the interval over seeds."""
import csv, json, os, sys
from collections import defaultdict

path = sys.argv[1]
rows = list(csv.DictReader(open(path)))
stats_path = os.path.join(os.path.dirname(os.path.abspath(path)), "stats.json")
stats = json.load(open(stats_path)) if os.path.exists(stats_path) else {}
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


measurement = stats.get("measurement", {})
basis = {"eligible": "share of the eligible training stays (label ≠ target)", "train": "share of the whole training split"}
label = {"hospital_mortality": "in-hospital mortality", "icu_mortality": "ICU mortality"}
interval = {"auto": "95 % logit-scale t interval over seeds for bounded metrics (t for the rest)", "t": "95 % t interval over seeds", "logit-t": "95 % logit-scale t interval over seeds", "bootstrap": "95 % percentile bootstrap over seeds"}
caption = (
    f"_Measured as: poison rate = {' or '.join(basis.get(b, b) for b in measurement.get('rateBasis', ['?']))}; "
    f"operating threshold {' or '.join(measurement.get('thresholdRule', ['?']))} on each model's clean validation split; "
    f"label {' or '.join(label.get(l, l) for l in measurement.get('labelDefinition', ['?']))}, target {' or '.join(measurement.get('targetLabel', ['?']))}; "
    f"mean [{interval.get(stats.get('options', {}).get('interval', ''), '95 % interval over seeds')}]._\n"
)

models = sorted({k[0] for k in get}, key=lambda m: (["mlp", "tabtransformer", "lstm", "tcn"] + [m]).index(m))
triggers = sorted({k[1] for k in get if k[1] != "none"})
rates = sorted({k[2] for k in get if k[2] > 0})

print("### Clean models (rate 0), test set\n")
print(caption)
print("| model | n | AUROC | AUPRC | threshold | accuracy | accuracy at 0.5 | ECE (top label) | ECE of p(target) | Brier |")
print("|---|---|---|---|---|---|---|---|---|---|")
for m in models:
    g = get[(m, "none", 0.0)]
    print(
        f"| {m} | {g.get('auroc', {}).get('n', '')} | {fmt(g.get('auroc'))} | {fmt(g.get('auprc'))} | {fmt(g.get('threshold'))} | {fmt(g.get('accuracy'))} | "
        f"{fmt(g.get('accuracy_at_0_5'))} | {fmt(g.get('ece'))} | {fmt(g.get('ece_target'))} | {fmt(g.get('brier'))} |"
    )

TABLES = [
    ("asr_lift_vs_clean", "ASR lift over the clean model (ASR − the clean model's ASR for the same trigger and seed; operating threshold)", False, 2),
    ("flip_rate", "Flip rate (operating threshold; stays predicted non-target untriggered)", True, 2),
    ("asr", "Attack success rate at the operating threshold", True, 2),
    ("asr_at_0_5", "Attack success rate at the fixed threshold 0.5 (comparison with the literature)", True, 2),
    ("auroc_drop_vs_clean", "Clean-AUROC drop (clean run − poisoned run, same seed)", False, 3),
    ("confidence_shift", "Confidence shift (mean p(target) triggered − untriggered)", True, 2),
]
for metric, title, with_clean, digits in TABLES:
    print(f"\n### {title}\n")
    print(caption)
    head = ["model", "trigger"] + (["0 (clean model)"] if with_clean else []) + [f"{r:g}" for r in rates]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for m in models:
        for t in triggers:
            if not any((m, t, r) in get for r in rates):
                continue
            cells = []
            if with_clean:
                base = get.get((m, t, 0.0), {}).get(metric) or get[(m, "none", 0.0)].get(f"{metric}@{t}")
                cells.append(fmt(base, digits))
            cells += [fmt(get.get((m, t, r), {}).get(metric), digits) for r in rates]
            print(f"| {m} | {t} | " + " | ".join(cells) + " |")

tests = [t for t in stats.get("tests", []) if t["metric"] in ("asr", "flip_rate")]
if tests:
    print("\n### Poisoned vs clean, paired by seed: ASR and flip rate\n")
    print(caption)
    print("| model | trigger | rate | metric | pairs | mean difference | paired t p (Holm) | sign-flip p (smallest possible) | Welch p |")
    print("|---|---|---|---|---|---|---|---|---|")
    def p(x):
        return "—" if x is None else f"{x:.2g}"
    for t in tests:
        print(
            f"| {t['model']} | {t['trigger']} | {t['poison_rate']:g} | {t['metric']} | {t['n_pairs']} | "
            f"{'—' if t['mean_difference'] is None else format(t['mean_difference'], '.3f')} | {p(t['p_holm'])} | {p(t['p_permutation'])} ({p(t['p_permutation_min'])}) | {p(t['welch_p'])} |"
        )

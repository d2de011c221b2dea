"""Markdown tables of an attack catalogue (studies/catalogue.yaml) for docs/results.md: one table per
trigger family with both targets, the variants' stealth and natural look-alike rates, and a ranking of
the attack variants by ASR at 1 % against their stealth.

usage: python3 tools/scripts/catalogue-tables.py --report REPORT --runs RUNS --data DATA [--demo DEMO] [--rank-rate 0.01]

REPORT is `ehr-backdoor-aggregate --runs RUNS --out REPORT` (aggregated.csv and stats.json; the figures
over seeds come from there, never from the summaries by hand). RUNS holds study.resolved.json, which
says which trigger, parameters and target each attack variant (the `trigger` column of aggregated.csv)
has. DATA (and DEMO) are prepared datasets: the look-alike rates and stealth reports come from
`ehr-backdoor triggers --json` run once per dataset and target over the catalogue's variants, cached
in REPORT/triggers-{name}-t{target}.json (delete them to recompute).

Works on an unfinished runs folder: every cell reports its number of seeds, and missing cells are "—"."""
import argparse, csv, json, os, subprocess, sys
from collections import defaultdict

FAMILY_ORDER = [
    "rare_value", "missingness", "hybrid", "pattern", "correlation", "frequency_domain",
    "distribution_shift", "blended", "temporal_pattern", "missingness_pattern",
]
MODEL_ORDER = ["mlp", "tabtransformer", "lstm", "tcn"]
CLI = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "apps", "runner", "bin", "ehr-backdoor.js")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--report", required=True, help="aggregate report folder (aggregated.csv, stats.json)")
    p.add_argument("--runs", required=True, help="the study's runs folder (study.resolved.json)")
    p.add_argument("--resolved", help="another study.resolved.json (default RUNS/study.resolved.json): e.g. the whole study's, when its cells were run in parts")
    p.add_argument("--data", required=True, help="prepared synthetic dataset the study ran on")
    p.add_argument("--demo", help="prepared MIMIC-IV demo, for its look-alike rates")
    p.add_argument("--rank-rate", type=float, default=0.01, help="poison rate of the ranking (default 0.01)")
    return p.parse_args()


def load_report(report):
    get = defaultdict(dict)
    for r in csv.DictReader(open(os.path.join(report, "aggregated.csv"))):
        if not r["detector"]:
            get[(r["model"], r["trigger"], float(r["poison_rate"]))][r["metric"]] = r
    stats_path = os.path.join(report, "stats.json")
    return get, (json.load(open(stats_path)) if os.path.exists(stats_path) else {})


def triggers_report(data, attacks, target, cache):
    """`ehr-backdoor triggers --json` over these attack variants (same order), cached as JSON."""
    if os.path.exists(cache):
        report = json.load(open(cache))
    else:
        cmd = ["node", CLI, "triggers", "--data", data, "--target-label", str(target), "--json"]
        for a in attacks:
            cmd += ["--trigger", f"{a['trigger']}={json.dumps(a['params'], separators=(',', ':'))}"]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            # One trigger the dataset cannot carry (a variable it lacks) fails the whole call: ask one by one.
            if len(attacks) > 1:
                rows = [triggers_report(data, [a], target, None) for a in attacks]
                report = {"rows": [r[0] if r else None for r in rows]}
                json.dump(report, open(cache, "w"), indent=1)
                return report["rows"]
            print(f"note: {data}: {attacks[0]['name']}: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else 'failed'}", file=sys.stderr)
            return [None]
        report = json.loads(done.stdout)
        if cache:
            json.dump(report, open(cache, "w"), indent=1)
    rows = report["rows"]
    for a, r in zip(attacks, rows):
        if r and (r["trigger"]["name"] != a["trigger"] or any(r["trigger"]["params"].get(k) != v for k, v in a["params"].items())):
            sys.exit(f"{cache}: row for {a['name']} is {r['trigger']}: delete the cached file and rerun")
    return rows


def stealth_by_variant(args, attacks):
    """attack name → {synthetic: row, demo: row} from the triggers command, per target."""
    out = defaultdict(dict)
    for label, data in (("synthetic", args.data), ("demo", args.demo)):
        if not data:
            continue
        for target in (0, 1):
            group = [a for a in attacks if a["target"] == target]
            if not group:
                continue
            cache = os.path.join(args.report, f"triggers-{label}-t{target}.json")
            for a, row in zip(group, triggers_report(data, group, target, cache)):
                out[a["name"]][label] = row
    return out


def pct(x, digits=1):
    return "—" if x is None or x != x else f"{100 * x:.{digits}f} %"


def mean(r):
    return None if not r or r["mean"] == "" else float(r["mean"])


def fmt(r, digits=2, ci=True, sign=False):
    m = mean(r)
    if m is None:
        return "—"
    s = f"{m:+.{digits}f}" if sign else f"{m:.{digits}f}"
    if ci and r["ci_low"] and r["ci_high"]:
        s += f" [{float(r['ci_low']):.{digits}f}, {float(r['ci_high']):.{digits}f}]"
    return s + seeds_mark(r)


EXPECTED_SEEDS = [3]


def seeds_mark(r):
    n = int(r["n"]) if r and r.get("n") else 0
    return "" if n == EXPECTED_SEEDS[0] else f" (n={n})"


def lookalike_cell(row):
    if not row:
        return "—"
    la = row["lookalike"]
    return f"{pct(la['rate'])} ({la['carriers']})"


def stealth_cell(row):
    """Share of written values outside the training P1–P99 band (outside the plausible range), per view."""
    if not row:
        return "—"
    parts = []
    for s in row["stealth"]:
        v = "tab" if s["view"] == "tabular" else "ts"
        if s["changedValues"] == 0:
            parts.append(f"{v}: removes only" if s.get("removedValues") else f"{v}: writes nothing")
        else:
            parts.append(f"{v}: {pct(s['shareOutsideTrainingP1P99'])} ({pct(s['shareOutsidePlausible'])})")
    return "; ".join(parts)


def out_of_band(row):
    """The largest share outside the training band over the trigger's views (0 when it only removes)."""
    if not row:
        return None
    shares = [s["shareOutsideTrainingP1P99"] for s in row["stealth"] if s["changedValues"] > 0]
    return max(shares) if shares else 0.0


def describe_params(given):
    """The parameters the study file sets (the rest are the trigger's defaults)."""
    return ", ".join(f"{k} {json.dumps(v)}" for k, v in (given or {}).items()) or "defaults"


def caption(stats, get, keys, what):
    m = stats.get("measurement", {})
    basis = {"eligible": "share of the eligible training stays (label ≠ target)", "train": "share of the whole training split"}
    label = {"hospital_mortality": "in-hospital mortality", "icu_mortality": "ICU mortality"}
    epochs = sorted({mean(get[k].get("evaluated_epoch")) for k in keys if get[k].get("evaluated_epoch")} - {None})
    ns = sorted({int(r["n"]) for k in keys for r in [get[k].get("asr")] if r})
    rules = " or ".join(x.replace("fpr=", "FPR ") for x in m.get("thresholdRule", ["?"]))
    return (
        f"_{what} Measured at the operating threshold ({rules} on each model's clean validation split, per seed); "
        f"poison rate = {' or '.join(basis.get(b, b) for b in m.get('rateBasis', ['?']))}; "
        f"label {' or '.join(label.get(x, x) for x in m.get('labelDefinition', ['?']))}; dirty-label; "
        f"epoch {', '.join(f'{e:g}' for e in epochs) or '?'} evaluated (last); mean [95 % interval over seeds: "
        f"logit-scale t for ASR, t for differences], {'/'.join(map(str, ns)) or '?'} seeds; (n=k) marks a cell with fewer._\n"
    )


def main():
    args = parse_args()
    get, stats = load_report(args.report)
    resolved = json.load(open(args.resolved or os.path.join(args.runs, "study.resolved.json")))
    attacks = resolved["attacks"]
    EXPECTED_SEEDS[0] = len(resolved["study"].get("seeds", [0]))
    stealth = stealth_by_variant(args, attacks)
    given_params = {name: spec.get("params") for name, spec in resolved["study"]["attacks"].items()}
    rates = sorted(r for r in resolved["study"].get("rates", []) if r > 0) or sorted({k[2] for k in get if k[2] > 0})
    families = [f for f in FAMILY_ORDER if any(a["trigger"] == f for a in attacks)]
    families += sorted({a["trigger"] for a in attacks} - set(families))

    for family in families:
        members = [a for a in attacks if a["trigger"] == family]
        print(f"\n### {family}\n")
        print("| attack variant | target | parameters | look-alikes, synthetic: all stays (count) | false triggers, synthetic | look-alikes, demo (count) | false triggers, demo | out-of-band share (synthetic): outside training P1–P99 (outside plausible) |")
        print("|---|---:|---|---:|---:|---:|---:|---|")
        for a in members:
            s = stealth.get(a["name"], {})
            syn, demo = s.get("synthetic"), s.get("demo")
            ft = lambda row: "—" if not row else pct(row["falseTriggerRate"])
            print(f"| {a['name']} | {a['target']} | {describe_params(given_params.get(a['name']))} | {lookalike_cell(syn)} | {ft(syn)} | {lookalike_cell(demo)} | {ft(demo)} | {stealth_cell(syn)} |")
        print()
        keys = [(m, a["name"], r) for a in members for m in a["models"] for r in rates]
        print(caption(stats, get, keys, "ASR with the clean model's rate for the same trigger (its lift is ASR − that, paired by seed) and the clean-AUROC drop (clean cell − poisoned cell, same seed)."))
        head = ["model", "attack variant", "target", "clean-model ASR"] + [f"ASR at {100 * r:g} %" for r in rates] + ["lift at " + " / ".join(f"{100 * r:g}" for r in rates) + " %", "clean-AUROC drop at " + " / ".join(f"{100 * r:g}" for r in rates) + " %"]
        print("| " + " | ".join(head) + " |")
        print("|---|---|---:|" + "---|" * (len(head) - 3))
        for m in sorted({m for a in members for m in a["models"]}, key=lambda m: (MODEL_ORDER + [m]).index(m)):
            for a in members:
                if m not in a["models"]:
                    continue
                g = lambda r, metric: get.get((m, a["name"], r), {}).get(metric)
                cells = [fmt(g(0.0, "asr"))] + [fmt(g(r, "asr")) for r in rates]
                cells.append(" / ".join(fmt(g(r, "asr_lift_vs_clean"), ci=False, sign=True) for r in rates))
                cells.append(" / ".join(fmt(g(r, "auroc_drop_vs_clean"), digits=3, ci=False, sign=True) for r in rates))
                print(f"| {m} | {a['name']} | {a['target']} | " + " | ".join(cells) + " |")

    rr = args.rank_rate
    print(f"\n### Ranking: ASR at {100 * rr:g} % against stealth\n")
    keys = [(m, a["name"], rr) for a in attacks for m in a["models"]]
    print(caption(stats, get, keys, f"Attack variants ordered by their ASR at {100 * rr:g} % averaged over the models they run on (per model: ASR, lift in brackets); stealth on the synthetic cohort: false-trigger rate (clean non-target stays that already carry the trigger) and out-of-band share (written values outside the training P1–P99 band, the larger of the two views). ★ = no other variant is at least as good on all three (higher ASR, lower false-trigger rate, lower out-of-band share) and better on one."))
    models = [m for m in MODEL_ORDER if any(m in a["models"] for a in attacks)]
    entries = []
    for a in attacks:
        asrs = [mean(get.get((m, a["name"], rr), {}).get("asr")) for m in a["models"]]
        asrs = [x for x in asrs if x is not None]
        syn = stealth.get(a["name"], {}).get("synthetic")
        entries.append({
            "a": a, "asr": sum(asrs) / len(asrs) if asrs else None, "n_models": len(asrs),
            "false": syn["falseTriggerRate"] if syn else None, "oob": out_of_band(syn),
        })
    def dominated(e):
        if e["asr"] is None or e["false"] is None:
            return False
        for o in entries:
            if o is e or o["asr"] is None or o["false"] is None:
                continue
            ge = o["asr"] >= e["asr"] and o["false"] <= e["false"] and o["oob"] <= e["oob"]
            gt = o["asr"] > e["asr"] or o["false"] < e["false"] or o["oob"] < e["oob"]
            if ge and gt:
                return True
        return False
    print("| rank | attack variant | target | mean ASR | " + " | ".join(models) + " | false-trigger rate | out-of-band share | |")
    print("|---:|---|---:|---:|" + "---|" * len(models) + "---:|---:|---|")
    ranked = sorted(entries, key=lambda e: -1 if e["asr"] is None else e["asr"], reverse=True)
    for i, e in enumerate(ranked, 1):
        a = e["a"]
        per = []
        for m in models:
            cell = get.get((m, a["name"], rr), {})
            per.append("n/a" if m not in a["models"] else "—" if not cell.get("asr") else f"{fmt(cell['asr'], ci=False)} ({fmt(cell.get('asr_lift_vs_clean'), ci=False, sign=True)})")
        asr = "—" if e["asr"] is None else f"{e['asr']:.2f}" + ("" if e["n_models"] == len(a["models"]) else f" ({e['n_models']} of {len(a['models'])} models)")
        print(f"| {i} | {a['name']} | {a['target']} | {asr} | " + " | ".join(per) + f" | {pct(e['false'])} | {pct(e['oob'])} | {'' if dominated(e) or e['asr'] is None else '★'} |")


if __name__ == "__main__":
    main()

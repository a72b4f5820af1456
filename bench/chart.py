"""Chart bench/results/latest.json: latency percentiles (c=1), throughput (c1/c16/c256) and open-loop
latency (50% / 80% of saturation) per system.

``bench/.venv/bin/python bench/chart.py RESULTS.json OUT.png``
"""

from __future__ import annotations

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main() -> None:
    src, out = sys.argv[1], sys.argv[2]
    r = json.load(open(src))
    names = list(r["rungs"])
    summ = {n: r["rungs"][n]["summary"] for n in names}

    def med(n: str, k: str) -> float:
        return summ[n].get(k, {}).get("median", float("nan"))

    def err(n: str, k: str) -> tuple[float, float]:
        m = summ[n].get(k)
        return (0.0, 0.0) if m is None else (m["median"] - m["min"], m["max"] - m["median"])

    open_loop = {n: v["summary"] for n, v in r.get("openLoop", {}).items() if isinstance(v, dict)}
    fig, axes = plt.subplots(1, 3 if open_loop else 2, figsize=(22 if open_loop else 15, 6))
    ax1, ax2 = axes[0], axes[1]
    pcts = [("p50", "lat.p50"), ("p90", "lat.p90"), ("p99", "lat.p99"), ("p99.9", "lat.p999")]
    width = 0.8 / len(pcts)
    for i, (label, key) in enumerate(pcts):
        xs = [j + i * width for j in range(len(names))]
        ys = [med(n, key) for n in names]
        errs = list(zip(*[err(n, key) for n in names]))
        ax1.bar(xs, ys, width, label=label, yerr=errs, capsize=2)
    ax1.set_yscale("log")
    ax1.set_xticks([j + 0.4 - width / 2 for j in range(len(names))], names, rotation=30, ha="right")
    ax1.set_ylabel("ms (log), closed loop, concurrency 1, 100 B")
    ax1.set_title("Round-trip latency (median of rounds, bars = min..max)")
    ax1.legend()

    concs = [("c=1", "thr.c1"), ("c=16", "thr.c16"), ("c=256", "thr.c256")]
    width = 0.8 / len(concs)
    for i, (label, key) in enumerate(concs):
        xs = [j + i * width for j in range(len(names))]
        ax2.bar(xs, [med(n, key) for n in names], width, label=label, yerr=list(zip(*[err(n, key) for n in names])), capsize=2)
    ax2.set_xticks([j + 0.4 - width / 2 for j in range(len(names))], names, rotation=30, ha="right")
    ax2.set_ylabel("calls / s, closed loop, 100 B")
    ax2.set_title("Throughput")
    ax2.legend()
    if open_loop:
        ax3 = axes[2]
        onames = list(open_loop)
        series = [("50% p50", "open50.p50"), ("50% p99", "open50.p99"), ("80% p50", "open80.p50"), ("80% p99", "open80.p99")]
        width = 0.8 / len(series)
        for i, (label, key) in enumerate(series):
            xs = [j + i * width for j in range(len(onames))]
            ys = [open_loop[n].get(key, {}).get("median", float("nan")) for n in onames]
            errs = [
                (0.0, 0.0) if key not in open_loop[n] else
                (open_loop[n][key]["median"] - open_loop[n][key]["min"], open_loop[n][key]["max"] - open_loop[n][key]["median"])
                for n in onames
            ]
            ax3.bar(xs, ys, width, label=label, yerr=list(zip(*errs)), capsize=2)
        ax3.set_yscale("log")
        ax3.set_xticks([j + 0.4 - width / 2 for j in range(len(onames))], onames, rotation=30, ha="right")
        ax3.set_ylabel("ms (log), from intended send time, 100 B")
        ax3.set_title("Open loop at 50% / 80% of each system's saturation")
        ax3.legend()
    m = r.get("machine", {})
    fig.suptitle(f"mlbridge bench {r['when'][:16]} — {m.get('cpus')} × {m.get('model')}, Node {m.get('node')}")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

"""Chart a result of ``npm run bench``: closed-loop latency percentiles (c=1) and throughput per system
(the ladder), and latency and CPU per call at equal rates (open loop, every system at the same rates).

``bench/.venv/bin/python bench/chart.py RESULTS.json OUT.png``
"""

from __future__ import annotations

import json
import sys
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def ladder(ax1: Any, ax2: Any, r: dict[str, Any]) -> None:
    names = list(r.get("rungs", {}))
    summ = {n: r["rungs"][n]["summary"] for n in names}

    def med(n: str, k: str) -> float:
        return summ[n].get(k, {}).get("median", float("nan"))

    def err(n: str, k: str) -> tuple[float, float]:
        m = summ[n].get(k)
        return (0.0, 0.0) if m is None else (m["median"] - m["min"], m["max"] - m["median"])

    def bars(ax: Any, series: list[tuple[str, str]]) -> None:
        width = 0.8 / len(series)
        for i, (label, key) in enumerate(series):
            xs = [j + i * width for j in range(len(names))]
            ax.bar(xs, [med(n, key) for n in names], width, label=label, yerr=list(zip(*[err(n, key) for n in names])), capsize=2)
        ax.set_xticks([j + 0.4 - width / 2 for j in range(len(names))], names, rotation=30, ha="right")
        ax.legend()

    bars(ax1, [("p50", "lat.p50"), ("p90", "lat.p90"), ("p99", "lat.p99"), ("p99.9", "lat.p999")])
    ax1.set_yscale("log")
    ax1.set_ylabel("ms (log), closed loop, concurrency 1, 100 B")
    ax1.set_title("Round-trip latency (median of rounds, bars = min..max)")
    bars(ax2, [("c=1", "thr.c1"), ("c=16", "thr.c16"), ("c=256", "thr.c256")])
    ax2.set_ylabel("calls / s, closed loop, 100 B")
    head = r.get("headline")
    if head:
        t = head["ratios"]["throughput"]
        ax2.set_title(f"Throughput; headline mlbridge / floor at c256: {t['median']:.2f}× (±{t['spreadPct']:.0f}%, {len(t['rounds'])} rounds)")
    else:
        ax2.set_title("Throughput")


def equal_rates(ax3: Any, ax4: Any, r: dict[str, Any]) -> None:
    systems = (r.get("equalRates") or {}).get("systems", {})
    for i, (name, points) in enumerate(systems.items()):
        colour = f"C{i}"
        xs = [p["rate"] for p in points]
        ax3.plot(xs, [p["p50"] for p in points], "o-", color=colour, label=f"{name} p50")
        ax3.plot(xs, [p["p99"] for p in points], "s--", color=colour, label=f"{name} p99")
        ax4.plot(xs, [p["cpu"]["client"] + p["cpu"]["worker"] + (p["cpu"]["broker"] or 0) for p in points], "o-", color=colour, label=name)
        for p in points:
            if p["label"] == "max":
                ax3.annotate("max", (p["rate"], p["p50"]), textcoords="offset points", xytext=(4, -10), fontsize=8, color=colour)
    for ax in (ax3, ax4):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("calls / s, open loop, 100 B (max = 90% of a peer's own best)")
        ax.legend(fontsize=8)
    ax3.set_ylabel("ms (log) from the intended send time")
    ax3.set_title("Latency at equal rates")
    ax4.set_ylabel("µs of CPU per call (log): client + worker + broker")
    ax4.set_title("CPU per call at equal rates")


def main() -> None:
    src, out = sys.argv[1], sys.argv[2]
    r = json.load(open(src))
    fig, axes = plt.subplots(2, 2, figsize=(18, 12))
    ladder(axes[0][0], axes[0][1], r)
    equal_rates(axes[1][0], axes[1][1], r)
    p = r.get("provenance") or {}
    m = p.get("machine") or r.get("machine", {})
    load = "/".join(f"{x:.1f}" for x in (m.get("loadStart") or [])[:1] + (m.get("loadEnd") or [])[:1])
    fig.suptitle(f"mlbridge bench {r['when'][:16]} UTC, commit {p.get('commit', '?')}{' (dirty)' if p.get('dirty') else ''} — "
                 f"{m.get('hostname', '?')}, {m.get('cpus')} × {m.get('model')}, Node {m.get('node')}, load {load} (start/end)")
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

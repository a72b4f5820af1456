"""Summarise profiles: ``prof-top.py FILE [N]`` — a V8 .cpuprofile (self time per function) or a
py-spy raw (collapsed stacks) file (self and inclusive samples per frame)."""

from __future__ import annotations

import collections
import json
import sys


def cpuprofile(path: str, n: int) -> None:
    prof = json.load(open(path))
    nodes = {x["id"]: x for x in prof["nodes"]}
    counts = collections.Counter(prof["samples"])
    dt = prof["timeDeltas"]
    total = sum(counts.values())
    self_by: collections.Counter[str] = collections.Counter()
    for node_id, c in counts.items():
        cf = nodes[node_id]["callFrame"]
        url = cf["url"].split("/node_modules/")[-1].split("/work/main/")[-1]
        self_by[f'{cf["functionName"] or "(anon)"} {url}:{cf["lineNumber"] + 1}'] += c
    print(f"{path}: {total} samples, {sum(dt) / 1e6:.1f} s")
    for k, c in self_by.most_common(n):
        print(f"  {100 * c / total:5.1f}%  {k}")


def pyspy(path: str, n: int) -> None:
    self_by: collections.Counter[str] = collections.Counter()
    incl: collections.Counter[str] = collections.Counter()
    total = 0
    for line in open(path):
        stack, _, count = line.rstrip().rpartition(" ")
        c = int(count)
        total += c
        frames = stack.split(";")
        self_by[frames[-1]] += c
        for f in set(frames):
            incl[f] += c
    print(f"{path}: {total} samples (all threads, idle included)")
    print(" self:")
    for k, c in self_by.most_common(n):
        print(f"  {100 * c / total:5.1f}%  {k}")
    print(" inclusive:")
    for k, c in incl.most_common(n):
        print(f"  {100 * c / total:5.1f}%  {k}")


if __name__ == "__main__":
    f = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    (cpuprofile if f.endswith(".cpuprofile") else pyspy)(f, n)

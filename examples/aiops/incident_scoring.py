"""How well flagged rows find the injected incidents: event-level precision and recall.

Operators are paged per incident, not per row, so the example counts events (the same definition
as ``examples/aiops/evaluation.ts``, which scores the TypeScript side's detections):

* A *detection* is a run of flagged rows; runs less than ``merge_gap`` rows apart are one detection.
* An incident's *window* is its ground-truth interval extended by ``tolerance`` rows after its end:
  trailing-window features keep seeing an incident for up to an hour after it stops, and a leak's
  restart (the drop back) is part of it.
* Precision: the share of detections that overlap some incident's window.
* Recall: the share of incidents whose window holds at least one flagged row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from metrics_series import ROWS_PER_HOUR, Incident

MERGE_GAP = ROWS_PER_HOUR // 2
TOLERANCE = ROWS_PER_HOUR


@dataclass(frozen=True)
class EventScore:
    precision: float
    recall: float
    detections: int
    true_detections: int
    incidents: int
    found: int

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 0.0 if total == 0 else 2 * self.precision * self.recall / total


def detections(flags: np.ndarray, merge_gap: int = MERGE_GAP) -> list[tuple[int, int]]:
    """Runs of True in ``flags`` as [start, end) row intervals, runs closer than merge_gap joined."""
    rows = np.flatnonzero(flags)
    runs: list[tuple[int, int]] = []
    for row in rows.tolist():
        if runs and row - runs[-1][1] < merge_gap:
            runs[-1] = (runs[-1][0], row + 1)
        else:
            runs.append((row, row + 1))
    return runs


def score_events(
    flags: np.ndarray, incidents: Sequence[Incident], tolerance: int = TOLERANCE, merge_gap: int = MERGE_GAP
) -> EventScore:
    windows = [(i.start, i.end + tolerance) for i in incidents]
    found_runs = detections(flags, merge_gap)
    true_runs = sum(any(start < w_end and w_start < end for w_start, w_end in windows) for start, end in found_runs)
    found = sum(bool(flags[w_start:w_end].any()) for w_start, w_end in windows)
    return EventScore(
        precision=true_runs / len(found_runs) if found_runs else 0.0,
        recall=found / len(incidents) if incidents else 1.0,
        detections=len(found_runs),
        true_detections=true_runs,
        incidents=len(incidents),
        found=found,
    )

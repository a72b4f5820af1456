"""Windowed features of the metric rows: what the anomaly detector sees of each row.

For every row ``t`` that has ``CONTEXT`` rows of history, and for each of the four metrics ``x``:

    x[t]                                the value itself (memory far above its usual level)
    x[t] - mean(x[t-SHORT:t])           change against the last hour (spikes, bursts, shift onsets)
    std(x[t-SHORT:t+1])                 the last hour's volatility, this row included
    x[t] - mean(x[t-LONG:t])            change against the last six hours (slow leaks, held shifts)
    x[t] - x[t-1]                       the step from the previous row

Only past rows are used, so a row can be scored as soon as it arrives, and scoring a window of
rows gives the same features as scoring the whole series (``tests/unit/test_aiops_features.py``).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

SHORT = 12  # one hour of 5-minute rows
LONG = 72  # six hours
CONTEXT = LONG  # history rows a row needs before it can be scored
PER_METRIC = ("value", "vs_hour", "hour_std", "vs_6h", "step")


def feature_names(metrics: tuple[str, ...]) -> list[str]:
    return [f"{metric}.{name}" for name in PER_METRIC for metric in metrics]


def window_features(values: np.ndarray) -> np.ndarray:
    """Features of rows ``CONTEXT..len(values)-1`` of ``values`` (shape (rows, metrics)):
    shape (rows - CONTEXT, 5 * metrics); empty when there are not more than CONTEXT rows."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError(f"expected rows x metrics, got shape {values.shape}")
    n, width = values.shape
    if n <= CONTEXT:
        return np.empty((0, len(PER_METRIC) * width))
    current = values[CONTEXT:]
    # Windows of the SHORT (LONG) rows before each scored row: shape (rows - CONTEXT, metrics, SHORT).
    last_hour = sliding_window_view(values[CONTEXT - SHORT : n - 1], SHORT, axis=0)
    last_6h = sliding_window_view(values[CONTEXT - LONG : n - 1], LONG, axis=0)
    hour_with_row = sliding_window_view(values[CONTEXT - SHORT + 1 :], SHORT, axis=0)
    return np.hstack(
        [
            current,
            current - last_hour.mean(axis=2),
            hour_with_row.std(axis=2),
            current - last_6h.mean(axis=2),
            current - values[CONTEXT - 1 : n - 1],
        ]
    )

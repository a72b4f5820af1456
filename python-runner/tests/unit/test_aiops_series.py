"""The AIOps example's generator (examples/aiops/metrics_series.py): seeded, realistic in the ways
the example relies on, and its incidents are where its ground truth says."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

np = pytest.importorskip("numpy")
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "examples" / "aiops"))

from metrics_series import KINDS, ROWS_PER_DAY, ROWS_PER_HOUR, generate  # noqa: E402


def test_one_seed_one_series() -> None:
    a, b, c = generate(3, seed=5), generate(3, seed=5), generate(3, seed=6)
    assert np.array_equal(a.values, b.values) and a.incidents == b.incidents
    assert not np.array_equal(a.values, c.values)


def test_shape_ranges_and_incident_layout() -> None:
    series = generate(7, seed=11, incidents_per_kind=2)
    assert series.values.shape == (7 * ROWS_PER_DAY, 4)
    assert np.isfinite(series.values).all()
    cpu, memory, latency, errors = series.values.T
    assert cpu.min() >= 0 and cpu.max() <= 100 and memory.max() <= 100 and errors.min() >= 0 and latency.min() > 0
    kinds = sorted(i.kind for i in series.incidents)
    assert kinds == sorted(KINDS * 2)
    for before, after in zip(series.incidents, series.incidents[1:]):
        assert after.start - before.end >= 3 * ROWS_PER_HOUR  # never two incidents read as one
    assert series.incidents[0].start >= 8 * ROWS_PER_HOUR
    assert series.labels.sum() == sum(i.end - i.start for i in series.incidents)


def test_daily_seasonality_and_correlated_metrics() -> None:
    values = generate(14, seed=2, incidents_per_kind=0).values
    cpu, _, latency, errors = values.T
    same_time_yesterday = np.corrcoef(cpu[ROWS_PER_DAY:], cpu[:-ROWS_PER_DAY])[0, 1]
    twelve_hours_apart = np.corrcoef(cpu[ROWS_PER_DAY // 2 :], cpu[: -ROWS_PER_DAY // 2])[0, 1]
    assert same_time_yesterday > 0.7 and twelve_hours_apart < 0
    assert np.corrcoef(cpu, latency)[0, 1] > 0.6
    assert np.corrcoef(cpu, errors)[0, 1] > 0.5


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_each_kind_changes_what_it_says(seed: int) -> None:
    series = generate(7, seed=seed)
    v = series.values
    for incident in series.incidents:
        inside = v[incident.start : incident.end]
        before = v[incident.start - ROWS_PER_HOUR : incident.start]
        if incident.kind == "spike":
            assert inside[:, 0].mean() - before[:, 0].mean() > 25
        elif incident.kind == "level_shift":
            assert inside[:, 2].mean() - before[:, 2].mean() > 40
        elif incident.kind == "memory_leak":
            assert inside[-1, 1] - inside[0, 1] > 15  # a climb, not a step
            assert abs(inside[1, 1] - inside[0, 1]) < 5
            assert v[incident.end, 1] < inside[-1, 1] - 15  # the restart drops it back
        elif incident.kind == "error_burst":
            assert inside[:, 3].mean() > 3 > before[:, 3].max()


def test_too_short_a_series_for_its_incidents_is_refused() -> None:
    with pytest.raises(ValueError, match="too few"):
        generate(1, seed=0, incidents_per_kind=3)

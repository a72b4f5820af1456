"""The AIOps example's windowed features (examples/aiops/window_features.py) and event-level scoring
(examples/aiops/incident_scoring.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

np = pytest.importorskip("numpy")
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "examples" / "aiops"))

from incident_scoring import detections, score_events  # noqa: E402
from metrics_series import METRICS, Incident, generate  # noqa: E402
from window_features import CONTEXT, LONG, SHORT, feature_names, window_features  # noqa: E402


def test_one_row_by_hand() -> None:
    values = generate(2, seed=3, incidents_per_kind=1).values
    features = window_features(values)
    assert features.shape == (len(values) - CONTEXT, 20)
    assert len(feature_names(METRICS)) == 20 and feature_names(METRICS)[0] == "cpu.value"
    t = 400
    row = features[t - CONTEXT].reshape(5, 4)  # (feature kind, metric)
    x = values[t]
    np.testing.assert_allclose(row[0], x)
    np.testing.assert_allclose(row[1], x - values[t - SHORT : t].mean(axis=0))
    np.testing.assert_allclose(row[2], values[t - SHORT + 1 : t + 1].std(axis=0))
    np.testing.assert_allclose(row[3], x - values[t - LONG : t].mean(axis=0))
    np.testing.assert_allclose(row[4], x - values[t - 1])


def test_a_window_scores_like_the_whole_series() -> None:
    """Only past rows count: the inference pipeline's hour-at-a-time windows see what training saw."""
    values = generate(2, seed=4, incidents_per_kind=1).values
    whole = window_features(values)
    for start in (CONTEXT, 300, 500):
        window = values[start - CONTEXT : start + 12]
        np.testing.assert_array_equal(window_features(window), whole[start - CONTEXT : start - CONTEXT + 12])


def test_too_little_history_gives_no_rows_and_bad_shapes_are_refused() -> None:
    assert window_features(np.zeros((CONTEXT, 4))).shape == (0, 20)
    assert window_features(np.zeros((CONTEXT + 1, 4))).shape == (1, 20)
    with pytest.raises(ValueError, match="rows x metrics"):
        window_features(np.zeros(100))


def test_detections_merge_close_runs() -> None:
    flags = np.zeros(60, dtype=bool)
    flags[[3, 4, 8, 30]] = True  # 4 -> 8: gap 4 < 6 merges; 8 -> 30 does not
    assert detections(flags) == [(3, 9), (30, 31)]


def test_event_precision_recall_and_tolerance() -> None:
    incidents = [Incident("spike", 100, 103), Incident("memory_leak", 200, 280), Incident("error_burst", 400, 405)]
    flags = np.zeros(500, dtype=bool)
    flags[101] = True  # the spike
    flags[284] = True  # 4 rows after the leak ended (its restart): within the hour's tolerance
    flags[50] = True  # a false alarm
    score = score_events(flags, incidents)
    assert (score.detections, score.true_detections, score.found) == (3, 2, 2)
    assert score.precision == pytest.approx(2 / 3) and score.recall == pytest.approx(2 / 3)
    flags[405 + 12] = True  # just past the burst's tolerance: another false alarm, not a find
    assert score_events(flags, incidents).recall == pytest.approx(2 / 3)
    assert score_events(flags, incidents).precision == pytest.approx(2 / 4)

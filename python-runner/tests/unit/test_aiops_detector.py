"""The AIOps example's pipelines (examples/aiops/pipelines.py) called directly: the training job
reports progress and saves a skops model, and the detector it saves, loaded back through the
runner's own model formats, finds the injected incidents of weeks it never saw above the floors
the README states: event-level precision >= 0.75 and recall >= 0.85. (The end-to-end run through
Kafka is test/integration/aiops-example.test.ts.)"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

np = pytest.importorskip("numpy")
pytest.importorskip("sklearn")
pytest.importorskip("skops")
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "aiops"
sys.path.insert(0, str(EXAMPLE))

from incident_scoring import score_events  # noqa: E402
from metrics_series import generate  # noqa: E402
from mlbridge_runner import Progress  # noqa: E402
from mlbridge_runner.models.formats import ModelFormats  # noqa: E402
from window_features import CONTEXT  # noqa: E402

# Loaded under a name of its own: other tests load files called pipelines.py.
_spec = importlib.util.spec_from_file_location("aiops_example_pipelines", EXAMPLE / "pipelines.py")
aiops = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(aiops)

PRECISION_FLOOR = 0.75
RECALL_FLOOR = 0.85


class _Saved:
    """Stands in for the runner's model store: serializes as save_model would (format chosen by
    the runner's ModelFormats) and keeps the bytes."""

    def save(self, name, obj, metrics, format):
        self.name, self.metrics = name, metrics
        self.format, self.data = ModelFormats().dumps(obj, format)
        return SimpleNamespace(version=1)


@pytest.fixture(scope="module")
def trained():
    saved, reports = _Saved(), []
    result = aiops.train_anomaly_detector(days=14, seed=1, trees=100, progress=Progress(reports.append, models=saved))
    return saved, reports, result, ModelFormats().loads(saved.format, saved.data)


def test_training_reports_progress_and_saves_a_skops_model(trained) -> None:
    saved, reports, result, _ = trained
    assert saved.name == "anomaly-detector" and saved.format == "skops"  # never pickle
    steps = [(r.current, r.total) for r in reports]
    assert steps == [(i, 6) for i in range(1, 7)]
    assert "saved anomaly-detector version 1" in reports[-1].message
    assert result["version"] == 1 and result["context_rows"] == CONTEXT and len(result["features"]) == 20
    assert set(saved.metrics) >= {"precision", "recall", "f1", "contamination"}
    assert saved.metrics["contamination"] in aiops.CONTAMINATIONS


@pytest.mark.parametrize("seed", [7, 13])  # 13: the lowest precision of seeds 7-16 (0.81)
def test_detector_finds_unseen_incidents_above_the_floors(trained, seed: int) -> None:
    model = trained[3]
    series = generate(7, seed)
    flags = np.zeros(len(series.values), dtype=bool)
    for start in range(CONTEXT, len(series.values), 12):  # an hour at a time, as aiops.ts does
        reply = aiops.detect_anomalies(series.values[start - CONTEXT : start + 12], model=model)
        assert reply["scores"].dtype == np.float64 and reply["flags"].dtype == np.bool_
        assert np.array_equal(reply["flags"], reply["scores"] > 0)
        flags[start : start + len(reply["flags"])] = reply["flags"]
    score = score_events(flags, series.incidents)
    assert score.precision >= PRECISION_FLOOR, score
    assert score.recall >= RECALL_FLOOR, score


def test_series_pipeline_returns_the_generator_output() -> None:
    reply = aiops.aiops_series(days=3, seed=9)
    series = generate(3, 9)
    assert np.array_equal(reply["values"], series.values)
    assert reply["incidents"] == [i.as_dict() for i in series.incidents] and reply["metrics"][0] == "cpu"

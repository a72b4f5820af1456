"""Pipelines of the AIOps example (examples/aiops/aiops.ts drives them; docs: README, "The AIOps example").

    npx mlbridge runner --pipelines examples/aiops/pipelines.py --model-dir .cache/aiops-models

* ``aiops_series``: the example's data, from the seeded generator (metrics_series.py), so the
  TypeScript side can plot exactly what is scored.
* ``train_anomaly_detector`` (a job): fits an IsolationForest on windowed features of a history of
  metrics, picks its contamination on a held-out week by event-level F1, reports progress, and
  saves the forest as a new version of model ``anomaly-detector`` (skops format: no pickle).
* ``detect_anomalies``: receives the current (or pinned) version loaded, scores a window of rows
  in milliseconds and returns a score and a flag per row.

Needs ``mlbridge-runner[examples]`` (numpy, scikit-learn, skops).
"""

from __future__ import annotations

import time

import numpy as np
import numpy.typing as npt

from incident_scoring import score_events
from metrics_series import METRICS, ROWS_PER_DAY, STEP_MINUTES, generate
from mlbridge_runner import Progress, pipeline
from window_features import CONTEXT, feature_names, window_features

MODEL = "anomaly-detector"
# Share of training rows the forest calls anomalous (IsolationForest's threshold); the training
# job keeps the one with the best F1 on a held-out week.
CONTAMINATIONS = (0.005, 0.01, 0.02, 0.03)


@pipeline("aiops_series")
def aiops_series(days: float = 7.0, seed: int = 0) -> dict:
    """``days`` of the four metrics (rows x [cpu, memory, latency, errors], FP64) and the injected
    incidents' ground truth."""
    series = generate(days, seed)
    return {
        "values": series.values,
        "metrics": list(METRICS),
        "step_minutes": STEP_MINUTES,
        "incidents": [incident.as_dict() for incident in series.incidents],
    }


@pipeline("train_anomaly_detector", job=True)
def train_anomaly_detector(days: float = 28.0, seed: int = 1, trees: int = 100, progress: Progress = Progress()) -> dict:
    """Fit on ``days`` of history (seed ``seed``), choose the threshold on a held-out week (seed
    ``seed + 1000``), save the model version; returns its version and validation metrics."""
    from sklearn.ensemble import IsolationForest  # imported when training, not at runner start

    started = time.perf_counter()
    steps = len(CONTAMINATIONS) + 2
    history = window_features(generate(days, seed).values)
    held_out = generate(7.0, seed + 1000)
    held_out_features = window_features(held_out.values)
    progress(1, steps, f"features: {len(history)} rows x {history.shape[1]} ({days:g} days of history)")

    best = None
    for i, contamination in enumerate(CONTAMINATIONS, start=2):
        progress.raise_if_cancelled()
        forest = IsolationForest(n_estimators=trees, contamination=contamination, random_state=seed).fit(history)
        flags = np.zeros(len(held_out.values), dtype=bool)
        flags[CONTEXT:] = forest.predict(held_out_features) == -1
        score = score_events(flags, held_out.incidents)
        if best is None or score.f1 > best[1].f1:
            best = (forest, score, contamination)
        progress(i, steps, f"contamination {contamination}: precision {score.precision:.2f}, recall {score.recall:.2f}")

    forest, score, contamination = best
    metrics = {
        "precision": score.precision,
        "recall": score.recall,
        "f1": score.f1,
        "contamination": contamination,
        "trees": float(trees),
        "training_rows": float(len(history)),
    }
    record = progress.save_model(MODEL, forest, metrics=metrics)
    progress(steps, steps, f"saved {MODEL} version {record.version}")
    return {
        "version": record.version,
        "metrics": metrics,
        "features": feature_names(METRICS),
        "context_rows": CONTEXT,
        "training_days": days,
        "rows_per_day": ROWS_PER_DAY,
        "seconds": time.perf_counter() - started,
    }


@pipeline("detect_anomalies", model=MODEL)
def detect_anomalies(window: npt.NDArray[np.float64], model=None) -> dict:
    """Scores rows ``CONTEXT..`` of ``window`` (rows x 4 metrics; the first CONTEXT rows are history
    only). ``scores``: higher is more anomalous, above 0 is flagged; ``flags``: one bool per row;
    ``ms``: the time the scoring took here (the caller sees it apart from the Kafka round trip)."""
    started = time.perf_counter()
    scores = -model.decision_function(window_features(window))
    return {"scores": scores, "flags": scores > 0, "ms": (time.perf_counter() - started) * 1000}

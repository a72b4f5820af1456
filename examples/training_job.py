"""Example job pipelines: a training run that reports progress, saves checkpoints and stops when
cancelled, next to the inference pipeline that uses what it trains.

    npx mlbridge runner --pipelines examples/training_job.py

``job=True`` declares ``train_model`` a job: callers ``submit()`` it (TypeScript: examples/jobs.ts),
and it runs in the runner's job lane, never in the way of inference calls such as ``predict``.
"""
from __future__ import annotations

import random
import time

from mlbridge_runner import Progress, pipeline


def _synthetic_cpu_metrics(n: int, seed: int) -> list[tuple[float, float]]:
    # Stand-in for loading a real dataset: CPU load grows with request rate, plus noise.
    rng = random.Random(seed)
    return [(rate, 0.8 * rate + 5 + rng.gauss(0, 2)) for rate in (rng.uniform(0, 100) for _ in range(n))]


@pipeline("train_model", job=True)
def train_model(dataset: str, epochs: int = 20, seconds_per_epoch: float = 0.25, progress: Progress = Progress()) -> dict:
    """Fit load = w * rate + b, one epoch at a time; resumes from its checkpoint after a runner died."""
    rows = _synthetic_cpu_metrics(2000, seed=len(dataset))
    # After a runner died mid-run, progress.checkpoint is the last one the previous attempt saved.
    state = progress.checkpoint or {"epoch": 0, "w": 0.0, "b": 0.0, "loss": []}
    resumed_from = state["epoch"]
    w, b, losses = state["w"], state["b"], list(state["loss"])
    for epoch in range(resumed_from + 1, epochs + 1):
        progress.raise_if_cancelled()  # cancelled from any process: stop here (the job ends CANCELLED)
        grad_w = grad_b = loss = 0.0
        for x, y in rows:  # rates scaled to [0, 1] while fitting
            err = (w * x / 100 + b) - y
            grad_w += err * x / 100
            grad_b += err
            loss += err * err
        w -= 0.5 * 2 * grad_w / len(rows)
        b -= 0.5 * 2 * grad_b / len(rows)
        losses.append(loss / len(rows))
        time.sleep(seconds_per_epoch)  # stands in for the work of a real epoch
        progress.save_checkpoint({"epoch": epoch, "w": w, "b": b, "loss": losses})
        progress(epoch, epochs, f"epoch {epoch}: loss {losses[-1]:.2f}")
    return {
        "dataset": dataset,
        "weights": {"w": w / 100, "b": b},
        "loss": losses,
        "attempt": progress.attempt,  # 1, or 2+ when another runner took the job over
        "resumed_from": resumed_from,  # the epoch the checkpoint said was done (0: from scratch)
    }


@pipeline("predict")
def predict(weights: dict, rates: list) -> list:
    """Inference: milliseconds, answered while training jobs run (they have a lane of their own)."""
    return [weights["w"] * r + weights["b"] for r in rates]

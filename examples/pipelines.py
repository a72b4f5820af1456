"""Example pipelines: copy this file, replace the bodies with your models.

Only functions registered with @pipeline can ever be called: the runner looks the requested name up
in this whitelist and never evaluates anything that comes from a message.
"""
from __future__ import annotations

import math
import random

from mlbridge_runner import pipeline


def _synthetic_cpu_metrics(n: int, seed: int) -> list[tuple[float, float]]:
    # Stand-in for loading a real dataset: CPU load grows with request rate, plus noise.
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        rate = rng.uniform(0, 100)
        rows.append((rate, 0.8 * rate + 5 + rng.gauss(0, 2)))
    return rows


@pipeline("train_model")
def train_model(dataset: str, epochs: int = 5, learning_rate: float = 0.5) -> dict:
    """Fit load = w * rate + b by gradient descent; returns the weights and the loss per epoch."""
    rows = _synthetic_cpu_metrics(2000, seed=len(dataset))
    # Rates are scaled to [0, 1] while fitting so one learning rate suits both weights.
    scale = 100.0
    w, b = 0.0, 0.0
    losses = []
    for _ in range(epochs):
        grad_w = grad_b = loss = 0.0
        for x, y in rows:
            err = (w * x / scale + b) - y
            grad_w += err * x / scale
            grad_b += err
            loss += err * err
        w -= learning_rate * 2 * grad_w / len(rows)
        b -= learning_rate * 2 * grad_b / len(rows)
        losses.append(loss / len(rows))
    return {"dataset": dataset, "weights": {"w": w / scale, "b": b}, "loss": losses}


@pipeline("predict")
def predict(weights: dict, rates: list) -> list:
    """Inference: milliseconds, not minutes."""
    return [weights["w"] * r + weights["b"] for r in rates]


@pipeline
def zscore(values: list) -> list:
    """Bare-decorator form: registered under the function's own name."""
    mean = sum(values) / len(values)
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)) or 1.0
    return [(v - mean) / std for v in values]

"""A job for the Java example (Demo.java): a short training run that reports its progress and saves a
checkpoint per epoch, so a runner that dies mid-way hands the next one where it stopped."""
from __future__ import annotations

import time

from mlbridge_runner import Progress, pipeline


@pipeline("fit_epochs", job=True)
def fit_epochs(epochs: int, seconds_per_epoch: float = 0.2, progress: Progress = Progress()) -> dict:
    start = (progress.checkpoint or {}).get("epoch", 0)
    loss = 1.0
    for epoch in range(start + 1, epochs + 1):
        progress.raise_if_cancelled()
        time.sleep(seconds_per_epoch)
        loss = round(1.0 / epoch, 4)
        progress.save_checkpoint({"epoch": epoch})
        progress(epoch, epochs, f"epoch {epoch}/{epochs}: loss {loss}")
    return {"epochs": epochs, "loss": loss, "resumed_from": start}

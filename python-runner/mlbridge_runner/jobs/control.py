"""What a running job (or a cancellable call) shares with its pipeline: cancellation, the attempt
number and checkpoints. The pipeline reaches it through its :class:`~mlbridge_runner.Progress`.

Thread-safe: the pipeline's thread reads and saves, the runner's threads cancel.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Final

from ..codec.value import decode_value, encode_value

#: A checkpoint travels in every state record of its job: keep it small (model weights belong in a
#: file or the blob store, the checkpoint names them).
MAX_CHECKPOINT_BYTES: Final = 256 * 1024


class CheckpointTooLarge(ValueError):
    """A checkpoint past :data:`MAX_CHECKPOINT_BYTES`."""


class RunControl:
    """Cancellation flag, attempt and checkpoint of one run."""

    def __init__(
        self,
        attempt: int = 1,
        checkpoint: bytes | None = None,
        on_checkpoint: Callable[[bytes], None] | None = None,
    ) -> None:
        self.attempt = attempt
        self._checkpoint_bytes = checkpoint
        self._on_checkpoint = on_checkpoint
        self._cancelled = threading.Event()
        self._callbacks: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def cancel(self) -> bool:
        """Mark the run cancelled and tell whoever listens; ``False`` if it already was."""
        with self._lock:
            if self._cancelled.is_set():
                return False
            self._cancelled.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            _quietly(callback)
        return True

    def on_cancel(self, callback: Callable[[], None]) -> None:
        with self._lock:
            if not self._cancelled.is_set():
                self._callbacks.append(callback)
                return
        _quietly(callback)

    def wait_cancelled(self, timeout: float) -> bool:
        return self._cancelled.wait(timeout)

    @property
    def checkpoint_bytes(self) -> bytes | None:
        return self._checkpoint_bytes

    @property
    def checkpoint(self) -> Any:
        data = self._checkpoint_bytes
        return None if data is None else decode_value(data, root="checkpoint")

    def save_checkpoint(self, value: Any) -> None:
        data = encode_value(value, root="checkpoint")
        if len(data) > MAX_CHECKPOINT_BYTES:
            raise CheckpointTooLarge(
                f"a checkpoint of {len(data)} bytes is past the limit of {MAX_CHECKPOINT_BYTES}: "
                "save a reference (a path, a blob key) instead of the data"
            )
        self.record_checkpoint(data)

    def record_checkpoint(self, data: bytes) -> None:
        """A checkpoint already encoded (by a worker process's own control)."""
        self._checkpoint_bytes = data
        if self._on_checkpoint is not None:
            self._on_checkpoint(data)


def _quietly(callback: Callable[[], None]) -> None:
    try:
        callback()
    except Exception:  # noqa: BLE001 - e.g. an event loop that already closed: nothing to cancel
        pass

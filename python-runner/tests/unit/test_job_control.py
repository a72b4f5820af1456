"""RunControl (cancellation, checkpoints) and the Progress methods a pipeline uses."""

from __future__ import annotations

import threading

import pytest

from mlbridge_runner import Cancelled, Progress
from mlbridge_runner.errors import ValueNotEncodable
from mlbridge_runner.jobs.control import MAX_CHECKPOINT_BYTES, CheckpointTooLarge, RunControl


def test_cancel_runs_callbacks_once_and_reports_the_first_time_only():
    control = RunControl()
    calls: list[str] = []
    control.on_cancel(lambda: calls.append("a"))
    assert control.cancel() is True
    assert control.cancel() is False
    control.on_cancel(lambda: calls.append("late"))  # registered after: runs at once
    assert calls == ["a", "late"] and control.cancelled


def test_a_failing_callback_does_not_stop_the_others():
    control = RunControl()
    calls: list[str] = []
    control.on_cancel(lambda: (_ for _ in ()).throw(RuntimeError("loop closed")))
    control.on_cancel(lambda: calls.append("b"))
    control.cancel()
    assert calls == ["b"]


def test_cancel_from_another_thread_is_seen():
    control = RunControl()
    threading.Thread(target=control.cancel).start()
    assert control.wait_cancelled(2)


def test_checkpoints_round_trip_and_are_reported():
    sent: list[bytes] = []
    control = RunControl(attempt=2, on_checkpoint=sent.append)
    control.save_checkpoint({"step": 4, "path": "/tmp/w.bin"})
    assert control.checkpoint == {"step": 4, "path": "/tmp/w.bin"}
    assert sent == [control.checkpoint_bytes] and control.attempt == 2
    resumed = RunControl(attempt=3, checkpoint=control.checkpoint_bytes)
    assert resumed.checkpoint == {"step": 4, "path": "/tmp/w.bin"}


def test_checkpoints_must_be_small_and_encodable():
    control = RunControl()
    with pytest.raises(CheckpointTooLarge, match="reference"):
        control.save_checkpoint("x" * (MAX_CHECKPOINT_BYTES + 1))
    with pytest.raises(ValueNotEncodable):
        control.save_checkpoint({"f": object()})
    assert control.checkpoint is None


def test_progress_outside_the_runner_is_never_cancelled_and_keeps_checkpoints():
    progress = Progress()
    assert not progress.cancelled and progress.attempt == 1 and progress.checkpoint is None
    progress.save_checkpoint([1, 2])
    assert progress.checkpoint == [1, 2]
    progress.raise_if_cancelled()  # not cancelled: returns
    assert progress.cancelled is False


def test_progress_raises_cancelled_once_its_run_is():
    control = RunControl()
    progress = Progress(None, control)
    control.cancel()
    assert progress.cancelled
    with pytest.raises(Cancelled):
        progress.raise_if_cancelled()

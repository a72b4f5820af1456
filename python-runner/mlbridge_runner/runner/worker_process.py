"""The worker process's side of process isolation (``--isolation process``, processes.py): its
entry point, which loads the pipelines, then answers framed request envelopes with framed reply
envelopes, and the control a cancellable run reads (cancel flag, attempt, checkpoints).

Runs in a fresh interpreter (*spawn*); imports only what a call needs.
"""

from __future__ import annotations

import base64
import os
import signal
import threading
from multiprocessing.connection import Connection
from typing import Any, Callable, Sequence

from ..codec.envelopes import ReplyEnvelope, ReplyStatus, RequestEnvelope, Timings, encode_reply
from ..codec.envelopes import Progress as ProgressRecord
from ..codec.segments import as_bytes
from ..jobs.records import ATTEMPT_HEADER
from ..observability.tracing import attach_remote, detach
from ..progress import Report
from .dispatch import Outcome, now_ms

CHECKPOINT_TAG = b"K"
CHECKPOINT_HEADER = "mlbridge-checkpoint"


class _ChildControl:
    """A worker process's side of a run's control: the shared cancel flag, checkpoints sent home."""

    def __init__(self, cancel_event: Any, conn: Connection, attempt: int, checkpoint: bytes | None) -> None:
        self._event = cancel_event
        self._conn = conn
        self.attempt = attempt
        self._checkpoint = checkpoint

    @property
    def cancelled(self) -> bool:
        return bool(self._event.is_set())

    @property
    def checkpoint(self) -> Any:
        from ..codec.value import decode_value

        return None if self._checkpoint is None else decode_value(self._checkpoint, root="checkpoint")

    def save_checkpoint(self, value: Any) -> None:
        from ..codec.value import encode_value
        from ..jobs.control import MAX_CHECKPOINT_BYTES, CheckpointTooLarge

        data = encode_value(value, root="checkpoint")
        if len(data) > MAX_CHECKPOINT_BYTES:
            raise CheckpointTooLarge(f"a checkpoint of {len(data)} bytes is past the limit of {MAX_CHECKPOINT_BYTES}")
        self._checkpoint = data
        self._conn.send_bytes(CHECKPOINT_TAG + data)

    def on_cancel(self, callback: Callable[[], None]) -> None:
        def watch() -> None:
            self._event.wait()
            try:
                callback()
            except Exception:  # noqa: BLE001 - the call's event loop may be gone
                pass

        threading.Thread(target=watch, name="mlbridge-cancel-watch", daemon=True).start()


def _child_control(request: RequestEnvelope, cancel_event: Any, conn: Connection) -> _ChildControl:
    headers = request.headers
    try:
        attempt = int(headers.get(ATTEMPT_HEADER, "1"))
    except ValueError:
        attempt = 1
    encoded = headers.get(CHECKPOINT_HEADER)
    return _ChildControl(cancel_event, conn, attempt, base64.b64decode(encoded) if encoded else None)


def _die_with_parent() -> None:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except Exception:  # noqa: BLE001 - not Linux: the child exits when its pipe closes instead
        pass


def _lower_priority(nice: int) -> None:
    """Background work: ``nice``, and on Linux the SCHED_IDLE policy (CPU only when no normal
    task wants it), so the runner's calls and the broker on the same cores go first."""
    try:
        os.nice(nice)
        if hasattr(os, "SCHED_IDLE"):
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except OSError:  # not permitted here: run at the priority it got
        pass


def worker_main(
    conn: Connection, pipeline_specs: Sequence[str], log_level: str | None, cancel_event: Any = None, nice: int = 0
) -> None:
    """Entry point of a worker process."""
    _die_with_parent()
    if nice:
        _lower_priority(nice)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    from .. import logging as runner_logging
    from ..loading import load_pipelines
    from ..codec.envelopes import decode_request
    from ..codec.schemas import wire_schemas
    from ..registry import default_registry
    from .dispatch import Dispatcher, Rejected, execute

    runner_logging.configure(log_level)
    for spec in pipeline_specs:
        load_pipelines(spec)
    from ..models.wiring import start_worker_models

    start_worker_models(default_registry)
    reference = wire_schemas().value.reference
    dispatcher = Dispatcher(default_registry, reference)
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return  # the runner closed the pipe
        request = decode_request(data)
        received = now_ms()

        def report(progress: Report, request_id: str = request.id, received: int = received) -> None:
            conn.send_bytes(
                encode_reply(
                    ReplyEnvelope(
                        id=request_id,
                        status=ReplyStatus.PROGRESS,
                        progress=ProgressRecord(progress.current, progress.total, progress.message),
                        timings=Timings(received, received, now_ms()),
                    )
                )
            )

        try:
            call = dispatcher.prepare(request)
        except Rejected as rejected:
            outcome = Outcome(None, rejected.error, received, now_ms())
        else:
            control = _child_control(request, cancel_event, conn) if cancel_event is not None else None
            attached = attach_remote(request.headers)  # the runner's span: the pipeline's spans nest under it
            try:
                outcome = execute(call, progress=report, control=control)
            finally:
                detach(attached)
        timings = Timings(received, outcome.started_at_ms, outcome.finished_at_ms)
        if outcome.error is not None:
            final = ReplyEnvelope(id=request.id, status=ReplyStatus.ERROR, error=outcome.error, timings=timings)
        else:
            final = ReplyEnvelope(
                id=request.id, status=ReplyStatus.OK, result=as_bytes(outcome.result or b""),
                result_schema=outcome.result_ref or reference, timings=timings,
            )
        conn.send_bytes(encode_reply(final))

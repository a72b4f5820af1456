"""Process isolation (``--isolation process``): calls run in worker processes.

Each worker thread of the pool owns one worker process (``multiprocessing`` *spawn* context: a
fresh interpreter that imports the pipelines from the same ``--pipelines`` paths). The thread hands
its process one call at a time and waits for the answer; the loop is never blocked.

Nothing is pickled that comes from a message. The parent sends the request envelope as the same
framed Avro bytes the client produced (re-encoded), the child answers with framed Avro reply
envelopes (``PROGRESS`` reports, then the final ``OK``/``ERROR``); both sides decode them with the
runner's codec. The child looks the pipeline up in its own whitelist, exactly like the parent.
A typed call resolved from another version's schema is re-encoded with the pipeline's own args
schema first (the child has no catalogue); the child's reply carries the result's schema ref.

- **Time limits are hard**: past its ``timeout=`` the call's process is killed (SIGKILL) and the
  thread that owned it is replaced by one with a fresh process; the caller gets PIPELINE_TIMEOUT.
- **A process that dies** (segfault, ``os._exit``, OOM killer) answers its call with a
  ``PIPELINE_ERROR`` of type ``WorkerDied``; the thread starts a new process. The runner lives on.
- **Cancellation and checkpoints** (jobs, cancelled calls): each process has a cancel flag (a
  ``multiprocessing.Event``) that :meth:`ProcessWorkers.cancel` sets and the pipeline's
  ``progress.cancelled`` reads; the attempt and the previous checkpoint travel in request headers;
  a checkpoint saved in the child comes back as a message tagged :data:`CHECKPOINT_TAG` (framed Avro
  always starts with ``C3``, so the tag cannot be mistaken for a reply).
- Worker processes ignore SIGINT/SIGTERM (the runner stops them after its graceful drain) and,
  on Linux, get SIGKILL if the runner dies (``PR_SET_PDEATHSIG``). Their side: worker_process.py.
"""

from __future__ import annotations

import base64
import multiprocessing
import signal
import threading
import time
from dataclasses import replace
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Callable, Sequence

from .. import error_codes, events
from ..codec.envelopes import ReplyStatus, RequestEnvelope, decode_reply, encode_request
from ..logging import DEBUG, WARNING, log_event
from ..progress import Report
from .dispatch import Call, Outcome, now_ms
from .failures import plain_error, remote_error
from .pool import Job
from ..jobs.records import ATTEMPT_HEADER
from ..observability.tracing import TRACEPARENT
from .worker_process import CHECKPOINT_HEADER, CHECKPOINT_TAG, worker_main

WORKER_DIED_TYPE = "WorkerDied"
START_METHOD = "spawn"


def request_for_worker(call: Call) -> RequestEnvelope:
    """The request a worker process can prepare on its own.

    A typed call written with another version's schema was resolved by this process, with writer
    schemas from the catalogue the worker does not see: hand it on re-encoded with the pipeline's
    own args schema. Every other request goes as it came.
    """
    plan = call.plan
    if plan is None or not call.typed_reply or call.request.args_schema.lower() == plan.args_ref:
        return call.request
    return replace(call.request, args=plan.encode_args(call.kwargs), args_schema=plan.args_ref)


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "stopped answering"
    if code < 0:
        try:
            return f"was killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


class _Worker:
    def __init__(self, process: BaseProcess, conn: Connection, cancel_event: Any) -> None:
        self.process = process
        self.conn = conn
        self.cancel_event = cancel_event
        #: Why the runner killed it ("timeout", "cancelled"); None: it died by itself.
        self.killed_for: str | None = None


class ProcessWorkers:
    """The worker processes, one per pool thread. Thread-safe."""

    #: Told the reason each time a process that ran a call is replaced: "died", "timeout", "cancelled".
    on_restart: Callable[[str], None] | None = None

    def __init__(
        self, pipeline_specs: Sequence[str], log_level: str | None = None, method: str = START_METHOD, nice: int = 0
    ) -> None:
        if not pipeline_specs:
            raise ValueError("process isolation needs the --pipelines paths to import in each worker")
        self._specs = list(pipeline_specs)
        self._log_level = log_level
        self._nice = nice
        self._context = multiprocessing.get_context(method)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: set[_Worker] = set()
        self._by_job: dict[Job, _Worker] = {}
        self._closed = False
        self.started = 0

    def warm(self) -> None:
        """Start this thread's process ahead of its first call."""
        self._worker()

    def run(
        self, job: Job, progress: Callable[[Report], None] | None, control: Any = None, traceparent: str | None = None
    ) -> Outcome:
        """Run ``job`` in this thread's process; never raises. ``control`` (a
        :class:`~mlbridge_runner.jobs.control.RunControl`): the attempt and checkpoint go to the
        child, checkpoints it saves come back to it. ``traceparent``: the runner's span of the call,
        made current in the child."""
        try:
            request = request_for_worker(job.call)
            extra: dict[str, str] = {}
            if control is not None:
                extra[ATTEMPT_HEADER] = str(control.attempt)
                if control.checkpoint_bytes is not None:
                    extra[CHECKPOINT_HEADER] = base64.b64encode(control.checkpoint_bytes).decode("ascii")
            if traceparent is not None:
                extra[TRACEPARENT] = traceparent
            if extra:
                request = replace(request, headers={**request.headers, **extra})
            frame = encode_request(request)
        except Exception as exc:  # noqa: BLE001 - the arguments no longer encode: nothing to hand on
            return Outcome(None, remote_error(exc, error_codes.INVALID_ARGUMENTS), now_ms(), now_ms())
        try:
            worker = self._worker()
        except Exception as exc:  # noqa: BLE001 - e.g. out of processes or memory
            error = plain_error(
                error_codes.PIPELINE_ERROR, WORKER_DIED_TYPE, f"no worker process could be started: {type(exc).__name__}: {exc}"
            )
            return Outcome(None, error, now_ms(), now_ms())
        with self._lock:
            self._by_job[job] = worker
        started = now_ms()
        try:
            worker.cancel_event.clear()
            worker.conn.send_bytes(frame)
            while True:
                data = worker.conn.recv_bytes()
                if data[:1] == CHECKPOINT_TAG:
                    if control is not None:
                        control.record_checkpoint(data[1:])
                    continue
                reply = decode_reply(data)
                if reply.status is ReplyStatus.PROGRESS:
                    if progress is not None and reply.progress is not None:
                        p = reply.progress
                        progress(Report(p.current, p.total, p.message))
                    continue
                ok = reply.status is ReplyStatus.OK
                return Outcome(reply.result if ok else None, reply.error,
                               reply.timings.started_at_ms, reply.timings.finished_at_ms,
                               reply.result_schema if ok else None)  # typed, or value.avsc / value-v2.avsc
        except Exception as exc:  # noqa: BLE001 - EOF/broken pipe: it died; anything else: it is unusable
            if not isinstance(exc, (EOFError, OSError)):
                worker.process.kill()
            code = self._bury(worker)
            if self.on_restart is not None and not self._closed:
                self.on_restart(worker.killed_for or "died")
            if job.abandoned:  # killed for its time limit: the loop already answered
                return Outcome(None, None, started, now_ms())
            pipeline = job.call.pipeline.name
            log_event(
                WARNING, events.WORKER_DIED, id=job.call.request.id, pipeline=pipeline,
                pid=worker.process.pid, exit_code=code,
            )
            error = plain_error(
                error_codes.PIPELINE_ERROR,
                WORKER_DIED_TYPE,
                f"the worker process (pid {worker.process.pid}) running pipeline {pipeline!r} "
                f"{_describe_exit(code)}; it was replaced",
            )
            if not self._closed:
                self.warm()  # replace it now rather than on the next call
            return Outcome(None, error, started, now_ms())
        finally:
            with self._lock:
                self._by_job.pop(job, None)

    def cancel(self, job: Job) -> bool:
        """Tell the process running ``job`` that it was cancelled (``progress.cancelled``)."""
        with self._lock:
            worker = self._by_job.get(job)
        if worker is None:
            return False
        worker.cancel_event.set()
        return True

    def kill(self, job: Job, reason: str) -> int | None:
        """Kill the process running ``job`` (``reason``: "timeout" — its time limit passed — or
        "cancelled" — it ignored a cancellation); returns its pid."""
        with self._lock:
            worker = self._by_job.get(job)
        if worker is None:
            return None
        worker.killed_for = reason
        worker.process.kill()
        return worker.process.pid

    def close(self) -> None:
        """Stop every worker process (idle ones by closing their pipe, busy ones by SIGKILL)."""
        with self._lock:
            self._closed = True
            workers = list(self._all)
        for worker in workers:
            worker.conn.close()  # an idle worker exits on EOF
        deadline = time.monotonic() + 0.5
        for worker in workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
        for worker in workers:
            if worker.process.is_alive():
                worker.process.kill()  # still running a call the runner gave up on
        for worker in workers:
            worker.process.join(2)

    @property
    def alive(self) -> int:
        with self._lock:
            return sum(1 for w in self._all if w.process.is_alive())

    def pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._all if w.process.pid is not None]

    # ------------------------------------------------------------------

    def _worker(self) -> _Worker:
        worker: _Worker | None = getattr(self._local, "worker", None)
        if worker is not None and worker.process.is_alive():
            return worker
        if worker is not None:
            self._bury(worker)
        parent_conn, child_conn = self._context.Pipe(duplex=True)
        cancel_event = self._context.Event()
        process = self._context.Process(
            target=worker_main,
            args=(child_conn, self._specs, self._log_level, cancel_event, self._nice),
            name="mlbridge-worker-process",
            daemon=False,  # pipelines may start processes of their own
        )
        process.start()
        child_conn.close()
        worker = _Worker(process, parent_conn, cancel_event)
        self._local.worker = worker
        with self._lock:
            self._all.add(worker)
            self.started += 1
        log_event(DEBUG, events.WORKER_STARTED, pid=process.pid)
        return worker

    def _bury(self, worker: _Worker) -> int | None:
        """Reap a dead (or dying) process; returns its exit code."""
        worker.conn.close()
        worker.process.join(2)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join(2)
        with self._lock:
            self._all.discard(worker)
        if getattr(self._local, "worker", None) is worker:
            self._local.worker = None
        return worker.process.exitcode

"""Every runner's view of the job state topic: the latest record per job id, read from the
beginning and followed for as long as the runner lives.

Two uses: a runner decides what to do with a job request from its job's state (after
:meth:`JobView.catch_up`, so a record written before the request was read is never missed), and a
cancellation written by any process reaches the runner holding the job or call within one poll.
Memory: a finished job keeps only its id and final state (~150 bytes); only jobs still queued or
running keep their whole record.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, Final

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, TopicPartition

from .. import events
from ..logging import DEBUG, WARNING, log_event
from .records import CALL, CANCEL_REQUESTED, CANCELLED, JOB, BadJobRecord, JobRecord, decode_record

POLL_SECONDS: Final = 0.05
#: Cancellations of plain calls are remembered this long (a call queued behind others may start late).
CALL_CANCEL_TTL_SECONDS: Final = 600.0
MAX_CALL_CANCELS: Final = 100_000


class JobView:
    def __init__(
        self,
        settings: dict[str, Any],
        topic: str,
        on_job_cancel: Callable[[str], None] = lambda job_id: None,
        on_call_cancel: Callable[[str], None] = lambda call_id: None,
    ) -> None:
        self._topic = topic
        self._consumer = Consumer(
            {
                **settings,
                "enable.auto.commit": False,
                "enable.auto.offset.store": False,
                "enable.partition.eof": True,
                "auto.offset.reset": "earliest",
            }
        )
        # End offsets are asked through a consumer of their own: a call on the following consumer
        # from another thread waits behind its poll (measured: catch_up never returned).
        self._probe = Consumer({**settings, "enable.auto.commit": False})
        self._probe_lock = threading.Lock()
        self._on_job_cancel = on_job_cancel
        self._on_call_cancel = on_call_cancel
        self._records: dict[str, JobRecord] = {}
        #: Finished jobs: id → terminal state. Terminal states are final here (see _apply).
        self._finished: dict[str, str] = {}
        self._call_cancels: dict[str, float] = {}
        self._positions: dict[int, int] = {}
        self._moved = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._partitions: list[int] = []

    # ------------------------------------------------------------------ lifecycle

    def start(self, timeout: float = 10.0) -> None:
        metadata = self._consumer.list_topics(self._topic, timeout=timeout)
        topic = metadata.topics.get(self._topic)
        if topic is None or topic.error is not None or not topic.partitions:
            raise KafkaException(KafkaError(KafkaError.UNKNOWN_TOPIC_OR_PART, f"no topic {self._topic}"))
        self._partitions = sorted(topic.partitions)
        self._consumer.assign([TopicPartition(self._topic, p, OFFSET_BEGINNING) for p in self._partitions])
        self._thread = threading.Thread(target=self._run, name="mlbridge-job-view", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        self._consumer.close()
        self._probe.close()

    # ------------------------------------------------------------------ reading

    def get(self, job_id: str) -> JobRecord | None:
        """The job's latest state (a finished job: a record with its id and final state only)."""
        state = self._finished.get(job_id)
        if state is not None:
            return JobRecord(id=job_id, subject=JOB, state=state, pipeline="")
        return self._records.get(job_id)

    def call_cancelled(self, call_id: str) -> bool:
        return call_id in self._call_cancels

    def __len__(self) -> int:
        return len(self._records) + len(self._finished)

    def catch_up(self, timeout: float = 5.0) -> bool:
        """Wait until everything written to the state topic before this call has been read;
        ``False`` when that did not happen within ``timeout`` (broker slow or gone)."""
        deadline = time.monotonic() + timeout
        highs: dict[int, int] = {}
        with self._probe_lock:
            for partition in self._partitions:
                try:
                    _, high = self._probe.get_watermark_offsets(
                        TopicPartition(self._topic, partition), timeout=max(0.1, deadline - time.monotonic()), cached=False
                    )
                except KafkaException:
                    return False
                highs[partition] = high
        with self._moved:
            while not all(self._positions.get(p, 0) >= high for p, high in highs.items()):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._moved.wait(left)
        return True

    # ------------------------------------------------------------------ the thread

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                msg = self._consumer.poll(POLL_SECONDS)
            except Exception as exc:  # noqa: BLE001 - keep following; the broker may come back
                log_event(WARNING, events.KAFKA_ERROR, error=str(exc), topic=self._topic)
                time.sleep(0.5)
                continue
            if msg is None:
                continue
            error = msg.error()
            partition, offset = msg.partition(), msg.offset()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF and partition is not None and offset is not None:
                    self._advance(partition, offset)
                else:
                    log_event(DEBUG, events.KAFKA_ERROR, error=error.str(), topic=self._topic)
                continue
            assert partition is not None and offset is not None
            self._apply(msg.key(), msg.value())
            self._advance(partition, offset + 1)

    def _advance(self, partition: int, position: int) -> None:
        with self._moved:
            if position > self._positions.get(partition, 0):
                self._positions[partition] = position
                self._moved.notify_all()

    def _apply(self, key: bytes | None, value: bytes | None) -> None:
        if value is None:
            if key is not None:
                job_id = key.decode("utf-8", "replace")
                self._records.pop(job_id, None)
                self._finished.pop(job_id, None)
            return
        try:
            record = decode_record(value)
        except BadJobRecord as exc:
            log_event(DEBUG, events.JOB_RECORD_UNREADABLE, error=str(exc), topic=self._topic)
            return
        if record.subject == CALL:
            if record.state == CANCEL_REQUESTED:
                self._remember_call_cancel(record.id)
                self._on_call_cancel(record.id)
            return
        if record.subject != JOB:
            return
        if record.id in self._finished and not record.terminal:
            # A cancel that raced the job's end landed after its terminal record: the job stays
            # finished here, and the lane that finished it writes its terminal record again.
            self._on_job_cancel(record.id)
            return
        if record.terminal:
            self._records.pop(record.id, None)
            self._finished[record.id] = record.state
        else:
            self._records[record.id] = record
        if record.state in (CANCEL_REQUESTED, CANCELLED):
            self._on_job_cancel(record.id)

    def _remember_call_cancel(self, call_id: str) -> None:
        now = time.monotonic()
        if len(self._call_cancels) >= MAX_CALL_CANCELS:
            cutoff = now - CALL_CANCEL_TTL_SECONDS
            self._call_cancels = {k: t for k, t in self._call_cancels.items() if t >= cutoff}
            if len(self._call_cancels) >= MAX_CALL_CANCELS:
                self._call_cancels.clear()
        self._call_cancels[call_id] = now

"""A minimal job client for the runner's integration tests: writes what the TypeScript client
writes (docs/jobs.md) and reads the job state topic, so the runner's job lane is tested on its own."""

from __future__ import annotations

import time
import uuid
from dataclasses import replace
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition

from mlbridge_runner.codec.envelopes import RemoteError, RequestEnvelope, encode_request
from mlbridge_runner.codec.schemas import wire_schemas
from mlbridge_runner.codec.value import decode_value, encode_value
from mlbridge_runner.jobs.records import (
    CANCEL_REQUESTED,
    CANCELLED,
    JOB,
    MAX_ATTEMPTS_HEADER,
    QUEUED,
    RUNNING,
    JobRecord,
    decode_record,
    encode_record,
    job_state_topic_for,
    job_topic_for,
)

from .kafka_client import unique


class JobCaller:
    def __init__(self, brokers: str, request_topic: str) -> None:
        self.job_topic = job_topic_for(request_topic)
        self.state_topic = job_state_topic_for(request_topic)
        self.producer = Producer({"bootstrap.servers": brokers, "linger.ms": 0, "partitioner": "murmur2_random"})
        self.consumer = Consumer({"bootstrap.servers": brokers, "group.id": unique("jobcaller"), "enable.auto.commit": False})
        partitions = self.consumer.list_topics(self.state_topic, timeout=10).topics[self.state_topic].partitions
        self.consumer.assign([TopicPartition(self.state_topic, p, OFFSET_BEGINNING) for p in partitions])
        self.states: dict[str, JobRecord] = {}
        self.history: dict[str, list[JobRecord]] = {}

    def submit(
        self, pipeline: str, args: Any = None, job_id: str | None = None, max_attempts: int = 3, record: bool = True
    ) -> str:
        """``record=False``: the request only, as a second submitter or a re-sent request would."""
        job_id = job_id or f"job-{uuid.uuid4()}"
        now = int(time.time() * 1000)
        encoded = encode_value({} if args is None else args)
        reference = wire_schemas().value.reference
        queued = JobRecord(
            id=job_id, subject=JOB, state=QUEUED, pipeline=pipeline, args=encoded, args_schema=reference,
            max_attempts=max_attempts, submitted_by="pytest", submitted_at_ms=now, updated_at_ms=now,
        )
        if record:
            self.producer.produce(self.state_topic, key=job_id, value=encode_record(queued))
        request = RequestEnvelope(
            id=job_id, pipeline=pipeline, args=encoded, args_schema=reference, reply_to="", deadline_ms=0,
            attempt=1, sent_at_ms=now, headers={MAX_ATTEMPTS_HEADER: str(max_attempts)},
        )
        self.producer.produce(self.job_topic, key=job_id, value=encode_request(request))
        self.producer.flush(10)
        return job_id

    def cancel(self, job_id: str) -> None:
        self.pump(0.2)
        current = self.states[job_id]
        now = int(time.time() * 1000)
        if current.state == QUEUED:
            error = RemoteError("CANCELLED", "JobCancelled", "cancelled while queued")
            record = replace(current, state=CANCELLED, finished_at_ms=now, updated_at_ms=now, error=error)
        else:
            record = replace(current, state=CANCEL_REQUESTED, updated_at_ms=now)
        self.producer.produce(self.state_topic, key=job_id, value=encode_record(record))
        self.producer.flush(10)

    def pump(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            msg = self.consumer.poll(0.05)
            if msg is None or msg.error() is not None or msg.value() is None:
                continue
            record = decode_record(msg.value())
            self.states[record.id] = record
            self.history.setdefault(record.id, []).append(record)

    def wait(self, job_id: str, *states: str, timeout: float = 30.0) -> JobRecord:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.pump(0.1)
            record = self.states.get(job_id)
            if record is not None and record.state in states:
                return record
        raise AssertionError(f"job {job_id} not in {states} within {timeout} s: {self.states.get(job_id)}")

    def wait_running(self, job_id: str, timeout: float = 30.0) -> JobRecord:
        return self.wait(job_id, RUNNING, timeout=timeout)

    @staticmethod
    def result(record: JobRecord) -> Any:
        return decode_value(record.result)

    def close(self) -> None:
        self.consumer.close()
        self.producer.flush(5)

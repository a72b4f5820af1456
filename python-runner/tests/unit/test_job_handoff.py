"""Issue 17 item 4 on the job lane: a job for a pipeline this runner lacks is handed on to a job
partition of a live runner that has it (jobs/lane_handoff.py), with stand-ins for Kafka — the
lane's consumer is never created, requests are handed to it as its thread would."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from confluent_kafka import TopicPartition

from mlbridge_runner import error_codes
from mlbridge_runner.codec.envelopes import RequestEnvelope
from mlbridge_runner.codec.schemas import wire_schemas
from mlbridge_runner.codec.value import encode_value
from mlbridge_runner.jobs.lane import JobLane
from mlbridge_runner.jobs.records import CANCELLED, QUEUED, JobRecord
from mlbridge_runner.jobs.runs import Claim
from mlbridge_runner.presence.records import PresenceRecord
from mlbridge_runner.registry import Registry
from mlbridge_runner.runner import handoff as handoff_module
from mlbridge_runner.runner.dispatch import Dispatcher
from mlbridge_runner.runner.routing import CALL_LANE, JOB_LANE, Forward, Hold, Hops, route

REF = wire_schemas().value.reference
TOPIC = "t.jobs"
registry = Registry()


@registry.pipeline("here")
def here() -> str:
    return "here"


# ---------------------------------------------------------------------------- stand-ins


@dataclass
class Msg:
    _key: bytes = b"j1"
    _value: bytes = b"framed request"
    _headers: list[tuple[str, bytes]] | None = None

    def key(self) -> bytes:
        return self._key

    def value(self) -> bytes:
        return self._value

    def headers(self) -> list[tuple[str, bytes]] | None:
        return self._headers


class Producer:
    """Records produces; ``ack``/``fail`` deliver their reports as librdkafka would on a poll."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def produce(self, topic: str, **kw: Any) -> None:
        self.sent.append({"topic": topic, **kw})

    def poll(self, timeout: float = 0) -> int:
        return 0

    def ack(self, i: int = -1, error: Any = None) -> None:
        self.sent[i]["on_delivery"](error, None)


class Consumer:
    def store_offsets(self, offsets: Any) -> None:
        pass

    def commit(self, asynchronous: bool) -> None:
        pass


class KafkaErr:
    def str(self) -> str:
        return "Broker: Not enough in-sync replicas"


class Writer:
    topic = "t.jobs.state"

    def __init__(self) -> None:
        self.written: list[JobRecord] = []
        self.producer = Producer()

    def write(self, record: JobRecord) -> None:
        self.written.append(record)

    def write_sync(self, record: JobRecord, timeout: float = 30.0) -> None:
        self.written.append(record)

    def states(self) -> list[str]:
        return [r.state for r in self.written]


class View:
    def __init__(self) -> None:
        self.records: dict[str, JobRecord] = {}

    def catch_up(self, timeout: float) -> bool:
        return True

    def get(self, job_id: str) -> JobRecord | None:
        return self.records.get(job_id)


@dataclass
class Presence:
    records: list[PresenceRecord] = field(default_factory=list)
    ready: bool = True

    def runners(self) -> list[PresenceRecord]:
        return self.records


def runner(rid: str, pipelines: tuple[str, ...], jobs: tuple[int, ...], calls: tuple[int, ...] = (0,), updated: int | None = None) -> PresenceRecord:
    return PresenceRecord(
        id=rid, client_id=rid, host="h", pid=1, version="1", group="g", request_topic="t", pipelines=pipelines,
        call_partitions=calls, job_partitions=jobs, interval_ms=5000,
        updated_at_ms=int(time.time() * 1000) if updated is None else updated,
    )


ME = "old/1/aaaa"


@pytest.fixture
def lane():
    writer = Writer()
    lane = JobLane(
        consumer_settings={}, topic=TOPIC, identity=ME,
        dispatcher=Dispatcher(registry, REF), view=View(), writer=writer,  # type: ignore[arg-type]
        dead_letters=lambda *args: None, concurrency=1, heartbeat_s=3, stale_after_s=15, cancel_grace_s=1,
        default_max_attempts=3, value_reference=REF, serves=registry.__contains__,
    )
    lane._tracker.assign([(TOPIC, 0), (TOPIC, 1)])
    lane.presence = Presence([runner("new/2/bbbb", ("here", "fresh"), (3, 4, 5))])  # type: ignore[attr-defined]
    lane.hand_on_with("g", lane.presence, None)  # type: ignore[attr-defined]
    yield lane
    lane._pool.close()


def take(lane: JobLane, offset: int = 0, job_id: str = "j1", pipeline: str = "fresh", headers: Any = None, partition: int = 0) -> Msg:
    """The lane's thread read a job request at ``offset``; then one pass of its loop."""
    ticket = lane._tracker.track(TOPIC, partition, offset)
    request = RequestEnvelope(id=job_id, pipeline=pipeline, args=encode_value({}), args_schema=REF, reply_to="",
                              deadline_ms=0, attempt=1, sent_at_ms=1, headers={})
    msg = Msg(_key=job_id.encode(), _headers=headers)
    lane._waiting.append(Claim(ticket, request, 3, msg))  # type: ignore[arg-type]
    lane._decide_waiting()
    return msg


def sent(lane: Any) -> list[dict[str, Any]]:
    return lane._writer.producer.sent


# ---------------------------------------------------------------------------- the decision


def test_route_on_the_job_lane_goes_to_job_partitions_not_request_partitions():
    now = int(time.time() * 1000)
    new = runner("new", ("b",), jobs=(4,), calls=(1,))
    assert route("b", "old", "g", (0,), Hops(), [new], now, b"k", lane=JOB_LANE) == Forward("new", 4)
    assert route("b", "old", "g", (0,), Hops(), [new], now, b"k", lane=CALL_LANE) == Forward("new", 1)
    # Our own job partition 4 in its record: stale, a rebalance of the job group is in flight.
    assert isinstance(route("b", "old", "g", (4,), Hops(), [new], now, b"k", lane=JOB_LANE), Hold)
    # A runner that owns no job partitions (--job-concurrency 0, or more runners than partitions): waited for.
    assert isinstance(route("b", "old", "g", (0,), Hops(), [runner("new", ("b",), ())], now, b"k", lane=JOB_LANE), Hold)


# ---------------------------------------------------------------------------- the lane


def test_a_job_this_runner_lacks_is_handed_on_and_its_record_stays_queued_until_the_forward_is_acknowledged(lane: Any):
    msg = take(lane, headers=[("traceparent", b"00-ab-cd-01")])
    (forward,) = sent(lane)
    assert forward["topic"] == TOPIC and forward["partition"] in (3, 4, 5)
    assert forward["key"] == b"j1" and forward["value"] == msg.value()
    assert forward["headers"][0] == ("traceparent", b"00-ab-cd-01")  # the submitter's headers, unchanged
    assert Hops.of(forward["headers"]) == Hops(1, (ME,), "new/2/bbbb")
    assert lane._writer.written == []  # no RUNNING, no FAILED: the job's record stays QUEUED
    assert lane._to_store == {} and not lane._waiting  # the original's offset stays open …
    lane._writer.producer.ack()
    lane._service_handoff()
    assert lane._to_store == {(TOPIC, 0): 1}  # … until the broker has the copy
    assert lane._writer.written == [] and lane._running == {}


def test_a_runner_that_dies_before_the_ack_leaves_the_original_uncommitted(lane: Any):
    take(lane)
    assert lane._to_store == {}
    take(lane, offset=1, job_id="j2")
    lane._writer.producer.ack(1)
    lane._service_handoff()
    assert lane._to_store == {}  # j2 is done but j1 (offset 0) is not: the position cannot pass it


def test_a_job_it_lacks_does_not_wait_for_a_free_job_worker(lane: Any):
    lane._running["busy"] = object()  # the only worker is taken by a long job
    take(lane)
    assert len(sent(lane)) == 1
    take(lane, offset=1, job_id="j2", pipeline="here")  # a job it has waits for the worker
    assert len(sent(lane)) == 1 and [c.request.id for c in lane._waiting] == ["j2"]
    lane._running.clear()


def test_a_name_no_live_runner_has_fails_at_once_with_unknown_pipeline(lane: Any):
    take(lane, pipeline="nope")
    assert sent(lane) == []
    (failed,) = lane._writer.written
    assert failed.state == "FAILED" and failed.error.code == error_codes.UNKNOWN_PIPELINE
    assert lane._to_store == {(TOPIC, 0): 1}


def test_a_forward_that_fails_for_good_writes_the_refusal(lane: Any):
    take(lane)
    lane._writer.producer.ack(error=KafkaErr())
    lane._service_handoff()  # handed back …
    lane._decide_waiting()  # … decided again: still QUEUED, so the refusal is written
    assert lane._writer.states() == ["FAILED"] and lane._writer.written[0].error.code == error_codes.UNKNOWN_PIPELINE
    assert len(sent(lane)) == 1 and lane._to_store == {(TOPIC, 0): 1}


def test_a_job_handed_back_after_it_was_cancelled_is_not_failed(lane: Any):
    take(lane)
    lane._writer.producer.ack(error=KafkaErr())
    lane._view.records["j1"] = JobRecord(id="j1", subject="JOB", state=CANCELLED, pipeline="fresh")
    lane._service_handoff()
    lane._decide_waiting()
    assert lane._writer.written == [] and lane._to_store == {(TOPIC, 0): 1}  # nobody writes over a terminal state


def test_a_holder_without_job_partitions_holds_the_job_queued_then_it_goes_once_one_is_assigned(lane: Any, monkeypatch):
    monkeypatch.setattr(handoff_module, "RECHECK_SECONDS", 0.0)
    lane.presence.records = [runner("new/2/bbbb", ("fresh",), ())]  # its job lane is rebalancing
    lane._view.records["j1"] = JobRecord(id="j1", subject="JOB", state=QUEUED, pipeline="fresh")
    take(lane)
    assert sent(lane) == [] and lane._writer.written == [] and lane._handoff.holding
    lane.presence.records = [runner("new/2/bbbb", ("fresh",), (2,))]
    time.sleep(0.01)
    lane._service_handoff()
    assert [s["partition"] for s in sent(lane)] == [2] and not lane._handoff.holding


def test_the_hold_is_bounded_then_the_refusal_is_written(lane: Any, monkeypatch):
    monkeypatch.setattr(handoff_module, "RECHECK_SECONDS", 0.0)
    monkeypatch.setattr(handoff_module, "HOLD_SECONDS", 0.0)
    lane.presence.records = [runner("new/2/bbbb", ("fresh",), ())]
    take(lane)
    # Held for the bound (0 s here, 20 s in the runner), never past it: answered on the first pass.
    assert lane._writer.states() == ["FAILED"] and sent(lane) == []


def test_a_revoked_partitions_held_jobs_are_left_to_its_next_owner(lane: Any):
    lane.presence.records = [runner("new/2/bbbb", ("fresh",), ())]
    take(lane, partition=1)
    assert lane._handoff.holding
    lane._on_revoke(Consumer(), [TopicPartition(TOPIC, 1)])
    assert not lane._handoff.holding and lane._handing == {} and lane._writer.written == []


def test_a_job_handed_to_us_that_we_lack_too_goes_on_with_the_hop_count_and_never_back(lane: Any):
    third = runner("third/3/cccc", ("fresh",), (5,))
    lane.presence.records = [runner("new/2/bbbb", ("fresh",), (3,)), third]
    came = Hops().onward("new/2/bbbb", ME, [("h", b"1")])  # new refused it (stale presence) and sent it here
    take(lane, headers=came)
    (forward,) = sent(lane)
    assert forward["partition"] == 5 and Hops.of(forward["headers"]) == Hops(2, ("new/2/bbbb", ME), "third/3/cccc")
    assert forward["headers"][0] == ("h", b"1")


def test_after_the_hop_limit_the_refusal_is_written(lane: Any):
    take(lane, headers=[("mlbridge-handoff-hops", b"4")])
    assert sent(lane) == [] and lane._writer.states() == ["FAILED"]


def test_without_presence_jobs_are_refused_as_before(lane: Any):
    lane._handoff = None
    take(lane)
    assert sent(lane) == [] and lane._writer.states() == ["FAILED"]


def test_a_job_read_before_the_runner_has_read_presence_waits_for_it_instead_of_failing(lane: Any):
    lane._handoff = None
    lane.expect_hand_on(15.0)  # the runner attaches its presence view moments after the lane starts
    take(lane)
    assert sent(lane) == [] and lane._writer.written == [] and [c.request.id for c in lane._waiting] == ["j1"]
    lane.hand_on_with("g", lane.presence, None)
    lane._decide_waiting()
    assert len(sent(lane)) == 1 and lane._writer.written == [] and not lane._waiting

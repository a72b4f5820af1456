"""Issue 17 item 4: the hand-on decision (runner/routing.py) and the hand-on bookkeeping
(runner/handoff.py) without Kafka."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from mlbridge_runner import error_codes
from mlbridge_runner.codec.envelopes import RemoteError, RequestEnvelope
from mlbridge_runner.presence.records import PresenceRecord
from mlbridge_runner.runner import handoff as handoff_module
from mlbridge_runner.runner.dispatch import Rejected
from mlbridge_runner.runner.handoff import HandOn
from mlbridge_runner.runner.offsets import Ticket
from mlbridge_runner.runner.routing import (
    HOPS_HEADER,
    MAX_HOPS,
    REFUSED_BY_HEADER,
    TARGET_HEADER,
    Answer,
    Forward,
    Hold,
    Hops,
    route,
)

NOW = 1_800_000_000_000


def runner(rid: str, pipelines: tuple[str, ...], partitions: tuple[int, ...], updated: int = NOW, group: str = "g") -> PresenceRecord:
    return PresenceRecord(id=rid, client_id=rid, host="h", pid=1, version="1", group=group, request_topic="t",
                          pipelines=pipelines, call_partitions=partitions, updated_at_ms=updated, interval_ms=5000)


OLD = runner("old", ("a",), (0, 1))
NEW = runner("new", ("a", "b"), (2, 3))


def decide(name: str = "b", me: str = "old", mine: tuple[int, ...] = (0, 1), hops: Hops = Hops(),
           runners: list[PresenceRecord] | None = None, **kw: Any):
    return route(name, me, "g", mine, hops, [OLD, NEW] if runners is None else runners, NOW, b"key-1", **kw)


# ---------------------------------------------------------------------------- routing


def test_a_pipeline_another_live_runner_has_goes_to_one_of_its_partitions():
    decision = decide()
    assert isinstance(decision, Forward) and decision.runner == "new" and decision.partition in (2, 3)
    assert decide() == decision  # the same key goes the same way


def test_a_name_no_live_runner_has_is_answered():
    assert decide("nope") == Answer("no live runner has it")
    stale = runner("new", ("a", "b"), (2, 3), updated=NOW - 15_000)  # 3 intervals old: gone
    assert decide(runners=[OLD, stale]) == Answer("no live runner has it")
    other_group = runner("new", ("b",), (2,), group="other")
    assert decide(runners=[OLD, other_group]) == Answer("no live runner has it")


def test_partitions_we_own_are_stale_claims_and_a_holder_without_reachable_ones_is_waited_for():
    decision = decide(mine=(0, 1, 2))
    assert decision == Forward("new", 3)
    assert isinstance(decide(mine=(0, 1, 2, 3)), Hold)  # a rebalance moved them: wait for fresh presence
    assert isinstance(decide(runners=[OLD, runner("new", ("b",), ())]), Hold)
    assert isinstance(decide(avoid=["new"]), Hold)


def test_runners_that_refused_are_skipped_and_the_hop_limit_answers():
    hops = Hops(1, ("new",), "new")
    assert decide(me="old", hops=hops) == Answer("every live runner that has it refused it")
    third = runner("third", ("b",), (4,))
    assert decide(hops=hops, runners=[OLD, NEW, third]) == Forward("third", 4)
    assert isinstance(decide(hops=Hops(MAX_HOPS, (), "")), Answer)


def test_the_catalogues_runner_for_the_version_is_preferred():
    twin = runner("twin", ("b",), (4, 5))
    chosen = {decide(runners=[OLD, NEW, twin], preferred=rid).runner for rid in ("new", "twin")}
    assert chosen == {"new", "twin"}


def test_a_runner_still_announcing_itself_or_an_unread_presence_topic_holds():
    assert isinstance(decide("c", announcing=["starting"]), Hold)
    assert decide("c", announcing=["new"]) == Answer("no live runner has it")  # known, and it lacks c
    assert isinstance(decide("c", presence_ready=False), Hold)


def test_hop_headers_round_trip_and_keep_the_callers_headers():
    onward = Hops().onward("old", "new", [("trace", b"x"), (HOPS_HEADER, b"9")])
    assert onward[0] == ("trace", b"x")
    assert dict(onward)[HOPS_HEADER] == b"1" and dict(onward)[REFUSED_BY_HEADER] == b"old" and dict(onward)[TARGET_HEADER] == b"new"
    hops = Hops.of(onward)
    assert hops == Hops(1, ("old",), "new")
    again = dict(hops.onward("new", "third", onward))
    assert again[HOPS_HEADER] == b"2" and again[REFUSED_BY_HEADER] == b"old,new"
    assert Hops.of(None) == Hops() and Hops.of([("x", b"y")]) == Hops()
    assert Hops.of([(HOPS_HEADER, b"junk")]).count == MAX_HOPS  # a forged count cannot loop for ever


# ---------------------------------------------------------------------------- HandOn


@dataclass
class Msg:
    _key: bytes = b"k"
    _value: bytes = b"v"
    _headers: list[tuple[str, bytes]] | None = None

    def key(self) -> bytes:
        return self._key

    def value(self) -> bytes:
        return self._value

    def headers(self) -> list[tuple[str, bytes]] | None:
        return self._headers


@dataclass
class FakePresence:
    records: list[PresenceRecord] = field(default_factory=list)
    ready: bool = True

    def runners(self) -> list[PresenceRecord]:
        return self.records


def live(rid: str, pipelines: tuple[str, ...], partitions: tuple[int, ...]) -> PresenceRecord:
    return runner(rid, pipelines, partitions, updated=int(time.time() * 1000))


def make(presence: FakePresence, catalogue: Any = None, mine: tuple[int, ...] = (0, 1)):
    sent: list[tuple] = []
    answered: list[str] = []
    hand = HandOn("old", "g", presence, catalogue, lambda: mine,
                  lambda partition, key, value, headers, ticket, failed: sent.append((partition, key, value, headers, ticket, failed)),
                  lambda rejected, request, ticket: answered.append(request.id))
    return hand, sent, answered


def refusal(code: str = error_codes.UNKNOWN_PIPELINE) -> Rejected:
    return Rejected(RemoteError(code, "T", "m"), hand_on=True)


def request(rid: str = "r1", deadline: int = 0, pipeline: str = "b", ref: str = "crc64:aa") -> RequestEnvelope:
    return RequestEnvelope(id=rid, pipeline=pipeline, args=b"", args_schema=ref, reply_to="rt", deadline_ms=deadline)


TICKET = Ticket("t", 0, 5, 1)


def test_offer_forwards_the_same_record_with_hop_headers():
    hand, sent, answered = make(FakePresence([live("new", ("b",), (2,))]))
    assert hand.offer(refusal(), request(), TICKET, Msg(_headers=[("h", b"1")]))
    (partition, key, value, headers, ticket, failed), = sent
    assert (partition, key, value, ticket) == (2, b"k", b"v", TICKET)
    assert headers[0] == ("h", b"1") and Hops.of(headers) == Hops(1, ("old",), "new")
    failed("broker said no")  # the forward failed for good: the refusal is answered then
    assert answered == ["r1"]


def test_offer_declines_without_a_record_or_a_holder_and_after_the_deadline():
    hand, sent, _ = make(FakePresence([live("new", ("b",), (2,))]))
    assert not hand.offer(refusal(), request(), TICKET, None)
    assert not hand.offer(refusal(), request(pipeline="zzz"), TICKET, Msg())
    assert not hand.offer(refusal(), request(deadline=1), TICKET, Msg())
    assert sent == []


def test_held_calls_forward_once_a_holder_is_reachable_give_up_at_the_bound_and_drop_on_revoke(monkeypatch):
    presence = FakePresence([live("new", ("b",), ())])
    hand, sent, answered = make(presence)
    assert hand.offer(refusal(), request("r1"), TICKET, Msg()) and hand.holding and sent == []
    presence.records = [live("new", ("b",), (3,))]
    monkeypatch.setattr(handoff_module, "RECHECK_SECONDS", 0.0)
    time.sleep(0.25)
    hand.service()
    assert [s[0] for s in sent] == [3] and not hand.holding

    presence.records = [live("new", ("b",), ())]
    monkeypatch.setattr(handoff_module, "HOLD_SECONDS", 0.0)
    assert not hand.offer(refusal(), request("r2"), TICKET, Msg())  # the hold bound is already over

    monkeypatch.setattr(handoff_module, "HOLD_SECONDS", 60.0)
    other = Ticket("t", 1, 9, 1)
    assert hand.offer(refusal(), request("r3"), other, Msg())
    assert hand.drop(lambda t: t.partition == 1) == [other] and not hand.holding
    assert answered == []


def test_a_call_that_reached_us_instead_of_its_target_avoids_that_runner_for_a_while():
    presence = FakePresence([live("new", ("b",), (2,)), live("other", ("b",), (4,))])
    hand, sent, _ = make(presence)
    headers = Hops(1, ("x",), "new").onward("x", "new", None)
    assert hand.offer(refusal(), request(), TICKET, Msg(_headers=headers))
    assert sent[0][0] == 4


def test_incompatible_arguments_prefer_the_runner_the_catalogue_names_for_the_callers_schema():
    entries = {1: SimpleNamespace(runner="old", args_ref="crc64:01", published_at_ms=0),
               2: SimpleNamespace(runner="v2b", args_ref="crc64:02", published_at_ms=0)}
    catalogue = SimpleNamespace(versions=lambda name: entries)
    presence = FakePresence([live(rid, ("b",), (p,)) for rid, p in (("v2a", 2), ("v2b", 3), ("v2c", 4))])
    for key in (b"a", b"b", b"c", b"d"):
        hand, sent, _ = make(presence, catalogue)
        assert hand.offer(refusal(error_codes.INCOMPATIBLE_ARGUMENTS), request(ref="crc64:02"), TICKET, Msg(_key=key))
        assert sent[0][0] == 3

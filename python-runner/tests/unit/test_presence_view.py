"""The runner's presence view (presence/view.py): records by runner id, tombstones, liveness,
unreadable records skipped — fed messages without a broker."""

from __future__ import annotations

from dataclasses import dataclass

from mlbridge_runner.presence.records import PresenceRecord, encode_presence
from mlbridge_runner.presence.view import PresenceView


@dataclass
class Msg:
    _key: bytes | None
    _value: bytes | None

    def key(self) -> bytes | None:
        return self._key

    def value(self) -> bytes | None:
        return self._value

    def offset(self) -> int:
        return 0


def record(rid: str, updated: int) -> PresenceRecord:
    return PresenceRecord(id=rid, client_id=rid, host="h", pid=1, version="1", group="g", request_topic="t",
                          pipelines=("a",), call_partitions=(0,), updated_at_ms=updated, interval_ms=1000)


def test_records_tombstones_liveness_and_bad_records():
    view = PresenceView({}, "t.runners", consumer=object())
    view.apply(Msg(b"r1", encode_presence(record("r1", 10_000))))
    view.apply(Msg(b"r2", encode_presence(record("r2", 5_000))))
    view.apply(Msg(b"r3", b"\xc3\x01not a record"))
    view.apply(Msg(None, b"x"))
    assert [r.id for r in view.runners()] == ["r1", "r2"] and view.skipped == 1
    assert [r.id for r in view.live(now_ms=10_500)] == ["r1"]  # r2: 3 intervals old
    view.apply(Msg(b"r1", encode_presence(record("r1", 11_000))))
    assert view.get("r1").updated_at_ms == 11_000
    view.apply(Msg(b"r1", None))  # a graceful stop
    assert view.get("r1") is None and [r.id for r in view.runners()] == ["r2"]
    assert not view.ready

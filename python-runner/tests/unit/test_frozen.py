"""The per-call builders make the same frozen instances as the dataclass constructors."""

import dataclasses

import pytest

from mlbridge_runner.codec.envelope_types import ReplyEnvelope, ReplyStatus, Timings
from mlbridge_runner.codec.envelopes import RequestEnvelope
from mlbridge_runner.frozen import slot_setters
from mlbridge_runner.registry import Registry
from mlbridge_runner.runner.dispatch import Call, Outcome, _ok_outcome, _untyped_call
from mlbridge_runner.runner.replies import _ok_reply_python, _timings, ok_reply, ok_reply_of


def test_builders_equal_the_dataclass_constructors_and_stay_frozen():
    request = RequestEnvelope("id-1", "echo", b"", "ref", "replies")
    registry = Registry()
    registry.register(lambda: None, "echo")
    pipeline = registry["echo"]
    expected_reply = ReplyEnvelope(
        id="id-1", status=ReplyStatus.OK, result=b"r", result_schema="ref", runner="runner-a", timings=Timings(1, 2, 3)
    )
    cases = [
        (_timings(1, 2, 3), Timings(1, 2, 3)),
        (ok_reply_of("id-1", b"r", "ref", "runner-a", Timings(1, 2, 3)), expected_reply),
        (_ok_reply_python("id-1", b"r", "ref", "runner-a", 1, 2, 3), expected_reply),
        (ok_reply("id-1", b"r", "ref", "runner-a", 1, 2, 3), expected_reply),  # in C when built
        (_ok_outcome(b"r", 1, 2), Outcome(b"r", None, 1, 2)),
        (_untyped_call(request, pipeline, {"a": 1}, 5), Call(request, pipeline, {"a": 1}, 5)),
    ]
    for fast, slow in cases:
        assert type(fast) is type(slow) and fast == slow
        with pytest.raises(dataclasses.FrozenInstanceError):
            fast.__setattr__(dataclasses.fields(fast)[0].name, None)


def test_slot_setters_follow_the_field_order():
    for cls in (Timings, ReplyEnvelope, Outcome, Call):
        assert cls.__slots__ == tuple(f.name for f in dataclasses.fields(cls))
        assert len(slot_setters(cls)) == len(dataclasses.fields(cls))


def test_refuses_classes_it_cannot_build_faithfully():
    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        a: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        a: int

        def __post_init__(self) -> None:
            if self.a < 0:
                raise ValueError("negative")

    for cls in (NoSlots, Checked):
        with pytest.raises(TypeError):
            slot_setters(cls)

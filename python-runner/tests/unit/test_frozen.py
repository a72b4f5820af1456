"""positional_constructor builds the same frozen instances as the dataclass, faster."""

import dataclasses

import pytest

from mlbridge_runner.codec.envelope_types import RemoteError, ReplyEnvelope, ReplyStatus, Timings
from mlbridge_runner.frozen import positional_constructor
from mlbridge_runner.runner.dispatch import Outcome


def test_instances_equal_the_dataclass_built_ones_and_stay_frozen():
    build = positional_constructor(ReplyEnvelope)
    timings = positional_constructor(Timings)(1, 2, 3)
    error = RemoteError("E", "T", "m")
    fast = build("id-1", ReplyStatus.ERROR, b"", "", error, None, "runner-a", timings)
    slow = ReplyEnvelope(id="id-1", status=ReplyStatus.ERROR, error=error, runner="runner-a", timings=Timings(1, 2, 3))
    assert fast == slow and hash(fast) == hash(slow) and type(fast) is ReplyEnvelope
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.id = "other"  # type: ignore[misc]


def test_every_field_is_required_and_positional():
    build = positional_constructor(Outcome)
    assert build(b"r", None, 1, 2, None) == Outcome(b"r", None, 1, 2)
    with pytest.raises(TypeError):
        build(b"r", None, 1, 2)


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
            positional_constructor(cls)

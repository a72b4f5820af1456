from __future__ import annotations

from typing import Optional

import pytest

import mlbridge_runner
from mlbridge_runner import Progress, Registry, RegistryError
from mlbridge_runner.codec.envelopes import RequestEnvelope
from mlbridge_runner.codec.schemas import wire_schemas
from mlbridge_runner.codec.value import decode_value, encode_value
from mlbridge_runner.progress import ProgressLimiter, Report
from mlbridge_runner.runner.dispatch import Dispatcher, Rejected, execute


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_limiter_sends_at_most_one_per_interval_and_always_the_last():
    clock, sent = Clock(), []
    limiter = ProgressLimiter(sent.append, 0.1, clock)
    limiter.report(Report(1, None, "a"))
    clock.now = 0.05
    limiter.report(Report(2, None, "b"))
    limiter.report(Report(3, None, "c"))
    limiter.flush_due()
    assert [r.current for r in sent] == [1]
    clock.now = 0.1
    limiter.flush_due()
    assert [r.current for r in sent] == [1, 3]  # the newest held report
    clock.now = 0.15
    limiter.report(Report(4, None, "d"))
    limiter.close(flush=True)
    assert [r.current for r in sent] == [1, 3, 4]
    limiter.report(Report(5, None, "late"))
    limiter.flush_due()
    assert len(sent) == 3


def test_limiter_close_without_flush_drops_the_held_report():
    clock, sent = Clock(), []
    limiter = ProgressLimiter(sent.append, 0.1, clock)
    limiter.report(Report(1, None, ""))
    limiter.report(Report(2, None, ""))
    limiter.close(flush=False)
    assert [r.current for r in sent] == [1]


def test_reporter_checks_its_arguments():
    got = []
    report = Progress(got.append)
    report(1, 10, "x" * 5000)
    report(2.5)
    assert got[0] == Report(1.0, 10.0, "x" * 1024) and got[1] == Report(2.5, None, "")
    with pytest.raises(TypeError):
        report("1")
    with pytest.raises(TypeError):
        report(1, True)
    Progress()(1)  # no sink: discarded


def _registry():
    registry = Registry()

    @registry.pipeline("plain")
    def plain(a: int, report: Progress) -> int:
        report(1, 2, "half")
        return a

    @registry.pipeline("optional")
    def optional(a: int, progress: Optional[Progress] = None) -> int:  # noqa: UP007
        return a

    @registry.pipeline("qualified")
    def qualified(tracker: "mlbridge_runner.Progress" = None) -> str:  # type: ignore[assignment]
        return "ok"

    @registry.pipeline("named_only")
    def named_only(progress: int = 0) -> int:  # named progress but not annotated: an ordinary argument
        return progress

    return registry


def test_the_annotation_not_the_name_decides():
    registry = _registry()
    assert registry["plain"].progress_param == "report"
    assert registry["optional"].progress_param == "progress"
    assert registry["qualified"].progress_param == "tracker"  # string annotation, resolved by name
    assert registry["named_only"].progress_param is None


def test_bad_progress_parameters_are_refused_at_registration():
    registry = Registry()
    with pytest.raises(RegistryError, match="more than one"):
        registry.pipeline("two")(_two)
    with pytest.raises(RegistryError, match="keyword-capable"):
        registry.pipeline("varargs")(_varargs)


def _two(p: Progress, q: Progress) -> None: ...


def _varargs(*p: Progress) -> None: ...


def _request(name, args):
    return RequestEnvelope(
        id="r1", pipeline=name, args=encode_value(args), args_schema=wire_schemas().value.reference, reply_to="t"
    )


def test_injected_never_from_the_message_and_passed_at_execution():
    dispatcher = Dispatcher(_registry(), wire_schemas().value.reference)
    with pytest.raises(Rejected) as rejected:
        dispatcher.prepare(_request("plain", {"a": 1, "report": 5}))
    assert rejected.value.error.code == "INVALID_ARGUMENTS" and "'report'" in rejected.value.error.message
    call = dispatcher.prepare(_request("plain", {"a": 7}))
    got = []
    outcome = execute(call, progress=got.append)
    assert decode_value(outcome.result) == 7 and got == [Report(1.0, 2.0, "half")]
    assert decode_value(execute(call).result) == 7  # no sink: reports discarded
    call = dispatcher.prepare(_request("optional", {"a": 3}))
    assert decode_value(execute(call).result) == 3
    with pytest.raises(Rejected):
        dispatcher.prepare(_request("optional", {"a": 3, "progress": None}))

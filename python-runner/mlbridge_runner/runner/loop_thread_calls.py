"""Calls run on the consume loop's own thread: the short path of the commonest call and the calls
of pipelines promoted by the inline policy (inline.py), and their replies.

A mixin of :class:`~mlbridge_runner.runner.loop.Runner` (like :mod:`.worker_side` for the worker
threads); everything here runs on the loop thread.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable

from .. import events
from ..codec.envelopes import RequestEnvelope
from ..codec.value import decode_value
from ..logging import ERROR, log_event
from .dispatch import Outcome, deadline_passed, execute, now_ms, run_untyped
from .idempotency import HEADER as IDEMPOTENCY_HEADER
from .pool import Job
from .replies import outcome_reply

if TYPE_CHECKING:
    from ..observability import Observer
    from .dispatch import Dispatcher
    from .dlq import DeadLetters
    from .inline import InlinePolicy
    from .offsets import Ticket
    from .replies import ReplySender
    from .transactions import TransactionalReplies


class LoopThreadCalls:
    # Provided by Runner.
    identity: str
    _value_reference: str
    _served: int
    _idempotent: bool
    _dispatcher: Dispatcher
    _inline: InlinePolicy
    _observer: Observer
    _replies: ReplySender | TransactionalReplies
    _settle: Callable[[Ticket | None], None]
    _dlq: DeadLetters

    def _finish_key(self, job: Job, outcome: Outcome | None) -> None:
        raise NotImplementedError

    def _serve_short(self, request: RequestEnvelope, ticket: Ticket) -> bool:
        """Serve the commonest call here, without the general path's ``Call``, ``Job`` and the
        frames between them: an untyped pipeline already prepared once and now run on this thread
        (see inline.py), generic arguments that bind, no idempotency key, deadline not passed.
        ``False``: nothing was done and :meth:`_dispatch` takes the call — every call to refuse
        among them, so its error reply is built in one place. Measured in bench/README.md (sixth pass)."""
        found = self._dispatcher.untyped_plan(request.pipeline)
        if found is None:
            return False
        pipeline, binder = found
        if request.args_schema != self._value_reference or not self._inline.allows(pipeline):
            return False
        if self._idempotent and IDEMPOTENCY_HEADER in request.headers:
            return False
        received = now_ms()
        if deadline_passed(request, received):
            return False
        try:
            kwargs = binder.bind(decode_value(request.args, root="args"))
        except Exception:  # noqa: BLE001 - refused: the general path decodes again and answers
            return False
        span = self._observer.start_call(request, ticket, pipeline.name)
        started = time.perf_counter()
        if span is None:
            outcome = run_untyped(pipeline.fn, kwargs, received)
        else:
            outcome = self._observer.run(span, run_untyped, pipeline.fn, kwargs, received)
        self._inline.measured(pipeline, time.perf_counter() - started, inline=True)
        self._reply_inline(request, outcome, received, ticket, pipeline=pipeline.name, span=span)
        return True

    def _run_inline(self, job: Job) -> None:
        """Loop thread: run a call of a pipeline measured to take microseconds, and reply."""
        call = job.call
        started = time.perf_counter()
        outcome = execute(call) if job.trace is None else self._observer.run(job.trace, execute, call)
        self._inline.measured(call.pipeline, time.perf_counter() - started, inline=True)
        job.finished = True
        self._reply_inline(call.request, outcome, call.received_at_ms, job.ticket, job)

    def _reply_inline(
        self,
        request: RequestEnvelope,
        outcome: Outcome,
        received_at_ms: int,
        ticket: Ticket,
        job: Job | None = None,
        pipeline: str = "",
        span: object = None,
    ) -> None:
        """Loop thread: answer a call run here (``job``: one that may own an idempotency key;
        without one, ``pipeline`` and ``span`` are the call's)."""
        try:
            reply = outcome_reply(request, outcome, self._value_reference, self.identity, received_at_ms, self._dlq, ticket)
            if job is not None:
                pipeline, span = job.call.pipeline.name, job.trace
            headers = self._observer.replied(pipeline, reply, span)
            self._replies.send(reply, request.reply_to, ticket, request.deadline_ms, headers=headers)
            self._served += 1
            if job is not None:
                self._finish_key(job, outcome)
        except Exception as exc:  # noqa: BLE001 - as on a worker: never lose the ticket
            log_event(ERROR, events.CRASHED, error=f"{type(exc).__name__}: {exc}", exc_info=True)
            self._settle(ticket)

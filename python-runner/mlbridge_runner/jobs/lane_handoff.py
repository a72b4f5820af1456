"""The job lane's side of rolling upgrades (issue 17 item 4, docs/protocol.md §14): a job request
for a pipeline this runner lacks (or whose typed arguments its version would drop) is handed on to
a job request partition of a live runner that has it, with the call lane's decision and hop headers
(runner/routing.py, runner/handoff.py): the same record — key, value, the submitter's headers — is
re-produced to the job request topic, and the original's offset is stored only once that produce is
acknowledged. A runner that dies before that leaves the original to its partition's next owner,
which decides again (at least once; the job state record keeps a second copy from running twice).

The job's state record is not written meanwhile: it stays QUEUED (or as a dead runner left it) until
a runner that has the pipeline writes RUNNING. Only when nobody live can take the job (no live
runner has it, all refused, the hop limit, the hold bound) is the refusal written, FAILED, as before.

A mixin of :class:`~mlbridge_runner.jobs.lane.JobLane`, run on the lane's thread. Delivery reports
of the re-produced records arrive on whichever thread polls the state writer's producer (pipeline
threads write progress through it) and reach the lane's thread through a queue.
"""

from __future__ import annotations

import queue
import time
from collections import deque
from typing import TYPE_CHECKING, Callable

from confluent_kafka import KafkaError, KafkaException

from ..runner.handoff import HandOn
from ..runner.offsets import OffsetTracker, Ticket
from ..runner.routing import JOB_LANE, Headers
from .runs import Claim

if TYPE_CHECKING:
    from ..codec.envelopes import RequestEnvelope
    from ..runner.dispatch import Dispatcher, Rejected
    from ..runner.handoff import Catalogue, Presence
    from .state_writer import StateWriter

#: A re-produced job request's delivery: its original's ticket, what to call when it failed, and
#: the error (None: acknowledged).
Delivery = tuple[Ticket, Callable[[str], None], "str | None"]


class LaneHandOn:
    # Provided by JobLane.
    _topic: str
    _identity: str
    _tracker: OffsetTracker
    _waiting: deque[Claim]
    _writer: StateWriter
    _dispatcher: Dispatcher
    _last_recheck: float
    #: Jobs being handed on (held or re-produced, not acknowledged yet), by their original's ticket.
    _handing: dict[Ticket, Claim]
    #: Jobs nobody else could take: decided again on the next pass, then their refusal is written.
    _returned: list[Claim]
    _deliveries: queue.SimpleQueue[Delivery]
    _settle: Callable[[Ticket], None]  # LaneOffsets's (an annotation, not a stub that could shadow it)
    #: Set by :meth:`hand_on_with` (None: refusals are written at once, as before rolling upgrades).
    _handoff: HandOn | None = None
    #: Until then (monotonic) a job to hand on waits for :meth:`hand_on_with` instead of failing:
    #: the lane starts moments before the runner has read the presence topic.
    _hand_on_expected_until = 0.0

    def expect_hand_on(self, within_s: float) -> None:
        """The runner will call :meth:`hand_on_with` within ``within_s``: until then, jobs to hand
        on wait (a job read in that window must not fail for want of the presence view)."""
        self._hand_on_expected_until = time.monotonic() + within_s

    def hand_on_with(self, group: str, presence: Presence, catalogue: Catalogue | None) -> None:
        """Hand refused jobs on from now on (called from the consume loop's thread once the
        presence view is read; ``group``: the runners' group, as in their presence records)."""
        if catalogue is not None:
            self._dispatcher.argument_loss.versions = catalogue.versions
        partitions = self._tracker.partitions
        self._handoff = HandOn(
            self._identity,
            group,
            presence,
            catalogue,
            lambda: [p for _, p in partitions()],
            self._send_onward,
            self._hand_back,
            lane=JOB_LANE,
        )

    def _offer(self, claim: Claim, rejected: Rejected) -> bool | None:
        """Whether a refused job was taken to be handed on (``False``: write its refusal now;
        ``None``: decide it again later, the runner cannot hand jobs on yet)."""
        handoff = self._handoff
        if claim.handed_back or not rejected.hand_on or claim.record is None:
            return False
        if handoff is None:
            return None if time.monotonic() < self._hand_on_expected_until else False
        self._handing[claim.ticket] = claim  # first: a produce that fails at once hands it back
        if handoff.offer(rejected, claim.request, claim.ticket, claim.record):
            return True
        self._handing.pop(claim.ticket, None)
        return False

    def _hand_back(self, _rejected: Rejected, _request: RequestEnvelope, ticket: Ticket) -> None:
        """HandOn: nobody can take the job after all. It is decided again (a cancellation may have
        come meanwhile) and, if it is still to run, its refusal is written."""
        claim = self._handing.pop(ticket, None)
        if claim is not None:
            claim.handed_back = True
            self._returned.append(claim)  # not _waiting: this may run while _waiting is walked

    def _send_onward(
        self,
        partition: int,
        key: bytes | None,
        value: bytes | None,
        headers: Headers,
        ticket: Ticket,
        failed: Callable[[str], None],
    ) -> None:
        deliveries = self._deliveries

        def delivered(err: KafkaError | None, _msg: object) -> None:
            deliveries.put((ticket, failed, None if err is None else err.str()))

        producer = self._writer.producer  # acks=all, idempotent (transport/config.py)
        while True:
            try:
                producer.produce(self._topic, value=value, key=key, headers=headers, partition=partition, on_delivery=delivered)
                return
            except BufferError:
                producer.poll(0.05)  # the local queue is full until delivery reports are served
            except KafkaException as exc:
                failed(exc.args[0].str())
                return

    def _service_handoff(self) -> None:
        """Each pass: settle acknowledged hand-ons, decide held jobs again, requeue handed-back ones."""
        if self._handoff is None:
            return
        self._settle_handed_on()
        if self._handoff.holding:
            self._handoff.service()
        if self._returned:
            self._waiting.extend(self._returned)
            self._returned.clear()
            self._last_recheck = 0.0  # decide them on this pass

    def _settle_handed_on(self) -> None:
        while True:
            try:
                ticket, failed, error = self._deliveries.get_nowait()
            except queue.Empty:
                return
            if error is None:
                self._handing.pop(ticket, None)
                self._settle(ticket)  # the copy is on the other runner's partition: ours is done
            else:
                failed(error)

    def _drop_handed_on(self, revoked: set[tuple[str, int]]) -> None:
        """Revoked partitions: their held jobs stay uncommitted for the next owner."""
        if self._handoff is not None:
            for ticket in self._handoff.drop(lambda t: (t.topic, t.partition) in revoked):
                self._handing.pop(ticket, None)

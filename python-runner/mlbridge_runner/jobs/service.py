"""A runner's jobs, wired: the state view, the state writer and the job lane, and the way a
cancellation written to the state topic reaches a running call.

The consume loop only starts and stops this; it never handles a job itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from ..config import RunnerConfig
from ..observability import Observer
from ..contract import SchemaStore
from ..registry import Registry
from ..runner.dispatch import Dispatcher
from ..runner.dlq import DeadLetters
from ..runner.processes import ProcessWorkers
from ..transport.config import connection_settings, consumer_settings, producer_settings
from .lane import JobLane
from .state_writer import StateWriter
from .view import JobView

if TYPE_CHECKING:
    from ..runner.handoff import Catalogue, Presence

#: ``--job-priority idle``: job worker processes at nice 19 and SCHED_IDLE, so when training and
#: calls compete for the cores the calls (and a broker on the same host) win. Measured with the jobs
#: rung (bench/README.md): inference p99 with 4 CPU-bound jobs on 2 cores, vs idle runners: 3.74×
#: at nice 10, 0.87× and 1.65× at nice 19, 0.95× with SCHED_IDLE too.
JOB_NICENESS = 19

#: How long a job to hand on may wait for the runner's presence view at start (it waits up to 5 s
#: for the presence topic to be read, runner/handoff_calls.py).
HAND_ON_EXPECTED_SECONDS = 15.0

#: Partitions of the job topics when a runner creates them.
JOB_TOPIC_PARTITIONS = 6


def job_topic_configs(config: RunnerConfig) -> dict[str, dict[str, str]]:
    """Topic settings used when the runner creates the job topics."""
    retention = str(config.job_retention_ms)
    return {
        config.jobs_topic: {"retention.ms": retention},
        config.jobs_state_topic: {
            "cleanup.policy": "compact,delete",
            "retention.ms": retention,
            # Compaction works on closed segments: roll hourly so a busy topic stays small.
            "segment.ms": "3600000",
        },
    }


class JobService:
    def __init__(
        self,
        config: RunnerConfig,
        identity: str,
        registry: Registry,
        schema_store: SchemaStore,
        registry_schemas: Callable[[str], Any | None] | None,
        value_reference: str,
        logger: Any,
        on_call_cancel: Callable[[str], None],
        observer: Observer | None = None,
    ) -> None:
        base = consumer_settings(config, identity)
        view_settings = {
            **connection_settings(config),
            "client.id": base["client.id"] + "-jobview",
            "group.id": f"{config.group}.jobview",  # required by librdkafka; never joined (assign only)
            "logger": logger,
        }
        self.writer = StateWriter({**producer_settings(config, identity), "logger": logger}, config.jobs_state_topic)
        self.lane: JobLane | None = None
        self._processes: ProcessWorkers | None = None
        self.stopped = False
        self.view = JobView(view_settings, config.jobs_state_topic, self._job_cancelled, on_call_cancel)
        if config.job_concurrency == 0:
            return
        processes = (
            ProcessWorkers(config.pipeline_specs, config.log_level, nice=JOB_NICENESS if config.job_priority == "idle" else 0)
            if config.job_isolation == "process"
            else None
        )
        dead_letters = DeadLetters(self.writer.producer, config.dlq_topic, lambda _ticket: None)
        self.lane = JobLane(
            consumer_settings={
                **base,
                "group.id": f"{config.group}.jobs",
                "client.id": base["client.id"] + "-jobs",
                "enable.auto.commit": True,  # offsets stored only after the terminal record is acknowledged
                "logger": logger,
                **(observer.consumer_settings() if observer is not None else {}),
            },
            topic=config.jobs_topic,
            identity=identity,
            dispatcher=Dispatcher(registry, value_reference, store=schema_store, registry_schemas=registry_schemas),
            view=self.view,
            writer=self.writer,
            dead_letters=lambda msg, reason, error: dead_letters.send(msg, reason, error, None),
            refused=dead_letters.send_refused,
            concurrency=config.job_concurrency,
            heartbeat_s=config.job_heartbeat_seconds,
            stale_after_s=config.job_stale_after_seconds,
            cancel_grace_s=config.cancel_grace_seconds,
            default_max_attempts=config.job_max_attempts,
            value_reference=value_reference,
            processes=processes,
            observer=observer,
            serves=registry.__contains__,
        )
        self._processes = processes
        if observer is not None:
            lane = self.lane
            observer.watch_jobs(lambda: lane.running_count, processes, dead_letters)

    def start(self) -> None:
        """Start the view and the lane; the runner then calls :meth:`hand_on_with` (within
        HAND_ON_EXPECTED_SECONDS, once it has read the presence topic)."""
        self.view.start()
        if self.lane is not None:
            self.lane.expect_hand_on(HAND_ON_EXPECTED_SECONDS)
            self.lane.start()

    def hand_on_with(self, group: str, presence: Presence, catalogue: Catalogue | None) -> None:
        """Jobs for a pipeline this runner lacks go to a live runner that has it from now on
        (jobs/lane_handoff.py; the call lane's presence view and catalogue, read from the lane's thread)."""
        if self.lane is not None:
            self.lane.hand_on_with(group, presence, catalogue)

    def stop(self, grace_s: float) -> int:
        """Stop the lane (running jobs get ``grace_s``), then the view; returns jobs left running."""
        self.stopped = True
        left = self.lane.stop(grace_s) if self.lane is not None else 0
        if self.lane is not None and self._processes is not None:
            self._processes.close()
        self.writer.flush(5)
        self.view.close()
        return left

    def _job_cancelled(self, job_id: str) -> None:
        if self.lane is not None:
            self.lane.job_cancelled(job_id)

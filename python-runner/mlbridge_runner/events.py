"""Names of the structured log events (the ``event`` field of each JSON line on stderr).

These names and their fields are a contract: the TypeScript CLI and the test suites wait for them.
"""

from __future__ import annotations

from typing import Final

#: INFO, once: pipelines (sorted names), runner (host/pid/8-hex), brokers, topic, dlq_topic, group,
#: concurrency, isolation ("thread" | "process"), transactional (bool), version.
STARTED: Final = "runner.started"
#: INFO, each assignment that adds partitions: topic, partitions (newly assigned, sorted ints),
#: assigned (all, sorted). An empty incremental assignment is logged at DEBUG only, so the first
#: INFO ``runner.assigned`` means the runner is really consuming.
ASSIGNED: Final = "runner.assigned"
#: INFO, each revocation: topic, partitions (revoked), assigned (what is left).
REVOKED: Final = "runner.revoked"
#: WARNING: partitions lost without a clean revoke (session timed out): topic, partitions.
LOST: Final = "runner.lost"
#: WARNING while the broker cannot be reached at start: brokers, error, attempt.
WAITING_FOR_BROKER: Final = "runner.waiting_for_broker"
#: INFO, once per stop: signal, in_flight (running calls), queued_left (not started, left to
#: Kafka), grace_seconds.
STOPPING: Final = "runner.stopping"
#: INFO, last line: abandoned (calls still running, left uncommitted), served (calls replied).
STOPPED: Final = "runner.stopped"
#: ERROR: the runner itself failed: error.
CRASHED: Final = "runner.crashed"
#: ERROR, then exit 4: the brokers refused the credentials or TLS failed at start: kind
#: ("authentication" | "tls"), brokers, error (librdkafka's words), hint (what to check).
SECURITY_FAILED: Final = "runner.security_failed"
#: INFO, at start with ``--metrics-port``: host, port, url — /metrics, /healthz and /readyz are served.
METRICS_SERVING: Final = "metrics.serving"
#: DEBUG: back-pressure (the local queue reached --max-queued): running, queued.
PAUSED: Final = "runner.paused"
RESUMED: Final = "runner.resumed"

#: DEBUG per call: id, pipeline, topic, partition, offset, trace_id (the caller's trace when its
#: traceparent is sampled, else null).
CALL_RECEIVED: Final = "call.received"
#: DEBUG per call, when the broker acknowledged the reply: id, status, code (null unless ERROR), topic,
#: and trace_id when the reply carries a sampled traceparent (docs/observability.md).
CALL_REPLIED: Final = "call.replied"
#: DEBUG: a repeated idempotency key answered without running: id, pipeline, source ("stored": from
#: the cache; "waited": the first call with the key was still running and its outcome was reused).
CALL_DEDUPLICATED: Final = "call.deduplicated"
#: DEBUG: id, ref — the call's args were written with a schema the catalogue has not brought yet:
#: parked (off the consume thread) until it does or the wait is over, then run or refused.
CALL_AWAITING_SCHEMA: Final = "call.awaiting_schema"
#: DEBUG: id, pipeline, code, to (runner id), partition, hop — a call this runner cannot serve (no such
#: pipeline here, or INCOMPATIBLE_ARGUMENTS) re-produced to a partition of a live runner that has it.
CALL_HANDED_ON: Final = "call.handed_on"
#: DEBUG: id, pipeline, reason — such a call waits (off the consume thread) for a runner that has it
#: to own a reachable partition (a rebalance, a runner announcing itself).
CALL_HELD: Final = "call.held"
#: DEBUG (INFO once handed on at least once): id, pipeline, code, hops, reason — the refusal is
#: answered: no live runner has it, all refused, the hop limit, or the deadline.
CALL_NOT_HANDED_ON: Final = "call.not_handed_on"
#: The job lane's twins of the three above, same fields, for a job request (jobs/lane_handoff.py).
JOB_HANDED_ON: Final = "job.handed_on"
JOB_HELD: Final = "job.held"
JOB_NOT_HANDED_ON: Final = "job.not_handed_on"
#: WARNING: id, pipeline, timeout_seconds, worker_pid — in thread isolation the thread keeps running
#: and its late result is dropped (worker_pid null); in process isolation the process worker_pid
#: is killed and replaced.
CALL_TIMED_OUT: Final = "call.timed_out"
#: DEBUG: id, pipeline — a timed-out call finished after its timeout reply.
CALL_LATE_RESULT_DROPPED: Final = "call.late_result_dropped"
#: INFO: pipeline — its probation runs were fast: its calls now run on the consume loop's
#: thread, without a hand-off to a worker (runner/inline.py).
INLINE_PROMOTED: Final = "pipeline.inline_promoted"
#: INFO: pipeline, run_ms, reason ("trial": its first inline runs were not fast by wall clock;
#: "slow": too many strikes) — it runs on the worker pool from now on.
INLINE_DEMOTED: Final = "pipeline.inline_demoted"
#: INFO, at start, once per pipeline its type hints leave untyped (generic ``Value``): pipeline,
#: reason ("no return annotation", "parameter 'x' is annotated Any, which allows any value", …).
PIPELINE_UNTYPED: Final = "pipeline.untyped"
#: DEBUG (``--isolation process``): a worker process was started: pid.
WORKER_STARTED: Final = "worker.started"
#: WARNING (``--isolation process``): a worker process died running a call (the caller gets
#: PIPELINE_ERROR type WorkerDied; a new process replaces it): id, pipeline, pid, exit_code
#: (negative: killed by that signal).
WORKER_DIED: Final = "worker.died"
#: DEBUG (``--transactional``): a transaction committed: records, offsets ({"topic/partition": next}).
TXN_COMMITTED: Final = "txn.committed"
#: WARNING (``--transactional``): a transaction was aborted and will be retried: records, error,
#: code, fatal.
TXN_ABORTED: Final = "txn.aborted"
#: DEBUG (``--transactional``): a finished call's records were dropped because its partition was
#: revoked (the new owner replies): partition, offset.
TXN_DROPPED: Final = "txn.dropped"
#: WARNING: a reply could not be delivered (client gone?): id, topic, error. The offset moves on.
REPLY_FAILED: Final = "reply.failed"
#: WARNING: an undecodable message went to the dead-letter topic: reason, error, topic, partition,
#: offset, dlq_topic.
DLQ_SENT: Final = "dlq.sent"
#: ERROR: even the dead-letter produce failed: reason, error, topic, partition, offset.
DLQ_FAILED: Final = "dlq.failed"
#: WARNING: a consumer or producer error reported by librdkafka: error, code, fatal.
KAFKA_ERROR: Final = "kafka.error"

#: INFO, at start: topic, entries (live entries read), skipped (unusable records) — the catalogue
#: was read to its end.
CATALOG_LOADED: Final = "catalog.loaded"
#: INFO, at start: topic, keys — this runner's entries were acknowledged by the broker.
CATALOG_PUBLISHED: Final = "catalog.published"
#: ERROR, at start, then exit 2: message (one line per conflict), conflicts ([{pipeline, version,
#: published_version, problem}]).
CATALOG_REFUSED: Final = "catalog.refused"
#: WARNING, at start, once per problem (the runner still starts): runners still at an older (or
#: newer) published version cannot take this version's calls, or this version's callers cannot
#: read their results: pipeline, version (ours), published_version, direction ("arguments" |
#: "result"), problem, message (what breaks and how to avoid it).
CATALOG_FORWARD_INCOMPATIBLE: Final = "catalog.forward_incompatible"
#: WARNING: a catalogue record was skipped: topic, partition, offset, key, error.
CATALOG_ENTRY_SKIPPED: Final = "catalog.entry_skipped"
#: DEBUG: a tombstone retired an entry: topic, key.
CATALOG_ENTRY_RETIRED: Final = "catalog.entry_retired"
#: WARNING: the background tail of the catalogue failed once and goes on: topic, error.
CATALOG_TAIL_ERROR: Final = "catalog.tail_error"
#: WARNING while the catalogue cannot be read at start: topic, error, attempt.
CATALOG_WAITING: Final = "catalog.waiting"

#: INFO: a job started on this runner: id, pipeline, attempt, resumed (a checkpoint was handed over),
#: and trace_id when its run's span is recorded.
JOB_STARTED: Final = "job.started"
#: INFO: a job reached a terminal state here: id, pipeline, state, attempt, code (null unless failed),
#: and trace_id when its run's span is recorded.
JOB_FINISHED: Final = "job.finished"
#: DEBUG: a job request needed nothing (already finished, a duplicate): id, reason.
JOB_SKIPPED: Final = "job.skipped"
#: INFO: a running job was cancelled; it has grace_seconds to stop: id, grace_seconds.
JOB_CANCELLING: Final = "job.cancelling"
#: WARNING: a cancelled job ignored it past its grace: its worker process was killed: id, pid.
JOB_KILLED: Final = "job.killed"
#: WARNING: a cancelled job ignored it past its grace in thread isolation: recorded CANCELLED, its
#: thread left running and its result dropped: id.
JOB_THREAD_LEFT_RUNNING: Final = "job.thread_left_running"
#: INFO: the job lane was assigned partitions of the job topic: topic, partitions.
JOB_LANE_ASSIGNED: Final = "job.lane_assigned"
#: WARNING / ERROR: a job state record was not written: id, state, error (attempt).
JOB_STATE_WRITE_FAILED: Final = "job.state_write_failed"
#: DEBUG: the state view could not be caught up (broker slow): decisions wait: topic.
JOB_VIEW_BEHIND: Final = "job.view_behind"
#: DEBUG: a record of the job state topic could not be read: error, topic.
JOB_RECORD_UNREADABLE: Final = "job.record_unreadable"
#: INFO: a running call was cancelled by its caller (an aborted invoke): id, pipeline, and trace_id
#: when its span is recorded.
CALL_CANCELLING: Final = "call.cancelling"
#: WARNING (first failure of an outage; DEBUG after): a presence record or the stop's tombstone was
#: not written to <request topic>.runners: topic, error (tombstone: true for the stop's).
PRESENCE_FAILED: Final = "presence.failed"

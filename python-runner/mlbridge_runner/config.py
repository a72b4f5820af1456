"""The runner's settings, validated once."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Final

from .errors import ConfigError

DEFAULT_BROKERS: Final = "127.0.0.1:9092"
DEFAULT_REQUEST_TOPIC: Final = "ml.pipeline.input"
DEFAULT_GROUP: Final = "mlbridge-runners"
ENV_BROKERS: Final = "KAFKA_BROKERS"
ENV_REQUEST_TOPIC: Final = "MLBRIDGE_REQUEST_TOPIC"
DEFAULT_CATALOG_TOPIC: Final = "ml.pipeline.catalog"
ENV_CATALOG_TOPIC: Final = "MLBRIDGE_CATALOG_TOPIC"
ENV_METRICS_PORT: Final = "MLBRIDGE_METRICS_PORT"
ENV_METRICS_HOST: Final = "MLBRIDGE_METRICS_HOST"
#: Every address, like every Prometheus exporter: kubelet probes and scrapers come to the pod IP.
DEFAULT_METRICS_HOST: Final = "0.0.0.0"

#: Kafka's legal topic names.
TOPIC_PATTERN: Final = re.compile(r"[A-Za-z0-9._\-]{1,249}")


def is_valid_topic(name: str) -> bool:
    return TOPIC_PATTERN.fullmatch(name) is not None and name not in (".", "..")


def dlq_topic_for(request_topic: str) -> str:
    return f"{request_topic}.dlq"


@dataclass(frozen=True)
class RunnerConfig:
    """Everything the runner needs besides the registry.

    ``brokers``: comma-separated ``host:port`` list (env ``KAFKA_BROKERS``, default
    127.0.0.1:9092). ``request_topic``: env ``MLBRIDGE_REQUEST_TOPIC``, default ml.pipeline.input.
    ``partitions`` is used only when the runner creates the request topic.
    """

    brokers: str = DEFAULT_BROKERS
    request_topic: str = DEFAULT_REQUEST_TOPIC
    group: str = DEFAULT_GROUP
    concurrency: int = 8
    partitions: int = 12
    grace_seconds: float = 30.0
    max_poll_interval_ms: int = 300_000
    #: Calls accepted but waiting for a worker. Messages of this runner's partitions wait either
    #: here or in Kafka; waiting here avoids librdkafka's costly pause/resume (a resumed partition
    #: can take up to a second to deliver again). Partitions are paused only past this many, or
    #: past ``max_queued_bytes``; queued calls are dropped (left to Kafka) on revoke and on stop.
    max_queued: int = 1000
    max_queued_bytes: int = 64 * 1024 * 1024
    #: Deliveries of one request to runners that died running it before it is dead-lettered as
    #: ``poison`` (runner/poison.py); 0: never (a fatal request goes round the fleet for ever).
    max_deliveries: int = 3
    session_timeout_ms: int = 10_000
    #: How long the broker may hold an empty fetch of the runner's consumers (request, job lane,
    #: deliveries). With ``fetch.min.bytes`` 1 a fetch returns as soon as a request arrives, so this
    #: paces only idle polling (and a partition newly assigned or resumed while a fetch is out):
    #: 20 → 100 ms cut those fetches 5×, no latency change measured (bench/README.md, issue 19).
    fetch_wait_max_ms: int = 100
    reply_timeout_ms: int = 30_000
    #: Stored outcomes answered to a repeated ``idempotency-key`` (0 disables the cache) and how
    #: long each is kept.
    idempotency_cache: int = 10_000
    idempotency_ttl_seconds: float = 3600.0
    #: ``thread`` (calls run on worker threads) or ``process`` (in worker processes that import
    #: ``pipeline_specs``: hard time limits, a crashing pipeline cannot take the runner down).
    isolation: str = "thread"
    pipeline_specs: tuple[str, ...] = ()
    log_level: str | None = None
    #: Replies and offset commits as Kafka transactions (transactional.id
    #: ``mlbridge-<group>-<identity>``); see runner/transactions.py.
    transactional: bool = False
    transaction_timeout_ms: int = 10_000
    #: The compacted topic of pipeline entries (env ``MLBRIDGE_CATALOG_TOPIC``); see catalog/.
    catalog_topic: str = DEFAULT_CATALOG_TOPIC
    #: Base URL of a Confluent-compatible schema registry (env ``MLBRIDGE_SCHEMA_REGISTRY``):
    #: requests may then come Confluent-framed; see schema_registry/runner_support.py.
    schema_registry: str | None = None
    #: Jobs (docs/jobs.md): workers of the job lane (0: this runner serves no jobs), its topics
    #: (default ``<request_topic>.jobs`` and ``.jobs.state``), heartbeat period, the heartbeat age
    #: after which another runner takes a job over, attempts when the submitter gave none, and how
    #: long a cancelled job or call has to stop before it is stopped hard.
    job_concurrency: int = 1
    #: ``process``: jobs run in worker processes of their own at a lower CPU priority (``nice``), so
    #: a CPU-bound training job takes neither the GIL nor the CPU from the calls (the CLI's
    #: default); ``thread``: on threads of the runner's process.
    job_isolation: str = "thread"
    #: ``idle``: job worker processes run at nice 19 under SCHED_IDLE — they get the CPU the calls
    #: leave, so training never slows inference, and starves while calls saturate the cores;
    #: ``normal``: the runner's own priority.
    job_priority: str = "idle"
    job_topic: str | None = None
    job_state_topic: str | None = None
    job_heartbeat_seconds: float = 3.0
    job_stale_after_seconds: float = 15.0
    job_max_attempts: int = 3
    cancel_grace_seconds: float = 5.0
    job_retention_ms: int = 7 * 24 * 3600 * 1000
    #: librdkafka settings of every Kafka client beyond ``bootstrap.servers``: TLS and SASL
    #: (transport/security.py), as (key, value) pairs.
    kafka_settings: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # holds passwords
    #: Replicas of the topics this runner creates; None: min(3, brokers in the cluster).
    replication_factor: int | None = None
    #: (user, password) for the schema registry's HTTP basic auth.
    schema_registry_auth: tuple[str, str] | None = field(default=None, repr=False)
    #: Period of this runner's presence record on ``<request_topic>.runners`` (see presence/):
    #: readers call a runner gone after 3 periods without one.
    presence_interval_ms: int = 5000
    #: ``/metrics``, ``/healthz`` and ``/readyz`` on this port (None: off; 0: any free port, logged
    #: as ``metrics.serving``) and address (env ``MLBRIDGE_METRICS_PORT`` / ``MLBRIDGE_METRICS_HOST``).
    metrics_port: int | None = None
    metrics_host: str = DEFAULT_METRICS_HOST

    @property
    def dlq_topic(self) -> str:
        return dlq_topic_for(self.request_topic)

    @property
    def presence_topic(self) -> str:
        return f"{self.request_topic}.runners"

    @property
    def jobs_topic(self) -> str:
        return self.job_topic or f"{self.request_topic}.jobs"

    @property
    def jobs_state_topic(self) -> str:
        return self.job_state_topic or f"{self.request_topic}.jobs.state"

    def validate(self) -> RunnerConfig:
        if not self.brokers.strip():
            raise ConfigError("brokers must not be empty (e.g. 127.0.0.1:9092)")
        if not is_valid_topic(self.request_topic) or len(self.dlq_topic) > 249:
            raise ConfigError(f"request topic {self.request_topic!r} is not a valid Kafka topic name")
        if not is_valid_topic(self.catalog_topic):
            raise ConfigError(f"catalog topic {self.catalog_topic!r} is not a valid Kafka topic name")
        if not self.group.strip():
            raise ConfigError("group must not be empty")
        if self.concurrency < 1:
            raise ConfigError(f"concurrency must be >= 1, got {self.concurrency}")
        if self.max_deliveries < 0 or self.max_deliveries == 1:
            raise ConfigError(f"max deliveries must be 0 (off) or >= 2, got {self.max_deliveries}")
        if self.max_queued < 1:
            raise ConfigError(f"max queued must be >= 1, got {self.max_queued}")
        if self.partitions < 1:
            raise ConfigError(f"partitions must be >= 1, got {self.partitions}")
        if self.grace_seconds < 0:
            raise ConfigError(f"grace seconds must be >= 0, got {self.grace_seconds}")
        if self.isolation not in ("thread", "process"):
            raise ConfigError(f"isolation must be 'thread' or 'process', got {self.isolation!r}")
        if self.isolation == "process" and not self.pipeline_specs:
            raise ConfigError("process isolation needs the --pipelines paths (the worker processes import them)")
        if self.transaction_timeout_ms < 1000:
            raise ConfigError(f"transaction timeout must be >= 1000 ms, got {self.transaction_timeout_ms}")
        if self.idempotency_cache < 0:
            raise ConfigError(f"idempotency cache must be >= 0, got {self.idempotency_cache}")
        if not self.idempotency_ttl_seconds > 0:
            raise ConfigError(f"idempotency ttl seconds must be > 0, got {self.idempotency_ttl_seconds}")
        for name in (self.jobs_topic, self.jobs_state_topic):
            if not is_valid_topic(name):
                raise ConfigError(f"job topic {name!r} is not a valid Kafka topic name")
        if self.job_isolation not in ("thread", "process"):
            raise ConfigError(f"job isolation must be 'thread' or 'process', got {self.job_isolation!r}")
        if self.job_isolation == "process" and not self.pipeline_specs:
            raise ConfigError("process isolation of jobs needs the --pipelines paths (the worker processes import them)")
        if self.job_priority not in ("idle", "normal"):
            raise ConfigError(f"job priority must be 'idle' or 'normal', got {self.job_priority!r}")
        if self.job_concurrency < 0:
            raise ConfigError(f"job concurrency must be >= 0, got {self.job_concurrency}")
        if not self.job_heartbeat_seconds > 0 or not self.job_stale_after_seconds > self.job_heartbeat_seconds:
            raise ConfigError(
                f"job heartbeat ({self.job_heartbeat_seconds} s) must be > 0 and below the stale age "
                f"({self.job_stale_after_seconds} s)"
            )
        if self.job_max_attempts < 1:
            raise ConfigError(f"job max attempts must be >= 1, got {self.job_max_attempts}")
        if self.cancel_grace_seconds < 0:
            raise ConfigError(f"cancel grace must be >= 0, got {self.cancel_grace_seconds}")
        if self.replication_factor is not None and self.replication_factor < 1:
            raise ConfigError(f"replication factor must be >= 1, got {self.replication_factor}")
        if self.presence_interval_ms < 100:
            raise ConfigError(f"presence interval must be >= 100 ms, got {self.presence_interval_ms}")
        if self.metrics_port is not None and not 0 <= self.metrics_port <= 65535:
            raise ConfigError(f"metrics port must be 0-65535, got {self.metrics_port}")
        if self.max_poll_interval_ms < self.session_timeout_ms:
            raise ConfigError(
                f"max poll interval ({self.max_poll_interval_ms} ms) must be >= the session timeout "
                f"({self.session_timeout_ms} ms)"
            )
        return self


def env_default(name: str, fallback: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or fallback

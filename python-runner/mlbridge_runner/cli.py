"""``python -m mlbridge_runner --pipelines FILE_OR_MODULE ...`` (and ``... catalog ...``: catalog/command.py)

Exit codes: 0 stopped cleanly (SIGTERM/SIGINT), 1 the runner failed, 2 bad command line or
pipelines (or pipelines that clash with versions in the catalogue), 3 dependencies missing, 4 the
Kafka brokers refused the credentials or TLS failed (event runner.security_failed), 128+N a second
signal N forced an immediate exit.
"""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
import traceback
from types import FrameType
from typing import Callable, Sequence

from .config import (
    DEFAULT_BROKERS,
    DEFAULT_CATALOG_TOPIC,
    DEFAULT_GROUP,
    DEFAULT_REQUEST_TOPIC,
    ENV_BROKERS,
    ENV_CATALOG_TOPIC,
    ENV_METRICS_HOST,
    ENV_METRICS_PORT,
    ENV_REQUEST_TOPIC,
    DEFAULT_METRICS_HOST,
    RunnerConfig,
    env_default,
)
from .errors import ConfigError, MlbridgeRunnerError
from .loading import EXIT_MISSING_DEPENDENCIES, load_pipelines, missing_dependencies
from .malloc_tuning import tune_malloc
from .models.wiring import add_model_arguments, start_models
from .registry import Registry, default_registry
from .transport.security_args import add_security_arguments, security_config

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_KAFKA_SECURITY = 4

PROG = "mlbridge-runner"


def _fail(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr, flush=True)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Serve registered Python pipelines to mlbridge clients over Kafka."
    )
    parser.add_argument(
        "--pipelines",
        action="append",
        required=True,
        metavar="FILE_OR_MODULE",
        help="a .py file or an importable module whose @pipeline functions are served (repeatable)",
    )
    parser.add_argument(
        "--brokers",
        default=env_default(ENV_BROKERS, DEFAULT_BROKERS),
        help=f"HOST:PORT,... (env {ENV_BROKERS}, default {DEFAULT_BROKERS})",
    )
    parser.add_argument(
        "--request-topic",
        default=env_default(ENV_REQUEST_TOPIC, DEFAULT_REQUEST_TOPIC),
        help=f"topic requests arrive on (env {ENV_REQUEST_TOPIC}, default {DEFAULT_REQUEST_TOPIC})",
    )
    parser.add_argument(
        "--catalog-topic",
        default=env_default(ENV_CATALOG_TOPIC, DEFAULT_CATALOG_TOPIC),
        help=f"compacted topic of pipeline versions and schemas (env {ENV_CATALOG_TOPIC}, default {DEFAULT_CATALOG_TOPIC})",
    )
    parser.add_argument("--group", default=DEFAULT_GROUP, help=f"consumer group (default {DEFAULT_GROUP})")
    parser.add_argument("--concurrency", type=int, default=8, help="calls run at once (default 8)")
    parser.add_argument(
        "--max-queued", type=int, default=1000,
        help="calls accepted beyond --concurrency, waiting for a worker, before partitions are paused (default 1000)",
    )
    parser.add_argument(
        "--max-deliveries", type=int, default=3,
        help="dead-letter a request as poison once runners died running it this many times (default 3; 0: off)",
    )
    parser.add_argument("--partitions", type=int, default=12, help="partitions when creating the request topic (default 12)")
    parser.add_argument("--grace-seconds", type=float, default=30.0, help="time to finish in-flight calls on SIGTERM (default 30)")
    parser.add_argument("--max-poll-interval-ms", type=int, default=300_000, help="consumer max.poll.interval.ms (default 300000)")
    parser.add_argument(
        "--fetch-wait-max-ms", type=int, default=100,
        help="longest wait of an empty fetch (consumer fetch.wait.max.ms); a request ends the wait at once (default 100)",
    )
    parser.add_argument(
        "--idempotency-cache", type=int, default=10_000,
        help="outcomes kept to answer a repeated idempotency-key header without running again; 0 disables (default 10000)",
    )
    parser.add_argument(
        "--idempotency-ttl-seconds", type=float, default=3600.0,
        help="how long an outcome stays answerable to a repeated idempotency key (default 3600)",
    )
    parser.add_argument(
        "--isolation", choices=("thread", "process"), default="thread",
        help="run calls on worker threads, or in worker processes (hard time limits, crash isolation) (default thread)",
    )
    parser.add_argument(
        "--transactional", action="store_true",
        help="produce each reply and commit its request's offset in one Kafka transaction (exactly-once replies for read-committed callers)",
    )
    parser.add_argument(
        "--transaction-timeout-ms", type=int, default=10_000,
        help="transaction.timeout.ms: how long a crashed runner's open transaction can hold back read-committed replies (default 10000)",
    )
    parser.add_argument(
        "--schema-registry", default=os.environ.get("MLBRIDGE_SCHEMA_REGISTRY", "").strip() or None, metavar="URL",
        help="Confluent-compatible schema registry: also accept Confluent-framed requests and answer them in kind "
        "(env MLBRIDGE_SCHEMA_REGISTRY; needs the 'registry' extra)",
    )
    jobs = parser.add_argument_group("jobs (docs/jobs.md)")
    jobs.add_argument("--job-concurrency", type=int, default=1, help="jobs run at once, besides the calls (default 1; 0: serve no jobs)")
    jobs.add_argument(
        "--job-isolation", choices=("thread", "process"), default="process",
        help="run jobs in worker processes of lower CPU priority, so CPU-bound training leaves calls their GIL and CPU "
        "(default process; thread: on the runner's own threads)",
    )
    jobs.add_argument(
        "--job-priority", choices=("idle", "normal"), default="idle",
        help="CPU priority of job worker processes: idle (nice 19, SCHED_IDLE: calls first; training gets what "
        "calls leave) or normal (default idle)",
    )
    jobs.add_argument("--job-topic", default=None, help="topic of job requests (default <request topic>.jobs)")
    jobs.add_argument("--job-state-topic", default=None, help="compacted topic of job states (default <request topic>.jobs.state)")
    jobs.add_argument("--job-heartbeat", type=float, default=3.0, help="seconds between a running job's heartbeats (default 3)")
    jobs.add_argument(
        "--job-stale-after", type=float, default=15.0,
        help="a running job whose heartbeat is older than this many seconds is taken over by another runner (default 15)",
    )
    jobs.add_argument("--job-max-attempts", type=int, default=3, help="attempts of a job when its submitter gave none (default 3)")
    jobs.add_argument(
        "--cancel-grace", type=float, default=5.0,
        help="seconds a cancelled job or call has to stop before it is stopped hard (default 5)",
    )
    jobs.add_argument(
        "--job-retention-ms", type=int, default=7 * 24 * 3600 * 1000,
        help="retention of the job topics when this runner creates them (default 7 days)",
    )
    parser.add_argument(
        "--presence-interval", type=float, default=5.0, metavar="SECONDS",
        help="seconds between this runner's records on <request topic>.runners, read by `mlbridge status` and the "
        "dashboard; a runner is shown gone after 3 intervals without one (default 5)",
    )
    add_security_arguments(parser)
    add_model_arguments(parser)
    observe = parser.add_argument_group("observability (docs/observability.md)")
    observe.add_argument(  # a string default goes through type=int too: a bad env value is refused
        "--metrics-port", type=int, default=os.environ.get(ENV_METRICS_PORT, "").strip() or None, metavar="PORT",
        help=f"serve Prometheus /metrics and the /healthz, /readyz probes on this port; 0: any free port "
        f"(env {ENV_METRICS_PORT}; default off; needs the 'metrics' extra)",
    )
    observe.add_argument(
        "--metrics-host", default=env_default(ENV_METRICS_HOST, DEFAULT_METRICS_HOST), metavar="ADDRESS",
        help=f"address of the metrics port (env {ENV_METRICS_HOST}, default {DEFAULT_METRICS_HOST}: every "
        "interface, as kubelet and Prometheus reach the pod IP; 127.0.0.1 keeps it local)",
    )
    parser.add_argument("--log-level", default=None, help="debug | info | warning (warn) | error (env MLBRIDGE_LOG_LEVEL, default info)")
    return parser.parse_args(argv)


def _install_signal_handlers(request_stop: Callable[[int], None]) -> None:
    received: list[int] = []

    def handle(signum: int, _frame: FrameType | None) -> None:
        if received:
            print(f"{PROG}: second signal {signum}: exiting now", file=sys.stderr, flush=True)
            os._exit(128 + signum)
        received.append(signum)
        request_stop(signum)

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


#: Allocations between young-generation collections (CPython's default is 700).
GC_YOUNG_THRESHOLD = 20_000


def _tune_gc() -> None:
    """This process is a runner: set its garbage collector for a long-lived server.

    ``gc.freeze()`` moves everything alive now — interpreter, libraries, the pipelines' modules
    and whatever they loaded at import, a model of millions of objects included — out of the
    collector's sight, so full collections stop re-scanning it. Each call allocates a few dozen
    short-lived container objects (envelopes, jobs, closures); with the default threshold a young
    collection ran every ~20 calls. Measured (``bench/runner_cpu.py``, 8 rounds of 20,000 no-op calls
    at 256 in flight): runner CPU 39.8 → 37.0 µs per call. Only the CLI does this: a runner
    embedded in another program leaves that program's collector alone.
    """
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


def main(argv: Sequence[str] | None = None, registry: Registry | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    if words[:1] == ["catalog"]:  # python -m mlbridge_runner catalog ... (see catalog/command.py)
        from .catalog.command import main as catalog_main

        return catalog_main(words[1:], registry)
    args = parse_args(words)
    missing = missing_dependencies()
    if missing:
        _fail(
            f"missing Python package(s) {', '.join(missing)} for {sys.executable}: "
            f"run `{sys.executable} -m pip install confluent-kafka fastavro` or `npx mlbridge setup-python`"
        )
        return EXIT_MISSING_DEPENDENCIES

    from . import logging as runner_logging

    try:
        runner_logging.configure(args.log_level)
    except ValueError as exc:
        _fail(str(exc))
        return EXIT_USAGE

    served = registry if registry is not None else default_registry
    for spec in args.pipelines:
        try:
            load_pipelines(spec)
        except ConfigError as exc:
            _fail(str(exc))
            return EXIT_USAGE
        except Exception as exc:  # noqa: BLE001 - the user's module failed to import
            _fail(f"importing {spec!r} failed: {type(exc).__name__}: {exc}")
            traceback.print_exc(file=sys.stderr)
            return EXIT_USAGE
    if not served:
        _fail(f"no pipelines registered by {', '.join(args.pipelines)}: decorate functions with @pipeline")
        return EXIT_USAGE

    if args.isolation == "process" and served is not default_registry:
        _fail("--isolation process serves the pipelines registered with @pipeline in the --pipelines files only")
        return EXIT_USAGE

    from .runner.loop import Runner
    from .transport.connect_check import KafkaSecurityError

    try:
        config = RunnerConfig(
            brokers=args.brokers,
            request_topic=args.request_topic,
            group=args.group,
            concurrency=args.concurrency,
            partitions=args.partitions,
            grace_seconds=args.grace_seconds,
            max_poll_interval_ms=args.max_poll_interval_ms,
            fetch_wait_max_ms=args.fetch_wait_max_ms,
            max_queued=args.max_queued,
            max_deliveries=args.max_deliveries,
            idempotency_cache=args.idempotency_cache,
            idempotency_ttl_seconds=args.idempotency_ttl_seconds,
            isolation=args.isolation,
            pipeline_specs=tuple(args.pipelines),
            log_level=args.log_level,
            transactional=args.transactional,
            transaction_timeout_ms=args.transaction_timeout_ms,
            catalog_topic=args.catalog_topic,
            schema_registry=args.schema_registry,
            job_concurrency=args.job_concurrency,
            job_priority=args.job_priority,
            # Worker processes import the --pipelines files: a registry built otherwise stays in threads.
            job_isolation=args.job_isolation if served is default_registry else "thread",
            job_topic=args.job_topic,
            job_state_topic=args.job_state_topic,
            job_heartbeat_seconds=args.job_heartbeat,
            job_stale_after_seconds=args.job_stale_after,
            job_max_attempts=args.job_max_attempts,
            cancel_grace_seconds=args.cancel_grace,
            job_retention_ms=args.job_retention_ms,
            **security_config(args),
            presence_interval_ms=round(args.presence_interval * 1000),
            metrics_port=args.metrics_port,
            metrics_host=args.metrics_host,
        )
        runner = Runner(config, served)
        start_models(args, config, served)
    except MlbridgeRunnerError as exc:
        _fail(str(exc))
        return EXIT_USAGE
    _install_signal_handlers(runner.request_stop)
    _tune_gc()
    tune_malloc()
    try:
        return runner.run()
    except ConfigError as exc:  # e.g. the metrics port is taken
        _fail(str(exc))
        return EXIT_USAGE
    except KafkaSecurityError as exc:
        from . import events

        runner_logging.log_event(
            runner_logging.ERROR, events.SECURITY_FAILED, kind=exc.kind, brokers=exc.brokers, error=exc.detail, hint=exc.hint
        )
        return EXIT_KAFKA_SECURITY
    except Exception as exc:  # noqa: BLE001
        from . import events

        runner_logging.log_event(
            runner_logging.ERROR, events.CRASHED, error=f"{type(exc).__name__}: {exc}", exc_info=True
        )
        return EXIT_FAILED

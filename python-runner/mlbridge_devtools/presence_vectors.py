"""Write ``schemas/vectors/presence.json``: runner presence records (schemas/presence.avsc) framed by
the Python codec, for both suites (the TypeScript reader decodes and re-encodes them byte for byte).

Each case: ``{"name", "key", "value": <the record with the schema's field names>, "hex"}``.
Run by ``python -m mlbridge_devtools.write_vectors``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from mlbridge_runner.presence.records import PresenceRecord, _to_wire, encode_presence


def presence_cases() -> list[tuple[str, PresenceRecord]]:
    starting = PresenceRecord(
        id="host-a/4242/0a1b2c3d", client_id="mlbridge-runner-host-a-4242-0a1b2c3d", host="host-a", pid=4242,
        version="0.1.0", group="mlbridge-runners", request_topic="ml.pipeline.input",
        pipelines=("add", "train_model"), started_at_ms=1_796_000_000_000, updated_at_ms=1_796_000_000_000,
    )
    serving = replace(
        starting, call_partitions=(0, 1, 2, 11), job_partitions=(0,), in_flight=8, queued=120, jobs_running=1,
        served=2**40 + 7, updated_at_ms=1_796_000_005_000, metrics_url="http://host-a:9464/metrics",
    )
    unicode = replace(
        starting, id="hôst-ü/1/ffffffff", client_id="mlbridge-runner-hôst-ü-1-ffffffff", host="hôst-ü", pid=1,
        version="1.2.3+source", pipelines=("détecter_😀",), interval_ms=250, updated_at_ms=1_796_000_000_250,
    )
    return [("starting", starting), ("serving", serving), ("unicode, short interval", unicode)]


def build_presence_vectors() -> dict[str, Any]:
    return {
        "writer": "py",
        "cases": [
            {"name": name, "key": record.id, "value": _to_wire(record), "hex": encode_presence(record).hex()}
            for name, record in presence_cases()
        ],
    }

"""The pipeline catalogue: a compacted Kafka topic of pipeline versions and their schemas.

- :mod:`.entries` — keys (``pipeline/<name>/<version>``, ``schema/<ref>``) and the framed entry codec;
- :mod:`.view` — reads the topic to its end, then tails it, feeding the schema store;
- :mod:`.compatibility` — the start-time refusal of a runner whose pipelines clash with published ones;
- :mod:`.publisher` — entries and tombstones, acknowledged before returning;
- :mod:`.startup` — the order a runner does all this in;
- :mod:`.command` — ``python -m mlbridge_runner catalog ...``.

Errors (all :class:`~mlbridge_runner.errors.MlbridgeRunnerError`)::

    BadCatalogRecord (a CodecError) .. one record is unusable: the view skips it with a warning
    CatalogUnavailable ............... the topic cannot be read to its end (the runner keeps retrying)
    CatalogRefused ................... our pipelines clash with published versions: exit 2
    CatalogPublishError .............. our entries were not acknowledged: the runner fails (exit 1)
"""

from .compatibility import EXIT_REFUSED, CatalogRefused, Conflict, find_conflicts
from .entries import (
    BadCatalogRecord,
    CatalogEntry,
    CatalogKind,
    decode_entry,
    decode_record,
    encode_entry,
    pipeline_entry,
    pipeline_key,
    schema_entry,
    schema_key,
)
from .publisher import CatalogPublishError, publish_entries, publish_tombstone
from .startup import open_catalog, own_entries
from .view import CatalogUnavailable, CatalogView

__all__ = [
    "EXIT_REFUSED",
    "BadCatalogRecord",
    "CatalogEntry",
    "CatalogKind",
    "CatalogPublishError",
    "CatalogRefused",
    "CatalogUnavailable",
    "CatalogView",
    "Conflict",
    "decode_entry",
    "decode_record",
    "encode_entry",
    "find_conflicts",
    "open_catalog",
    "own_entries",
    "pipeline_entry",
    "pipeline_key",
    "publish_entries",
    "publish_tombstone",
    "schema_entry",
    "schema_key",
]

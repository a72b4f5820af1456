"""Tables: pyarrow.Table (and pandas.DataFrame, through pyarrow) ↔ Arrow IPC stream bytes."""

from __future__ import annotations

import importlib
import sys
from typing import Any

from .errors import MissingDataPackage

#: The Arrow IPC end-of-stream marker: a stream cut between messages still parses, minus rows.
EOS = b"\xff\xff\xff\xff\x00\x00\x00\x00"


def _pyarrow(needed_for: str) -> Any:
    try:
        return importlib.import_module("pyarrow")
    except ImportError:
        raise MissingDataPackage("pyarrow", needed_for) from None


def is_table(value: Any) -> bool:
    """Whether ``value`` is a pyarrow.Table or a pandas.DataFrame (without importing either)."""
    pa = sys.modules.get("pyarrow")
    if pa is not None and isinstance(value, pa.Table):
        return True
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(value, pd.DataFrame)


def table_to_stream(value: Any) -> Any:
    """The Arrow IPC stream of a pyarrow.Table or pandas.DataFrame, as a pyarrow Buffer."""
    pa = _pyarrow("a pandas.DataFrame result or argument")
    table = value if isinstance(value, pa.Table) else pa.Table.from_pandas(value)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def stream_to_table(view: memoryview) -> Any:
    """A pyarrow.Table from Arrow IPC stream bytes (zero-copy over them). Raises ValueError when the
    stream is malformed or truncated; MissingDataPackage without pyarrow."""
    if len(view) < 16 or bytes(view[-8:]) != EOS:
        raise ValueError("the Arrow IPC stream has no end-of-stream marker (truncated)")
    pa = _pyarrow("an Arrow table argument or result")
    try:
        return pa.ipc.open_stream(pa.py_buffer(view)).read_all()
    except pa.ArrowException as exc:
        raise ValueError(f"the table is not a valid Arrow IPC stream ({exc})") from None


def to_pandas(table: Any) -> Any:
    """``table`` as a pandas.DataFrame (MissingDataPackage without pandas)."""
    try:
        importlib.import_module("pandas")
    except ImportError:
        raise MissingDataPackage("pandas", "a pandas.DataFrame parameter") from None
    return table.to_pandas()

"""Typed Avro bodies (no framing) ↔ Python objects, for one schema.

Reading resolves a different writer schema against this one (Avro schema resolution, done by
``fastavro.schemaless_reader(writer, reader)``), so a call encoded with an older or newer
version of the arguments still reads as this pipeline's arguments.
"""

from __future__ import annotations

import io
import mmap
from typing import Any

from fastavro import _read_py, parse_schema, schemaless_reader, schemaless_writer

from .convert import ConversionError, Node, compile_schema, from_avro, from_generic, to_avro
from .large_leaves import collecting, splice
from .model import AvroSchema, schema_ref
from .names import is_recursive, resolve


class TypedDecodeError(ValueError):
    """Typed bytes are malformed, or the writer schema cannot be resolved against ours."""


class _Kept:
    """What fastavro writes, kept without copying: it hands its finished buffer (a fresh bytearray)
    to one ``write``. A BytesIO would copy it in, then out again — for a 200 MiB result two more
    copies at the runner's peak. Small bodies become ``bytes`` (what envelopes and the C reply
    builder take); one past ``KEEP_AT`` stays the bytearray, which only the claim check takes."""

    KEEP_AT = 8 * 1024 * 1024
    __slots__ = ("_parts",)

    def __init__(self) -> None:
        self._parts: list[bytes | bytearray] = []

    def write(self, chunk: bytes | bytearray) -> int:
        self._parts.append(chunk)
        return len(chunk)

    def body(self, keep_large: bool) -> bytes:
        parts = self._parts
        if keep_large and len(parts) == 1 and len(parts[0]) >= self.KEEP_AT:
            return parts[0]  # type: ignore[return-value]  # a bytes-like the claim check writes as is
        return b"".join(parts)


class TypedCodec:
    """Encode/decode/convert values of one schema (the classes bind its named types)."""

    def __init__(self, schema: AvroSchema, classes: dict[str, type] | None = None) -> None:
        self.schema = schema
        self.ref = schema_ref(schema)
        self.parsed = parse_schema(schema, named_schemas={})
        self.node: Node = compile_schema(schema, classes)
        # fastavro's compiled reader recurses on the C stack: hostile nesting of a recursive type
        # would crash the process. The pure-Python reader stops at the recursion limit instead.
        self._reader = _read_py.schemaless_reader if is_recursive(resolve(schema)) else schemaless_reader
        self._writer_readers: dict[int, tuple[Any, Any]] = {}

    def decode(self, data: bytes | mmap.mmap, root: str, writer: Any | None = None) -> Any:
        """Bytes written with ``writer`` (parsed; default: this schema) → Python objects.

        Raises :class:`TypedDecodeError` (malformed, trailing bytes, unresolvable) or
        :class:`ConversionError` (e.g. a symbol the Enum class lacks).
        """
        # An mmap (a blob of hundreds of MB, blobs/file_store.py) is read in place: BytesIO would
        # copy it whole first. BytesIO over bytes shares them.
        stream: io.BytesIO | mmap.mmap
        if isinstance(data, mmap.mmap):
            stream = data
            stream.seek(0)
        else:
            stream = io.BytesIO(data)
        reader = self._reader if writer is None else self._reader_for(writer)
        try:
            if writer is None or writer is self.parsed:
                datum = reader(stream, self.parsed, None, return_named_type=True)
            else:
                datum = reader(stream, writer, self.parsed, return_named_type=True)
        except Exception as exc:  # noqa: BLE001 - fastavro raises EOFError, ValueError, IndexError, SchemaResolutionError…
            raise TypedDecodeError(f"cannot decode {root}: {type(exc).__name__}: {exc}") from None
        left = len(data) - stream.tell()
        if left:
            raise TypedDecodeError(f"cannot decode {root}: {left} trailing bytes after the value")
        try:
            return from_avro(self.node, datum, root)
        except RecursionError:
            raise TypedDecodeError(f"cannot decode {root}: nested too deeply") from None

    def _reader_for(self, writer: Any) -> Any:
        found = self._writer_readers.get(id(writer))
        if found is None or found[0] is not writer:
            safe = self._reader is schemaless_reader and not is_recursive(resolve(writer))
            found = self._writer_readers[id(writer)] = (writer, schemaless_reader if safe else _read_py.schemaless_reader)
        return found[1]

    def encode(self, obj: Any, root: str, keep_large: bool = False) -> bytes:
        """Python objects → the Avro body; raises :class:`ConversionError` naming the path.
        ``keep_large`` (a result, which the claim check writes as it is): leaves of SEGMENT_AT bytes
        or more come back apart, as :class:`~..codec.segments.Segments` (large_leaves.py), and a
        body past :attr:`_Kept.KEEP_AT` as the bytearray fastavro wrote (see :class:`_Kept`)."""
        if not keep_large:
            return self._write(to_avro(self.node, obj, root), root).body(False)
        with collecting() as leaves:
            datum = to_avro(self.node, obj, root)
        out = self._write(datum, root)
        if leaves:
            return splice(out.body(False), leaves)  # type: ignore[return-value]  # Segments: the claim check writes them
        return out.body(True)

    def _write(self, datum: Any, root: str) -> _Kept:
        out = _Kept()
        try:
            schemaless_writer(out, self.parsed, datum)
        except Exception as exc:  # noqa: BLE001 - the checks above should have caught it
            raise ConversionError(root, "a value this schema can write", f"{type(exc).__name__}: {exc}") from None
        return out

    def from_generic(self, value: Any, root: str) -> Any:
        """A generic ``Value`` → Python objects, checked; raises :class:`ConversionError`."""
        return from_generic(self.node, value, root)

    def to_generic(self, obj: Any, root: str) -> Any:
        """Python objects → the plain value of a generic reply, checked against the schema."""
        return to_avro(self.node, obj, root, generic=True)

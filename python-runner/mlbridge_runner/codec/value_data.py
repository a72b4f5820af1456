"""The two branches ``value-v2.avsc`` adds to ``Value``: Tensor (dtype, shape, one block of
little-endian row-major bytes) and Table (an Arrow IPC stream); written and read here for
``value.py`` (see docs/protocol.md, "Tensors and tables")."""

from __future__ import annotations

from typing import Any, Callable, Final

from ..data.errors import MissingDataPackage
from ..data.table import is_table, stream_to_table, table_to_stream
from ..data.tensor import TensorData, check_parts, is_ndarray, make_tensor, ndarray_parts
from .binary import write_long
from .segments import Segments

#: Union branch indexes of the version-2 branches.
TENSOR: Final = 8
TABLE: Final = 9
#: value-v2.avsc: version 1 plus Tensor and Table. A body is labelled with it only when it holds
#: one (:class:`ExtendedValueBody`), so peers that predate it read every other call.
VALUE_V2_FINGERPRINT: Final = bytes.fromhex("36de59380b1ed7a5")
VALUE_V2_REFERENCE: Final = "crc64:" + VALUE_V2_FINGERPRINT.hex()


class ExtendedValueBody(bytes):
    """A Value body holding a tensor or table: it needs ``value-v2.avsc`` (:data:`VALUE_V2_REFERENCE`)."""

    __slots__ = ()


def value_reference_of(body: bytes | Segments) -> str | None:
    """:data:`VALUE_V2_REFERENCE` for a body ``encode_value`` wrote with a tensor or table; None
    (the caller's version-1 reference) otherwise."""
    if type(body) is ExtendedValueBody or (type(body) is Segments and body.extended):
        return VALUE_V2_REFERENCE
    return None


def is_data(value: Any) -> bool:
    """Whether ``value`` is written as a tensor or table (TensorData, ndarray, pyarrow.Table, DataFrame)."""
    return type(value) is TensorData or is_ndarray(value) or is_table(value)


def write_data(out: bytearray, value: Any, fail: Callable[[str], Exception]) -> bool:
    """Write ``value`` as a tensor or table; False for an ndarray whose dtype has no OIP name
    (the caller then writes its ``tolist()``)."""
    if type(value) is TensorData:
        _write_tensor(out, value.dtype, value.shape, memoryview(value.data))
        return True
    if is_ndarray(value):
        parts = ndarray_parts(value)
        if parts is None:
            return False
        _write_tensor(out, *parts)
        return True
    try:
        stream = table_to_stream(value)
    except MissingDataPackage as exc:
        raise fail(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - e.g. a DataFrame column pyarrow cannot type
        raise fail(f"{type(value).__name__} cannot be written as an Arrow stream: {type(exc).__name__}: {exc}") from None
    out.append(TABLE << 1)
    write_long(out, stream.size)
    out += memoryview(stream)
    return True


def _write_tensor(out: bytearray, dtype: str, shape: Any, data: memoryview) -> None:
    out.append(TENSOR << 1)
    raw = dtype.encode("ascii")
    write_long(out, len(raw))
    out += raw
    if shape:
        write_long(out, len(shape))
        for dim in shape:
            write_long(out, int(dim))
    out.append(0)
    write_long(out, data.nbytes)
    out += data


def read_tensor(
    data: bytes, pos: int, read_long: Callable[[bytes, int], tuple[int, int]], read_text: Callable[[bytes, int], tuple[str, int]],
    read_block: Callable[[bytes, int, int], tuple[int, int]], fail: Callable[[str], Exception],
) -> tuple[Any, int]:
    dtype, pos = read_text(data, pos)
    shape: list[int] = []
    count, pos = read_block(data, pos, 1)
    while count:
        for _ in range(count):
            dim, pos = read_long(data, pos)
            shape.append(dim)
        count, pos = read_block(data, pos, 1)
    size, pos = read_long(data, pos)
    if size < 0 or pos + size > len(data):
        raise fail(f"declared length {size} exceeds the {len(data) - pos} bytes left")
    problem = check_parts(dtype, shape, size)
    if problem is not None:
        raise fail(problem)
    end = pos + size
    view = memoryview(data)[pos:end]
    if dtype == "BOOL" and view.nbytes and max(view) > 1:
        raise fail("BOOL tensor element other than 0 or 1")
    return make_tensor(dtype, shape, view), end


def read_table(
    data: bytes, pos: int, read_long: Callable[[bytes, int], tuple[int, int]], fail: Callable[[str], Exception],
) -> tuple[Any, int]:
    size, pos = read_long(data, pos)
    if size < 0 or pos + size > len(data):
        raise fail(f"declared length {size} exceeds the {len(data) - pos} bytes left")
    end = pos + size
    try:
        return stream_to_table(memoryview(data)[pos:end]), end
    except (ValueError, MissingDataPackage) as exc:
        raise fail(str(exc)) from None

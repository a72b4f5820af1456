"""Tensors: numpy.ndarray when numpy is installed, else :class:`TensorData` (dtype, shape, bytes).

Reading is one ``np.frombuffer`` over the message's bytes (no per-element decode, no copy unless
the block is misaligned for its dtype, as it is whenever the bytes before it are not a multiple of
the item size): the array is read-only either way — ``arr.copy()`` to modify it. Writing makes the array C-contiguous and little-endian first.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from typing import Any

from .dtypes import DTYPES, NUMPY_TO_OIP


@dataclass(frozen=True)
class TensorData:
    """A tensor without numpy: ``data`` holds prod(shape) little-endian row-major elements of ``dtype``."""

    dtype: str
    shape: tuple[int, ...]
    data: bytes

    def __post_init__(self) -> None:
        problem = check_parts(self.dtype, self.shape, len(self.data))
        if problem is not None:
            from .errors import TensorShapeMismatch

            raise TensorShapeMismatch(problem)


def check_parts(dtype: str, shape: tuple[int, ...] | list[int], nbytes: int) -> str | None:
    """Why ``dtype``/``shape``/``nbytes`` cannot form a tensor, or None."""
    known = DTYPES.get(dtype)
    if known is None:
        return f"tensor dtype {dtype[:40]!r} is not one of {', '.join(DTYPES)}"
    for index, dim in enumerate(shape):
        if dim < 0:
            return f"tensor dimension {index} is {dim}"
    size = math.prod(shape)
    if size * known[1] != nbytes:
        return f"tensor of {dtype} and shape {list(shape)} needs {size * known[1]} bytes, has {nbytes}"
    return None


def numpy_or_none() -> Any:
    """numpy if it can be imported (once imported, it stays in sys.modules), else None."""
    module = sys.modules.get("numpy")
    if module is not None:
        return module
    try:
        import numpy
    except ImportError:
        return None
    return numpy


def make_tensor(dtype: str, shape: list[int], view: memoryview) -> Any:
    """An ndarray over ``view`` (already checked by :func:`check_parts`), or TensorData without numpy."""
    np = numpy_or_none()
    if np is None:
        return TensorData(dtype, tuple(shape), bytes(view))
    array = np.frombuffer(view, dtype=DTYPES[dtype][0])
    if not array.flags.aligned:
        array = array.copy()
        array.flags.writeable = False  # read-only either way, so that code does not depend on the offset
    return array.reshape(shape)


def is_ndarray(value: Any) -> bool:
    np = sys.modules.get("numpy")
    return np is not None and isinstance(value, np.ndarray)


def ndarray_parts(array: Any) -> tuple[str, tuple[int, ...], memoryview] | None:
    """(OIP dtype, shape, contiguous little-endian bytes) of an ndarray; None when its dtype has no
    OIP name (object, str, complex, datetime: those are written as their ``tolist()``)."""
    dtype = array.dtype
    name = NUMPY_TO_OIP.get((dtype.kind, dtype.itemsize))
    if name is None:
        return None
    wanted = DTYPES[name][0]
    if dtype.str != wanted:  # big-endian (or bool/byte spelled otherwise): little-endian, C order
        array = array.astype(wanted, order="C")
    elif not array.flags.c_contiguous:  # np.ascontiguousarray would turn a 0-d array into 1-d
        array = array.copy(order="C")
    return name, array.shape, memoryview(array).cast("B") if array.size else memoryview(b"")

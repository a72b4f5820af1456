"""numpy / pyarrow / pandas hints → Avro schemas, and their converters (issue 14 item 3).

``npt.NDArray[np.float32]`` (or ``np.ndarray``) becomes the Value version-2 Tensor record with
``"logicalType": "mlbridge-tensor"`` and ``"dtype": "FP32"`` (absent: any dtype); ``pa.Table`` and
``pd.DataFrame`` become the Table record with ``"logicalType": "mlbridge-arrow-table"`` (named
``Table`` / ``DataFrame``: the name says what the pipeline receives). The records are the same
bytes as in the generic Value, so a typed call and a generic one carry a tensor alike. Each named
type is defined once per schema (``mlbridge.data.Tensor_FP32``) and referenced by name after.
A hint of these libraries is recognised without importing them (only modules already imported
by the pipeline's own module can appear in its hints).
"""

from __future__ import annotations

import sys
import typing
from typing import Any

from ..data.dtypes import DTYPES, NUMPY_TO_OIP
from ..data.errors import MissingDataPackage
from ..data.table import is_table, stream_to_table, table_to_stream, to_pandas
from ..data.tensor import TensorData, check_parts, is_ndarray, make_tensor, ndarray_parts
from .large_leaves import SEGMENT_AT, stand_in
from .nodes import Mismatch, Node, got

NAMESPACE = "mlbridge.data"
TENSOR = "mlbridge-tensor"
TABLE = "mlbridge-arrow-table"
_NO_MATCH = object()


def data_schema(hint: Any, defined: set[str]) -> Any:
    """The schema of a numpy/pyarrow/pandas hint (a full name when ``defined`` already has it),
    or ``None`` when ``hint`` is none of them."""
    found = _describe(hint)
    if found is None:
        return None
    name, props, fields = found
    full = f"{NAMESPACE}.{name}"
    if full in defined:
        return full
    defined.add(full)
    return {"type": "record", "name": name, "namespace": NAMESPACE, **props, "fields": fields}


def _describe(hint: Any) -> tuple[str, dict[str, Any], list[dict[str, Any]]] | None:
    np = sys.modules.get("numpy")
    if np is not None and (hint is np.ndarray or typing.get_origin(hint) is np.ndarray):
        dtype = _oip_dtype(np, typing.get_args(hint))
        props: dict[str, Any] = {"logicalType": TENSOR}
        if dtype is not None:
            props["dtype"] = dtype
        fields = [
            {"name": "dtype", "type": "string"},
            {"name": "shape", "type": {"type": "array", "items": "long"}},
            {"name": "data", "type": "bytes"},
        ]
        return ("Tensor" if dtype is None else f"Tensor_{dtype}"), props, fields
    pa = sys.modules.get("pyarrow")
    pd = sys.modules.get("pandas")
    table_fields = [{"name": "arrowStream", "type": "bytes"}]
    if pa is not None and hint is pa.Table:
        return "Table", {"logicalType": TABLE}, table_fields
    if pd is not None and hint is pd.DataFrame:
        return "DataFrame", {"logicalType": TABLE}, table_fields
    return None


def _oip_dtype(np: Any, args: tuple[Any, ...]) -> str | None:
    """OIP name of ``np.ndarray[shape, np.dtype[T]]``'s T; None for any dtype."""
    if len(args) != 2:
        return None
    inner = typing.get_args(args[1])
    if len(inner) != 1 or not isinstance(inner[0], type) or not issubclass(inner[0], np.generic):
        return None
    dtype = np.dtype(inner[0])
    name = NUMPY_TO_OIP.get((dtype.kind, dtype.itemsize))
    if name is None:
        raise TypeError(f"numpy dtype {dtype} has no tensor datatype (supported: {', '.join(DTYPES)})")
    return name


def data_node(schema: dict[str, Any]) -> Node | None:
    """The converter of a Tensor/Table record schema, or None for any other schema."""
    logical = schema.get("logicalType")
    if logical == TENSOR:
        return TensorNode(schema["name"], schema.get("dtype"), schema.get("shape"))
    if logical == TABLE:
        return TableNode(schema["name"], pandas=schema["name"].rsplit(".", 1)[-1] == "DataFrame")
    return None


class TensorNode(Node):
    """Tensor record ↔ numpy.ndarray (TensorData without numpy), its dtype (and shape, when the
    schema gives one: -1 any length) checked both ways."""

    def __init__(self, name: str, dtype: str | None, shape: list[int] | None) -> None:
        self.branch_name = name
        self.dtype = dtype
        self.shape = shape
        self.expected = f"a {dtype or 'numeric'} tensor" + (f" of shape {shape}" if shape is not None else "")

    def _check(self, dtype: str, shape: tuple[int, ...] | list[int], what: str) -> None:
        if self.dtype is not None and dtype != self.dtype:
            raise Mismatch(self.expected, f"{what} of {dtype}")
        if self.shape is not None and (len(shape) != len(self.shape) or any(w not in (-1, d) for w, d in zip(self.shape, shape))):
            raise Mismatch(self.expected, f"{what} of shape {list(shape)}")

    def from_avro(self, datum: Any) -> Any:
        dtype, shape, data = datum["dtype"], datum["shape"], datum["data"]
        problem = check_parts(dtype, shape, len(data))
        if problem is not None:
            raise Mismatch(self.expected, problem)
        self._check(dtype, shape, "a tensor")
        return make_tensor(dtype, shape, memoryview(data))

    def from_generic(self, value: Any) -> Any:
        if type(value) is TensorData:
            self._check(value.dtype, value.shape, "a tensor")
            return value
        if is_ndarray(value):
            parts = ndarray_parts(value)
            if parts is None:
                raise Mismatch(self.expected, f"an array of {value.dtype}")
            self._check(parts[0], parts[1], "a tensor")
            return value
        raise Mismatch(self.expected, got(value))

    def to_avro(self, obj: Any, generic: bool) -> Any:
        if type(obj) is TensorData:
            dtype, shape, data = obj.dtype, obj.shape, obj.data
        elif is_ndarray(obj):
            parts = ndarray_parts(obj)
            if parts is None:
                raise Mismatch(self.expected, f"an array of {obj.dtype}")
            dtype, shape, view = parts
            data = view
        else:
            raise Mismatch(self.expected, got(obj))
        self._check(dtype, shape, "an array")
        if generic:
            return obj  # the generic Value writes it as its tensor branch
        raw = memoryview(data)
        # A large tensor's memory is written from where it lies (large_leaves.py), not copied.
        return {"dtype": dtype, "shape": [int(d) for d in shape], "data": stand_in(raw) if raw.nbytes >= SEGMENT_AT else bytes(raw)}


class TableNode(Node):
    """Table record ↔ pyarrow.Table (or pandas.DataFrame when the hint says so)."""

    def __init__(self, name: str, pandas: bool) -> None:
        self.branch_name = name
        self.pandas = pandas
        self.expected = "a pandas.DataFrame" if pandas else "a pyarrow.Table"

    def _as_wanted(self, table: Any) -> Any:
        if not self.pandas:
            return table
        try:
            return to_pandas(table)
        except MissingDataPackage as exc:
            raise Mismatch(self.expected, str(exc)) from None

    def from_avro(self, datum: Any) -> Any:
        try:
            return self._as_wanted(stream_to_table(memoryview(datum["arrowStream"])))
        except (ValueError, MissingDataPackage) as exc:
            raise Mismatch(self.expected, str(exc)) from None

    def from_generic(self, value: Any) -> Any:
        pa = sys.modules.get("pyarrow")
        if pa is not None and isinstance(value, pa.Table):
            return self._as_wanted(value)
        raise Mismatch(self.expected, got(value))

    def to_avro(self, obj: Any, generic: bool) -> Any:
        if not is_table(obj):
            raise Mismatch("a pyarrow.Table or pandas.DataFrame", got(obj))
        if generic:
            return obj
        try:
            stream = table_to_stream(obj)
            return {"arrowStream": stand_in(memoryview(stream)) if stream.size >= SEGMENT_AT else stream.to_pybytes()}
        except Exception as exc:  # noqa: BLE001 - a column pyarrow cannot type
            raise Mismatch("a table pyarrow can write", f"{type(obj).__name__} ({type(exc).__name__}: {exc})") from None

"""schemas/vectors/data-typed.json: typed schemas derived from numpy / pyarrow / pandas hints and
bodies written with them (issue 14 item 3), checked by test/unit/data-contract.test.ts and
python-runner/tests/unit/test_tensor_contract.py. ``python -m mlbridge_devtools.data_vectors``
(also run by ``write_vectors``)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from mlbridge_runner.contract.hints import schema_for_hint
from mlbridge_runner.contract.model import schema_ref
from mlbridge_runner.contract.typed_codec import TypedCodec
from mlbridge_runner.data.tensor import ndarray_parts

from .envelope_vectors import find_vectors_dir


def _tensor_json(array: Any) -> dict[str, Any]:
    """dtype (OIP name), shape and the little-endian row-major bytes as hex."""
    dtype, shape, data = ndarray_parts(array)
    return {"dtype": dtype, "shape": list(shape), "data": bytes(data).hex()}


def build_data_typed_vectors() -> dict[str, Any]:
    cases: list[dict[str, Any]] = []

    def case(name: str, python: str, hint: Any, value: Any, shown: Any) -> None:
        schema, classes = schema_for_hint(hint, "data", "value")
        codec = TypedCodec(schema, classes)
        cases.append({"name": name, "python": python, "schema": schema, "ref": schema_ref(schema),
                      "value": shown, "hex": codec.encode(value, "value").hex()})

    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    case("NDArray[float32] 2x3", "npt.NDArray[np.float32]", npt.NDArray[np.float32], x, _tensor_json(x))
    y = np.array([-1, 2**62], dtype=np.int64)
    case("NDArray[int64]", "npt.NDArray[np.int64]", npt.NDArray[np.int64], y, _tensor_json(y))
    z = np.array(True)
    case("np.ndarray (any dtype) 0-d bool", "np.ndarray", np.ndarray, z, _tensor_json(z))
    items = [np.zeros((0, 2), np.float16), np.array([[1.5]], np.float16)]
    case("list[NDArray[float16]]", "list[npt.NDArray[np.float16]]", list[npt.NDArray[np.float16]], items, [_tensor_json(i) for i in items])
    table = pa.table({"a": pa.array([1, None, 3], pa.int64()), "s": pa.array(["x", "y", None]).dictionary_encode()})
    case("pa.Table with a null and a dictionary column", "pa.Table", pa.Table, table, {"rows": table.to_pylist()})
    frame = pd.DataFrame({"v": [0.5, 1.5]})
    case("pd.DataFrame", "pd.DataFrame", pd.DataFrame, frame, {"rows": [{"v": 0.5}, {"v": 1.5}]})
    return {"writer": "py", "cases": cases}


def main() -> int:
    out = find_vectors_dir() / "data-typed.json"
    vectors = build_data_typed_vectors()
    out.write_text(json.dumps(vectors, indent=1, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")
    print(f"wrote {len(vectors['cases'])} typed tensor/table cases to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["build_data_typed_vectors", "main"]

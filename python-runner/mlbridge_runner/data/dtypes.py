"""Open Inference Protocol (KServe v2 / Triton) datatype names ↔ numpy dtypes (little-endian)."""

from __future__ import annotations

from typing import Final, Literal

Dtype = Literal["BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64"]

#: OIP name → (numpy dtype string, item size in bytes).
DTYPES: Final[dict[str, tuple[str, int]]] = {
    "BOOL": ("|b1", 1),
    "UINT8": ("|u1", 1),
    "UINT16": ("<u2", 2),
    "UINT32": ("<u4", 4),
    "UINT64": ("<u8", 8),
    "INT8": ("|i1", 1),
    "INT16": ("<i2", 2),
    "INT32": ("<i4", 4),
    "INT64": ("<i8", 8),
    "FP16": ("<f2", 2),
    "FP32": ("<f4", 4),
    "FP64": ("<f8", 8),
}

#: numpy (kind, itemsize) → OIP name, for writing ndarrays.
NUMPY_TO_OIP: Final[dict[tuple[str, int], str]] = {
    ("b", 1): "BOOL",
    ("u", 1): "UINT8",
    ("u", 2): "UINT16",
    ("u", 4): "UINT32",
    ("u", 8): "UINT64",
    ("i", 1): "INT8",
    ("i", 2): "INT16",
    ("i", 4): "INT32",
    ("i", 8): "INT64",
    ("f", 2): "FP16",
    ("f", 4): "FP32",
    ("f", 8): "FP64",
}

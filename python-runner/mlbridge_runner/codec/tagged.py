"""The tagged JSON form of ``Value`` used by the shared vectors (``schemas/vectors/README.md``)."""

from __future__ import annotations

import math
from typing import Any


def to_tagged(value: Any) -> dict[str, Any]:
    """A plain Python value → ``{"long": "5"}``-style tagged JSON."""
    if value is None:
        return {"null": None}
    if value is True or value is False:
        return {"boolean": value}
    if isinstance(value, int):
        return {"long": str(value)}
    if isinstance(value, float):
        if math.isnan(value):
            return {"double": "NaN"}
        if math.isinf(value):
            return {"double": "Infinity" if value > 0 else "-Infinity"}
        return {"double": value}
    if isinstance(value, str):
        return {"string": value}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"bytes": bytes(value).hex()}
    if isinstance(value, (list, tuple)):
        return {"array": [to_tagged(item) for item in value]}
    if isinstance(value, dict):
        return {"map": [[key, to_tagged(item)] for key, item in value.items()]}
    raise TypeError(f"no tagged form for {type(value).__name__}")


_SPECIAL_DOUBLES = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def from_tagged(tagged: dict[str, Any]) -> Any:
    """Tagged JSON → the plain Python value it stands for."""
    if len(tagged) != 1:
        raise ValueError(f"a tagged value has exactly one key, got {sorted(tagged)}")
    ((tag, inner),) = tagged.items()
    if tag == "null":
        return None
    if tag == "boolean":
        return bool(inner)
    if tag == "long":
        return int(inner)
    if tag == "double":
        return _SPECIAL_DOUBLES[inner] if isinstance(inner, str) else float(inner)
    if tag == "string":
        return str(inner)
    if tag == "bytes":
        return bytes.fromhex(inner)
    if tag == "array":
        return [from_tagged(item) for item in inner]
    if tag == "map":
        return {key: from_tagged(item) for key, item in inner}
    raise ValueError(f"unknown tag {tag!r}")

"""Both languages' vector files: decoding ``hex`` gives ``value``; encoding ``value`` gives ``hex``."""

import json
import math

import pytest

from mlbridge_devtools.envelope_vectors import build_vectors, decode_case, encode_case, find_vectors_dir

VECTORS = find_vectors_dir()
FILES = ["py-written.json", "ts-written.json"]


def _cases(file_name):
    path = VECTORS / file_name
    if not path.is_file():
        return [pytest.param(None, id=f"{file_name}:missing",
                             marks=pytest.mark.skip(reason=f"{path} not written yet (the TS side writes it: npm run vectors)"))]
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["cases"], f"{path} has no cases"
    return [pytest.param(case, id=f"{file_name}:{case['name']}") for case in data["cases"]]


def _normalise(obj):
    """Make NaN comparable and long-as-number vs long-as-string irrelevant in envelopes."""
    if isinstance(obj, float) and math.isnan(obj):
        return "NaN"
    if isinstance(obj, dict):
        return {k: _normalise(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_normalise(v) for v in obj]
    return obj


@pytest.mark.parametrize("case", [c for f in FILES for c in _cases(f)])
def test_vector(case):
    data = bytes.fromhex(case["hex"])
    assert _normalise(decode_case(case["schema"], data)) == _normalise(case["value"])
    assert encode_case(case["schema"], case["value"]).hex() == case["hex"]


def test_committed_py_vectors_are_current():
    """py-written.json must be regenerated when the codec or the cases change."""
    committed = json.loads((VECTORS / "py-written.json").read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(build_vectors(), allow_nan=False))

"""Arrow tables in the generic Value: the TS-written streams of schemas/vectors/data.json read by
pyarrow (nulls, dictionary columns, zero rows), pandas.DataFrame, and the missing-package error."""

from __future__ import annotations

import json
import math

import pytest

from mlbridge_devtools.envelope_vectors import find_vectors_dir
from mlbridge_runner.codec.framing import unframe
from mlbridge_runner.codec.value import VALUE_V2_FINGERPRINT, VALUE_V2_REFERENCE, decode_value, encode_value, value_reference_of
from mlbridge_runner.data import MissingDataPackage, table as table_module
from mlbridge_runner.errors import ValueNotDecodable, ValueNotEncodable

pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")
VECTORS = json.loads((find_vectors_dir() / "data.json").read_text(encoding="utf-8"))


def _body(case: dict) -> bytes:
    _, body = unframe(bytes.fromhex(case["hex"]), {VALUE_V2_FINGERPRINT: None})
    return bytes(body)


def _jsonable(rows: list[dict]) -> list[dict]:
    def one(v):
        if isinstance(v, float) and not math.isfinite(v):
            return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
        if isinstance(v, float) and v.is_integer():
            return int(v)
        return v

    return [{k: one(v) for k, v in row.items()} for row in rows]


@pytest.mark.parametrize("case", VECTORS["tables"], ids=lambda c: c["name"])
def test_ts_written_table_reads_as_pyarrow_table(case):
    table = decode_value(_body(case))
    assert isinstance(table, pa.Table)
    assert table.column_names == list(case["columns"])
    assert _jsonable(table.to_pylist()) == _jsonable(case["rows"])
    again = decode_value(encode_value(table))  # pyarrow's own stream reads back equal (NaN included)
    assert again.schema.equals(table.schema)
    assert _jsonable(again.to_pylist()) == _jsonable(table.to_pylist())


def test_dictionary_column_stays_dictionary_encoded():
    case = next(c for c in VECTORS["tables"] if "dictionary" in c["name"])
    table = decode_value(_body(case))
    assert pa.types.is_dictionary(table.schema.field("host").type)
    assert table.column("host").null_count == 1


def test_dataframe_results_go_as_tables_and_name_version_2():
    df = pd.DataFrame({"cpu": [0.5, None, 1.0], "host": pd.Categorical(["a", "b", "a"])})
    body = encode_value({"frame": df})
    assert value_reference_of(body) == VALUE_V2_REFERENCE
    back = decode_value(body)["frame"]
    assert isinstance(back, pa.Table)
    pd.testing.assert_frame_equal(back.to_pandas(), df)


def test_hundred_thousand_rows_round_trip_exactly():
    n = 100_000
    table = pa.table({"t": pa.array(range(n), pa.int64()), "v": pa.array([i * 0.5 for i in range(n)]),
                      "s": pa.array([None if i % 7 == 0 else f"h{i % 13}" for i in range(n)]).dictionary_encode()})
    assert decode_value(encode_value(table)).equals(table)


def test_without_pyarrow_a_table_is_refused_naming_the_package(monkeypatch):
    case = VECTORS["tables"][0]

    def missing(needed_for):
        raise MissingDataPackage("pyarrow", needed_for)

    monkeypatch.setattr(table_module, "_pyarrow", missing)
    with pytest.raises(ValueNotDecodable, match="optional package pyarrow"):
        decode_value(_body(case))
    with pytest.raises(ValueNotEncodable, match=r"\$\.df: .*optional package pyarrow"):
        encode_value({"df": pd.DataFrame({"a": [1]})})


def test_a_dataframe_pyarrow_cannot_type_is_refused_with_the_path():
    with pytest.raises(ValueNotEncodable, match=r"\$\[0\]: DataFrame cannot be written"):
        encode_value([pd.DataFrame({"a": [object()]})])

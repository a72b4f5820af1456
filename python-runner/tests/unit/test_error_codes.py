import json

from mlbridge_runner import error_codes
from mlbridge_runner.codec.schemas import wire_schemas
from mlbridge_devtools.envelope_vectors import find_vectors_dir


def test_codes_equal_the_shared_list_in_order():
    assert list(error_codes.ALL) == list(wire_schemas().error_codes())


def test_packaged_copy_equals_the_source_when_both_exist():
    source = find_vectors_dir().parent / "error-codes.json"
    assert json.loads(source.read_text())["codes"] == wire_schemas().error_codes()


def test_constants_are_their_own_names():
    for code in error_codes.ALL:
        assert getattr(error_codes, code) == code

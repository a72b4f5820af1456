import pytest

from mlbridge_runner.codec.schemas import NAMES, find_schema_dir, wire_schemas
from mlbridge_runner.errors import SchemaNotFound


def _write_schemas(folder):
    folder.mkdir(parents=True)
    for name in NAMES:
        (folder / f"{name}.avsc").write_text((wire_schemas().directory / f"{name}.avsc").read_text())


def test_packaged_copy_wins(tmp_path):
    package = tmp_path / "root" / "python-runner" / "mlbridge_runner"
    _write_schemas(package / "schemas")
    _write_schemas(tmp_path / "root" / "schemas")
    assert find_schema_dir(package) == package / "schemas"


def test_falls_back_to_the_enclosing_repo_or_npm_package(tmp_path):
    package = tmp_path / "root" / "python-runner" / "mlbridge_runner"
    package.mkdir(parents=True)
    _write_schemas(tmp_path / "root" / "schemas")
    assert find_schema_dir(package) == tmp_path / "root" / "schemas"


def test_incomplete_folder_is_skipped_and_nothing_found_is_clear(tmp_path):
    package = tmp_path / "x" / "mlbridge_runner"
    (package / "schemas").mkdir(parents=True)
    (package / "schemas" / "value.avsc").write_text("{}")
    with pytest.raises(SchemaNotFound, match="sync-schemas"):
        find_schema_dir(package)


def test_loaded_once():
    assert wire_schemas() is wire_schemas()

"""What the built wheel carries: the runner package, its schemas and C extensions, and nothing of
the project's own development (mlbridge_devtools, tests). The npm tarball's list is checked by
test/unit/package-files.test.ts."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # python-runner/


@pytest.fixture(scope="module")
def wheel_files(tmp_path_factory) -> list[str]:
    pytest.importorskip("wheel", reason="the wheel package (the test extra) builds the wheel offline")
    source = tmp_path_factory.mktemp("source")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.so", "*.egg-info", "build")
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("mlbridge_runner", "mlbridge_devtools", "tests"):  # all there, as in a checkout
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", str(source), "-w", str(out)],
        check=True,
        timeout=300,
    )
    [wheel] = out.glob("mlbridge_runner-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def test_the_wheel_holds_the_runner_package_and_its_schemas(wheel_files):
    for name in ("mlbridge_runner/__main__.py", "mlbridge_runner/loading.py", "mlbridge_runner/py.typed",
                 "mlbridge_runner/schemas/reply.avsc", "mlbridge_runner/runner/loop.py",
                 "mlbridge_runner/schemas/versions/index.json", "mlbridge_runner/schemas/versions/request-v0.avsc"):
        assert name in wheel_files, name


def test_the_wheel_holds_nothing_of_the_project_s_development(wheel_files):
    allowed = re.compile(r"^(mlbridge_runner/|mlbridge_runner-[^/]+\.dist-info/|mlbridge_runner(_value)?_accel\.[^/]+\.so$)")
    assert [name for name in wheel_files if not allowed.match(name)] == []
    assert [name for name in wheel_files if "/tools/" in name or "devtools" in name or "/tests/" in name] == []


def test_no_runtime_module_imports_the_developer_tools():
    users = [str(path.relative_to(ROOT)) for path in (ROOT / "mlbridge_runner").rglob("*.py")
             if "mlbridge_devtools" in path.read_text(encoding="utf-8")]
    assert users == []

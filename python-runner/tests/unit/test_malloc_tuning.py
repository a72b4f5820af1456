"""The runner's allocator settings: applied through mallopt on glibc, never over the operator's
environment. (Their effect is measured by the data rung of ``npm run bench``, not asserted here.)"""

from __future__ import annotations

import ctypes.util
import platform

import pytest

from mlbridge_runner import malloc_tuning
from mlbridge_runner.malloc_tuning import tune_malloc


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_on_glibc_the_thresholds_are_set() -> None:
    assert tune_malloc({}) is True


@pytest.mark.parametrize("name", ["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"])
def test_the_environment_wins(name: str) -> None:
    assert tune_malloc({name: "131072"}) is False


def test_without_a_c_library_nothing_is_done(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ctypes.util, "find_library", lambda _name: None)
    assert malloc_tuning.tune_malloc({}) is False

"""The runner's allocator settings (glibc): keep freed large buffers for reuse.

A call carrying a few MB passes through several buffers of that size (the consumed record, the
decoded arguments, the result, the reply). glibc serves each from a fresh ``mmap`` above its
mmap threshold, or trims the heap back to the system once the top has 128 KiB free, so every such
call pays page faults on memory it had a moment ago. Measured with the data rung (``BENCH_RUNGS=data
BENCH_DATA_CASES=tensor npm run bench``, a 4 MB float32 tensor echoed at concurrency 1): runner CPU
17 → 9 ms per call. With these settings buffers below :data:`MMAP_THRESHOLD` come from the heap and
the heap is returned to the system only past :data:`TRIM_THRESHOLD` of free space at its top: after a
burst of large calls the runner keeps up to that much for the next. Larger buffers (a 200 MB payload)
are still mapped and unmapped on their own.

Only the runner's CLI does this (like its collector settings), only on glibc, and never over
``MALLOC_MMAP_THRESHOLD_`` / ``MALLOC_TRIM_THRESHOLD_`` set in the environment: the operator's wins.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from typing import Final, Mapping

#: Buffers below this come from the heap (glibc's default is dynamic, 128 KiB up to 32 MiB).
MMAP_THRESHOLD: Final = 64 * 1024 * 1024
#: Free space at the heap's top kept rather than returned (glibc's default: twice the mmap threshold).
TRIM_THRESHOLD: Final = 256 * 1024 * 1024

_M_TRIM_THRESHOLD: Final = -1
_M_MMAP_THRESHOLD: Final = -3
_ENVIRONMENT: Final = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")


def tune_malloc(environ: Mapping[str, str] = os.environ) -> bool:
    """Set the thresholds; ``False`` (nothing done) off glibc or when the environment sets them."""
    if any(name in environ for name in _ENVIRONMENT):
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt; macOS's libc neither)
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    # mallopt returns 1 on success.
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))

"""Finding the optional C extensions (``_envelope_accel.c``, ``_value_accel.c``).

Each is a top-level module built by ``pip install`` when a compiler is at hand (see setup.py); the
Python codecs use one only when it imported, is not turned off with ``MLBRIDGE_PURE_PYTHON=1``, and
passes the caller's check that it implements the same schema version.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType


def load_extension(name: str) -> ModuleType | None:
    """The extension module ``name``, or ``None`` when turned off or not built."""
    if os.environ.get("MLBRIDGE_PURE_PYTHON", "") not in ("", "0"):
        return None
    try:
        return importlib.import_module(name)
    except ImportError:  # installed without a compiler, or running from a source tree
        return None

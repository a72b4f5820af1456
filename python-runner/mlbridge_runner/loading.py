"""Loading the operator's pipelines (and checking the packages that needs).

One place used by the runner's CLI, the ``catalog`` command and the process-isolation workers, so
that no runtime module imports the CLI. What is loaded is only ever named by the operator (a
``--pipelines`` flag, the runner's configuration), never by a message.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import sys
from pathlib import Path

from .errors import ConfigError

#: Exit code of a command that found :func:`missing_dependencies`.
EXIT_MISSING_DEPENDENCIES = 3


def missing_dependencies() -> list[str]:
    """Distribution names of the required packages that cannot be imported."""
    missing = []
    for module, dist in (("confluent_kafka", "confluent-kafka"), ("fastavro", "fastavro")):
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(dist)
    return missing


def _module_name_for(path: Path) -> str:
    stem = re.sub(r"\W", "_", path.stem) or "pipelines"
    if stem[0].isdigit():
        stem = "_" + stem
    return stem if stem not in sys.modules else f"mlbridge_pipelines_{stem}"


def load_pipelines(spec: str) -> None:
    """Import an operator-supplied pipelines file or module (never anything named by a message)."""
    path = Path(spec)
    if spec.endswith(".py") or os.sep in spec or path.is_file():
        if not path.is_file():
            raise ConfigError(f"pipelines file {spec!r} does not exist")
        path = path.resolve()
        name = _module_name_for(path)
        module_spec = importlib.util.spec_from_file_location(name, path)
        if module_spec is None or module_spec.loader is None:
            raise ConfigError(f"cannot load {spec!r} as a Python file")
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[name] = module
        if str(path.parent) not in sys.path:
            sys.path.insert(0, str(path.parent))  # let the file import its neighbours
        module_spec.loader.exec_module(module)
    else:
        importlib.import_module(spec)


__all__ = ["EXIT_MISSING_DEPENDENCIES", "load_pipelines", "missing_dependencies"]

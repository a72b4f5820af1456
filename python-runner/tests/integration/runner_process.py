"""Start and stop real runner subprocesses and read their JSON-lines logs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PACKAGE_ROOT = Path(__file__).resolve().parents[2]


class RunnerProcess:
    def __init__(
        self,
        brokers: str,
        request_topic: str,
        group: str,
        *extra: str,
        log_level: str = "info",
        env: dict[str, str] | None = None,
        launcher: tuple[str, ...] = ("-m", "mlbridge_runner"),
    ) -> None:
        """``launcher``: what follows the interpreter in place of ``-m mlbridge_runner`` (a test-side
        wrapper script and its own arguments, e.g. ``fixtures/delayed_commit_runner.py``)."""
        self.request_topic = request_topic
        self.group = group
        self._log = tempfile.NamedTemporaryFile(prefix="mlbridge-runner-", suffix=".log", delete=False)
        env = {
            **os.environ,
            "PYTHONPATH": str(PACKAGE_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
            **(env or {}),
        }
        self.proc = subprocess.Popen(
            [
                sys.executable, *launcher,
                "--pipelines", str(FIXTURES / "pipelines.py"),
                "--brokers", brokers,
                "--request-topic", request_topic,
                "--group", group,
                "--log-level", log_level,
                # A catalogue of its own: the shared default would carry other tests' pipeline versions.
                *(() if "--catalog-topic" in extra else ("--catalog-topic", f"{request_topic}.catalog")),
                *extra,
            ],
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            env=env,
        )

    @property
    def log_path(self) -> str:
        return self._log.name

    def events(self) -> list[dict[str, Any]]:
        lines = Path(self._log.name).read_text(encoding="utf-8", errors="replace").splitlines()
        parsed = []
        for line in lines:
            try:
                parsed.append(json.loads(line))
            except json.JSONDecodeError:
                parsed.append({"event": "non-json", "line": line})
        return parsed

    def wait_for(self, event: str, timeout: float = 30.0, **match: Any) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for entry in self.events():
                if entry.get("event") == event and all(entry.get(k) == v for k, v in match.items()):
                    return entry
            if self.proc.poll() is not None:
                raise AssertionError(f"runner exited with {self.proc.returncode} before {event}:\n{self.log_text()}")
            time.sleep(0.05)
        raise AssertionError(f"no {event} within {timeout} s:\n{self.log_text()}")

    def log_text(self) -> str:
        return Path(self._log.name).read_text(encoding="utf-8", errors="replace")

    def terminate(self, timeout: float = 30.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode

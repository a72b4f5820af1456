"""``/metrics``, ``/healthz`` and ``/readyz`` on the ``--metrics-port`` (stdlib HTTP server, one
daemon thread; a scrape or a probe never touches the consume loop).

- ``/healthz`` (liveness): 200 while the runner is starting, then while the consume loop went round
  within the last :data:`LIVENESS_SECONDS`; 503 once it has not (a loop stuck in a call or a lock:
  restarting the pod is the cure).
- ``/readyz`` (readiness): 200 when the pipelines are loaded and the loop serves, a broker
  connection is up, and the group was joined (partitions assigned, or none left for this runner);
  503 otherwise, and while stopping. Both answer JSON naming each check.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Final

from .errors import MetricsServerFailed

#: The loop goes round at least every 0.1 s; a stop this long is a stuck loop.
LIVENESS_SECONDS: Final = 10.0


class Health:
    """What the probes answer from. Written by the loop and the statistics callbacks, read by the
    HTTP thread: plain attributes, each written whole."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        #: None while starting (topics, catalogue): alive, not ready.
        self.last_tick: float | None = None
        self.serving = False
        self.connected = False
        self.joined = False
        self.stopping = False

    def tick(self) -> None:
        self.last_tick = self._clock()

    def connectivity(self, connected: bool, joined: bool) -> None:
        self.connected = connected
        self.joined = joined

    def brokers_down(self) -> None:
        """librdkafka reported every broker down (the statistics tell when one is back)."""
        self.connected = False

    def live(self) -> tuple[bool, dict[str, Any]]:
        if self.last_tick is None:
            return True, {"status": "starting"}
        age = self._clock() - self.last_tick
        return age < LIVENESS_SECONDS, {"loop_tick_age_seconds": round(age, 3), "limit_seconds": LIVENESS_SECONDS}

    def ready(self) -> tuple[bool, dict[str, Any]]:
        checks = {
            "pipelines_loaded": self.serving,
            "connected": self.connected,
            "group_joined": self.joined,
            "not_stopping": not self.stopping,
        }
        return all(checks.values()), {"checks": checks, "failing": [name for name, ok in checks.items() if not ok]}


class ProbeServer:
    """The HTTP server; ``exposition()`` gives the current scrape (body, content type)."""

    def __init__(self, host: str, port: int, health: Health, exposition: Callable[[], tuple[bytes, str]]) -> None:
        self._health = health
        self._exposition = exposition
        handler = _handler(health, exposition)
        try:
            self._server = ThreadingHTTPServer((host, port), handler)
        except OSError as exc:
            raise MetricsServerFailed(host, port, exc) from exc
        self._server.daemon_threads = True
        self.host = host
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, name="mlbridge-metrics", daemon=True)

    @property
    def url(self) -> str:
        """Where ``/metrics`` is, as another host sees it when bound to every address."""
        shown = self.host if self.host not in ("0.0.0.0", "::", "") else _host_name()
        return f"http://{shown}:{self.port}/metrics"

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _host_name() -> str:
    import socket

    return socket.gethostname()


def _handler(health: Health, exposition: Callable[[], tuple[bytes, str]]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                body, content_type = exposition()
                self._send(200, body, content_type)
            elif path in ("/healthz", "/readyz"):
                ok, detail = health.live() if path == "/healthz" else health.ready()
                body = json.dumps({"ok": ok, **detail}).encode()
                self._send(200 if ok else 503, body, "application/json")
            else:
                self._send(404, b"not found: try /metrics, /healthz or /readyz\n", "text/plain; charset=utf-8")

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet: probes come every few seconds
            pass

    return Handler

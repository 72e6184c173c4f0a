#!/usr/bin/env python3
"""Workload W1 against Shopwire, started the way ``make run`` does (``python -m app.cli up``).

For each configuration (SQLite or PostgreSQL; 1 or 2 RQ worker processes) this script:

1. starts ``python -m app.cli up`` in a fresh temporary data directory (bundled Redis; SQLite,
   or a throwaway PostgreSQL 15 cluster on a free port), with
   ``SHOPWIRE_ALLOW_PRIVATE_NETWORKS=127.0.0.0/8`` so the HTTP node may reach the local sink;
2. creates and activates the W1 flow through the API (webhook -> map -> filter -> HTTP POST);
3. runs wrk (``../shared/bench/post.lua``, the Shopify orders/paid fixture) against the webhook
   with 32 connections for 15 s, sampling the RQ workers' VmRSS meanwhile;
4. waits until the counting sink (``../shared/bench/sink.js`` on :9100) has every stored
   execution delivered, or makes no progress for ``--stall-wait`` s;
5. checks durability: deliveries == executions stored == executions succeeded, and the
   requests wrk saw answered 2xx are all among them.

``--peers`` also installs Node-RED and n8n with ``../shared/bench/peers/setup-peers.sh`` and
measures them with the same driver (or with ``../shared/bench/w1.sh``: ``--peer-driver w1sh``).
``--profile`` adds one extra run per ``--profile-config`` with py-spy attached to the gunicorn
and RQ workers and prints where the time goes (see ``bench/pyspy_summary.py``).

Run it with the project's venv:  ``.venv/bin/python bench/w1.py [--quick] [--peers] [--profile]``
Everything is bounded in time; every process it starts is stopped at the end, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import itertools
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
SINK = "http://127.0.0.1:9100"

# Reference figures from ../shared/bench/README.md (2-core machine, one run, w1.sh).
REFERENCE = {
    "Node-RED 4.1.8": {"rps": 855.0, "p50": 37.0, "p99": 232.0, "e2e": 502.0},
    "n8n 1.123.81": {"rps": 32.0, "p50": 945.0, "p99": 1400.0, "e2e": 33.0},
}

W1_GRAPH = {
    "schema_version": 1,
    "nodes": [
        {"id": "hook", "type": "core.webhook", "version": 1, "name": "Order paid"},
        {
            "id": "map",
            "type": "core.map",
            "version": 1,
            "params": {"fields": {}},
            "mapping": {
                "fields.id": "trigger.id",
                "fields.email": "trigger.email",
                "fields.total": "to_number(trigger.total_price)",
                "fields.currency": "trigger.currency",
                "fields.skus": "trigger.line_items[].sku",
            },
        },
        {
            "id": "filter",
            "type": "core.filter",
            "version": 1,
            "mapping": {"condition": "input.total > `0`"},
        },
        {
            "id": "http",
            "type": "core.http_request",
            "version": 1,
            "params": {"method": "POST", "url": "http://127.0.0.1:9100/"},
            "mapping": {"body": "input"},
        },
    ],
    "edges": [
        {"source": "hook", "target": "map"},
        {"source": "map", "target": "filter"},
        {"source": "filter", "target": "http"},
    ],
}


def log(message: str) -> None:
    print(f"[w1 {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --------------------------------------------------------------------------------------------
# Cleanup: every started process registers how to stop it; run LIFO at exit and on Ctrl-C.
# --------------------------------------------------------------------------------------------


class Cleanup:
    def __init__(self) -> None:
        self._actions: list[tuple[str, Any]] = []

    def push(self, name: str, action) -> None:
        self._actions.append((name, action))

    def pop(self, name: str) -> None:
        """Run one registered action now (the newest one of that name)."""
        for i in range(len(self._actions) - 1, -1, -1):
            if self._actions[i][0] == name:
                _, action = self._actions.pop(i)
                _safely(name, action)
                return

    def run_all(self) -> None:
        while self._actions:
            name, action = self._actions.pop()
            _safely(name, action)


def _safely(name: str, action) -> None:
    try:
        action()
    except Exception as error:  # noqa: BLE001 - cleanup must go on
        log(f"cleanup of {name} failed: {error}")


CLEANUP = Cleanup()


class Interrupted(Exception):
    pass


def _on_signal(signum, _frame):
    raise Interrupted(signal.Signals(signum).name)


def stop_process_group(proc: subprocess.Popen, *, sig=signal.SIGTERM, grace: float = 15) -> None:
    """Stop a process started with start_new_session=True: signal it, then its whole group."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
    # Anything left in the group (the process itself if it ignored us, or orphans).
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


# --------------------------------------------------------------------------------------------
# Small helpers: HTTP, ports, /proc
# --------------------------------------------------------------------------------------------


def http(method: str, url: str, body: Any = None, token: str | None = None, timeout=10):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            try:
                return response.status, (json.loads(raw) if raw else None)
            except ValueError:
                return response.status, raw.decode(errors="replace")
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, raw.decode(errors="replace")


def code_fingerprint() -> str:
    """A hash of the app's Python sources: other people may edit them while this runs."""
    digest = hashlib.sha256()
    for path in sorted([*ROOT.glob("app/**/*.py"), *ROOT.glob("nodes/**/*.py"), ROOT / "wsgi.py"]):
        digest.update(str(path.relative_to(ROOT)).encode())
        with contextlib.suppress(OSError):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def proc_table() -> dict[int, tuple[int, str]]:
    """pid -> (ppid, cmdline) for every process we can see."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
            table[int(entry)] = (ppid, cmd)
        except (OSError, ValueError):
            continue
    return table


def children(pid: int, table=None) -> list[tuple[int, str]]:
    table = table or proc_table()
    return [(p, cmd) for p, (ppid, cmd) in table.items() if ppid == pid]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(values) - idle) / tick, sum(values) / tick


def rss_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


# --------------------------------------------------------------------------------------------
# Tools: wrk, node, the sink
# --------------------------------------------------------------------------------------------


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("wrk is missing: install the Debian package `wrk` (apt-get install wrk).")
    log("wrk is missing: apt-get install wrk")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "-qq", "wrk"]
    if subprocess.run(install, env=env, capture_output=True, timeout=300).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=300)
        subprocess.run(install, env=env, capture_output=True, timeout=300, check=True)
    return shutil.which("wrk") or sys.exit("wrk could not be installed")


def sink_count() -> dict[str, int]:
    status, body = http("GET", SINK + "/count", timeout=5)
    if status != 200 or not isinstance(body, dict):
        raise RuntimeError(f"sink answered {status}")
    return body


def start_sink() -> None:
    """Use the sink on :9100 if one runs (e.g. setup-peers.sh's), else start our own."""
    if port_open(9100):
        sink_count()  # is it really the counting sink?
        log("using the counting sink already listening on :9100")
        return
    node = shutil.which("node") or sys.exit("node is missing: it runs ../shared/bench/sink.js")
    # The absolute path contains "bench/sink.js", so setup-peers.sh sees it and reuses it.
    proc = subprocess.Popen(
        [node, str(SHARED / "bench" / "sink.js")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    CLEANUP.push("sink", lambda: stop_process_group(proc, grace=5))
    deadline = time.monotonic() + 10
    while not port_open(9100):
        if proc.poll() is not None or time.monotonic() > deadline:
            sys.exit("the counting sink did not start on :9100")
        time.sleep(0.1)


# --------------------------------------------------------------------------------------------
# PostgreSQL: a throwaway cluster
# --------------------------------------------------------------------------------------------


class Postgres:
    def __init__(self, base: Path):
        self.dir = base / "pg"
        self.data = self.dir / "data"
        self.port = free_port()
        self.user = None  # run as this OS user (when we are root)
        self.started = False

    def _run(self, args: list[str], timeout=120) -> subprocess.CompletedProcess:
        cmd = [str(a) for a in args]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)

    def start(self) -> None:
        if not (PG_BIN / "initdb").exists():
            raise RuntimeError(f"PostgreSQL not found in {PG_BIN}")
        self.dir.mkdir(parents=True)
        if os.geteuid() == 0:
            self.user = _postgres_os_user()
            os.chmod(self.dir.parent, 0o755)
            shutil.chown(self.dir, self.user)
        done = self._run(
            [
                PG_BIN / "initdb",
                "-D",
                self.data,
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ]
        )
        if done.returncode:
            raise RuntimeError("initdb failed: " + done.stderr[-500:])
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200"
        )
        done = self._run(
            [
                PG_BIN / "pg_ctl",
                "-D",
                self.data,
                "-o",
                options,
                "-l",
                self.dir / "log",
                "-w",
                "-t",
                "60",
                "start",
            ]
        )
        if done.returncode:
            raise RuntimeError("pg_ctl start failed: " + (done.stderr or done.stdout)[-500:])
        self.started = True
        CLEANUP.push("postgres", self.stop)

    def stop(self) -> None:
        if self.started:
            self._run(
                [PG_BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "-t", "30", "stop"],
                timeout=60,
            )
            self.started = False

    def create_database(self, name: str) -> str:
        done = subprocess.run(
            [PG_BIN / "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode:
            raise RuntimeError("createdb failed: " + done.stderr[-500:])
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"


def _postgres_os_user() -> str:
    import pwd

    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise RuntimeError("no non-root user to run PostgreSQL as (create a `postgres` user)")


# --------------------------------------------------------------------------------------------
# Shopwire
# --------------------------------------------------------------------------------------------


class Shopwire:
    def __init__(self, data_dir: Path, port: int, workers: int, database_url: str | None):
        self.data_dir, self.port, self.workers, self.database_url = (
            data_dir,
            port,
            workers,
            database_url,
        )
        self.proc: subprocess.Popen | None = None
        self.token = ""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120) -> None:
        python = ROOT / ".venv" / "bin" / "python"
        env = dict(os.environ)
        for name in ("DATABASE_URL", "REDIS_URL", "SHOPWIRE_PUBLIC_URL", "SECRET_KEY"):
            env.pop(name, None)
        env.update(
            SHOPWIRE_DATA_DIR=str(self.data_dir),
            SHOPWIRE_ALLOW_PRIVATE_NETWORKS="127.0.0.0/8",
            PYTHONUNBUFFERED="1",
        )
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        self.log_path = self.data_dir / "up.log"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "w") as out:
            self.proc = subprocess.Popen(
                [
                    str(python if python.exists() else sys.executable),
                    "-m",
                    "app.cli",
                    "up",
                    "--port",
                    str(self.port),
                    "--workers",
                    str(self.workers),
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        CLEANUP.push("shopwire", self.stop)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"`app.cli up` exited:\n{self.log_path.read_text()[-2000:]}")
            match = re.search(r"API token: (\S+)", self.log_path.read_text())
            if match and port_open(self.port):
                self.token = match.group(1)
                status, _ = http("GET", self.base + "/api/flows", token=self.token)
                if status == 200:
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError("Shopwire did not come up in time")
        # Wait for the worker processes to be there.
        while time.monotonic() < deadline and len(self.worker_pids()) < self.workers:
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc is not None:
            stop_process_group(self.proc, sig=signal.SIGTERM, grace=20)
            self.proc = None

    def tree(self) -> dict[str, list[int]]:
        """The `up` process's children by role, read from /proc."""
        table = proc_table()
        roles: dict[str, list[int]] = {
            "worker": [], "worker_child": [], "web": [], "scheduler": [], "redis": [],
        }  # fmt: skip
        if self.proc is None:
            return roles
        for pid, cmd in children(self.proc.pid, table):
            if "redis-server" in cmd:
                roles["redis"].append(pid)
            if "app.cli worker" in cmd:
                roles["worker"].append(pid)
                roles["worker_child"] += [p for p, _ in children(pid, table)]
            elif "gunicorn" in cmd:
                roles["web"] += [p for p, _ in children(pid, table)]
            elif "app.cli scheduler" in cmd:
                roles["scheduler"].append(pid)
        return roles

    def worker_pids(self) -> list[int]:
        return self.tree()["worker"]

    def create_w1(self) -> str:
        status, flow = http(
            "POST", self.base + "/api/flows", {"name": "W1", "graph": W1_GRAPH}, self.token
        )
        if status != 201:
            raise RuntimeError(f"creating the flow: {status} {flow}")
        activate = f"{self.base}/api/flows/{flow['id']}/activate"
        status, active = http("POST", activate, {}, self.token)
        if status != 200 or not active.get("webhooks"):
            raise RuntimeError(f"activating the flow: {status} {active}")
        return active["webhooks"][0]["url"]

    def redis_commands(self) -> dict[str, int]:
        """Calls per command since the private Redis started (INFO commandstats)."""
        try:
            import redis
        except ImportError:
            return {}
        client = redis.Redis(unix_socket_path=str(self.data_dir / "redis.sock"), socket_timeout=5)
        try:
            stats = client.info("commandstats")
        finally:
            client.close()
        return {k.removeprefix("cmdstat_"): v["calls"] for k, v in stats.items()}

    def pg_counters(self) -> dict[str, int]:
        """Transactions and rows of this database (PostgreSQL's cumulative statistics)."""
        if not self.database_url:
            return {}
        query = (
            "SELECT pg_stat_force_next_flush(); SELECT xact_commit, xact_rollback, tup_inserted, "
            "tup_updated, tup_deleted, tup_fetched FROM pg_stat_database "
            "WHERE datname = current_database()"
        )
        done = subprocess.run(
            ["psql", "-At", "-F", "\t", self.database_url, "-c", query],
            capture_output=True,
            text=True,
            timeout=30,
        )
        values = done.stdout.strip().splitlines()[-1].split("\t") if done.stdout.strip() else []
        names = ("commits", "rollbacks", "inserted", "updated", "deleted", "fetched")
        return dict(zip(names, map(int, values), strict=False)) if len(values) == 6 else {}

    def execution_counts(self) -> dict[str, int]:
        query = "SELECT status, count(*) FROM executions GROUP BY status"
        if self.database_url:
            done = subprocess.run(
                ["psql", "-At", "-F", "\t", self.database_url, "-c", query],
                capture_output=True,
                text=True,
                timeout=30,
            )
            rows = [line.split("\t") for line in done.stdout.split("\n") if line.strip()]
            return {status: int(n) for status, n in rows}
        db = sqlite3.connect(f"file:{self.data_dir / 'shopwire.db'}?mode=ro", uri=True, timeout=30)
        try:
            return dict(db.execute(query).fetchall())
        finally:
            db.close()


# --------------------------------------------------------------------------------------------
# The load driver (a port of ../shared/bench/w1.sh, with exact counts)
# --------------------------------------------------------------------------------------------

UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(value: str, unit: str) -> float:
    return float(value) * UNIT_MS[unit]


def parse_wrk(out: str) -> dict[str, Any]:
    result: dict[str, Any] = {"raw": out}
    m = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m),", out)
    if not m:
        raise RuntimeError("could not read wrk's output:\n" + out)
    result["requests"] = int(m.group(1))
    result["elapsed_s"] = _ms(m.group(2), m.group(3)) / 1000
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non_2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    result["socket_errors"] = (
        dict(zip(("connect", "read", "write", "timeout"), map(int, m.groups()), strict=True))
        if m
        else {}
    )
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    result["wrk_rps"] = float(m.group(1)) if m else None
    for pct in ("50", "75", "90", "99"):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
        result[f"p{pct}_ms"] = _ms(m.group(1), m.group(2)) if m else None
    result["accepted"] = result["requests"] - result["non_2xx"]
    return result


@dataclass
class Measurement:
    name: str
    accepted_rps: float = 0.0
    p50_ms: float | None = None
    p99_ms: float | None = None
    wrk_requests: int = 0
    wrk_non_2xx: int = 0
    wrk_socket_errors: dict[str, int] = field(default_factory=dict)
    delivered: int = 0
    stored: int | None = None  # executions in the database (Shopwire only)
    statuses: dict[str, int] = field(default_factory=dict)
    e2e_from_load_start: float = 0.0  # deliveries / (last delivery - load start)
    e2e_first_to_last: float = 0.0  # deliveries / (last - first delivery), as w1.sh
    drain_s: float = 0.0  # from load end to the last delivery
    delivered_during_load: int = 0
    drain_rate: float = 0.0  # deliveries/s after the load stopped (workers alone on the CPUs)
    worker_rss_mb: list[float] = field(default_factory=list)  # peak per worker process
    worker_child_rss_mb: list[float] = field(default_factory=list)  # RQ's forked scheduler
    web_rss_mb: list[float] = field(default_factory=list)
    durable: str = ""
    note: str = ""
    stall: str = ""  # the longest pause in deliveries while stored executions were waiting
    code: str = ""  # code_fingerprint() when the configuration started
    load_before: float = 0.0  # 1-minute load average just before the load started
    cpu_cores: dict[str, float] = field(default_factory=dict)  # CPU used during the load, by role
    machine_busy: float = 0.0  # share of the machine's CPU time busy during the load
    cpu_ms_per_request: float | None = None  # gunicorn workers' CPU / accepted requests
    cpu_ms_per_execution: float | None = None  # RQ workers' CPU / deliveries during the load
    redis_per_execution: dict[str, float] = field(default_factory=dict)  # commands / execution
    pg_per_execution: dict[str, float] = field(default_factory=dict)  # transactions, rows
    runs: list[str] = field(default_factory=list)  # one summary line per repeat


def run_load(
    name: str,
    url: str,
    args,
    *,
    expected_fn=None,
    rss_fn=None,
    during_load=None,
) -> Measurement:
    """wrk for args.duration s with args.connections connections, then wait for the sink."""
    wrk = ensure_wrk()
    http("POST", SINK + "/reset")
    env = dict(os.environ, BODY_FILE=str(args.body_file))
    peaks: dict[str, dict[int, int]] = {}
    stop_sampling = threading.Event()

    def sample() -> None:
        while not stop_sampling.is_set():
            for role, pids in (rss_fn() if rss_fn else {}).items():
                for pid in pids:
                    kb = rss_kb(pid)
                    if kb:
                        peaks.setdefault(role, {})[pid] = max(kb, peaks.get(role, {}).get(pid, 0))
            stop_sampling.wait(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    load_before = os.getloadavg()[0]
    roles_at_start = rss_fn() if rss_fn else {}
    cpu_at_start = {p: cpu_seconds(p) for pids in roles_at_start.values() for p in pids}
    machine_at_start = machine_cpu()
    cmd = [
        wrk,
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--latency",
        "-s",
        str(SHARED / "bench" / "post.lua"),
        url,
    ]
    load_start = time.time()
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    CLEANUP.push("wrk", lambda: stop_process_group(proc, sig=signal.SIGINT, grace=5))
    extra = during_load() if during_load else None
    try:
        out, _ = proc.communicate(timeout=args.duration + 60)
    finally:
        CLEANUP.pop("wrk")
    load_end = time.time()
    machine_at_end = machine_cpu()
    cpu_used = {
        role: sum(max(0.0, cpu_seconds(p) - cpu_at_start[p]) for p in pids)
        for role, pids in roles_at_start.items()
    }
    at_load_end = sink_count()["count"]
    if extra is not None:
        extra.join()
    w = parse_wrk(out)

    # Drain: until every stored execution is delivered, or the sink stops growing: for
    # --settle s, or, while stored executions are still undelivered, for --stall-wait s (long
    # enough for Shopwire's sweeper to pick up executions nobody was woken for).
    prev, changed, started = -1, time.monotonic(), time.monotonic()
    counts: dict[str, int] = {}
    longest_stall, stall_missing = 0.0, 0
    while True:
        counts = sink_count()
        now = time.monotonic()
        expected = expected_fn() if expected_fn else None
        if counts["count"] != prev:
            if prev >= 0 and now - changed > longest_stall and expected is not None:
                longest_stall, stall_missing = now - changed, expected - prev
            prev, changed = counts["count"], now
        if expected is not None and counts["count"] >= expected:
            break
        patience = args.stall_wait if expected is not None else args.settle
        if now - changed >= patience:
            if expected is not None:
                longest_stall, stall_missing = now - changed, expected - counts["count"]
            break
        if now - started >= args.max_drain:
            log(f"{name}: gave up waiting after {args.max_drain:.0f} s")
            break
        time.sleep(0.5)
    stop_sampling.set()
    sampler.join()

    m = Measurement(name=name, load_before=load_before)
    if longest_stall >= 3:
        m.stall = (
            f"deliveries stalled for {longest_stall:.0f} s after the load with {stall_missing} "
            "stored executions not yet delivered"
        )
    m.wrk_requests, m.wrk_non_2xx = w["requests"], w["non_2xx"]
    m.wrk_socket_errors = {k: v for k, v in w["socket_errors"].items() if v}
    m.accepted_rps = w["accepted"] / w["elapsed_s"]
    m.p50_ms, m.p99_ms = w["p50_ms"], w["p99_ms"]
    m.delivered = counts["count"]
    if counts["count"]:
        last_s, first_s = counts["last"] / 1000, counts["first"] / 1000
        m.e2e_from_load_start = counts["count"] / max(1e-3, last_s - load_start)
        m.e2e_first_to_last = counts["count"] / max(1e-3, last_s - first_s)
        m.drain_s = max(0.0, last_s - load_end)
        m.delivered_during_load = at_load_end
        if m.drain_s > 1:
            m.drain_rate = (counts["count"] - at_load_end) / m.drain_s
    mb = lambda kb: round(kb / 1024, 1)  # noqa: E731
    span = max(1e-3, load_end - load_start)
    m.cpu_cores = {role: round(used / span, 2) for role, used in cpu_used.items() if used}
    busy = machine_at_end[0] - machine_at_start[0]
    m.machine_busy = round(busy / max(1e-3, machine_at_end[1] - machine_at_start[1]), 2)
    if cpu_used.get("web") and w["accepted"]:
        m.cpu_ms_per_request = round(1000 * cpu_used["web"] / w["accepted"], 2)
    if cpu_used.get("worker") and at_load_end:
        m.cpu_ms_per_execution = round(1000 * cpu_used["worker"] / at_load_end, 2)
    m.worker_rss_mb = [mb(v) for v in peaks.get("worker", {}).values()]
    m.worker_child_rss_mb = [mb(v) for v in peaks.get("worker_child", {}).values()]
    m.web_rss_mb = [mb(v) for v in peaks.get("web", {}).values()]
    return m


RUN_NUMBERS = itertools.count(1)


def measure_shopwire(db: str, workers: int, args, pg: Postgres | None, profile_dir=None):
    name = f"Shopwire {'SQLite' if db == 'sqlite' else 'PostgreSQL'}, {workers} worker" + (
        "s" if workers > 1 else ""
    )
    tag = f"{db}-{workers}w" + ("-profiled" if profile_dir else "")
    data_dir = Path(tempfile.mkdtemp(prefix=f"shopwire-w1-{tag}-"))
    CLEANUP.push(
        "datadir", lambda: shutil.rmtree(data_dir, ignore_errors=True) if not args.keep else None
    )
    database_url = (
        pg.create_database(f"w1_{tag.replace('-', '_')}_{next(RUN_NUMBERS)}")
        if db == "postgres"
        else None
    )
    app = Shopwire(data_dir, free_port(), workers, database_url)
    code = code_fingerprint()
    log(f"{name}: starting `app.cli up` (data {data_dir}, code {code})")
    app.start()
    try:
        url = app.create_w1()
        # One warm-up delivery, so first-request costs (imports, caches) are not measured.
        http("POST", SINK + "/reset")
        body = Path(args.body_file).read_bytes()
        request = urllib.request.Request(
            url, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        urllib.request.urlopen(request, timeout=10).read()
        deadline = time.monotonic() + 30
        while sink_count()["count"] < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        warm = sum(app.execution_counts().values())
        log(f"{name}: load {args.duration} s x {args.connections} connections -> {url}")

        during = None
        if profile_dir:
            during = lambda: Profilers(app, args, profile_dir)  # noqa: E731
        m = run_load(
            name,
            url,
            args,
            expected_fn=lambda: sum(app.execution_counts().values()) - warm,
            rss_fn=app.tree,
            during_load=during,
        )
        # Final state of the database, after the drain.
        time.sleep(0.5)
        statuses = app.execution_counts()
        statuses["succeeded"] = statuses.get("succeeded", 0) - warm
        m.statuses = {k: v for k, v in statuses.items() if v}
        m.stored = sum(statuses.values())
        accepted = m.wrk_requests - m.wrk_non_2xx
        ok = (
            m.delivered == m.stored == statuses.get("succeeded", 0)
            and accepted <= m.stored <= accepted + args.connections
        )
        m.durable = "yes" if ok else "NO"
        m.code = code
        total = sum(app.execution_counts().values())  # with the warm-up execution
        with contextlib.suppress(Exception):
            # Counted from the start (API calls, warm-up, sweeper included: small next to this).
            calls = app.redis_commands()
            ranked = sorted(calls.items(), key=lambda kv: -kv[1])
            m.redis_per_execution = {"all": round(sum(calls.values()) / total, 1)} | {
                k: round(v / total, 2) for k, v in ranked[:8]
            }
        with contextlib.suppress(Exception):
            m.pg_per_execution = {k: round(v / total, 2) for k, v in app.pg_counters().items()}
        if m.stored != accepted:
            m.note = (
                f"{m.stored - accepted} request(s) stored but cut off by wrk's stop "
                "(in flight at the end)"
            )
        log(f"{name}: {summary_line(m)}")
        return m
    finally:
        app.stop()
        CLEANUP.pop("shopwire")


def combine(ms: list[Measurement]) -> Measurement:
    """Repeats of one configuration: medians of the rates and latencies, totals of counts."""
    if len(ms) == 1:
        ms[0].runs = [summary_line(ms[0])]
        return ms[0]

    def med(name: str) -> float | None:
        values = [getattr(m, name) for m in ms if getattr(m, name) is not None]
        return statistics.median(values) if values else None

    c = Measurement(name=f"{ms[0].name} (median of {len(ms)})", note=ms[0].note, code=ms[0].code)
    for f in (
        "accepted_rps",
        "p50_ms",
        "p99_ms",
        "e2e_from_load_start",
        "e2e_first_to_last",
        "drain_s",
        "drain_rate",
        "load_before",
    ):
        setattr(c, f, med(f))
    for f in ("wrk_requests", "wrk_non_2xx", "delivered", "delivered_during_load"):
        setattr(c, f, sum(getattr(m, f) for m in ms))
    c.stored = None if ms[0].stored is None else sum(m.stored or 0 for m in ms)
    c.delivered_during_load = round(c.delivered_during_load / len(ms))
    c.worker_rss_mb = [max(v) for v in zip(*(m.worker_rss_mb for m in ms), strict=False)]
    c.worker_child_rss_mb = [
        max(v) for v in zip(*(m.worker_child_rss_mb for m in ms), strict=False)
    ]
    c.web_rss_mb = [max(v) for v in zip(*(m.web_rss_mb for m in ms), strict=False)]
    c.statuses = {}
    for m in ms:
        for k, v in m.statuses.items():
            c.statuses[k] = c.statuses.get(k, 0) + v
    bad = [m for m in ms if not m.durable.startswith("yes")]
    c.durable = "yes" if not bad else f"NO ({len(bad)}/{len(ms)} runs)"
    c.runs = [summary_line(m) for m in ms]
    c.redis_per_execution, c.pg_per_execution = ms[-1].redis_per_execution, ms[-1].pg_per_execution
    c.cpu_cores, c.machine_busy = ms[-1].cpu_cores, ms[-1].machine_busy
    c.cpu_ms_per_request = med("cpu_ms_per_request")
    c.cpu_ms_per_execution = med("cpu_ms_per_execution")
    if len({m.code for m in ms}) > 1:
        c.note = (c.note + "; " if c.note else "") + "the app's code CHANGED between repeats"
    return c


def summary_line(m: Measurement) -> str:
    return (
        f"accepted {m.accepted_rps:.0f}/s p50 {fmt_ms(m.p50_ms)} p99 {fmt_ms(m.p99_ms)} "
        f"delivered {m.delivered} stored {m.stored} 2xx {m.wrk_requests - m.wrk_non_2xx} "
        f"e2e {m.e2e_from_load_start:.1f}/s (first->last {m.e2e_first_to_last:.1f}/s) "
        f"drain {m.drain_s:.1f}s worker RSS {m.worker_rss_mb} MB "
        f"statuses {m.statuses} socket errors {m.wrk_socket_errors}"
    )


# --------------------------------------------------------------------------------------------
# Profiling with py-spy during the load
# --------------------------------------------------------------------------------------------


class Profilers:
    """py-spy on every gunicorn worker and RQ worker for the load's duration less 2 s, and the
    sink count at the start and end of that window (-> executions in the window)."""

    def __init__(self, app: Shopwire, args, out_dir: Path):
        self.out_dir, self.procs, self.logs = out_dir, [], []
        self.duration = max(1, int(args.duration) - 2)
        pyspy = ROOT / ".venv" / "bin" / "py-spy"
        if not pyspy.exists():
            pyspy = Path(shutil.which("py-spy") or "/nonexistent")
        if not pyspy.exists():
            log("py-spy is missing (.venv/bin/pip install py-spy): no profile")
            self.thread = None
            return
        tree = app.tree()
        for role in ("web", "worker"):
            for pid in tree[role]:
                self.logs.append(open(out_dir / f"{role}-{pid}.log", "w"))  # noqa: SIM115
                proc = subprocess.Popen(
                    [
                        str(pyspy),
                        "record",
                        "--pid",
                        str(pid),
                        "--duration",
                        str(self.duration),
                        "--rate",
                        str(args.profile_rate),
                        "--format",
                        "raw",
                        "--idle",
                        "--nonblocking",
                        "--full-filenames",
                        "-o",
                        str(out_dir / f"{role}-{pid}.txt"),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=self.logs[-1],
                    start_new_session=True,
                )
                self.procs.append(proc)
                CLEANUP.push("py-spy", lambda p=proc: stop_process_group(p, sig=signal.SIGINT))
        self.window = {"start_count": sink_count()["count"], "duration": self.duration}
        self.thread = threading.Thread(target=self._window_end, daemon=True)
        self.thread.start()

    def _window_end(self) -> None:
        time.sleep(self.duration)
        self.window["end_count"] = sink_count()["count"]
        (self.out_dir / "window.json").write_text(json.dumps(self.window))

    def join(self) -> None:
        if self.thread is None:
            return
        self.thread.join()
        for proc in self.procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=30)
            CLEANUP.pop("py-spy")
        for f in self.logs:
            f.close()


# --------------------------------------------------------------------------------------------
# Peers: Node-RED and n8n
# --------------------------------------------------------------------------------------------

PEER_PATTERNS = ("node-red", "n8n", "shopwire-pg", "postgres -D")


def setup_peers(args) -> bool:
    script = SHARED / "bench" / "peers" / "setup-peers.sh"
    before = set(proc_table())
    log(
        f"peers: running {script} (bounded to {args.peers_timeout:.0f} s; n8n's npm install "
        "takes minutes the first time)"
    )
    ok = True
    try:
        done = subprocess.run(
            ["bash", str(script)],
            capture_output=True,
            text=True,
            timeout=args.peers_timeout,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        if done.returncode:
            log(f"peers: setup failed ({done.returncode}): {(done.stderr or done.stdout)[-800:]}")
            ok = False
    except subprocess.TimeoutExpired:
        log("peers: setup timed out")
        ok = False
    # Whatever it left running that was not there before is ours to stop at the end.
    table = proc_table()
    new = {
        p: cmd
        for p, (_, cmd) in table.items()
        if p not in before and any(s in cmd for s in PEER_PATTERNS)
    }
    pg_data = Path(os.environ.get("PEERS_PG_DIR", "/var/tmp/shopwire-pg")) / "data"
    new_pg = any("postgres" in cmd and str(pg_data) in cmd for cmd in new.values())

    def stop_peers() -> None:
        for pid, cmd in new.items():
            if "postgres" in cmd:
                continue
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        if new_pg:
            subprocess.run(
                ["su", "postgres", "-c", f"{PG_BIN}/pg_ctl -D {pg_data} -m fast -w stop"],
                capture_output=True,
                timeout=60,
            )
        time.sleep(2)
        for pid, cmd in new.items():
            if "postgres" not in cmd and pid in proc_table():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    if new:
        CLEANUP.push("peers", stop_peers)
    return ok


def wait_http(url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=3):
                return True
        except urllib.error.HTTPError:
            return True  # it answers
        except OSError:
            time.sleep(1)
    return False


def measure_peer(name: str, url: str, probe: str, args) -> Measurement | None:
    if not wait_http(probe, 60):
        log(f"peers: {name} does not answer at {probe}: skipped")
        return None
    # One warm-up request, as for Shopwire.
    with contextlib.suppress(OSError):
        request = urllib.request.Request(
            url,
            data=Path(args.body_file).read_bytes(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        urllib.request.urlopen(request, timeout=30).read()
    time.sleep(2)
    if args.peer_driver == "w1sh":
        return measure_peer_w1sh(name, url, args)
    log(f"{name}: load {args.duration} s x {args.connections} connections -> {url}")
    m = run_load(name, url, args)
    accepted = m.wrk_requests - m.wrk_non_2xx
    m.durable = "yes" if m.delivered >= accepted else f"NO ({accepted - m.delivered} lost)"
    if name.startswith("n8n"):
        m.note = "n8n stores executions in PostgreSQL"
    else:
        m.note = "events live in memory until delivered"
    log(f"{name}: {summary_line(m)}")
    return m


def measure_peer_w1sh(name: str, url: str, args) -> Measurement:
    """../shared/bench/w1.sh as is (15 s, its own drain and its e2e = count / first->last)."""
    log(f"{name}: ../shared/bench/w1.sh {url}")
    done = subprocess.run(
        ["bash", str(SHARED / "bench" / "w1.sh"), name, url],
        capture_output=True,
        text=True,
        timeout=15 + 400,
        env=dict(os.environ, BODY_FILE=str(args.body_file)),
    )
    line = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    fields = dict(re.findall(r"(\w+)=(\S+)", line))
    m = Measurement(name=name)
    unit = lambda v: _ms(*re.match(r"([\d.]+)(us|ms|s|m)", v).groups()) if v else None  # noqa
    m.accepted_rps = float(fields.get("ingress_rps") or 0)
    m.p50_ms, m.p99_ms = unit(fields.get("p50")), unit(fields.get("p99"))
    m.delivered = int(fields.get("delivered") or 0)
    m.e2e_first_to_last = float(fields.get("e2e_per_s") or 0)
    m.note = "measured with w1.sh (wrk req/s incl. non-2xx; no exact accepted count)"
    m.durable = "?"
    log(f"{name}: {line}")
    return m


# --------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------


def fmt_ms(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v / 1000:.2f} s" if v >= 1000 else f"{v:.1f} ms" if v < 10 else f"{v:.0f} ms"


def ratio(a: float, b: float | None) -> str:
    if not b:
        return "—"
    r = a / b
    return f"{r:.2f}×" if r < 10 else f"{r:.0f}×"


def table(rows: list[Measurement], peers: dict[str, dict[str, float]], peers_label: str) -> str:
    nr = next((v for k, v in peers.items() if k.startswith("Node-RED")), None)
    n8n = next((v for k, v in peers.items() if k.startswith("n8n")), None)
    head = (
        "| configuration | accepted req/s | p50 | p99 | e2e exec/s (load start→last) "
        "| e2e exec/s (first→last, as w1.sh) | delivered / stored / 2xx seen by wrk "
        "| none lost | worker RSS MB (peak each) "
        f"| req/s vs Node-RED / n8n ({peers_label}) | e2e vs Node-RED / n8n ({peers_label}) |"
    )
    lines = [head, "|" + "---|" * 11]
    for m in rows:
        stored = "—" if m.stored is None else str(m.stored)
        rss = ", ".join(f"{v:.0f}" for v in m.worker_rss_mb) or "—"
        by_w1sh = m.note.startswith("measured with w1.sh")  # w1.sh reports less
        from_start = "—" if by_w1sh else f"{m.e2e_from_load_start:.0f}"
        seen = "—" if by_w1sh else str(m.wrk_requests - m.wrk_non_2xx)
        lines.append(
            f"| {m.name} | {m.accepted_rps:.0f} | {fmt_ms(m.p50_ms)} | {fmt_ms(m.p99_ms)} "
            f"| {from_start} | {m.e2e_first_to_last:.0f} "
            f"| {m.delivered} / {stored} / {seen} | {m.durable} "
            f"| {rss} "
            f"| {ratio(m.accepted_rps, nr and nr['rps'])} / "
            f"{ratio(m.accepted_rps, n8n and n8n['rps'])} "
            f"| {ratio(m.e2e_first_to_last, nr and nr['e2e'])} / "
            f"{ratio(m.e2e_first_to_last, n8n and n8n['e2e'])} |"
        )
    return "\n".join(lines)


def reference_table() -> str:
    lines = [
        "| reference figures (../shared/bench/README.md, not this run) | accepted req/s "
        "| p50 | p99 | e2e deliveries/s (first→last) |",
        "|---|---|---|---|---|",
    ]
    for name, r in REFERENCE.items():
        lines.append(
            f"| {name} | {r['rps']:.0f} | {fmt_ms(r['p50'])} | {fmt_ms(r['p99'])} "
            f"| {r['e2e']:.0f} |"
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=15, help="seconds of load (15)")
    parser.add_argument("--quick", action="store_true", help="5 s of load")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2, as w1.sh)")
    parser.add_argument("--workers", default="1,2", help="worker counts to run (1,2)")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run every configuration N times (interleaved); report medians",
    )
    parser.add_argument("--db", default="sqlite,postgres", help="sqlite,postgres")
    parser.add_argument("--peers", action="store_true", help="also measure Node-RED and n8n")
    parser.add_argument(
        "--peer-driver",
        choices=("internal", "w1sh"),
        default="internal",
        help="measure peers with this script's driver (same numbers as for "
        "Shopwire) or with ../shared/bench/w1.sh",
    )
    parser.add_argument("--peers-timeout", type=float, default=1500)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="one more run with py-spy on the gunicorn and RQ workers",
    )
    parser.add_argument(
        "--profile-config",
        default="sqlite:1,postgres:1",
        help="DB:WORKERS,... to profile (sqlite:1,postgres:1)",
    )
    parser.add_argument("--profile-rate", type=int, default=100, help="py-spy samples/s")
    parser.add_argument(
        "--settle",
        type=float,
        default=10,
        help="stop waiting when the sink has not grown for this long (s)",
    )
    parser.add_argument(
        "--stall-wait",
        type=float,
        default=90,
        help="while stored executions are undelivered, wait this long without progress (s)",
    )
    parser.add_argument("--max-drain", type=float, default=600, help="max wait after load (s)")
    parser.add_argument(
        "--body-file", default=str(SHARED / "fixtures" / "shopify" / "webhook.orders_paid.json")
    )
    parser.add_argument("--json", help="also write every figure to this file")
    parser.add_argument("--out", help="directory for profiles and the table (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the data directories")
    args = parser.parse_args()
    if args.quick:
        args.duration = 5
    args.duration = int(args.duration) if float(args.duration).is_integer() else args.duration

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)
    out_dir = Path(args.out or tempfile.mkdtemp(prefix="shopwire-w1-out-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    runs: dict[str, list[Measurement]] = {}
    peer_runs: dict[str, list[Measurement]] = {}
    interrupted = False
    profile_report = ""
    started = time.time()
    try:
        ensure_wrk()
        start_sink()
        dbs = [d.strip() for d in args.db.split(",") if d.strip() in ("sqlite", "postgres")]
        worker_counts = [int(w) for w in args.workers.split(",") if w.strip()]
        pg = None
        if "postgres" in dbs or (args.profile and "postgres" in args.profile_config):
            try:
                base = Path(tempfile.mkdtemp(prefix="shopwire-w1-pg-"))
                CLEANUP.push("pgdir", lambda: shutil.rmtree(base, ignore_errors=True))
                pg = Postgres(base)
                pg.start()
                log(f"PostgreSQL 15 on 127.0.0.1:{pg.port} (as {pg.user or 'this user'})")
            except Exception as error:  # noqa: BLE001
                log(f"PostgreSQL could not be started, skipping it: {error}")
                dbs = [d for d in dbs if d != "postgres"]
                pg = None
        for repeat in range(args.repeat):
            for db in dbs:
                for workers in worker_counts:
                    try:
                        m = measure_shopwire(db, workers, args, pg)
                        runs.setdefault(m.name, []).append(m)
                    except Interrupted:
                        raise
                    except Exception as error:  # noqa: BLE001
                        log(f"{db} with {workers} workers (repeat {repeat + 1}) failed: {error}")
        for config in args.profile_config.split(",") if args.profile else ():
            db, workers = config.strip().split(":")
            if db not in ("sqlite", "postgres") or (db == "postgres" and pg is None):
                log(f"profile: skipping {config}")
                continue
            prof_dir = out_dir / f"profile-{db}-{workers}w"
            prof_dir.mkdir(exist_ok=True)
            try:
                m = measure_shopwire(db, int(workers), args, pg, profile_dir=prof_dir)
                sys.path.insert(0, str(Path(__file__).parent))
                import pyspy_summary

                profile_report += f"# Profile: {m.name}\n\n" + pyspy_summary.report(
                    prof_dir, ingress_rps=m.accepted_rps
                )
                profile_report += (
                    f"\n(The profiled run itself, py-spy attached: {summary_line(m)})\n"
                    f"Raw stacks: {prof_dir}\n\n"
                )
                (out_dir / "profile.md").write_text(profile_report)
            except Interrupted:
                raise
            except Exception as error:  # noqa: BLE001
                log(f"profile run failed: {error}")
        if pg is not None:
            CLEANUP.pop("postgres")  # not needed any more: keep the machine quiet for the peers
        if args.peers:
            if setup_peers(args) or port_open(1880) or port_open(5678):
                for name, url, probe in (
                    ("Node-RED 4.1.8", "http://127.0.0.1:1880/hook", "http://127.0.0.1:1880/"),
                    (
                        "n8n 1.123.81",
                        "http://127.0.0.1:5678/webhook/w1",
                        "http://127.0.0.1:5678/healthz",
                    ),
                ):
                    for _ in range(args.repeat):
                        try:
                            m = measure_peer(name, url, probe, args)
                        except Interrupted:
                            raise
                        except Exception as error:  # noqa: BLE001
                            log(f"peers: {name} failed: {error}")
                            m = None
                        if m:
                            peer_runs.setdefault(m.name, []).append(m)
                CLEANUP.pop("peers")
            else:
                log("peers: not available; ratios use the README's reference figures")
    except (Interrupted, KeyboardInterrupt) as why:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # let the cleanup finish
        log(f"interrupted ({why}): stopping everything; the table has what was finished")
        interrupted = True
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        CLEANUP.run_all()
    rows = [combine(ms) for ms in runs.values()]
    peer_rows = [combine(ms) for ms in peer_runs.values()]
    codes = {m.code for ms in runs.values() for m in ms} | {code_fingerprint()}

    same_run = {m.name: {"rps": m.accepted_rps, "e2e": m.e2e_first_to_last} for m in peer_rows}
    complete = any(k.startswith("Node-RED") for k in same_run) and any(
        k.startswith("n8n") for k in same_run
    )
    peers, label = (same_run, "same run") if complete else (REFERENCE, "REFERENCE figures")
    text = [
        f"W1: {args.duration} s × {args.connections} connections, wrk -t{args.threads}, "
        f"{Path(args.body_file).name}; {os.cpu_count()} CPUs; "
        f"{time.strftime('%Y-%m-%d %H:%M')}; app code {', '.join(sorted(codes))}"
        + (" (CHANGED during the run!)" if len(codes) > 1 else ""),
        "",
        table(rows + peer_rows, peers, label),
        "",
    ]
    if not complete:
        text += [
            "Ratios are against the REFERENCE figures of ../shared/bench/README.md "
            "(another run, not this one):",
            "",
            reference_table(),
            "",
        ]
    notes = [f"- {m.name}: {m.note}" for m in rows + peer_rows if m.note]
    notes += [f"- {m.name}: {m.stall}" for ms in runs.values() for m in ms if m.stall]
    notes += [
        f"- {m.name}: RQ scheduler fork RSS {m.worker_child_rss_mb} MB, gunicorn workers "
        f"{m.web_rss_mb} MB; {m.delivered_during_load} delivered during the load "
        f"({m.delivered_during_load / args.duration:.0f}/s), the rest in "
        f"{m.drain_s:.1f} s after it ({m.drain_rate:.0f}/s); statuses {m.statuses}; "
        f"load average before {m.load_before:.2f}; during the load the machine's CPUs were "
        f"{m.machine_busy:.0%} busy, cores used by role {m.cpu_cores}, CPU per accepted request "
        f"(gunicorn) {m.cpu_ms_per_request} ms, per execution (RQ worker) "
        f"{m.cpu_ms_per_execution} ms"
        + (
            f"; Redis commands per execution {m.redis_per_execution}"
            if m.redis_per_execution
            else ""
        )
        + (f"; PostgreSQL per execution {m.pg_per_execution}" if m.pg_per_execution else "")
        + (f", wrk socket errors {m.wrk_socket_errors}" if m.wrk_socket_errors else "")
        for m in rows
    ]
    if args.repeat > 1:
        notes += ["", "Each run:"] + [
            f"- {m.name}: {line}" for m in rows + peer_rows for line in m.runs
        ]
    text += notes
    output = "\n".join(text)
    print("\n" + output + "\n")
    if profile_report:
        print(profile_report)
    (out_dir / "table.md").write_text(output + "\n")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "args": {k: str(v) for k, v in vars(args).items()},
                    "shopwire": [asdict(m) for m in rows],
                    "peers": [asdict(m) for m in peer_rows],
                },
                indent=2,
            )
        )
    log(f"done in {time.time() - started:.0f} s; table and profiles in {out_dir}")
    return 130 if interrupted else 0


if __name__ == "__main__":
    sys.exit(main())

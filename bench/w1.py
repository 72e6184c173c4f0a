#!/usr/bin/env python3
"""Workload W1 (../shared/bench/README.md) against Shopwire, started as `make run` does, and
optionally against Node-RED and n8n in the same run. See bench/README.md.

    .venv/bin/python bench/w1.py [--quick] [--db sqlite,postgres] [--workers 1,2] [--peers]
                                 [--profile]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import requests
from processes import (
    ROOT,
    SHARED,
    SINK,
    Shopwire,
    cpu_seconds,
    create_database,
    log,
    machine_cpu_seconds,
    rss_mb,
    sink_count,
    sink_reset,
    spawn,
    start_peers,
    start_postgres,
    start_sink,
    wait_for,
)
from report import Measurement, profile_summary, table

CONNECTIONS = 32
BODY = SHARED.parent / "fixtures" / "shopify" / "webhook.orders_paid.json"
SETTLE = 10  # the sink has stopped growing after this many seconds without a delivery...
STALL = 90  # ...or this many while stored executions are undelivered (sweeper grace + interval)
MAX_DRAIN = 600
DB_NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
PEERS = {  # name: (webhook, a URL that answers once it is up, where events wait for delivery)
    "Node-RED 4.1.8": ("127.0.0.1:1880/hook", "127.0.0.1:1880/", " (in memory)"),
    "n8n 1.123.81": ("127.0.0.1:5678/webhook/w1", "127.0.0.1:5678/healthz", " (PostgreSQL)"),
}


def main() -> int:
    args = parse_args()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupted)
    code = code_fingerprint()
    rows: list[Measurement] = []
    peers: list[Measurement] = []
    profile, status = "", 0
    try:
        with ExitStack() as stack:
            start_sink(stack)
            for db in args.db:
                with ExitStack() as cluster:
                    try:
                        admin_url = start_postgres(cluster) if db == "postgres" else None
                    except (OSError, LookupError, subprocess.SubprocessError) as error:
                        log(f"no PostgreSQL 15: {getattr(error, 'stderr', '') or error}")
                        continue
                    for workers in args.workers:
                        rows += attempt(measure_shopwire, db, workers, admin_url, args.duration)
                        if args.profile and not profile:
                            profile = profile_run(db, workers, admin_url, args.duration)
            if args.peers:
                peers = measure_peers(args.duration)
    except KeyboardInterrupt as why:
        log(f"interrupted ({why}): everything is stopped; the table has what finished")
        status = 130
    changed = " (CHANGED during the run!)" if code_fingerprint() != code else ""
    print(
        f"\nW1: {args.duration} s × {CONNECTIONS} connections; {os.cpu_count()} CPUs; "
        f"{time.strftime('%Y-%m-%d %H:%M')}; app code {code}{changed}\n\n"
        f"{table(rows, peers)}\n\n{profile}"
    )
    return status


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds of load (15)")
    parser.add_argument("--quick", action="store_const", dest="duration", const=5, help="5 s")
    parser.add_argument(
        "--db", type=lambda s: s.split(","), default=["sqlite", "postgres"], help="sqlite,postgres"
    )
    workers = lambda s: [int(w) for w in s.split(",")]  # noqa: E731
    parser.add_argument("--workers", type=workers, default=[1, 2], help="RQ workers: 1,2")
    parser.add_argument("--peers", action="store_true", help="also Node-RED and n8n")
    parser.add_argument("--profile", action="store_true", help="py-spy during one more load")
    args = parser.parse_args()
    if not set(args.db) <= set(DB_NAMES):
        parser.error("--db takes sqlite, postgres or both")
    return args


def interrupted(signum, _frame):
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)  # the cleanup must not be interrupted in turn
    raise KeyboardInterrupt(signal.Signals(signum).name)


def attempt(measure, *args) -> list[Measurement]:
    """One measurement, or none if it failed (the run goes on)."""
    try:
        return [measure(*args)]
    except Exception as error:
        log(f"{measure.__name__}{args} failed: {error!r}")
        return []


def code_fingerprint() -> str:
    """A hash of app/, nodes/ and wsgi.py: others may edit them while this runs."""
    digest = hashlib.sha256()
    for path in sorted([*ROOT.glob("app/**/*.py"), *ROOT.glob("nodes/**/*.py"), ROOT / "wsgi.py"]):
        digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def measure_shopwire(db, workers, admin_url, duration, profile_dir=None) -> Measurement:
    name = f"Shopwire {DB_NAMES[db]}, {workers} worker{'s' if workers > 1 else ''}"
    with ExitStack() as stack:
        database_url = admin_url and create_database(admin_url, f"w1_{time.time_ns()}")
        app = Shopwire(stack, workers, database_url)
        url = app.create_flow(SINK + "/")
        warm_up(url)
        warm = sum(app.executions().values())
        log(f"{name}: {duration} s of load on {url}")
        m = run_load(
            name,
            url,
            duration,
            stored=lambda: sum(app.executions().values()) - warm,
            roles={"web": app.pids("web"), "workers": app.pids("worker")},
            profile=[
                (pid, profile_dir / f"{role}-{pid}.txt")
                for role in (("web", "worker") if profile_dir else ())
                for pid in app.pids(role)
            ],
        )
        statuses = app.executions()
        m.stored = sum(statuses.values()) - warm
        ok = m.delivered == m.stored == statuses.get("succeeded", 0) - warm
        # Requests in flight when wrk stops are stored, but wrk does not count their answer.
        ok = ok and m.accepted <= m.stored <= m.accepted + CONNECTIONS
        m.none_lost = "yes" if ok else f"NO: {statuses}"
    log(f"{name}: {m.summary()}")
    return m


def profile_run(db, workers, admin_url, duration) -> str:
    directory = Path(tempfile.mkdtemp(prefix="shopwire-w1-profile-"))
    log(f"profile: one more load with py-spy attached; raw stacks in {directory}")
    if attempt(measure_shopwire, db, workers, admin_url, duration, directory):
        return f"Profile ({DB_NAMES[db]}, {workers} worker(s), py-spy --idle):\n\n" + (
            profile_summary(directory)
        )
    return ""


def measure_peers(duration: int) -> list[Measurement]:
    with ExitStack() as stack:
        if not start_peers(stack):
            return []
        return [m for name in PEERS for m in attempt(measure_peer, name, duration)]


def measure_peer(name: str, duration: int) -> Measurement:
    url, probe, durable = PEERS[name]
    url, probe = f"http://{url}", f"http://{probe}"
    wait_for(lambda: requests.get(probe, timeout=3), 60, f"{name} at {probe}")
    warm_up(url, wait=False)
    log(f"{name}: {duration} s of load on {url}")
    m = run_load(name, url, duration)
    lost = m.accepted - m.delivered
    m.none_lost = ("yes" if lost <= 0 else f"NO ({lost} lost)") + durable
    log(f"{name}: {m.summary()}")
    return m


def warm_up(url: str, wait: bool = True) -> None:
    """One event first, so that first-request costs (imports, caches) are not measured."""
    sink_reset()
    requests.post(
        url, data=BODY.read_bytes(), timeout=30, headers={"Content-Type": "application/json"}
    )
    if wait:
        wait_for(lambda: sink_count()["count"], 30, "the warm-up delivery")
    else:
        time.sleep(2)


def run_load(name, url, duration, stored=None, roles=None, profile=()) -> Measurement:
    """wrk -t2 -c32 --latency with ../shared/bench/post.lua (as w1.sh), then wait until the
    sink has every stored execution (`stored()`) or has stopped growing. Meanwhile, sample the
    RSS of the "workers" in `roles` (role: pids), whose CPU time is counted apart as well as the
    machine's; `profile`: (pid, output file) pairs to record with py-spy."""
    sink_reset()
    roles = roles or {}
    peaks = dict.fromkeys(roles.get("workers", ()), 0.0)
    done = threading.Event()

    def sample_rss():
        while not done.wait(0.5):
            for pid in peaks:
                peaks[pid] = max(peaks[pid], rss_mb(pid))

    def cpu() -> dict[str, float]:
        used = {role: sum(map(cpu_seconds, pids)) for role, pids in roles.items()}
        return {**used, "machine": machine_cpu_seconds()}

    threading.Thread(target=sample_rss, daemon=True).start()
    with ExitStack() as stack:
        stack.callback(done.set)
        cmd = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{duration}s", "--latency"]
        cmd += ["-s", SHARED / "post.lua", url]
        env = dict(os.environ, BODY_FILE=str(BODY))
        before = cpu()
        wrk = spawn(stack, cmd, grace=5, env=env, stdout=subprocess.PIPE, text=True)
        spies = [pyspy(stack, pid, duration, path) for pid, path in profile]
        out = wrk.communicate(timeout=duration + 60)[0]
        for spy in spies:
            spy.wait(timeout=60)
        counts = wait_for_sink(stored)
        after = cpu()
    accepted, seconds, p50, p99 = parse_wrk(out)
    span = (counts["last"] - counts["first"]) / 1000
    delivered = max(counts["count"], 1)
    return Measurement(
        name,
        rps=accepted / seconds,
        p50_ms=p50,
        p99_ms=p99,
        accepted=accepted,
        delivered=counts["count"],
        e2e=counts["count"] / span if span > 0 else 0.0,
        worker_rss_mb=list(peaks.values()),
        cpu_ms={role: (after[role] - before[role]) * 1000 / delivered for role in after},
    )


def pyspy(stack: ExitStack, pid: int, duration: int, output: Path) -> subprocess.Popen:
    """py-spy on `pid` for the load less 2 s; --idle: waits on the DB, Redis, the sink count."""
    cmd = [Path(sys.executable).with_name("py-spy"), "record", "--pid", pid, "--rate", 100]
    cmd += ["--duration", max(1, duration - 2), "--idle", "--nonblocking", "--full-filenames"]
    cmd += ["--format", "raw", "-o", output]
    return spawn(stack, cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for_sink(stored=None) -> dict[str, int]:
    """Sink counts once it has `stored()` deliveries, or has not grown for SETTLE s (STALL s
    while stored executions are undelivered: the sweeper re-enqueues them late); MAX_DRAIN s."""
    start = changed = time.monotonic()
    counts = sink_count()
    while time.monotonic() - start < MAX_DRAIN:
        time.sleep(0.5)
        latest = sink_count()
        if latest["count"] != counts["count"]:
            counts, changed = latest, time.monotonic()
        missing = stored() - counts["count"] if stored else 0
        if (stored and missing <= 0) or time.monotonic() - changed > (STALL if missing else SETTLE):
            break
    return counts


def parse_wrk(out: str) -> tuple[int, float, float, float]:
    """(2xx responses, seconds of load, p50 ms, p99 ms) from `wrk --latency`'s output."""
    found = re.search(r"(\d+) requests in (\S+),", out)
    if not found:
        raise RuntimeError(f"wrk: {out[-500:]}")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    percentiles = dict(re.findall(r"^\s*(50|99)%\s+(\S+)", out, re.M))
    if len(percentiles) < 2:
        raise RuntimeError(f"wrk printed no latency distribution: {out[-500:]}")
    p50, p99 = percentiles["50"], percentiles["99"]
    accepted = int(found.group(1)) - int(non_2xx.group(1) if non_2xx else 0)
    return accepted, to_ms(found.group(2)) / 1000, to_ms(p50), to_ms(p99)


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


if __name__ == "__main__":
    sys.exit(main())

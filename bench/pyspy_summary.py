#!/usr/bin/env python3
"""Summarise py-spy ``--format raw`` profiles of Shopwire's gunicorn and RQ workers.

``bench/w1.py --profile`` writes ``web-<pid>.txt`` and ``worker-<pid>.txt`` (one per process,
recorded with ``--idle`` so waits on SQLite, PostgreSQL, Redis and the sink count too) and
``window.json`` (sink count at the start and end of the profile window). This prints, per role:

- the time per unit (per accepted request for ingress, per execution for the worker), taken
  from the samples inside the per-unit root frame and the number of units in the window;
- a call tree of Shopwire's own frames (plus the first library call under each, and the
  gunicorn/RQ frames above them) with inclusive shares, pruned below ``--min-share``;
- where the time ends up by library (the nearest known package of each sample's leaf).

Standalone: ``python bench/pyspy_summary.py DIR [--ingress-rps N] [--rate N]``.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

ROLES = {
    # role: (root frame prefix, unit name)
    "web": ("SyncWorker.handle (gunicorn/workers/sync.py)", "accepted request"),
    "worker": ("BaseWorker.work (rq/worker/base.py)", "execution"),
}

PROJECT = ("app/", "nodes/")
SCAFFOLD = ("gunicorn/workers/", "rq/worker/", "rq/job.py", "rq/queue.py")

# Nearest known package of a sample's leaf, searched from the leaf upwards.
PACKAGES = [
    ("psycopg", "DB driver call (psycopg: SQL round trip, commit, wait)"),
    ("sqlite3/", "DB driver call (sqlite3)"),
    ("sqlalchemy/", "SQLAlchemy (Python side)"),
    ("redis/", "Redis client (round trips)"),
    ("rq/", "RQ bookkeeping (Python side)"),
    ("urllib3/", "outbound HTTP (requests/urllib3/http.client)"),
    ("requests/", "outbound HTTP (requests/urllib3/http.client)"),
    ("http/client.py", "outbound HTTP (requests/urllib3/http.client)"),
    ("nodes/outbound.py", "outbound HTTP (requests/urllib3/http.client)"),
    ("jsonschema/", "jsonschema validation"),
    ("referencing/", "jsonschema validation"),
    ("jmespath/", "JMESPath"),
    ("json/", "JSON encode/decode (stdlib json)"),
    ("copy.py", "copy.deepcopy"),
    ("werkzeug/", "Flask/Werkzeug"),
    ("flask/", "Flask/Werkzeug"),
    ("gunicorn/", "gunicorn"),
    ("logging/", "logging"),
    ("uuid.py", "uuid"),
    ("app/", "Shopwire code (own lines)"),
    ("nodes/", "Shopwire code (own lines)"),
]
# The SQL execution entry points of SQLAlchemy: below them is the C driver (sqlite3), so a
# sample whose leaf is one of these is time in the driver, not in SQLAlchemy's Python.
DRIVER_LEAVES = (
    "do_execute",
    "do_commit",
    "do_rollback",
    "do_executemany",
    "do_ping",
    "_handle_dbapi_exception",
    "connect",
)


ROOT = str(Path(__file__).resolve().parent.parent) + "/"
_LIB = re.compile(r"^.*/(?:site-packages|dist-packages)/|^.*/lib/python3\.\d+/")


def _file(frame: str) -> str:
    """The frame's file, relative to the project, site-packages or the stdlib (py-spy is run
    with --full-filenames; its short names drop the package directories)."""
    if "(" not in frame:
        return ""
    path = frame[frame.rfind("(") + 1 :].rsplit(":", 1)[0]
    library = _LIB.sub("", path)
    if library != path:
        return library
    return path[len(ROOT) :] if path.startswith(ROOT) else path


def _name(frame: str, *, with_file=True) -> str:
    """``func (/full/path:line)`` -> ``func (short/path)``: lines of one function merge."""
    if "(" not in frame:
        return frame
    func = frame[: frame.rfind("(")].strip()
    return f"{func} ({_file(frame)})" if with_file else func


def _category(frames: list[str]) -> str:
    leaf = frames[-1]
    func = _name(leaf, with_file=False).rsplit(".", 1)[-1]
    if _file(leaf).startswith("sqlalchemy/") and func in DRIVER_LEAVES:
        return "DB driver call (sqlite3/psycopg: SQL round trip, commit, lock wait)"
    for frame in reversed(frames):
        path = _file(frame)
        for prefix, label in PACKAGES:
            if path.startswith(prefix) or f"/{prefix}" in path:
                if label.startswith("DB driver call"):
                    return "DB driver call (sqlite3/psycopg: SQL round trip, commit, lock wait)"
                return label
    return "other (stdlib: socket, select, datetime...)"


def read(path: Path) -> list[tuple[list[str], int]]:
    stacks = []
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        stack, _, count = line.rpartition(" ")
        stacks.append((stack.split(";") if stack else [], int(count)))
    return stacks


class Node:
    def __init__(self, name: str):
        self.name, self.count, self.children = name, 0, {}

    def child(self, name: str) -> Node:
        if name not in self.children:
            self.children[name] = Node(name)
        return self.children[name]


def _kept_path(frames: list[str]) -> list[str]:
    """Project and scaffold frames, plus the first other frame below each of them."""
    kept, previous_kept = [], False
    for frame in frames:
        path = _file(frame)
        mine = path.startswith(PROJECT) or path.startswith(SCAFFOLD)
        if mine or previous_kept:
            name = _name(frame)
            if not kept or kept[-1] != name:
                kept.append(name)
        previous_kept = mine
    return kept


def summarise(files: list[Path], root: str, units: float, duration: float, min_share: float):
    tree = Node("root")
    categories: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    in_root = outside = seconds = 0.0
    for path in files:
        stacks = read(path)
        # Samples/s actually taken of the main thread (other threads, e.g. RQ's pubsub
        # listener, are sampled too with --idle; stacks py-spy could not read whole are
        # dropped from both the rate and the tree).
        main = sum(
            n
            for f, n in stacks
            if f
            and not f[0].startswith("Thread._bootstrap")
            and f[0].startswith(("_run_module_as_main", "<module>"))
        )
        rate = main / duration if duration and main else 1
        for frames, n in stacks:
            index = next((i for i, f in enumerate(frames) if _name(f).startswith(root)), None)
            if index is None:
                outside += n
                continue
            below = frames[index:]
            in_root += n
            seconds += n / rate
            categories[_category(below)] += n
            for name in {_name(f) for f in below if _file(f).startswith(PROJECT)}:
                inclusive[name] += n
            node = tree
            node.count += n
            for name in _kept_path(below):
                node = node.child(name)
                node.count += n
    ms_per_unit = 1000 * seconds / units if units else None
    return tree, categories, inclusive, in_root, outside, ms_per_unit


def _render_tree(
    node: Node, total: float, ms_unit: float | None, min_share: float, depth=0, out=None
) -> list[str]:
    out = [] if out is None else out
    for child in sorted(node.children.values(), key=lambda c: -c.count):
        share = child.count / total
        if share < min_share:
            continue
        ms = f", {share * ms_unit:.2f} ms" if ms_unit else ""
        out.append(f"{'  ' * depth}- {share:5.1%}{ms}  {child.name}")
        _render_tree(child, total, ms_unit, min_share, depth + 1, out)
    return out


def report(
    prof_dir: Path, rate: int = 0, *, ingress_rps: float | None = None, min_share: float = 0.015
) -> str:
    prof_dir = Path(prof_dir)
    window = json.loads((prof_dir / "window.json").read_text())
    duration = window["duration"]
    executions = window.get("end_count", 0) - window.get("start_count", 0)
    lines = [f"## Profile (py-spy --idle, {duration} s window during the load)", ""]
    for role, (root, unit) in ROLES.items():
        files = sorted(prof_dir.glob(f"{role}-*.txt"))
        if not files:
            continue
        units = (ingress_rps or 0) * duration if role == "web" else executions
        tree, categories, inclusive, in_root, outside, ms_unit = summarise(
            files, root, units, duration, min_share
        )
        if not in_root:
            lines += [f"### {role}: no samples under {root}", ""]
            continue
        per = f"{ms_unit:.2f} ms of wall time per {unit}" if ms_unit else "(units unknown)"
        lines += [
            f"### {'Ingress (gunicorn workers)' if role == 'web' else 'RQ worker'}: {per}",
            f"{len(files)} process(es); {units:.0f} {unit}s in the window; "
            f"{in_root:.0f} samples under `{root.split(' ')[0]}`, {outside:.0f} outside "
            "(idle threads, waiting for connections, partial stacks).",
            "",
            "Where the time ends up (nearest known package of the sampled leaf):",
            "",
        ]
        for label, n in categories.most_common():
            if n / in_root >= 0.005:
                ms = f" ({n / in_root * ms_unit:.2f} ms)" if ms_unit else ""
                lines.append(f"- {n / in_root:5.1%}{ms}  {label}")
        lines += [
            "",
            f"Call tree (Shopwire frames, the first library call below each; ≥ {min_share:.1%}):",
            "",
        ]
        lines += _render_tree(tree, in_root, ms_unit, min_share)
        lines += ["", "Shopwire functions by inclusive share:", ""]
        for name, n in inclusive.most_common(15):
            ms = f" ({n / in_root * ms_unit:.2f} ms)" if ms_unit else ""
            lines.append(f"- {n / in_root:5.1%}{ms}  {name}")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--ingress-rps", type=float, help="accepted requests/s during the load")
    parser.add_argument("--min-share", type=float, default=0.015)
    args = parser.parse_args()
    print(report(args.dir, ingress_rps=args.ingress_rps, min_share=args.min_share))


if __name__ == "__main__":
    main()

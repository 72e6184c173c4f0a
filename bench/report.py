"""What W1 prints: one markdown table with ratios against the peers, and py-spy summaries."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent.parent) + "/"

# ../shared/bench/README.md (another 2-CPU machine, one run): (accepted req/s, e2e deliveries/s)
REFERENCE = {"Node-RED 4.1.8": (855.0, 502.0), "n8n 1.123.81": (32.0, 33.0)}


@dataclass
class Measurement:
    name: str
    rps: float  # 2xx responses per second of load
    p50_ms: float
    p99_ms: float
    accepted: int  # 2xx responses seen by wrk
    delivered: int  # POSTs the sink received
    e2e: float  # deliveries / (last - first delivery), as w1.sh
    stored: int | None = None  # executions in Shopwire's database
    none_lost: str = ""
    worker_rss_mb: list[float] = field(default_factory=list)  # peak per RQ worker
    # CPU ms per delivered event, from the load's start to the last delivery: the whole
    # machine's ("machine": wrk, the sink, databases included) and by role ("web", "workers")
    cpu_ms: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"{self.rps:.0f} req/s, p50 {ms(self.p50_ms)}, p99 {ms(self.p99_ms)}, "
            f"e2e {self.e2e:.0f}/s, delivered / stored / 2xx {self.counts()}, "
            f"none lost: {self.none_lost}, worker RSS {self.rss()} MB, "
            f"CPU ms per event {self.cpu()}"
        )

    def counts(self) -> str:
        stored = "—" if self.stored is None else self.stored
        return f"{self.delivered} / {stored} / {self.accepted}"

    def rss(self) -> str:
        return ", ".join(f"{mb:.0f}" for mb in self.worker_rss_mb) or "—"

    def cpu(self) -> str:
        """The machine's CPU ms per event, then the web server's and the workers' share."""
        machine = f"{self.cpu_ms['machine']:.2f}" if "machine" in self.cpu_ms else "—"
        roles = [f"{self.cpu_ms[r]:.2f}" for r in ("web", "workers") if r in self.cpu_ms]
        return machine + (f" ({' + '.join(roles)})" if roles else "")


def ms(value: float) -> str:
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms"


def ratio(value: float, base: float) -> str:
    r = value / base
    return f"{r:.2f}×" if r < 1 else f"{r:.1f}×" if r < 10 else f"{r:.0f}×"


def table(rows: list[Measurement], peers: list[Measurement]) -> str:
    """The rows (Shopwire's, then the peers'), with ratios against the peers measured in this
    run, or else against the reference figures."""
    measured = {m.name: (m.rps, m.e2e) for m in peers}
    bases = {name: measured.get(name, ref) for name, ref in REFERENCE.items()}
    lines = [
        "| configuration | accepted req/s | p50 | p99 | e2e exec/s | delivered / stored / 2xx "
        "| none lost | worker RSS MB | CPU ms / event (web + workers) "
        "| req/s vs Node-RED / n8n | e2e vs Node-RED / n8n |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for m in rows + peers:
        vs_rps = " / ".join("1" if n == m.name else ratio(m.rps, b[0]) for n, b in bases.items())
        vs_e2e = " / ".join("1" if n == m.name else ratio(m.e2e, b[1]) for n, b in bases.items())
        lines.append(
            f"| {m.name} | {m.rps:.0f} | {ms(m.p50_ms)} | {ms(m.p99_ms)} | {m.e2e:.0f} "
            f"| {m.counts()} | {m.none_lost} | {m.rss()} | {m.cpu()} "
            f"| {vs_rps} | {vs_e2e} |"
        )
    sources = [
        f"{name}: " + ("same run" if name in measured else "REFERENCE figures")
        for name in REFERENCE
    ]
    lines += ["", f"Ratios against {'; '.join(sources)}."]
    if len(measured) < len(REFERENCE):
        lines.append(
            "REFERENCE figures are those of ../shared/bench/README.md: another machine and run, "
            "a rough guide only (compare within one run: --peers)."
        )
    return "\n".join(lines)


# py-spy: where the web server processes and RQ workers spend their time

ROLES = {  # role: (frame serving one unit, heading)
    "web": ("Flask.__call__ (", "web server processes, while handling a request"),
    "worker": ("Worker.perform_job (", "RQ worker, while running a job"),
}
_LIBRARY = re.compile(r"^.*/(?:site-packages|dist-packages)/|^.*/lib/python3\.\d+/")


def _frame(frame: str) -> str:
    """`func (/full/path.py:12)` -> `func (package/path.py)`: the lines of a function merge."""
    func, _, where = frame.rpartition(" (")
    path = _LIBRARY.sub("", where.rsplit(":", 1)[0]).removeprefix(ROOT)
    return f"{func} ({path})"


def profile_summary(directory: Path, top: int = 8) -> str:
    """Shares of the samples (py-spy --idle: waits count) taken while serving a request or
    running a job: by the frame they were in (self) and by Shopwire function (inclusive)."""
    lines = []
    for role, (unit_frame, heading) in ROLES.items():
        leaves: Counter[str] = Counter()
        own: Counter[str] = Counter()
        for path in directory.glob(f"{role}-*.txt"):
            for line in path.read_text().splitlines():
                stack, _, count = line.rpartition(" ")
                frames = stack.split(";")
                start = next((i for i, f in enumerate(frames) if unit_frame in f), None)
                if start is None:
                    continue
                names = [_frame(f) for f in frames[start + 1 :]] or [_frame(frames[start])]
                leaves[names[-1]] += int(count)
                for name in {n for n in names if " (app/" in n or " (nodes/" in n}:
                    own[name] += int(count)
        total = sum(leaves.values())
        if not total:
            lines += [f"{heading}: no samples", ""]
            continue
        lines += [f"{heading} ({total} samples), top frames (self):"]
        lines += [f"  {n / total:5.1%}  {name}" for name, n in leaves.most_common(top)]
        lines += ["Shopwire functions (inclusive):"]
        lines += [f"  {n / total:5.1%}  {name}" for name, n in own.most_common(top)]
        lines.append("")
    return "\n".join(lines)

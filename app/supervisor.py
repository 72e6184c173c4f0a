"""Keeps the processes of ``shopwire up`` running: a child that exits is started again after a
pause that doubles while it keeps failing; everything stops on Ctrl-C or SIGTERM, and on every
other way out of ``up`` (a failed start included), so nothing is left running behind it."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

import click

FIRST_PAUSE = 1.0
LONGEST_PAUSE = 30.0
STABLE_SECONDS = 30.0  # a child that ran this long starts over with the first pause
STOP_SECONDS = 10.0


@dataclass
class Child:
    name: str
    start: Callable[[], subprocess.Popen]
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    pause: float = FIRST_PAUSE
    restart_at: float | None = None


class Supervisor:
    def __init__(self, say: Callable[[str], None] = click.echo) -> None:
        self.children: list[Child] = []
        self.say = say
        # SIGTERM stops ``up`` the way Ctrl-C does, also while it is still starting.
        signal.signal(signal.SIGTERM, signal.default_int_handler)

    def start(self, name: str, start: Callable[[], subprocess.Popen]) -> None:
        """Start a child now (an error is raised: ``up`` cannot start without it)."""
        child = Child(name, start, started_at=time.monotonic())
        self.children.append(child)
        child.process = start()

    def run(self, poll: float = 0.2) -> None:
        """Restart children that exit, until Ctrl-C or SIGTERM."""
        try:
            while True:
                for child in self.children:
                    self._tend(child)
                time.sleep(poll)
        except KeyboardInterrupt:
            return

    def stop(self) -> None:
        """Stop every child, the last started first; kill those that do not stop in time."""
        running = [c.process for c in reversed(self.children) if c.process is not None]
        for process in running:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _tend(self, child: Child) -> None:
        now = time.monotonic()
        if child.restart_at is not None:
            if now >= child.restart_at:
                self._restart(child)
            return
        if child.process is None or child.process.poll() is None:
            return
        if now - child.started_at >= STABLE_SECONDS:
            child.pause = FIRST_PAUSE
        self.say(
            f"{child.name} exited with code {child.process.returncode}; "
            f"starting it again in {child.pause:g} s."
        )
        child.restart_at = now + child.pause
        child.pause = min(child.pause * 2, LONGEST_PAUSE)

    def _restart(self, child: Child) -> None:
        child.restart_at = None
        child.started_at = time.monotonic()
        try:
            child.process = child.start()
        except (OSError, RuntimeError) as error:
            child.process = None
            self.say(f"{child.name} could not be started ({error}); trying again.")
            child.restart_at = child.started_at + child.pause
            child.pause = min(child.pause * 2, LONGEST_PAUSE)

"""A provider's limit of requests per second, kept by waiting for a turn instead of failing.

A connector declares ``rate_limit=RateLimit(per_second=2)`` (lexoffice); its client then takes
a turn before every request, so the steps of one account queue behind each other instead of
being refused, and a 429 that still comes (another tool on the same account) is waited out and
the request sent again, a few times, before the step is retried later like any transient
failure. Turns are handed out in this process unless the app installs turns shared by all
its workers (``app/runtime/rate_limits.py``, through Redis).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

_FORGET_AFTER = 60.0  # seconds: turns further back no longer matter


class Turns(Protocol):
    def take(self, account: str, interval: float) -> float:
        """Reserve the account's next turn, ``interval`` seconds after the one before;
        answer how many seconds from now it is."""
        ...


class ProcessTurns:
    """Turns within one process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}

    def take(self, account: str, interval: float) -> float:
        with self._lock:
            now = time.monotonic()
            turn = max(now, self._next.get(account, 0.0))
            self._next[account] = turn + interval
            if len(self._next) > 10_000:
                for key in [k for k, t in self._next.items() if t < now - _FORGET_AFTER]:
                    del self._next[key]
        return turn - now


_turns: Turns = ProcessTurns()


def install(turns: Turns | None) -> None:
    """Hand out turns with ``turns`` from now on (None: within this process again)."""
    global _turns
    _turns = turns or ProcessTurns()


@dataclass(frozen=True)
class RateLimit:
    per_second: float
    # How often a 429 is waited out in the step before it fails as transient.
    waits_on_429: int = 3
    # A 429 asking for a longer wait fails the step at once: the engine retries it later
    # without holding the worker.
    max_wait_seconds: float = 10.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def take_turn(self, account: str) -> None:
        """Wait until this account may send its next request."""
        wait = _turns.take(account, 1 / self.per_second)
        if wait > 0:
            self.sleep(wait)

    def pause_after_429(self, retry_after: float | None) -> float | None:
        """Seconds to wait before sending again, or None when the wait is too long."""
        wait = retry_after if retry_after is not None else 1 / self.per_second
        return wait if wait <= self.max_wait_seconds else None

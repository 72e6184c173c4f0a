"""A provider's limit of requests per second, kept by waiting for a turn instead of failing.

A connector declares ``rate_limit=RateLimit(per_second=2)`` (lexoffice); its client then takes
a turn before every request, so the steps of one account queue behind each other in a process
instead of being refused, and a 429 that still comes (another process, another tool on the
same account) is waited out and the request sent again, a few times, before the step is
retried later like any transient failure.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

_lock = threading.Lock()
_next_turn: dict[str, float] = {}
_FORGET_AFTER = 60.0  # seconds: turns further back no longer matter


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
        with _lock:
            now = time.monotonic()
            turn = max(now, _next_turn.get(account, 0.0))
            _next_turn[account] = turn + 1 / self.per_second
            if len(_next_turn) > 10_000:
                for key in [k for k, t in _next_turn.items() if t < now - _FORGET_AFTER]:
                    del _next_turn[key]
        if turn > now:
            self.sleep(turn - now)

    def pause_after_429(self, retry_after: float | None) -> float | None:
        """Seconds to wait before sending again, or None when the wait is too long."""
        wait = retry_after if retry_after is not None else 1 / self.per_second
        return wait if wait <= self.max_wait_seconds else None

"""Per-merchant limits: webhook requests per minute, payload size, concurrent executions.

A merchant's own setting (columns on ``merchants``) wins; ``None`` means the installation's
default from the config. A limit of 0 means none.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import Counter
from collections.abc import Sequence

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import func, select

from app.api.problems import ApiProblem
from app.extensions import db, per_app
from app.models import Execution
from app.runtime.queue import redis_connection

log = logging.getLogger("shopwire.limits")

WINDOW_SECONDS = 60
CONCURRENCY_LOCK = 0x5357  # advisory lock namespace: one lock per merchant id


def _effective(own: int | None, config_key: str) -> int:
    return current_app.config[config_key] if own is None else own


def check_webhook(merchant_id: int, per_minute: int | None, max_bytes: int | None, size: int):
    """Answer 413 or 429 (with Retry-After) when a delivery is over the merchant's limits.

    The rate is a fixed one-minute window counted in Redis (see :class:`_Budget`). If Redis is
    unavailable the delivery is accepted: a limiter must never cost an event.
    """
    max_bytes = _effective(max_bytes, "SHOPWIRE_MAX_WEBHOOK_BYTES")
    if max_bytes and size > max_bytes:
        raise ApiProblem(
            413,
            "Payload too large",
            f"The body has {size} bytes; this shop accepts at most {max_bytes} per event.",
        )
    limit = _effective(per_minute, "SHOPWIRE_WEBHOOKS_PER_MINUTE")
    if not limit:
        return
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    try:
        admitted = _budget().admit(merchant_id, limit, window)
    except (RedisError, OSError, ValueError) as error:  # whatever breaks, the event is taken
        log.warning("webhook rate limit not checked, Redis unavailable: %s", error)
        return
    if not admitted:
        retry_after = max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
        raise ApiProblem(
            429,
            "Too many requests",
            f"This shop accepts {limit} webhook events a minute. Send it again in "
            f"{retry_after} seconds.",
            headers={"Retry-After": str(retry_after)},
        )


def _budget() -> _Budget:
    return per_app("shopwire_webhook_budget", _Budget)


class _Budget:
    """The part of each merchant's per-minute budget this web process holds.

    The count in Redis is shared by every web process, but a busy shop would cost a round trip
    per event. So a process takes a block of events at once (one INCRBY) and admits from it
    locally. A block is at most 1 % of the limit: the events other processes hold unspent, which
    can turn one away a little early, stay few, and a limit of 100 a minute or less is still
    counted event by event. No process ever admits more than the limit allows.
    """

    BLOCK_SHARE = 100
    MAX_BLOCK = 50

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._window = -1
        self._held: dict[int, int] = {}

    def admit(self, merchant_id: int, limit: int, window: int) -> bool:
        if self._spend(merchant_id, window, 0):
            return True
        block = min(self.MAX_BLOCK, max(1, limit // self.BLOCK_SHARE))
        key = f"shopwire:hooks:{merchant_id}:{window}"
        count, _ = (
            redis_connection()
            .pipeline(transaction=False)
            .incrby(key, block)
            .expire(key, 2 * WINDOW_SECONDS)
            .execute()
        )
        granted = min(block, limit - (count - block))  # what of this block fits the limit
        return granted > 0 and self._spend(merchant_id, window, granted)

    def _spend(self, merchant_id: int, window: int, granted: int) -> bool:
        """Add ``granted`` events to what this process holds, then spend one if it can."""
        with self._lock:
            if window > self._window:  # a new minute: what was left of the last one lapses
                self._window, self._held = window, {}
            elif window < self._window:  # a block of the minute that just ended: use one
                return granted > 0
            held = self._held.get(merchant_id, 0) + granted
            if held == 0:
                return False
            self._held[merchant_id] = held - 1
            return True


TAKES_A_SLOT = ("queued", "waiting")


def within_concurrency(candidates: Sequence[tuple[str, int, str, int | None]]) -> list[str]:
    """Of the candidate executions (id, merchant id, status, the merchant's own limit), oldest
    first, those a worker may claim without a merchant running more than its limit at once.
    Executions already running (taken over after a lost lease) take no new slot; queued ones
    and waiting ones whose time has come (after a delay or a retry wait) do."""
    default = current_app.config["SHOPWIRE_MAX_CONCURRENT_EXECUTIONS"]
    limits = {
        merchant: default if own is None else own
        for _, merchant, status, own in candidates
        if status in TAKES_A_SLOT
    }
    limited = sorted(merchant for merchant, limit in limits.items() if limit)
    if not limited:
        return [execution_id for execution_id, *_ in candidates]
    if db.session.get_bind().dialect.name == "postgresql":
        # Workers claiming for the same limited merchant take turns until their claim commits,
        # so each counts the others' claims. (SQLite serialises the claims' writes, not these
        # reads: two workers claiming at the same instant may exceed a limit by one each.)
        for merchant_id in limited:
            db.session.execute(select(func.pg_advisory_xact_lock(CONCURRENCY_LOCK, merchant_id)))
    running = Counter(
        dict(
            db.session.execute(
                select(Execution.merchant_id, func.count())
                .where(Execution.status == "running", Execution.merchant_id.in_(limited))
                .group_by(Execution.merchant_id)
            ).all()
        )
    )
    allowed = []
    for execution_id, merchant_id, status, _ in candidates:
        limit = limits.get(merchant_id)
        if status in TAKES_A_SLOT and limit:
            if running[merchant_id] >= limit:
                continue
            running[merchant_id] += 1
        allowed.append(execution_id)
    return allowed

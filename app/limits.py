"""Per-merchant limits: webhook requests per minute, payload size, concurrent executions.

A merchant's own setting (columns on ``merchants``) wins; ``None`` means the installation's
default from the config. A limit of 0 means none.
"""

from __future__ import annotations

import logging
import math
import time
from collections import Counter
from collections.abc import Sequence

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import func, select

from app.api.problems import ApiProblem
from app.extensions import db
from app.models import Execution
from app.queue import redis_connection

log = logging.getLogger("shopwire.limits")

WINDOW_SECONDS = 60
CONCURRENCY_LOCK = 0x5357  # advisory lock namespace: one lock per merchant id


def _effective(own: int | None, config_key: str) -> int:
    return current_app.config[config_key] if own is None else own


def check_webhook(merchant_id: int, per_minute: int | None, max_bytes: int | None, size: int):
    """Answer 413 or 429 (with Retry-After) when a delivery is over the merchant's limits.

    The rate is a fixed one-minute window counted in Redis: one INCR+EXPIRE round trip. If
    Redis is unavailable the delivery is accepted: a limiter must never cost an event.
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
    key = f"shopwire:hooks:{merchant_id}:{window}"
    try:
        count, _ = (
            redis_connection().pipeline(transaction=False).incr(key).expire(key, 2 * WINDOW_SECONDS)
        ).execute()
    except (RedisError, OSError, ValueError) as error:  # whatever breaks, the event is taken
        log.warning("webhook rate limit not checked, Redis unavailable: %s", error)
        return
    if count > limit:
        retry_after = max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
        raise ApiProblem(
            429,
            "Too many requests",
            f"This shop accepts {limit} webhook events a minute. Send it again in "
            f"{retry_after} seconds.",
            headers={"Retry-After": str(retry_after)},
        )


def within_concurrency(candidates: Sequence[tuple[str, int, str, int | None]]) -> list[str]:
    """Of the candidate executions (id, merchant id, status, the merchant's own limit), oldest
    first, those a worker may claim without a merchant running more than its limit at once.
    Executions already running (taken over after a lost lease) take no new slot."""
    default = current_app.config["SHOPWIRE_MAX_CONCURRENT_EXECUTIONS"]
    limits = {
        merchant: default if own is None else own
        for _, merchant, status, own in candidates
        if status == "queued"
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
        if status == "queued" and limit:
            if running[merchant_id] >= limit:
                continue
            running[merchant_id] += 1
        allowed.append(execution_id)
    return allowed

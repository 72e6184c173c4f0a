"""The database claim: a worker takes an execution row under a lease before it runs it.

RQ carries the wake-ups, but the execution row is the unit of work: a row is claimed with a
lease (``status``, ``runs``, ``lease_until``), so two workers never run the same execution and a
row whose worker died is claimable again once its lease runs out.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, func, or_, select, true, update

from app.extensions import db, execute_core
from app.ingress import limits
from app.models import Execution, Merchant
from app.models.base import utcnow

BATCH_SIZE = 8  # executions claimed at once: small, so idle workers find work too
CLAIM_RACES = 20  # each one lost means another worker took a batch: the queue moves on


# The claimable states, each a condition on the status column it is given.


def claimable(status=Execution.status):
    """Queued, due after a wait, or running under a lease that ran out (its worker died)."""
    return or_(queued(status), due(status), lease_expired(status))


def queued(status=Execution.status):
    return status == "queued"


def due(status=Execution.status):
    """Waiting (a delay step) and its time has come: ``queued_at`` holds when to go on."""
    return (status == "waiting") & (Execution.queued_at <= utcnow())


def lease_expired(status=Execution.status):
    return (status == "running") & (Execution.lease_until < utcnow())


def turn(merchant_id: int) -> datetime:
    """When a new execution of this merchant is queued: its place in the queue, which workers
    take oldest first (start-time fair queueing). A merchant with nothing queued goes right
    after the head of the queue; one with a backlog goes after its own last one. So a burst of
    one shop's events cannot make another shop's wait behind all of it: the shops take turns.
    """
    head, own_last = execute_core(_HEAD_AND_OWN_LAST, {"merchant_id": merchant_id}).one()
    if head is None:
        return utcnow()
    return max(head, own_last or head) + TURN


# Both ends in one statement: it runs for every event received.
_HEAD_AND_OWN_LAST = select(
    select(func.min(Execution.queued_at)).where(queued()).scalar_subquery(),
    select(func.max(Execution.queued_at))
    .where(Execution.merchant_id == bindparam("merchant_id"), queued())
    .scalar_subquery(),
)
TURN = timedelta(microseconds=1)


# The status, as a value no index covers. The claim's UPDATE re-checks the state of a few rows
# it names by id; given the indexed column, SQLite's planner walks the status index instead,
# through every queued execution, so a claim's cost would grow with the backlog.
_UNINDEXED_STATUS = Execution.status + ""


def claim_one(execution_id: str) -> list[tuple[str, int]]:
    """Take the lease of this execution if it is claimable."""
    return claim(Execution.id == execution_id, claimable)


def claim_next() -> list[tuple[str, int]]:
    """Take the lease of the next batch of claimable executions."""
    # Indexed look-ups one by one rather than one OR that would scan every execution ever run.
    return (
        claim(true(), queued, BATCH_SIZE)
        or claim(true(), due, BATCH_SIZE)
        or claim(true(), lease_expired, BATCH_SIZE)
    )


def claim(which, claimable, limit: int = 1) -> list[tuple[str, int]]:
    """Take the lease of up to ``limit`` claimable executions, oldest first; return their ids
    with their run counts, which fence every later write (see :class:`~app.runtime.progress.
    LeaseLost`).

    The UPDATE re-checks that each row is still claimable, so two workers never hold the same
    execution; on PostgreSQL the candidates are locked (SKIP LOCKED lets workers claim side by
    side without waiting for each other). SQLite has no SKIP LOCKED: two workers read the same
    oldest candidates and one of them claims none. That worker reads again rather than take
    it for an empty queue, which had left every worker but one idle under load.
    """
    for _ in range(CLAIM_RACES):
        candidates = execute_core(
            select(
                Execution.id,
                Execution.merchant_id,
                Execution.status,
                Merchant.max_concurrent_executions,
            )
            .join(Merchant, Merchant.id == Execution.merchant_id)
            .where(which, claimable())
            .order_by(Execution.queued_at)
            .limit(limit)
            .with_for_update(skip_locked=True, of=Execution)
        ).all()
        # A merchant at its limit of concurrent executions keeps the rest queued.
        allowed = limits.within_concurrency(candidates)
        if not allowed:
            db.session.commit()
            return []
        if claimed := _take(allowed, claimable):
            return claimed
    return []


def _take(allowed: list[str], claimable) -> list[tuple[str, int]]:
    now = utcnow()
    lease = timedelta(seconds=current_app.config["SHOPWIRE_EXECUTION_LEASE_SECONDS"])
    claimed = execute_core(
        update(Execution)
        .where(Execution.id.in_(allowed), claimable(_UNINDEXED_STATUS))
        .values(
            status="running",
            lease_until=now + lease,
            runs=Execution.runs + 1,
            started_at=func.coalesce(Execution.started_at, now),
        )
        .returning(Execution.id, Execution.runs)
    ).all()
    db.session.commit()
    return [tuple(row) for row in claimed]

"""What the operator sees (``shopwire queues``, the operators' page): RQ's queues, workers and
cron schedulers, and the executions in progress or stranded, read from Redis and the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from redis.exceptions import RedisError
from rq import Queue, Worker
from rq.cron import CronScheduler
from sqlalchemy import func, select

from app.extensions import db
from app.models import Execution, Merchant
from app.models.base import utcnow
from app.runtime.queue import execution_queue, redis_connection

IN_PROGRESS = ("queued", "running", "waiting")
STRANDED_SHOWN = 100


@dataclass
class Snapshot:
    redis_error: str | None = None
    queues: list[dict] = field(default_factory=list)
    workers: list[dict] = field(default_factory=list)
    schedulers: list[dict] = field(default_factory=list)
    executions: dict[str, int] = field(default_factory=dict)
    stranded: list[dict] = field(default_factory=list)


def alive(worker: Worker, now: datetime) -> bool:
    """A worker is alive while it beats: an idle one at least every TTL - 15 seconds, a busy
    one (running a job in its own process, without beats) until its job's time is up, when
    RQ lets its record expire. ``now`` is naive UTC."""
    if worker.get_state() == "busy" or worker.last_heartbeat is None:
        return True
    ttl = timedelta(seconds=current_app.config["SHOPWIRE_WORKER_TTL_SECONDS"])
    return now - worker.last_heartbeat.replace(tzinfo=None) <= ttl


def _queues(connection) -> list[Queue]:
    """RQ's queues, Shopwire's own first: RQ lists a queue only once a job was put in it,
    and an empty list would hide that the queue is there and empty."""
    own = execution_queue(connection)
    return [own, *(queue for queue in Queue.all(connection=connection) if queue.name != own.name)]


def snapshot(now: datetime | None = None) -> Snapshot:
    now = now or utcnow()
    found = Snapshot()
    try:
        connection = redis_connection()
        found.queues = [
            {
                "name": queue.name,
                "waiting": queue.count,
                "scheduled": queue.scheduled_job_registry.count,
                "failed": queue.failed_job_registry.count,
            }
            for queue in _queues(connection)
        ]
        found.workers = [
            {
                "name": worker.name,
                "host": worker.hostname,
                "state": worker.get_state() if alive(worker, now) else "not answering",
                "alive": alive(worker, now),
                "last_heartbeat": worker.last_heartbeat,
            }
            for worker in Worker.all(connection=connection)
        ]
        found.schedulers = [
            {"name": scheduler.name, "last_heartbeat": scheduler.last_heartbeat}
            for scheduler in CronScheduler.all(connection=connection)
        ]
    except RedisError as error:
        found.redis_error = f"Redis does not answer ({error}); executions wait in the database."
    counts = dict(
        db.session.execute(
            select(Execution.status, func.count())
            .where(Execution.status.in_(IN_PROGRESS))
            .group_by(Execution.status)
        ).all()
    )
    found.executions = {status: counts.get(status, 0) for status in IN_PROGRESS}
    grace = timedelta(seconds=current_app.config["SHOPWIRE_QUEUED_GRACE_SECONDS"])
    waiting_too_long = Execution.status.in_(("queued", "waiting")) & (
        Execution.queued_at < now - grace
    )
    lease_ran_out = (Execution.status == "running") & (Execution.lease_until < now)
    found.stranded = [
        {"id": execution_id, "shop": shop, "status": status, "since": since}
        for execution_id, shop, status, since in db.session.execute(
            select(Execution.id, Merchant.name, Execution.status, Execution.queued_at)
            .join(Merchant, Merchant.id == Execution.merchant_id)
            .where(waiting_too_long | lease_ran_out)
            .order_by(Execution.queued_at)
            .limit(STRANDED_SHOWN)
        )
    ]
    return found

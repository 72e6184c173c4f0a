"""The transport between ingress and workers: RQ on Redis, carrying execution ids only.

The database is the source of truth. If Redis cannot be reached, :func:`dispatch` says so and
the execution stays ``queued`` until the sweeper enqueues it again.
"""

from __future__ import annotations

import logging

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from rq.serializers import JSONSerializer

log = logging.getLogger("shopwire.queue")


def redis_connection() -> Redis:
    """One client (and connection pool) per app; short timeouts so ingress never hangs."""
    extensions = current_app.extensions
    if "shopwire_redis" not in extensions:
        extensions["shopwire_redis"] = Redis.from_url(
            current_app.config["REDIS_URL"] or "redis://127.0.0.1:6379/0",
            socket_connect_timeout=1,
            socket_timeout=2,
        )
    return extensions["shopwire_redis"]


def execution_queue(connection: Redis | None = None) -> Queue:
    return Queue(
        current_app.config["SHOPWIRE_QUEUE"],
        connection=connection or redis_connection(),
        serializer=JSONSerializer,
    )


WAKEUP_KEY = "shopwire:wakeup-pending"
# If the job behind a key is lost (Redis restarted), the key expires and the next event
# enqueues a new job; with no next event, the sweeper's forced wake-up runs it.
WAKEUP_TTL_SECONDS = 10


def dispatch(execution_id: str, *, force: bool = False) -> bool:
    """Make sure a worker will run this execution; False when Redis is unavailable.

    A job ``run_execution(id)`` is enqueued only if no wake-up is pending: every job, once
    started, keeps claiming queued executions from the database until none are left. So under
    load one RQ job serves many executions and RQ's per-job cost is paid once per batch, not
    once per event.

    No event is left behind: ingress commits the execution *before* it sets the key, and a job
    deletes the key *before* it claims. So if the key is already set, a job that has not
    started claiming yet exists and will see the committed row; if not, this call enqueues one.

    If Redis is down the row simply stays queued until the sweeper wakes a worker, with
    ``force``, in case a wake-up key outlived its job.
    """
    try:
        connection = redis_connection()
        armed = connection.set(WAKEUP_KEY, execution_id, nx=True, ex=WAKEUP_TTL_SECONDS)
        if armed or force:
            execution_queue(connection).enqueue(
                "app.tasks.run_execution",
                execution_id,
                # No RQ time limit: the execution's lease, kept alive step by step, decides
                # whether its worker is alive; every node call has its own timeout.
                job_timeout=-1,
                result_ttl=0,
                failure_ttl=7 * 24 * 3600,
            )
    except RedisError as error:
        log.warning("execution %s stays queued, Redis unavailable: %s", execution_id, error)
        return False
    return True


def disarm_wakeup() -> None:
    """Called by a job as it starts: events arriving from now on need a job of their own
    unless this one claims them first."""
    redis_connection().delete(WAKEUP_KEY)

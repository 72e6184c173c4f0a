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
from rq.job import Job
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


def dispatch(execution_id: str) -> bool:
    """Enqueue one execution; False when Redis is unavailable (the sweeper will retry)."""
    try:
        execution_queue().enqueue(
            "app.tasks.run_execution",
            execution_id,
            job_id=execution_id,
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


def waiting_in_queue(execution_ids: list[str]) -> set[str]:
    """Which of these executions still have a job in Redis (so need no new one)."""
    connection = redis_connection()
    with connection.pipeline(transaction=False) as pipeline:
        for execution_id in execution_ids:
            pipeline.exists(Job.key_for(execution_id))
        found = pipeline.execute()
    return {i for i, exists in zip(execution_ids, found, strict=True) if exists}

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
            socket_timeout=5,
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
            job_timeout=current_app.config["SHOPWIRE_EXECUTION_LEASE_SECONDS"],
            result_ttl=0,
            failure_ttl=7 * 24 * 3600,
        )
    except RedisError as error:
        log.warning("execution %s stays queued, Redis unavailable: %s", execution_id, error)
        return False
    return True

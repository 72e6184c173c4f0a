"""The transport between ingress and workers: RQ on Redis, carrying execution ids only.

The database is the source of truth. If Redis cannot be reached, :func:`dispatch` says so and
the execution stays ``queued`` until the sweeper enqueues it again.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import datetime
from typing import Any

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from rq.serializers import JSONSerializer

from app.extensions import per_app

log = logging.getLogger("shopwire.queue")


def redis_connection() -> Redis:
    """One client (and connection pool) per app; short timeouts so ingress never hangs."""
    return per_app(
        "shopwire_redis",
        lambda: Redis.from_url(_redis_url(), socket_connect_timeout=1, socket_timeout=2),
    )


def _redis_url() -> str:
    return current_app.config["REDIS_URL"] or "redis://127.0.0.1:6379/0"


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
            execution_queue(connection).enqueue(RUN, execution_id, **JOB_OPTIONS)
    except RedisError as error:
        log.warning("execution %s stays queued, Redis unavailable: %s", execution_id, error)
        return False
    return True


def dispatch_soon(execution_id: str) -> None:
    """:func:`dispatch`, but from this process's waker thread: the webhook is answered without
    waiting for Redis, and under load one call wakes a worker for every execution committed
    meanwhile. If the process dies before the call, the sweeper finds the execution queued."""
    app = current_app._get_current_object()
    per_app("shopwire_waker", lambda: _Waker(app)).wake(execution_id)


def send_wakeups() -> None:
    """Send the pending wake-up now, in this thread (a test runs a worker right after a request)."""
    waker = current_app.extensions.get("shopwire_waker")
    if waker is not None:
        waker.send()


WAKE_INTERVAL_SECONDS = 0.005
WAKER_IDLE_SECONDS = 1.0


class _Waker:
    """The wake-up a web process owes: the first execution it committed since the last one."""

    def __init__(self, app) -> None:
        self._app = app
        self._lock = threading.Lock()
        # Held while a wake-up is sent: send_wakeups() returns only once it is in Redis, even
        # when the waker thread took it a moment before (a test's worker ran on an empty queue).
        self._sending = threading.Lock()
        self._pending: str | None = None
        self._signal = threading.Event()
        self._thread: threading.Thread | None = None

    def wake(self, execution_id: str) -> None:
        with self._lock:
            if self._pending is None:  # the oldest: the job runs it first, then the rest
                self._pending = execution_id
            if self._thread is None or not self._thread.is_alive():  # none, idle, or forked
                self._thread = threading.Thread(target=self._run, name="waker", daemon=True)
                self._thread.start()
            self._signal.set()  # under the lock: the thread cannot be ending meanwhile

    def send(self) -> None:
        with self._sending:
            with self._lock:
                pending, self._pending = self._pending, None
            if pending is not None:
                with self._app.app_context():
                    dispatch(pending)

    def _run(self) -> None:
        """Send wake-ups until none was asked for in a second: an idle thread ends, and with
        it its hold on the app (the tests create an app, and a pool of connections, each)."""
        while True:
            if not self._signal.wait(WAKER_IDLE_SECONDS):
                with self._lock:
                    if not self._signal.is_set():
                        self._thread = None
                        return
            self._signal.clear()
            self.send()
            time.sleep(WAKE_INTERVAL_SECONDS)  # what commits meanwhile shares the next call


RUN = "app.runtime.jobs.run_execution"
JOB_OPTIONS = {
    # No RQ time limit: the execution's lease, kept alive step by step, decides whether its
    # worker is alive; every node call has its own timeout.
    "job_timeout": -1,
    "result_ttl": 0,
    "failure_ttl": 7 * 24 * 3600,
}


def schedule(execution_id: str, at: datetime) -> bool:
    """Continue a waiting execution at ``at`` (aware UTC) with RQ's scheduler (run by every
    ``shopwire worker``). If the scheduled job is lost, the sweeper finds the execution once
    it is due, since the database holds the time too."""
    try:
        execution_queue().enqueue_at(at, RUN, execution_id, **JOB_OPTIONS)
    except RedisError as error:
        log.warning(
            "execution %s waits for the sweeper, Redis unavailable: %s", execution_id, error
        )
        return False
    return True


RESPONSE_KEY = "shopwire:response:"
RESPONSE_TTL_SECONDS = 120  # a reply nobody waits for any more just expires
MAX_RESPONSE_WAIT_SECONDS = 25


def publish_response(execution_id: str, response: dict[str, Any]) -> None:
    """Hand a "respond to webhook" step's reply to the request that waits for it, if any."""
    key = RESPONSE_KEY + execution_id
    try:
        redis_connection().pipeline().rpush(key, json.dumps(response)).expire(
            key, RESPONSE_TTL_SECONDS
        ).execute()
    except RedisError as error:
        log.warning("the reply of execution %s was not sent: %s", execution_id, error)


def wait_for_response(execution_id: str, timeout: int) -> dict[str, Any] | None:
    """The reply of this execution's "respond to webhook" step, or None after ``timeout``."""
    blocking = per_app(
        "shopwire_redis_blocking",
        lambda: Redis.from_url(
            _redis_url(), socket_connect_timeout=1, socket_timeout=MAX_RESPONSE_WAIT_SECONDS + 5
        ),
    )
    try:
        found = blocking.blpop(RESPONSE_KEY + execution_id, timeout)
    except RedisError as error:
        log.warning("no reply from execution %s: %s", execution_id, error)
        return None
    return json.loads(found[1]) if found else None


def disarm_wakeup() -> None:
    """Called by a job as it starts: events arriving from now on need a job of their own
    unless this one claims them first."""
    redis_connection().delete(WAKEUP_KEY)

"""Prometheus metrics: ``GET /metrics`` and the few calls that count events where they happen.

prometheus-client in multiprocess mode: every web, worker and scheduler process writes its
counts to files in ``PROMETHEUS_MULTIPROC_DIR`` (see :func:`app.operations.init_app`) and
``/metrics`` adds them up, so one scrape of any web server sees the work of every process on its
host. The library picks its storage when it is first imported, after that variable is set, so
this module imports it only inside its functions.

What is a state rather than an event (queue depth, the age of the oldest queued execution,
executions per status, workers alive) is read from the database and Redis at scrape time: the
database is the source of truth, and a gauge per process would be wrong after a crash.
"""

from __future__ import annotations

import hmac
import logging
import threading
from functools import cache

from flask import Blueprint, Response, abort, current_app, request
from redis.exceptions import RedisError
from rq import Worker
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.identity.access import public
from app.models import Execution
from app.models.base import utcnow
from app.operations import state, tracing
from app.runtime.queue import redis_connection

log = logging.getLogger("shopwire.operations")

bp = Blueprint("operations_metrics", __name__)

DELIVERY_OUTCOMES = ("received", "accepted", "rejected", "deduplicated")
# Steps take from milliseconds (a map) to the HTTP timeout of a provider call.
STEP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
IN_PROGRESS = ("queued", "running", "waiting")


_building = threading.Lock()


def _instruments():
    # Under the lock: two threads of a fresh web process would both register the metrics,
    # and the second registration fails.
    with _building:
        return _build()


@cache
def _build():
    from prometheus_client import Counter, Histogram

    deliveries = {
        outcome: Counter(
            f"shopwire_deliveries_{outcome}",
            f"Webhook deliveries {outcome}, per connector",
            ["connector"],
        )
        for outcome in DELIVERY_OUTCOMES
    }
    executions = Counter(
        "shopwire_executions_finished",
        "Executions that ended a run, per status (succeeded, failed, waiting)",
        ["status"],
    )
    steps = Histogram(
        "shopwire_step_duration_seconds",
        "How long steps took, per node type",
        ["node_type", "status"],
        buckets=STEP_BUCKETS,
    )
    return deliveries, executions, steps


def delivery(connector: str | None, outcome: str) -> None:
    """Count a webhook delivery: ``received``, then ``accepted``, ``rejected`` or
    ``deduplicated``."""
    _instruments()[0][outcome].labels(connector=connector or "core").inc()


def execution_finished(status: str) -> None:
    _instruments()[1].labels(status=status).inc()


class RunObserver:
    """What a worker's run of an execution tells operations: each step as it is recorded
    (its duration into the histogram), and how the run ended; with tracing on, the run's
    trace (:mod:`app.operations.tracing`)."""

    def __init__(self, graph, record, execution_id: str, shop_id: int, flow_id: str):
        self.graph = graph
        self._record = record
        self.execution = {
            "shopwire.execution_id": execution_id,
            "shopwire.shop_id": shop_id,
            "shopwire.flow_id": flow_id,
        }
        self.steps: list[tuple] = []

    def record(self, step) -> None:
        node_type = self.graph.nodes[step.node_id].get("type", "unknown")
        if step.started_at and step.finished_at:
            seconds = (step.finished_at - step.started_at).total_seconds()
            _instruments()[2].labels(node_type=node_type, status=step.status).observe(seconds)
        if tracing.enabled():
            self.steps.append((step, node_type))
        self._record(step)

    def finished(self, status: str) -> None:
        execution_finished(status)
        if tracing.enabled():
            tracing.record_run(self.execution, status, self.steps)


REFUSED = "Send Authorization: Bearer $SHOPWIRE_METRICS_TOKEN.\n"


@bp.get("/metrics")
@public
def metrics():
    if not authorized(current_app.config["SHOPWIRE_METRICS_TOKEN"], request.headers):
        abort(Response(REFUSED, 401))
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    registry = host_registry()
    registry.register(_StateCollector())
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def authorized(token: str, headers) -> bool:
    """Without a token set, anyone may scrape; with one, only who sends it."""
    if not token:
        return True
    scheme, _, given = (headers.get("Authorization") or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token)


def host_registry():
    """The counts of every Shopwire process on this host (its multiprocess directory)."""
    from prometheus_client import CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return registry


def host_exporter(token: str):
    """A WSGI app serving only this host's counts: ``shopwire metrics-server`` runs it on a
    host with workers and no web server, whose counts no web server's /metrics can see (the
    multiprocess files are per host). The states read from the database and Redis are left
    to the web servers, so that a sum over all scraped hosts counts each once."""
    from prometheus_client import make_wsgi_app

    served = make_wsgi_app(host_registry())

    def exporter(environ, start_response):
        if not authorized(token, {"Authorization": environ.get("HTTP_AUTHORIZATION")}):
            start_response("401 Unauthorized", [("Content-Type", "text/plain")])
            return [REFUSED.encode()]
        return served(environ, start_response)

    return exporter


class _StateCollector:
    """Queue depth, oldest queued execution, executions per status; the workers registered
    with RQ on any host, from Redis: how many are alive, and per worker its host, the age of
    its last heartbeat and the jobs it ran."""

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        try:
            counts, oldest = _execution_state()
        except SQLAlchemyError:
            db.session.rollback()
            log.warning("metrics: the database does not answer")
        else:
            by_status = GaugeMetricFamily(
                "shopwire_executions",
                "Executions now queued, running or waiting",
                labels=["status"],
            )
            for status in IN_PROGRESS:
                by_status.add_metric([status], counts.get(status, 0))
            yield by_status
            yield GaugeMetricFamily(
                "shopwire_queue_depth",
                "Executions queued and not yet claimed by a worker",
                value=counts.get("queued", 0),
            )
            age = (utcnow() - oldest).total_seconds() if oldest else 0
            yield GaugeMetricFamily(
                "shopwire_queue_oldest_age_seconds",
                "Age of the oldest queued execution (0 when none waits)",
                value=max(age, 0),
            )
        try:
            workers = Worker.all(connection=redis_connection())
        except RedisError:
            log.warning("metrics: Redis does not answer")
        else:
            yield from _worker_families(workers, utcnow())


def _worker_families(workers, now):
    from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

    alive = GaugeMetricFamily(
        "shopwire_workers_alive",
        "Workers that beat in time, on any host",
        value=sum(state.alive(worker, now) for worker in workers),
    )
    heartbeat = GaugeMetricFamily(
        "shopwire_worker_heartbeat_age_seconds",
        "Seconds since each worker's last heartbeat (a busy worker beats after its job)",
        labels=["host", "worker", "state"],
    )
    jobs = CounterMetricFamily(
        "shopwire_worker_jobs",
        "Jobs each worker ran since it started, per result",
        labels=["host", "worker", "result"],
    )
    busy = CounterMetricFamily(
        "shopwire_worker_busy_seconds",
        "Seconds each worker spent running jobs since it started",
        labels=["host", "worker"],
    )
    for worker in workers:
        host, name = worker.hostname or "", worker.name
        last = worker.last_heartbeat.replace(tzinfo=None) if worker.last_heartbeat else now
        heartbeat.add_metric([host, name, worker.get_state()], (now - last).total_seconds())
        jobs.add_metric([host, name, "succeeded"], worker.successful_job_count)
        jobs.add_metric([host, name, "failed"], worker.failed_job_count)
        busy.add_metric([host, name], worker.total_working_time)
    return alive, heartbeat, jobs, busy


def _execution_state():
    counts = dict(
        db.session.execute(
            select(Execution.status, func.count())
            .where(Execution.status.in_(IN_PROGRESS))
            .group_by(Execution.status)
        ).all()
    )
    oldest = db.session.scalar(
        select(func.min(Execution.queued_at)).where(Execution.status == "queued")
    )
    db.session.commit()
    return counts, oldest

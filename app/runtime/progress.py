"""Progress of one claimed run: its step records, saved in batches, and its lease.

Every write is fenced by the run count the run claimed with, so a worker that was too slow
(or paused) can never overwrite the work of the one that took over.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db, execute_core
from app.models import Execution, StepRun
from app.models.base import utcnow
from app.models.execution import NO_ITEM
from nodes.engine import interpreter
from nodes.engine.bounds import Stopped, stoppable

log = logging.getLogger("shopwire.tasks")


class LeaseLost(Exception):
    """Another worker took this execution over after its lease ran out: stop writing to it."""


INSERT_STEPS = StepRun.__table__.insert()
DELETE_RETRYING = StepRun.__table__.delete().where(
    (StepRun.execution_id == bindparam("execution_id")) & (StepRun.status == "retrying")
)
_columns = Execution.__table__.c
_THIS_EXECUTION = (
    (_columns.id == bindparam("execution_id"))
    & (_columns.runs == bindparam("token"))
    & (_columns.status == "running")
)
RENEW_LEASE = Execution.__table__.update().where(_THIS_EXECUTION)
FINISH = Execution.__table__.update().where(_THIS_EXECUTION).values(lease_until=None)
CLAIM_EVENT = Execution.__table__.update().where(_THIS_EXECUTION)


StepKey = tuple[str, int | None]


def earlier_steps(
    execution_id: str,
) -> tuple[dict[StepKey, interpreter.StepRecord], dict[StepKey, int]]:
    """What earlier runs of this execution finished (a resumed run starts after it), and the
    attempts made at a step that waits to be retried (the resumed run counts on)."""
    steps = db.session.scalars(
        select(StepRun).where(
            StepRun.execution_id == execution_id,
            StepRun.status.in_((*interpreter.FINISHED, "retrying")),
        )
    )
    finished, attempts = {}, {}
    for step in steps:
        key = (step.node_id, None if step.item == NO_ITEM else step.item)
        if step.status == "retrying":
            attempts[key] = step.attempts
            continue
        finished[key] = interpreter.StepRecord(
            step.node_id,
            step.status,
            output=step.output,
            ports=tuple(step.ports or ()),
            item=key[1],
        )
    return finished, attempts


class Progress:
    """The step records of one claimed run that are not saved yet, and its lease."""

    def __init__(self, execution_id: str, token: int, lease_until, replaces_retrying: bool):
        self.execution_id = execution_id
        self.token = token
        self.lease_until = lease_until
        self.lease = timedelta(seconds=current_app.config["SHOPWIRE_EXECUTION_LEASE_SECONDS"])
        self.unsaved: list[dict] = []
        # The record of the step that waited to be retried gives way to its new one, which the
        # first save carries (a resumed run starts with that step).
        self.replaces_retrying = replaces_retrying

    def record(self, step: interpreter.StepRecord) -> None:
        self.unsaved.append(
            {
                "execution_id": self.execution_id,
                "node_id": step.node_id,
                "item": NO_ITEM if step.item is None else step.item,
                "status": step.status,
                "input": step.input,
                "output": step.output,
                "error": step.error,
                "attempts": step.attempts,
                "ports": list(step.ports),
                "started_at": naive(step.started_at),
                "finished_at": naive(step.finished_at),
            }
        )

    def checkpoint(self) -> None:
        """Save every record so far and renew the lease, in one commit."""
        self.lease_until = utcnow() + self.lease
        self._save(RENEW_LEASE, lease_until=self.lease_until)

    def claim(self, event_id: str) -> bool:
        """Give this execution the flow's dedupe key for a fetched event; False when another
        execution of the flow holds it (the same unique key that dedupes at ingress)."""
        fenced = {"execution_id": self.execution_id, "token": self.token}
        try:
            updated = db.session.execute(CLAIM_EVENT, {**fenced, "dedupe_key": event_id})
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            return False
        if updated.rowcount != 1:
            raise LeaseLost(self.execution_id)
        return True

    @contextmanager
    def kept_alive(self) -> Iterator[None]:
        """Run the block while another thread renews the lease, so a step longer than the
        lease is not taken over; if this run lost the execution anyway (another worker took it
        over after a pause, or it was cancelled), the block is stopped with :class:`LeaseLost`.
        """
        try:
            with stoppable() as stop:
                kept = _Kept(self, db.engine, stop)
                _keeper().add(kept)
                try:
                    yield
                finally:
                    _keeper().remove(kept)
        except Stopped:
            raise LeaseLost(self.execution_id) from None

    def heartbeat(self) -> None:
        """Renew the lease once half of it is spent (during retries and long flows)."""
        if self.lease_until - utcnow() < self.lease / 2:
            self.checkpoint()

    def finish(self, result: interpreter.Result) -> None:
        if result.status == "waiting":
            # Claimable again once due: queued_at is when it may go on (see claims.due).
            self._save(FINISH, status="waiting", queued_at=naive(result.resume_at))
        else:
            self._save(FINISH, status=result.status, error=result.error, finished_at=utcnow())

    def _save(self, statement, **values) -> None:
        """Update the execution (only if this run still holds it), add the records, commit."""
        fenced = {"execution_id": self.execution_id, "token": self.token, **values}
        if execute_core(statement, fenced).rowcount != 1:
            db.session.rollback()
            raise LeaseLost(self.execution_id)
        if self.unsaved:
            if self.replaces_retrying:
                execute_core(DELETE_RETRYING, {"execution_id": self.execution_id})
                self.replaces_retrying = False
            execute_core(INSERT_STEPS, self.unsaved)
            self.unsaved = []
        db.session.commit()


class _Kept:
    """A run whose lease the keeper renews, every third of the lease (and at least every few
    seconds, so a cancelled run stops soon)."""

    def __init__(self, progress: Progress, engine, stop: Callable[[], None]):
        self.progress, self.engine, self.stop = progress, engine, stop
        self.interval = min(progress.lease.total_seconds() / 3, CHECK_SECONDS)
        self.due = time.monotonic() + self.interval

    def renew(self) -> None:
        progress = self.progress
        lease_until = utcnow() + progress.lease
        fenced = {"execution_id": progress.execution_id, "token": progress.token}
        try:
            with self.engine.begin() as connection:
                held = connection.execute(RENEW_LEASE, {**fenced, "lease_until": lease_until})
        except Exception:  # the run goes on; its lease is renewed at the next tick
            log.exception(
                "the lease of execution %s could not be renewed now", progress.execution_id
            )
            return
        if held.rowcount != 1:
            self.stop()
            return
        progress.lease_until = lease_until


class _Keeper(threading.Thread):
    """Renews the leases of this process's runs on connections of its own. One thread for the
    process, started with its first run: a thread started for every run cost a worker more
    than its database writes."""

    def __init__(self):
        super().__init__(name="shopwire-leases", daemon=True)
        self.changed = threading.Condition()
        self.kept: set[_Kept] = set()
        self.wakes_at: float | None = None  # None: it sleeps until a run is added

    def add(self, kept: _Kept) -> None:
        with self.changed:
            self.kept.add(kept)
            # Woken only if it would look too late: a worker's runs one after the other, whose
            # leases are due later than the last one's, do not wake it each time.
            if self.wakes_at is None or kept.due < self.wakes_at:
                self.changed.notify()

    def remove(self, kept: _Kept) -> None:
        with self.changed:
            self.kept.discard(kept)

    def run(self) -> None:
        while True:
            with self.changed:
                now = time.monotonic()
                due = [kept for kept in self.kept if kept.due <= now]
                if not due:
                    self.wakes_at = min((kept.due for kept in self.kept), default=None)
                    self.changed.wait(None if self.wakes_at is None else self.wakes_at - now)
                    continue
                for kept in due:
                    kept.due = now + kept.interval
            for kept in due:
                if kept in self.kept:  # not finished meanwhile
                    kept.renew()


_keepers: dict[int, _Keeper] = {}  # by process id: a forked child starts its own
_keepers_lock = threading.Lock()


def _keeper() -> _Keeper:
    with _keepers_lock:
        keeper = _keepers.get(os.getpid())
        if keeper is None:
            keeper = _keepers[os.getpid()] = _Keeper()
            keeper.start()
        return keeper


CHECK_SECONDS = 5.0


def naive(moment):
    return None if moment is None else moment.replace(tzinfo=None)

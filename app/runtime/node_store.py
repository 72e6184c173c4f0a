"""The database behind :mod:`nodes.kit.store`: seen items for deduplicate steps."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import Flask
from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

import nodes.kit.store
from app.extensions import db
from app.models import Execution, SeenItem
from app.models.base import utcnow
from nodes.kit.base import NodeContext


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class DatabaseSeenItems:
    """Each key is claimed in a transaction of its own, apart from the worker's session, so
    the claim is visible to other workers at once and survives whatever the step does next."""

    def first_sightings(self, ctx: NodeContext, keys: list[str], window: timedelta) -> list[bool]:
        merchant_id, flow_id = db.session.execute(
            select(Execution.merchant_id, Execution.flow_id).where(Execution.id == ctx.execution_id)
        ).one()
        now = utcnow()
        cutoff = now - window
        mine = (SeenItem.flow_id == flow_id) & (SeenItem.node_id == ctx.node_id)
        with db.engine.begin() as connection:  # keys older than the window are forgotten
            connection.execute(delete(SeenItem).where(mine, SeenItem.seen_at < cutoff))
        claims = []
        for key in keys:
            row = {
                "merchant_id": merchant_id,
                "flow_id": flow_id,
                "node_id": ctx.node_id,
                "key_hash": key_hash(key),
                "seen_at": now,
                "seen_by": ctx.idempotency_key,
            }
            claims.append(self._claim(row, mine, cutoff))
        return claims

    @staticmethod
    def _claim(row: dict, mine, cutoff) -> bool:
        try:
            with db.engine.begin() as connection:
                connection.execute(insert(SeenItem), row)
            return True
        except IntegrityError:
            pass
        # Seen before: still ours if this very step claimed it, or if it expired meanwhile.
        with db.engine.begin() as connection:
            taken = connection.execute(
                update(SeenItem)
                .where(
                    mine,
                    SeenItem.key_hash == row["key_hash"],
                    or_(SeenItem.seen_by == row["seen_by"], SeenItem.seen_at < cutoff),
                )
                .values(seen_at=row["seen_at"], seen_by=row["seen_by"])
            ).rowcount
        return taken == 1


def init_app(app: Flask) -> None:
    nodes.kit.store.install(DatabaseSeenItems())

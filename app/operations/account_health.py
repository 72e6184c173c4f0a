"""Accounts that stopped working: a provider refusing an account's key or token (HTTP 401 or
403) in several runs in a row, with no run using the account succeeding since, or in as many
polls of a polling trigger in a row.

One refusal may be a provider's hiccup or a step asking for more than the account may; the
same refusal in :data:`REFUSALS` runs in a row is an expired, revoked or narrowed key, and
every run that uses the account fails until the merchant fixes it. A step that succeeded with
the account, or the account saved anew, ends the streak. Read from the step records at the
time asked (the scheduler's alert check, the overview page), so nothing is written in a run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.flows.lifecycle import version_graph
from app.models import Credential, Execution, Flow, NodeState, StepRun
from nodes.kit import registry

ANCHOR = "account-problems"  # where the overview lists them
AUTH_STATUSES = (401, 403)
REFUSALS = 3  # runs in a row refused
WINDOW = timedelta(days=2)  # refusals older than this are not looked at
UNFINISHED = ("failed", "caught")  # a step that failed, with or without an error path


@dataclass
class Refused:
    """An account the provider refused in ``count`` runs in a row since ``since``."""

    credential_id: str
    name: str
    connector: str
    since: datetime
    count: int
    status: int
    message: str
    hint: str
    execution_id: str | None  # the last refused run (None: refused by a polling trigger)
    flows: dict[str, str] = field(default_factory=dict)  # id → name of the flows refused


def refused_accounts(merchant_id: int, now: datetime) -> list[Refused]:
    """The shop's accounts the provider has refused in :data:`REFUSALS` runs in a row, or
    in as many polls of a polling trigger."""
    found = _refused_in_runs(merchant_id, now)
    known = {refused.credential_id for refused in found}
    return found + [p for p in _refused_in_polls(merchant_id) if p.credential_id not in known]


def _refused_in_polls(merchant_id: int) -> list[Refused]:
    """Polling triggers whose last :data:`REFUSALS` polls were refused (their ``last_error``,
    kept by app.runtime.timed_triggers), since the account was last saved."""
    rows = db.session.execute(
        select(NodeState.value, Flow.id, Flow.name, Flow.current_version_id, NodeState.node_id)
        .join(Flow, Flow.id == NodeState.flow_id)
        .where(
            NodeState.merchant_id == merchant_id,
            NodeState.name == "last_error",
            Flow.active.is_(True),
            Flow.deleted_at.is_(None),
        )
    ).all()
    found: dict[str, Refused] = {}
    for error, flow_id, name, version_id, node_id in rows:
        if not error or error.get("status") not in AUTH_STATUSES:
            continue
        if error.get("failures", 0) < REFUSALS:
            continue
        account = db.session.get(Credential, _credential_of(version_id, node_id))
        since = datetime.fromisoformat(error["since"]).replace(tzinfo=None)
        if account is None or account.merchant_id != merchant_id or since <= account.updated_at:
            continue
        refused = found.setdefault(
            account.id,
            Refused(
                credential_id=account.id,
                name=account.name,
                connector=account.connector,
                since=since,
                count=error["failures"],
                status=error["status"],
                message=str(error.get("message", ""))[:300],
                hint=str(error.get("hint") or ""),
                execution_id=None,
            ),
        )
        refused.flows[flow_id] = name
    return list(found.values())


def _refused_in_runs(merchant_id: int, now: datetime) -> list[Refused]:
    start = now - WINDOW
    refusals = db.session.execute(
        select(
            StepRun.node_id,
            StepRun.error,
            StepRun.finished_at,
            Execution.id,
            Execution.version_id,
            Execution.flow_id,
        )
        .join(Execution, Execution.id == StepRun.execution_id)
        .where(
            Execution.merchant_id == merchant_id,
            StepRun.status.in_(UNFINISHED),
            StepRun.finished_at >= start,
        )
        .order_by(StepRun.finished_at)
    ).all()
    refusals = [row for row in refusals if (row.error or {}).get("status") in AUTH_STATUSES]
    if not refusals:
        return []
    accounts = {
        credential.id: credential
        for credential in db.session.scalars(
            select(Credential).where(Credential.merchant_id == merchant_id)
        )
    }
    last_success = _last_successes(merchant_id, refusals[0].finished_at)
    streaks: dict[str, list] = {}
    for row in refusals:
        credential_id = _credential_of(row.version_id, row.node_id)
        account = accounts.get(credential_id)
        if account is None:
            continue
        ended = max(filter(None, (last_success.get(credential_id), account.updated_at)))
        if row.finished_at > ended:
            streaks.setdefault(credential_id, []).append(row)
    names = dict(
        db.session.execute(select(Flow.id, Flow.name).where(Flow.merchant_id == merchant_id)).all()
    )
    found = []
    for credential_id, rows in streaks.items():
        runs = {row.id for row in rows}
        if len(runs) < REFUSALS:
            continue
        account, last = accounts[credential_id], rows[-1]
        found.append(
            Refused(
                credential_id=credential_id,
                name=account.name,
                connector=account.connector,
                since=rows[0].finished_at,
                count=len(runs),
                status=last.error["status"],
                message=str(last.error.get("message", ""))[:300],
                hint=str(last.error.get("hint") or ""),
                execution_id=last.id,
                flows={row.flow_id: names.get(row.flow_id, "") for row in rows},
            )
        )
    return found


def _last_successes(merchant_id: int, since: datetime) -> dict[str, datetime]:
    """When a step last succeeded with each account, since ``since``."""
    rows = db.session.execute(
        select(Execution.version_id, StepRun.node_id, func.max(StepRun.finished_at))
        .join(Execution, Execution.id == StepRun.execution_id)
        .where(
            Execution.merchant_id == merchant_id,
            StepRun.status == "succeeded",
            StepRun.finished_at >= since,
        )
        .group_by(Execution.version_id, StepRun.node_id)
    ).all()
    latest: dict[str, datetime] = {}
    for version_id, node_id, finished_at in rows:
        credential_id = _credential_of(version_id, node_id)
        if credential_id and finished_at > latest.get(credential_id, finished_at.min):
            latest[credential_id] = finished_at
    return latest


def _credential_of(version_id: int, node_id: str) -> str | None:
    node = version_graph(version_id).nodes.get(node_id)
    return node.get("credential") if node else None


def connector_title(key: str, language: str) -> str:
    """The connector's name as the merchant knows it ("Shopify", not "shopify")."""
    found = registry.connector(key)
    return found.title.get(language, found.title["en"]) if found else key


def flows_using(merchant_id: int, credential_id: str) -> dict[str, str]:
    """The shop's flows whose current version uses the account: id → name."""
    flows = db.session.execute(
        select(Flow.id, Flow.name, Flow.current_version_id).where(
            Flow.merchant_id == merchant_id,
            Flow.deleted_at.is_(None),
            Flow.current_version_id.is_not(None),
        )
    ).all()
    return {
        flow_id: name
        for flow_id, name, version_id in flows
        if any(
            node.get("credential") == credential_id
            for node in version_graph(version_id).nodes.values()
        )
    }

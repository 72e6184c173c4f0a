"""Alerts without building a flow: a failed run, repeated failures, a quiet trigger, an
account that stopped working (marked for reconnecting, or refused by its provider run after
run: :mod:`app.operations.account_health`), a provider webhook that was dropped (recorded by
:mod:`app.operations.trigger_health`) — by e-mail and to an incoming webhook (Slack or Teams).

The scheduler calls :func:`run` every minute. :func:`notice` records each new problem once
(an :class:`Alert` with a key naming the occurrence); :func:`deliver` sends what is pending as
one digest per flow and channel, and waits until an hour has passed since that flow's last
digest: a flow failing a thousand times a minute sends one mail an hour, not a storm.
Everything is read and written per shop; the time is a parameter, so tests control the clock.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_timedelta
from flask import current_app
from flask_babel import force_locale, gettext, lazy_gettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.credentials.vault import vault
from app.extensions import db
from app.identity.mail import send_mail
from app.models import Alert, AlertSettings, Credential, Execution, Flow, Merchant
from app.models.base import utcnow
from app.operations import account_health, trigger_health
from app.runtime import subflows
from app.runtime.provider_http import outbound_session

log = logging.getLogger("shopwire.alerts")

DIGEST_INTERVAL = timedelta(hours=1)
LOOKBACK = timedelta(days=1)  # failures older than this when alerts are switched on are old news
REPEATED = 3  # failed runs of one flow within REPEATED_WINDOW
REPEATED_WINDOW = timedelta(hours=1)
# A test run or a manual run fails in front of the merchant: no alert needed.
UNALERTED_MODES = ("test", "manual", subflows.MODE)
# What each kind of alert says: what broke, since when, what to do.
DESCRIPTIONS = {
    "failed_run": lazy_gettext(
        "A run failed at step “%(step)s” (since %(since)s): %(error)s\n"
        "What to do: open the run, fix the cause, then press “Retry from this step”.\n%(link)s"
    ),
    "repeated_failures": lazy_gettext(
        "%(count)s runs failed within the last hour (since %(since)s).\n"
        "What to do: open the runs list; the same error again and again usually means a "
        "changed field or an account that needs attention.\n%(link)s"
    ),
    "quiet_trigger": lazy_gettext(
        "The trigger “%(node)s” has received no event since %(since)s; it usually receives one "
        "every %(gap)s.\nWhat to do: check that the webhook is still registered in the "
        "provider's settings, or switch the flow off and on again to register it anew.\n%(link)s"
    ),
    "quiet_poll": lazy_gettext(
        "The trigger “%(node)s” has found no new record since %(since)s; it usually finds one "
        "every %(gap)s.\nWhat to do: check in the system it reads that records still come in, "
        "and open the flow and press “Test” on the trigger to see what it finds.\n%(link)s"
    ),
    "schedule_missed": lazy_gettext(
        "The schedule of the trigger “%(node)s” did not start the run planned for %(since)s.\n"
        "What to do: if the next planned run starts, nothing; if not, tell whoever runs your "
        "Shopwire installation that its scheduler is not running.\n%(link)s"
    ),
    "account": lazy_gettext(
        "The account “%(name)s” (%(connector)s) stopped working (since %(since)s): "
        "%(message)s\nWhat to do: open Accounts and connect it again.\n%(link)s"
    ),
    "account_refused": lazy_gettext(
        "%(connector)s refused the account “%(name)s” in %(count)s runs in a row (since "
        "%(since)s): %(message)s\nEvery run that uses this account fails until it is fixed.\n"
        "What to do: %(remedy)s Then open the last refused run and press “Retry from this "
        "step”; retry the others from the runs list.\n%(link)s"
    ),
    "account_refused_polls": lazy_gettext(
        "%(connector)s refused the account “%(name)s” in %(count)s polls in a row (since "
        "%(since)s): %(message)s\nThe trigger finds nothing until it is fixed; what came in "
        "meanwhile is found by the first poll after.\nWhat to do: %(remedy)s\n%(link)s"
    ),
    "subscription_restored": lazy_gettext(
        "%(provider)s had removed or switched off the webhook of the trigger “%(node)s” "
        "(since %(since)s), usually after its deliveries failed for hours. Shopwire registered "
        "it again and started the %(count)s event(s) missed meanwhile.\nWhat to do: nothing; "
        "if it happens again, check that Shopwire is reachable from the internet.\n%(link)s"
    ),
    "subscription_unrecovered": lazy_gettext(
        "%(provider)s had removed or switched off the webhook of the trigger “%(node)s” "
        "(since %(since)s), usually after its deliveries failed for hours. Shopwire registered "
        "it again, but could not fetch back the events missed meanwhile: %(reason)s\n"
        "What to do: look in %(provider)s for what happened since then and run those events "
        "by hand where needed; if it happens again, check that Shopwire is reachable from the "
        "internet.\n%(link)s"
    ),
}


# The alert for each kind of quiet trigger (trigger_health.Quiet.kind).
QUIET_KINDS = {"webhook": "quiet_trigger", "poll": "quiet_poll", "schedule": "schedule_missed"}
# What to do about a refused account, by the provider's HTTP status.
REMEDIES = {
    401: lazy_gettext(
        "its key or token was changed, revoked or has expired: create a new one in "
        "%(connector)s and enter it in the account (open it from a step that uses it)."
    ),
    403: lazy_gettext(
        "the account lacks a permission these steps need: grant it in %(connector)s (for an "
        "app, its API scopes), then enter the new key in the account or connect it again."
    ),
}


def run(now: datetime | None = None) -> None:
    """The scheduler's job (in the worker's app context)."""
    now = now or utcnow()
    try:
        for settings in db.session.scalars(select(AlertSettings)).all():
            notice(settings, now)
            deliver(settings, now)
    finally:
        db.session.remove()


def notice(settings: AlertSettings, now: datetime) -> None:
    """Record every problem of this shop not recorded yet."""
    shop = settings.merchant_id
    if settings.on_failed_run:
        failed = db.session.execute(
            select(Execution.id, Execution.flow_id, Execution.finished_at, Execution.error).where(
                Execution.merchant_id == shop,
                Execution.status == "failed",
                Execution.finished_at >= now - LOOKBACK,
                Execution.mode.not_in(UNALERTED_MODES),
            )
        ).all()
        for execution_id, flow_id, finished_at, error in failed:
            error = error or {}
            details = {
                "step": error.get("node_name") or error.get("node_id") or "?",
                "error": str(error.get("message", ""))[:500],
            }
            record(shop, "failed_run", execution_id, flow_id, finished_at, details, execution_id)
    if settings.on_repeated_failures:
        repeated = db.session.execute(
            select(Execution.flow_id, func.count(), func.min(Execution.finished_at))
            .where(
                Execution.merchant_id == shop,
                Execution.status == "failed",
                Execution.finished_at >= now - REPEATED_WINDOW,
                Execution.mode.not_in(UNALERTED_MODES),
            )
            .group_by(Execution.flow_id)
            .having(func.count() >= REPEATED)
        ).all()
        for flow_id, count, first in repeated:
            key = f"{flow_id}:{first:%Y-%m-%dT%H}"  # about once an hour while it goes on
            record(shop, "repeated_failures", key, flow_id, first, {"count": count})
    if settings.on_quiet_trigger:
        for quiet in trigger_health.quiet_triggers(now, shop):
            key = f"{quiet.flow_id}:{quiet.node_id}:{quiet.last_event_at.isoformat()}"
            details = {"node": quiet.node_id, "gap_seconds": quiet.normal_gap.total_seconds()}
            kind = QUIET_KINDS[quiet.kind]
            record(shop, kind, key, quiet.flow_id, quiet.last_event_at, details)
    if settings.on_account:
        broken = db.session.execute(
            select(
                Credential.id,
                Credential.name,
                Credential.connector,
                Credential.status_message,
                Credential.updated_at,
            ).where(Credential.merchant_id == shop, Credential.status != "ok")
        ).all()
        for credential_id, name, connector, message, since in broken:
            details = {"name": name, "connector": connector, "message": message or ""}
            record(shop, "account", f"{credential_id}:{since.isoformat()}", None, since, details)
        for refused in account_health.refused_accounts(shop, now):
            details = {
                "name": refused.name,
                "connector": refused.connector,
                "count": refused.count,
                "status": refused.status,
                "message": refused.message,
            }
            key = f"{refused.credential_id}:refused:{refused.since.isoformat()}"
            kind = "account_refused" if refused.execution_id else "account_refused_polls"
            record(shop, kind, key, None, refused.since, details, refused.execution_id)
    db.session.commit()


def record(shop, kind, key, flow_id, since, details, execution_id=None) -> None:
    """Keep a problem to tell the shop about (once per ``kind`` and ``key``)."""
    exists = db.session.scalar(
        select(Alert.id).where(Alert.merchant_id == shop, Alert.kind == kind, Alert.key == key)
    )
    if exists:
        return
    try:
        with db.session.begin_nested():  # another scheduler may record it at the same moment
            db.session.add(
                Alert(
                    merchant_id=shop,
                    flow_id=flow_id,
                    execution_id=execution_id,
                    kind=kind,
                    key=key,
                    details=details,
                    since=since,
                )
            )
    except IntegrityError:
        pass


def deliver(settings: AlertSettings, now: datetime) -> None:
    """Send each flow's pending alerts as one digest, at most once per hour per channel."""
    channels = []
    if settings.emails.strip():
        channels.append((Alert.mailed_at, _mail))
    if settings.webhook is not None:
        channels.append((Alert.posted_at, _post))
    for told_at, send in channels:
        pending = db.session.scalars(
            select(Alert)
            .where(Alert.merchant_id == settings.merchant_id, told_at.is_(None))
            .order_by(Alert.since)
        ).all()
        by_flow = defaultdict(list)
        for alert in pending:
            by_flow[alert.flow_id].append(alert)
        for flow_id, alerts in by_flow.items():
            same_flow = Alert.flow_id.is_(None) if flow_id is None else Alert.flow_id == flow_id
            last = db.session.scalar(
                select(func.max(told_at)).where(
                    Alert.merchant_id == settings.merchant_id, same_flow
                )
            )
            if last is not None and now - last < DIGEST_INTERVAL:
                continue  # this flow's next digest carries them
            try:
                send(settings, flow_id, alerts)
            except Exception:
                db.session.rollback()
                log.exception("alerts of shop %s could not be sent", settings.merchant_id)
                continue
            for alert in alerts:
                setattr(alert, told_at.key, now)
            db.session.commit()


def digest(settings: AlertSettings, flow_id: str | None, alerts: list[Alert]) -> tuple[str, str]:
    """The subject and the text of one digest, in the shop's alert language."""
    merchant = db.session.get(Merchant, settings.merchant_id)
    flow = db.session.get(Flow, flow_id) if flow_id else None
    if flow is not None and flow.merchant_id != settings.merchant_id:
        flow = None  # never another shop's
    with force_locale(settings.language):
        subject = (
            gettext(
                "Shopwire: %(count)s problem(s) with “%(flow)s”", count=len(alerts), flow=flow.name
            )
            if flow
            else gettext("Shopwire: %(count)s problem(s) in your shop", count=len(alerts))
        )
        parts = [gettext("Shopwire noticed the following. Nothing was lost: every event is kept.")]
        parts += [_describe(alert, settings.language, merchant) for alert in alerts]
    return subject, "\n\n".join(parts)


def _describe(alert: Alert, language: str, merchant: Merchant) -> str:
    since = format_datetime(
        alert.since.replace(tzinfo=UTC),
        "medium",
        tzinfo=ZoneInfo(merchant.timezone or "UTC"),
        locale=language,
    )
    details = dict(alert.details)
    if "connector" in details:
        details["connector"] = account_health.connector_title(details["connector"], language)
    if alert.kind in ("account_refused", "account_refused_polls"):
        details["remedy"] = REMEDIES[details.pop("status")] % details
    if alert.kind == "subscription_unrecovered" and not details.get("reason"):
        details["reason"] = gettext("its API cannot list events of this kind")
    if "gap_seconds" in details:
        details["gap"] = format_timedelta(
            timedelta(seconds=details.pop("gap_seconds")), locale=language
        )
    return DESCRIPTIONS[alert.kind] % {"since": since, "link": _link(alert), **details}


def _link(alert: Alert) -> str:
    base = (current_app.config["SHOPWIRE_PUBLIC_URL"] or "").rstrip("/")
    if alert.execution_id:
        return f"{base}/executions/{alert.execution_id}"
    if alert.kind.startswith("account"):
        return f"{base}/#{account_health.ANCHOR}"  # the overview lists the accounts to fix
    return f"{base}/executions?flow_id={alert.flow_id}"


def _mail(settings: AlertSettings, flow_id, alerts) -> None:
    subject, body = digest(settings, flow_id, alerts)
    for address in _addresses(settings.emails):
        send_mail(address, subject, body)


def _addresses(emails: str) -> list[str]:
    return [address.strip() for address in emails.split(",") if address.strip()]


def _post(settings: AlertSettings, flow_id, alerts) -> None:
    """Slack and Teams incoming webhooks, each in its own message format; through the
    guarded session (no internal addresses unless the operator allows them)."""
    subject, body = digest(settings, flow_id, alerts)
    url = vault().decrypt(settings.webhook)["url"]
    reply = outbound_session().post(
        url, json=webhook_message(settings.webhook_format, subject, body)
    )
    reply.raise_for_status()  # not told: the next minute tries again


def webhook_message(kind: str, subject: str, body: str) -> dict:
    if kind == "teams":  # an Adaptive Card, as Teams' incoming webhooks (Workflows) take
        return {
            "type": "message",
            "attachments": [
                {
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "content": {
                        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "type": "AdaptiveCard",
                        "version": "1.4",
                        "body": [
                            {"type": "TextBlock", "text": subject, "weight": "Bolder"},
                            {"type": "TextBlock", "text": body, "wrap": True},
                        ],
                    },
                }
            ],
        }
    return {"text": f"*{subject}*\n{body}"}  # Slack: mrkdwn text

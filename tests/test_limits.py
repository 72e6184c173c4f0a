"""Per-merchant limits (webhook rate, payload size, concurrent executions) and the purge of
execution data past each merchant's retention."""

from datetime import timedelta

from sqlalchemy import func, select, update

from app import create_app
from app.cli import merchant_named
from app.extensions import db
from app.models import Execution, Merchant, RejectedEvent, StepRun
from app.models.base import utcnow
from app.runtime.claims import claim_next
from app.runtime.retention import purge
from tests.conftest import create_active_flow, flow_document, post_json

HOOK = flow_document({"id": "hook", "type": "core.webhook"})


def set_limits(name: str, **limits) -> None:
    db.session.execute(update(Merchant).where(Merchant.name == name).values(**limits))
    db.session.commit()


def executions(merchant: str | None = None) -> int:
    query = select(func.count()).select_from(Execution)
    if merchant:
        query = query.where(Execution.merchant_id == merchant_named(merchant).id)
    return db.session.scalar(query)


def test_webhooks_over_the_merchants_rate_get_429_with_retry_after(api, other_api, client):
    _, url = create_active_flow(api, HOOK)
    _, other_url = create_active_flow(other_api, HOOK)
    set_limits("acme", webhooks_per_minute=3)
    replies = [post_json(client, url, {"n": n}) for n in range(5)]
    assert [r.status_code for r in replies] == [202, 202, 202, 429, 429]
    assert 1 <= int(replies[3].headers["Retry-After"]) <= 60
    assert "3 webhook events a minute" in replies[3].get_json()["detail"]
    assert executions("acme") == 3
    # Another merchant has its own budget.
    assert post_json(client, other_url, {"n": 1}).status_code == 202


def test_web_processes_share_the_rate_and_never_admit_more_than_it(
    api, client, app_config, monkeypatch
):
    """Each process takes blocks of the budget (here 3 events of 300) and admits from them."""
    monkeypatch.setattr("app.ingress.limits.time.time", lambda: 1_800_000_000.0)  # one fixed minute
    _, url = create_active_flow(api, HOOK)
    set_limits("acme", webhooks_per_minute=300)
    other_process = create_app(app_config)
    admitted = 0
    with other_process.app_context():
        other_client = other_process.test_client()
        for n in range(160):
            for sender in (client, other_client):
                admitted += post_json(sender, url, {"n": n}).status_code == 202
    assert 300 - 2 * 2 <= admitted <= 300  # at most one block, less one event, each unspent
    assert executions("acme") == admitted


def test_without_redis_the_limiter_accepts_every_event(api, app_config):
    _, url = create_active_flow(api, HOOK)
    set_limits("acme", webhooks_per_minute=1)
    no_redis = create_app({**app_config, "REDIS_URL": "redis://127.0.0.1:1/0"})
    with no_redis.app_context():
        client = no_redis.test_client()
        assert [post_json(client, url, {"n": n}).status_code for n in range(3)] == [202] * 3
    assert executions("acme") == 3


def test_payloads_over_the_merchants_size_limit_get_413(api, client):
    _, url = create_active_flow(api, HOOK)
    set_limits("acme", max_payload_bytes=100)
    assert post_json(client, url, {"note": "x" * 50}).status_code == 202
    big = post_json(client, url, {"note": "x" * 200})
    assert big.status_code == 413 and "at most 100" in big.get_json()["detail"]
    assert executions("acme") == 1


def test_a_merchant_at_its_concurrency_limit_keeps_the_rest_queued(app, api, other_api, client):
    _, url = create_active_flow(api, HOOK)
    _, other_url = create_active_flow(other_api, HOOK)
    set_limits("acme", max_concurrent_executions=2)
    for n in range(4):
        post_json(client, url, {"n": n})
    post_json(client, other_url, {"n": 1})

    first = claim_next()
    acme = merchant_named("acme").id
    claimed = db.session.scalars(
        select(Execution.merchant_id).where(Execution.id.in_([i for i, _ in first]))
    ).all()
    assert sorted(claimed).count(acme) == 2 and len(claimed) == 3  # acme's 2, globex's 1
    assert claim_next() == []  # acme is at its limit; its other two stay queued
    queued = select(func.count()).where(Execution.status == "queued")
    assert db.session.scalar(queued) == 2

    # One finishes: exactly one more may start.
    db.session.execute(
        update(Execution)
        .where(Execution.id == next(i for i, _ in first), Execution.merchant_id == acme)
        .values(status="succeeded")
    )
    db.session.commit()
    assert len(claim_next()) == 1 and db.session.scalar(queued) == 1


def test_waits_that_end_together_still_run_within_the_limit(app, api, client):
    """After a provider asked every execution to wait (429, Retry-After), they do not all
    resume at once past the merchant's limit."""
    _, url = create_active_flow(api, HOOK)
    set_limits("acme", max_concurrent_executions=2)
    for n in range(4):
        post_json(client, url, {"n": n})
    db.session.execute(
        update(Execution).values(status="waiting", queued_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    assert len(claim_next()) == 2
    assert claim_next() == []


def test_purge_deletes_old_finished_data_per_merchant_retention(api, other_api, client):
    acme_flow, url = create_active_flow(api, HOOK)
    _, other_url = create_active_flow(other_api, HOOK)
    set_limits("acme", retention_days=7)
    for n in range(5):
        post_json(client, url, {"n": n})
        post_json(client, other_url, {"n": n})
    ids = db.session.scalars(select(Execution.id).order_by(Execution.id)).all()
    now = utcnow()
    ten_days_ago = now - timedelta(days=10)
    db.session.execute(
        update(Execution).values(status="succeeded", created_at=ten_days_ago, queued_at=now)
    )
    # One old execution is still queued: it is never purged.
    db.session.execute(update(Execution).where(Execution.id == ids[0]).values(status="queued"))
    db.session.add_all(
        StepRun(execution_id=i, node_id="hook", status="succeeded", input={}, output={})
        for i in ids
    )
    db.session.add(
        RejectedEvent(
            merchant_id=merchant_named("acme").id,
            flow_id=acme_flow,
            node_id="hook",
            status_code=401,
            reason="bad signature",
            headers={},
            received_at=ten_days_ago,
        )
    )
    db.session.commit()

    counts = purge(batch_size=2)

    acme_left = executions("acme")
    kept_queued = db.session.get(Execution, ids[0])
    assert executions("globex") == 5  # 10 days is within globex's default 30
    assert acme_left == (1 if kept_queued.merchant_id == merchant_named("acme").id else 0)
    assert counts["executions"] == 5 - acme_left
    assert counts["step_runs"] == counts["executions"]
    assert counts["rejected_events"] == 1
    assert db.session.scalar(select(func.count()).select_from(StepRun)) == 10 - counts["step_runs"]
    # 31 days on, globex's go too (except the queued one).
    later = purge(now=now + timedelta(days=21))
    assert executions() == 1 and later["executions"] == 5 - (1 - acme_left)


def test_purge_deletes_old_cancelled_executions_too(api, client):
    _, url = create_active_flow(api, HOOK)
    execution_id = post_json(client, url, {}).get_json()["execution_id"]
    assert api.post(f"/api/executions/{execution_id}/cancel").status_code == 200
    long_ago = utcnow() - timedelta(days=40)
    db.session.execute(update(Execution).values(created_at=long_ago))
    db.session.commit()
    assert purge()["executions"] == 1
    assert executions() == 0

"""What Shopwire noticed, as the merchant meets it on the overview: an account its provider
keeps refusing (which, since when, what to do, the way to the flow and to the last refused
run), and a trigger gone quiet."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from app.extensions import db
from app.models import StepRun
from app.models.base import utcnow
from tests.conftest import create_credential, flow_document
from tests.e2e.test_editor import HOOK, create_flow
from tests.operations.test_alerts import event

REFUSED = {
    "type": "provider",
    "status": 401,
    "message": "Stripe says: Invalid API Key provided: sk_test_****",
    "node_id": "refund",
}


def test_the_overview_names_the_refused_account_and_what_to_do(page, demo_api, screenshots):
    credential = create_credential(demo_api, "stripe", {"api_key": "sk_test_old"}, "Payments")
    step = {"id": "refund", "type": "stripe.create_refund", "credential": credential,
            "params": {"payment_intent": "pi_1"}, "position": {"x": 300, "y": 0}}  # fmt: skip
    flow_id = create_flow(demo_api, flow_document(HOOK, step), name="Refunds")
    for seconds in (1, 2, 3):  # after the account was saved
        at = utcnow() + timedelta(seconds=seconds)
        last = event(flow_id, at, "failed")
        db.session.add(
            StepRun(execution_id=last, node_id="refund", status="failed", input={},
                    output=None, error=REFUSED, started_at=at, finished_at=at)
        )  # fmt: skip
    db.session.commit()

    page.reload()
    notice = page.get_by_test_id("account-problems")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("An account stopped working")
    expect(notice).to_contain_text("Stripe refused the account “Payments” in 3 runs in a row")
    expect(notice).to_contain_text(
        "What to do: its key or token was changed, revoked or has expired"
    )
    page.screenshot(path=screenshots / "account-problems.png")

    notice.get_by_role("link", name="Open the last refused run").click()
    page.wait_for_url(f"**/executions/{last}")
    page.go_back()
    page.get_by_test_id("account-problems").get_by_role("link", name="Refunds").click()
    page.wait_for_selector(".flow-node")


def test_the_overview_flags_a_trigger_gone_quiet(page, demo_api, screenshots):
    flow_id = create_flow(demo_api, flow_document(HOOK), name="Orders")
    demo_api.post(f"/api/flows/{flow_id}/activate")
    last = utcnow() - timedelta(hours=3)
    for minutes in range(50, -1, -10):  # an order every ten minutes, until three hours ago
        event(flow_id, last - timedelta(minutes=minutes))

    page.reload()
    row = page.locator(f"tr[data-flow='{flow_id}']")
    expect(row.get_by_test_id("quiet")).to_contain_text("Quiet: no event since")
    expect(row.get_by_test_id("quiet")).to_contain_text("one usually comes every 10 minutes")
    page.screenshot(path=screenshots / "quiet-trigger.png")

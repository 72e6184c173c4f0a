"""Shopware 6: client-credentials tokens, actions, and the new-order poll against a fake."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from app.runtime.provider_http import api_client
from app.runtime.timed_triggers import poll_flow
from nodes import shopware as connector
from nodes.kit import auth
from nodes.kit.registry import connector as registered_connector
from nodes.shopware import triggers
from nodes.shopware.fake import CLIENT_ID, CLIENT_SECRET, SHOP_URL, FakeShopware, minutes_ago
from nodes.shopware.triggers import new_orders
from tests.conftest import connected, create_active_flow, create_credential, flow_document, run_now

ORDER_ID = "0193a7c1c4b871f6a1d5e3c0b2a4f901"
PRODUCT_ID = "0193a7c1c4ba71f6a1d5e3c0b2a4f1c3"
CREDENTIAL = {"shop_url": SHOP_URL, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}


@pytest.fixture
def shop(app):
    with connected(app, "shopware", FakeShopware()) as fake:
        yield fake


def account(api, **data) -> str:
    return create_credential(api, "shopware", {**CREDENTIAL, **data}, "Shop")


def steps_flow(api, credential: str, *steps: dict, trigger: str = "core.manual") -> str:
    nodes = [{"id": "t", "type": trigger}]
    nodes += [{"credential": credential, **step} for step in steps]
    created = api.post("/api/flows", json={"name": "Shopware", "graph": flow_document(*nodes)})
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"]


GET = {"id": "get", "type": "shopware.get_order", "mapping": {"id": "trigger.order"}}
COMPLETE = {
    "id": "state",
    "type": "shopware.set_order_state",
    "params": {"transition": "process"},
    "mapping": {"id": "steps.get.id"},
}
STOCK = {
    "id": "stock",
    "type": "shopware.update_stock",
    "mapping": {"id": "trigger.product", "stock": "trigger.stock"},
}


def bearer_tokens(shop) -> list[str]:
    return [r.header("Authorization") for r in shop.requests if r.path != "/api/oauth/token"]


# Tokens


def test_one_token_serves_every_step_and_the_requests_are_as_documented(api, run_queue, shop):
    flow_id = steps_flow(api, account(api), GET, COMPLETE, STOCK)
    done = run_now(api, run_queue, flow_id, {"order": ORDER_ID, "product": PRODUCT_ID, "stock": 12})
    assert done["status"] == "succeeded", done

    token, search, transition, patch = shop.requests
    assert (token.method, token.path, token.json()) == (
        "POST",
        "/api/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    assert token.header("Authorization") is None
    assert (search.method, search.path) == ("POST", "/api/search/order")
    assert search.json() == {"ids": [ORDER_ID], "associations": connector.ORDER_ASSOCIATIONS}
    assert search.header("Accept") == "application/json"
    assert (transition.method, transition.path) == (
        "POST",
        f"/api/_action/order/{ORDER_ID}/state/process",
    )
    assert (patch.method, patch.path, patch.json()) == (
        "PATCH",
        f"/api/product/{PRODUCT_ID}",
        {"stock": 12},
    )
    assert len(set(bearer_tokens(shop))) == 1 and shop.token_requests == 1

    outputs = {step["node_id"]: step.get("output") for step in done["steps"]}
    assert outputs["get"]["orderNumber"] == "10042"
    assert outputs["state"]["technicalName"] == "in_progress"
    assert outputs["stock"] == {"id": PRODUCT_ID, "stock": 12}
    assert shop.products[PRODUCT_ID]["stock"] == 12


def test_a_token_is_fetched_again_shortly_before_it_expires(api, run_queue, shop, monkeypatch):
    flow_id = steps_flow(api, account(api), GET)
    assert run_now(api, run_queue, flow_id, {"order": ORDER_ID})["status"] == "succeeded"
    assert run_now(api, run_queue, flow_id, {"order": ORDER_ID})["status"] == "succeeded"
    assert shop.token_requests == 1
    # 541 s later the 600 s token has less than the 60 s margin left: a new one is fetched
    later = time.monotonic() + 541
    monkeypatch.setattr(auth.TOKENS, "clock", lambda: later)
    assert run_now(api, run_queue, flow_id, {"order": ORDER_ID})["status"] == "succeeded"

    assert shop.token_requests == 2
    first, second, third = bearer_tokens(shop)
    assert first == second != third


def test_a_refused_token_is_replaced_once_then_the_refusal_stands(api, run_queue, shop):
    flow_id = steps_flow(api, account(api), GET)
    assert run_now(api, run_queue, flow_id, {"order": ORDER_ID})["status"] == "succeeded"
    shop.expire_tokens()  # e.g. the integration was edited: Shopware forgets its tokens
    done = run_now(api, run_queue, flow_id, {"order": ORDER_ID})
    assert done["status"] == "succeeded", done
    assert [r.path for r in shop.requests] == [
        "/api/oauth/token",
        "/api/search/order",
        "/api/search/order",  # 401
        "/api/oauth/token",
        "/api/search/order",
    ]

    shop.expire_tokens()
    shop.expires_in = 0  # and every token Shopware issues from now on is refused at once
    failed = run_now(api, run_queue, flow_id, {"order": ORDER_ID})
    error = failed["steps"][1]["error"]
    assert "Shopware 6 says: Access token could not be verified. (9)" in error["message"]
    assert "enter it again" in error["hint"]
    assert [r.path for r in shop.requests[5:]] == [
        "/api/search/order",  # 401
        "/api/oauth/token",
        "/api/search/order",  # 401 again: reported
    ]
    assert shop.token_requests == 3  # one fresh token after the refusal, no loop


def test_a_wrong_secret_is_reported_from_the_token_endpoint(api, run_queue, shop):
    flow_id = steps_flow(api, account(api, client_secret="wrong"), GET)
    failed = run_now(api, run_queue, flow_id, {"order": ORDER_ID})
    error = failed["steps"][1]["error"]
    assert error["status"] == 401
    assert "Shopware 6 says: Client authentication failed (4)" in error["message"]
    assert [r.path for r in shop.requests] == ["/api/oauth/token"]


def test_test_connection_reads_the_version(app, shop):
    assert registered_connector("shopware").test(
        api_client(registered_connector("shopware"), CREDENTIAL)
    ) == {"version": "6.6.3.1"}


# Actions: refusals and rate limits


def test_an_unknown_order_says_so(api, run_queue, shop):
    flow_id = steps_flow(api, account(api), GET)
    failed = run_now(api, run_queue, flow_id, {"order": "f" * 32})
    error = failed["steps"][1]["error"]
    assert error["type"] == "provider" and error["status"] == 404
    assert f"Shopware has no order with id {'f' * 32}." == error["message"]
    assert error["hint"].startswith("The record was not found")


def test_an_illegal_transition_and_an_unknown_product_carry_shopwares_message(api, run_queue, shop):
    credential = account(api)
    complete = {
        **COMPLETE,
        "params": {"transition": "complete"},
        "mapping": {"id": "trigger.order"},
    }
    failed = run_now(api, run_queue, steps_flow(api, credential, complete), {"order": ORDER_ID})
    error = failed["steps"][1]["error"]
    assert error["status"] == 400
    assert (
        'Shopware 6 says: Illegal transition "complete" from state "open". Possible transitions '
        "are: process, cancel (SYSTEM__ILLEGAL_STATE_TRANSITION)" in error["message"]
    )

    missing = run_now(
        api, run_queue, steps_flow(api, credential, STOCK), {"product": "e" * 32, "stock": 1}
    )
    error = missing["steps"][1]["error"]
    assert error["status"] == 404 and "FRAMEWORK__RESOURCE_NOT_FOUND" in error["message"]


def test_a_rate_limited_request_is_retried(api, run_queue, shop):
    flow_id = steps_flow(api, account(api), STOCK)
    run_now(api, run_queue, flow_id, {"product": PRODUCT_ID, "stock": 1})  # token fetched
    shop.rate_limit_next(retry_after=1)
    done = run_now(api, run_queue, flow_id, {"product": PRODUCT_ID, "stock": 5})

    assert done["status"] == "succeeded", done
    assert done["steps"][1]["attempts"] == 2
    assert shop.products[PRODUCT_ID]["stock"] == 5


# Polling for new orders


def poll(cursor):
    return new_orders(api_client(registered_connector("shopware"), CREDENTIAL), cursor)


def test_the_first_poll_starts_at_the_newest_order_and_later_polls_return_new_ones(app, shop):
    items, cursor = poll(None)
    assert items == [] and cursor.endswith(f"|{ORDER_ID}")
    newest_first = shop.requests[-1].json()
    assert newest_first["limit"] == 1
    assert newest_first["sort"][0] == {"field": "createdAt", "order": "DESC"}

    second = shop.add_order(minutes_ago(1), "10044")
    first = shop.add_order(minutes_ago(2), "10043")
    items, cursor = poll(cursor)
    assert [o["orderNumber"] for o in items] == ["10043", "10044"]
    assert cursor == f"{second['createdAt']}|{second['id']}"
    sent = shop.requests[-1].json()
    assert sent["filter"] == [
        {
            "type": "range",
            "field": "createdAt",
            "parameters": {"gte": "2024-05-14T09:12:44.456+00:00"},
        }
    ]
    assert sent["sort"] == [{"field": "createdAt", "order": "ASC"}, {"field": "id", "order": "ASC"}]
    assert sent["associations"] == connector.ORDER_ASSOCIATIONS

    assert poll(cursor) == ([], cursor)
    # an order of the very same millisecond as the last one seen is not lost
    twin = shop.add_order(datetime.fromisoformat(second["createdAt"]), "10045", id="f" * 32)
    items, _ = poll(cursor)
    assert [o["id"] for o in items] == [twin["id"]]
    assert first["id"] != twin["id"]


def test_an_empty_shop_reports_its_first_order_and_pages_are_followed(app, shop, monkeypatch):
    shop.orders.clear()
    items, cursor = poll(None)
    assert (items, cursor) == ([], "")
    monkeypatch.setattr(triggers, "PAGE_SIZE", 2)
    numbers = [str(10050 + n) for n in range(5)]
    for n, number in enumerate(numbers):
        shop.add_order(minutes_ago(10 - n), number)
    items, cursor = poll(cursor)
    assert [o["orderNumber"] for o in items] == numbers
    assert poll(cursor) == ([], cursor)


# End to end: the scheduler polls the shop, each new order runs the flow once


def test_a_polled_order_runs_a_flow_that_moves_it_to_in_progress(api, run_queue, shop):
    credential = account(api)
    trigger = {
        "id": "t",
        "type": "shopware.order_placed",
        "credential": credential,
        "params": {"schedule": {"interval_minutes": 5}},
    }
    mark = {**COMPLETE, "credential": credential, "mapping": {"id": "trigger.id"}}
    flow_id, _ = create_active_flow(api, flow_document(trigger, mark))

    assert poll_flow(flow_id) == 0  # the first poll only marks where new orders begin
    order = shop.add_order(minutes_ago(0), "10046")
    assert poll_flow(flow_id) == 1
    assert poll_flow(flow_id) == 0  # polled again: the order does not start twice
    run_queue()

    (execution,) = api.get(f"/api/executions?flow_id={flow_id}").get_json()["executions"]
    done = api.get(f"/api/executions/{execution['id']}").get_json()
    assert done["status"] == "succeeded", done
    assert done["steps"][0]["output"]["orderNumber"] == "10046"
    assert shop.orders[order["id"]]["stateMachineState"]["technicalName"] == "in_progress"
    assert shop.requests[-1].path == f"/api/_action/order/{order['id']}/state/process"

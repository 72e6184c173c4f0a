"""JTL-Wawi: orders into the Wawi, stock read back, and stock and order status polled, against
a local fake of its REST server."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Execution
from app.runtime import timed_triggers
from nodes.jtl_wawi import APP_ID, SCOPES
from nodes.jtl_wawi.fake import API_KEY, FakeWawi
from nodes.kit import registry
from nodes.kit.base import NodeContext, ProviderError, TransientError
from nodes.kit.client import ApiClient
from nodes.kit.guarded_http import guarded_session
from nodes.kit.store import TriggerStore
from tests.conftest import connected, create_active_flow, create_credential, flow_document, run_now

ADDRESS = {
    "first_name": "Anna",
    "last_name": "Weber",
    "street": "Hauptstraße 5",
    "postal_code": "10115",
    "city": "Berlin",
    "country": "DE",
    "email": "anna@example.com",
}
LINES = [
    {"sku": "TS-BLK-M", "name": "T-Shirt", "quantity": 2, "price_gross": 19.99, "tax_rate": 19},
    {"sku": "BK-1", "name": "Buch", "quantity": 1, "price_gross": 12.0, "tax_rate": 7},
]
ORDER = {"customer_id": 123, "external_number": "#1001", "billing_address": ADDRESS, "lines": LINES}


@pytest.fixture
def wawi():
    with FakeWawi() as fake:
        yield fake


def test_an_order_goes_in_with_its_lines_and_the_apps_headers(wawi):
    order = wawi.run("jtl_wawi.create_sales_order", {**ORDER, "comment": "Geschenk"})
    assert order["ExternalNumber"] == "#1001"
    assert [line["SKU"] for line in order["LineItems"]] == ["TS-BLK-M", "BK-1"]

    lookup, create, first, second = wawi.requests
    for request in wawi.requests:
        assert request.header("Authorization") == f"Wawi {API_KEY}"
        assert request.header("x-appid") == APP_ID
        assert request.header("x-appversion") == "1.0.0"
        assert request.header("api-version") == "1.0"
    assert lookup.path == (
        "/api/eazybusiness/salesOrders?externalNumber=%231001&pageNumber=1&pageSize=1"
    )
    assert (create.method, create.path) == ("POST", "/api/eazybusiness/salesOrders")
    billing = {
        "FirstName": "Anna",
        "LastName": "Weber",
        "Street": "Hauptstraße 5",
        "PostalCode": "10115",
        "City": "Berlin",
        "CountryIso": "DE",
        "EmailAddress": "anna@example.com",
    }
    assert create.json() == {
        "CustomerId": 123,
        "ExternalNumber": "#1001",
        "BillingAddress": billing,
        "Shipmentaddress": billing,
        "SalesOrderPaymentDetails": {"CurrencyIso": "EUR"},
        "Comment": "Geschenk",
    }
    assert first.path == f"/api/eazybusiness/salesOrders/{order['Id']}/lineitems"
    assert first.json() == {
        "SKU": "TS-BLK-M",
        "Name": "T-Shirt",
        "Quantity": 2,
        "SalesPriceGross": 19.99,
        "TaxRate": 19,
    }
    assert second.json()["SKU"] == "BK-1"


def test_an_interrupted_order_is_completed_not_made_twice(wawi):
    order = wawi.add_order(ExternalNumber="#1001")
    wawi.lines[order["Id"]].append({"Id": 1, "SKU": "TS-BLK-M"})  # the first line got in
    done = wawi.run("jtl_wawi.create_sales_order", ORDER)
    assert done["Id"] == order["Id"]
    posts = [r for r in wawi.requests if r.method == "POST"]
    assert [p.json()["SKU"] for p in posts] == ["BK-1"]
    assert [line["SKU"] for line in wawi.lines[order["Id"]]] == ["TS-BLK-M", "BK-1"]


def test_validation_errors_name_the_fields(wawi):
    wawi.fail_next(200, {"TotalItems": 0, "PageNumber": 1, "PageSize": 1, "Items": []})
    wawi.fail_next(400, wawi.invalid({"BillingAddress.CountryIso": ["Unknown country XX."]}))
    with pytest.raises(ProviderError) as refused:
        wawi.run("jtl_wawi.create_sales_order", ORDER)
    assert refused.value.status == 400
    assert "JTL-Wawi says: Unknown country XX." in refused.value.message


def test_a_wrong_key_and_a_missing_licence_say_what_to_do(wawi):
    wawi.account = {**wawi.account, "api_key": "00000000-0000-0000-0000-000000000000"}
    with pytest.raises(ProviderError) as refused:
        wawi.run("jtl_wawi.get_stock", {"item_id": 77})
    assert "JTL-Wawi says: Invalid credentials (401)" in refused.value.message
    assert "register Shopwire again in JTL-Wawi" in refused.value.hint

    wawi.account = FakeWawi.account
    wawi.fail_next(402, wawi.error(402, "No licence available."))
    with pytest.raises(ProviderError) as unlicensed:
        wawi.run("jtl_wawi.get_stock", {"item_id": 77})
    assert (
        unlicensed.value.hint == "JTL-Wawi has no licence for the app, or JTL has not approved it."
    )


def test_stock_is_summed_over_locations_and_pages(wawi):
    for location in range(5, 255):
        wawi.set_stock(77, 1, 1, location=location)
    stock = wawi.run("jtl_wawi.get_stock", {"item_id": 77, "warehouse_id": 1})
    assert stock["quantity"] == 25 + 250 and len(stock["locations"]) == 251
    assert [r.path.split("pageNumber=")[1] for r in wawi.requests] == [
        "1&pageSize=100",
        "2&pageSize=100",
        "3&pageSize=100",
    ]
    assert "itemId=77&warehouseId=1" in wawi.requests[0].path


def test_a_rate_limit_reply_is_retried_after_the_time_it_names(wawi):
    wawi.rate_limit_next(retry_after=2)
    with pytest.raises(TransientError) as slowed:
        wawi.run("jtl_wawi.get_stock", {"item_id": 77})
    assert slowed.value.retry_after == 2


# Polling: compared with the last poll, each change once


def poll(fake: FakeWawi, key: str, stored: dict | None, params: dict | None = None):
    """One poll of trigger ``key`` as the app runs it, from what the last one stored."""
    spec = registry.get(key, 1)
    session = guarded_session(allow_private=True, timeout=5.0)
    api = ApiClient(spec.connector, session, fake.account, origin=fake.origin)
    store = TriggerStore(stored)
    ctx = NodeContext("poll", "t", session, credential=fake.account, api=api, store=store)
    found = spec.poll(ctx, {"schedule": {"interval_minutes": 10}, **(params or {})})
    return found, {**(stored or {}), **store.changed}


def test_a_stock_change_starts_once_and_a_return_to_the_old_level_again(wawi):
    found, stored = poll(wawi, "jtl_wawi.stock_changed", None)
    assert found == []  # the first poll remembers the levels
    wawi.set_stock(77, 1, 23)
    found, stored_after = poll(wawi, "jtl_wawi.stock_changed", stored)
    assert found == [
        ("77:1@1", {"ItemId": 77, "WarehouseId": 1, "Quantity": 23, "PreviousQuantity": 25})
    ]
    # polled again from the old memory (a crash before it was saved): the same item id
    assert poll(wawi, "jtl_wawi.stock_changed", stored)[0][0][0] == "77:1@1"
    assert poll(wawi, "jtl_wawi.stock_changed", stored_after)[0] == []
    wawi.set_stock(77, 1, 25)
    wawi.set_stock(78, 2, 5)  # a new item in another warehouse
    found, _ = poll(wawi, "jtl_wawi.stock_changed", stored_after)
    assert [item_id for item_id, _ in found] == ["77:1@2", "78:2@1"]
    assert found[1][1]["PreviousQuantity"] is None


def test_an_order_paid_in_the_wawi_starts_once_with_its_status_before(wawi):
    found, stored = poll(wawi, "jtl_wawi.order_status_changed", None)
    assert found == []
    new = wawi.add_order()
    found, stored = poll(wawi, "jtl_wawi.order_status_changed", stored)
    assert found == []  # a new order is no change of status
    wawi.set_payment_status(new["Id"], 2)
    found, stored = poll(wawi, "jtl_wawi.order_status_changed", stored)
    ((item_id, order),) = found
    assert item_id == f"{new['Id']}@1"
    assert order["Status"]["PaymentStatus"] == 2
    assert order["PreviousStatus"]["PaymentStatus"] == 0
    assert poll(wawi, "jtl_wawi.order_status_changed", stored)[0] == []


def test_a_polled_stock_change_runs_the_flow_once(app, api):
    with connected(app, "jtl_wawi", FakeWawi()) as wawi:
        credential = create_credential(api, "jtl_wawi", FakeWawi.account, "Wawi")
        trigger = {
            "id": "t",
            "type": "jtl_wawi.stock_changed",
            "credential": credential,
            "params": {"schedule": {"interval_minutes": 10}},
        }
        flow_id, _ = create_active_flow(api, flow_document(trigger))
        assert timed_triggers.poll_flow(flow_id) == 0
        wawi.set_stock(77, 1, 20)
        assert timed_triggers.poll_flow(flow_id) == 1
        assert timed_triggers.poll_flow(flow_id) == 0
        rows = db.session.scalars(select(Execution).where(Execution.flow_id == flow_id)).all()
        assert [json.loads(row.raw_body)["Quantity"] for row in rows] == [20]


def test_the_setup_help_names_the_app_id_and_scopes():
    help_text = registry.connector("jtl_wawi").auth["properties"]["api_key"]["description"]
    assert APP_ID in help_text and all(scope in help_text for scope in SCOPES)
    assert "Admin → App registration" in help_text


def test_the_newest_orders_are_watched_at_whichever_end_jtl_lists_them(wawi, monkeypatch):
    from nodes.jtl_wawi import triggers

    monkeypatch.setattr(triggers, "PAGE_SIZE", 2)
    monkeypatch.setattr(triggers, "ORDER_PAGES", 2)
    orders = [wawi.add_order() for _ in range(6)]  # 7 orders, oldest first: 4 pages
    _, stored = poll(wawi, "jtl_wawi.order_status_changed", None)
    pages = [r.path.split("pageNumber=")[1].split("&")[0] for r in wawi.requests]
    assert pages == ["1", "3", "4"]  # page 1 tells the order, then the last two pages
    wawi.set_payment_status(orders[-1]["Id"], 1)
    found, _ = poll(wawi, "jtl_wawi.order_status_changed", stored)
    assert [order["Id"] for _, order in found] == [orders[-1]["Id"]]


def test_a_shop_order_runs_into_the_wawi_through_a_flow(app, api, run_queue):
    with connected(app, "jtl_wawi", FakeWawi()) as wawi:
        credential = create_credential(api, "jtl_wawi", FakeWawi.account, "Wawi")
        billing = (
            "{first_name: trigger.billing.first_name, last_name: trigger.billing.last_name, "
            "street: trigger.billing.address1, postal_code: trigger.billing.zip, "
            "city: trigger.billing.city, country: trigger.billing.country_code}"
        )
        customer = {
            "id": "customer",
            "type": "jtl_wawi.find_or_create_customer",
            "credential": credential,
            "mapping": {
                "number": "join('', ['SHOP-', to_string(trigger.customer_id)])",
                "billing_address": billing,
            },
        }
        step = {
            "id": "wawi",
            "type": "jtl_wawi.create_sales_order",
            "credential": credential,
            "mapping": {
                "customer_id": "steps.customer.Id",
                "external_number": "trigger.name",
                "billing_address": billing,
                "lines": "trigger.line_items[].{sku: sku, name: title, quantity: quantity, "
                "price_gross: to_number(price), tax_rate: `19`}",
            },
        }
        graph = flow_document({"id": "t", "type": "core.manual"}, customer, step)
        created = api.post("/api/flows", json={"name": "Orders to JTL", "graph": graph})
        assert created.status_code == 201, created.get_json()
        order = {
            "name": "#1001",
            "customer_id": 42,
            "billing": {
                "first_name": "Anna",
                "last_name": "Weber",
                "address1": "Hauptstraße 5",
                "zip": "10115",
                "city": "Berlin",
                "country_code": "DE",
            },
            "line_items": [
                {"sku": "TS-BLK-M", "title": "T-Shirt", "quantity": 2, "price": "19.99"}
            ],
        }
        done = run_now(api, run_queue, created.get_json()["id"], order)
        assert done["status"] == "succeeded", done
        (made,) = [o for o in wawi.orders.values() if o["ExternalNumber"] == "#1001"]
        assert made["CustomerId"] == wawi.customers[-1]["Id"]
        assert wawi.customers[-1]["Number"] == "SHOP-42"
        assert [line["SKU"] for line in wawi.lines[made["Id"]]] == ["TS-BLK-M"]


def test_a_customer_is_found_by_number_or_made_with_the_billing_address(wawi):
    made = wawi.run(
        "jtl_wawi.find_or_create_customer", {"number": "SHOP-42", "billing_address": ADDRESS}
    )
    lookup, create = wawi.requests
    assert lookup.path == "/api/eazybusiness/customers?number=SHOP-42&pageNumber=1&pageSize=1"
    assert (create.method, create.path) == ("POST", "/api/eazybusiness/customers")
    assert create.json() == {
        "Number": "SHOP-42",
        "CustomerGroupId": 1,
        "BillingAddress": {
            "FirstName": "Anna",
            "LastName": "Weber",
            "Street": "Hauptstraße 5",
            "PostalCode": "10115",
            "City": "Berlin",
            "CountryIso": "DE",
            "EmailAddress": "anna@example.com",
        },
    }
    again = wawi.run(
        "jtl_wawi.find_or_create_customer", {"number": "SHOP-42", "billing_address": ADDRESS}
    )
    assert again["Id"] == made["Id"] and len(wawi.requests) == 3

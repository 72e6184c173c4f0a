"""sevDesk: contacts, invoices through the invoice factory, payments, errors and rate limits,
and the invoice poll that starts once per change, against a local fake."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.flows.lifecycle import version_graph
from app.models import Execution
from app.runtime import timed_triggers
from app.runtime.provider_http import api_client
from app.runtime.queue import redis_connection
from nodes.kit.base import ProviderError, TransientError, UserError
from nodes.kit.registry import connector
from nodes.sevdesk.fake import API_TOKEN, FakeSevdesk
from tests.conftest import connected, create_active_flow, create_credential, flow_document, run_now

LINES = [
    {"name": "T-Shirt", "quantity": 2, "price": 19.99, "tax_rate": 19},
    {"name": "Buch", "quantity": 1, "price": 12.0, "tax_rate": 7},
    {"name": "Versand", "quantity": 1, "price": 4.9, "tax_rate": 19},
]
INVOICE = {"contact_id": 1, "contact_person": 1, "invoice_date": "2024-04-08", "positions": LINES}


@pytest.fixture
def sevdesk():
    with FakeSevdesk() as fake:
        yield fake


def test_a_contact_is_created_with_the_token_as_it_is_and_found_again_by_number(sevdesk):
    contact = sevdesk.run(
        "sevdesk.create_contact",
        {"first_name": "Anna", "last_name": "Weber", "customer_number": "SHOP-1001"},
    )
    assert contact["familyname"] == "Weber" and contact["category"]["id"] == "3"
    lookup, create = sevdesk.requests
    assert lookup.path == "/api/v1/Contact?customerNumber=SHOP-1001&depth=1"
    assert (create.method, create.path) == ("POST", "/api/v1/Contact")
    assert create.header("Authorization") == API_TOKEN  # no "Bearer"
    assert create.json() == {
        "surename": "Anna",
        "familyname": "Weber",
        "customerNumber": "SHOP-1001",
        "category": {"id": 3, "objectName": "Category"},
    }
    again = sevdesk.run(
        "sevdesk.create_contact", {"last_name": "Weber", "customer_number": "SHOP-1001"}
    )
    assert again["id"] == contact["id"] and len(sevdesk.requests) == 3
    with pytest.raises(UserError, match="organisation or a person's last name"):
        sevdesk.run("sevdesk.create_contact", {"first_name": "Anna"})


def test_an_invoice_goes_through_the_factory_as_the_spec_describes_it(sevdesk):
    saved = sevdesk.run(
        "sevdesk.create_invoice",
        {
            **INVOICE,
            "header": "Bestellung #1001",
            "time_to_pay": 14,
            "address": "Anna Weber\nHauptstraße 5\n10115 Berlin",
        },
    )
    assert saved["invoice"]["invoiceNumber"] == "RE-1002"
    assert [p["name"] for p in saved["invoicePos"]] == ["T-Shirt", "Buch", "Versand"]
    (sent,) = sevdesk.requests
    assert (sent.method, sent.path) == ("POST", "/api/v1/Invoice/Factory/saveInvoice")
    body = sent.json()
    assert body["invoice"] == {
        "objectName": "Invoice",
        "mapAll": True,
        "invoiceDate": "2024-04-08",
        "contact": {"id": 1, "objectName": "Contact"},
        "contactPerson": {"id": 1, "objectName": "SevUser"},
        "addressCountry": {"id": 1, "objectName": "StaticCountry"},
        "taxRule": {"id": "1", "objectName": "TaxRule"},
        "discount": 0,
        "status": "100",
        "invoiceType": "RE",
        "currency": "EUR",
        "address": "Anna Weber\nHauptstraße 5\n10115 Berlin",
        "header": "Bestellung #1001",
        "timeToPay": 14,
    }
    assert body["invoicePosSave"][1] == {
        "objectName": "InvoicePos",
        "mapAll": True,
        "name": "Buch",
        "quantity": 1,
        "price": 12.0,
        "taxRate": 7,
        "unity": {"id": 1, "objectName": "Unity"},
    }


def test_a_tax_rate_the_rule_does_not_allow_is_named_before_sevdesk_is_asked(sevdesk):
    with pytest.raises(UserError) as refused:
        sevdesk.run("sevdesk.create_invoice", {**INVOICE, "tax_rule": 2})
    assert refused.value.message == "Line 1 has 19 % tax, but tax rule 2 allows only 0 %."
    assert refused.value.field == "positions.0.tax_rate"
    assert sevdesk.requests == []
    non_eu = [{**line, "tax_rate": 0} for line in LINES]
    saved = sevdesk.run("sevdesk.create_invoice", {**INVOICE, "tax_rule": 2, "positions": non_eu})
    assert saved["invoice"]["taxRule"]["id"] == "2"


def test_an_invoice_with_a_reference_is_made_once(sevdesk):
    params = {**INVOICE, "reference": "#1001"}
    first = sevdesk.run("sevdesk.create_invoice", params)
    again = sevdesk.run("sevdesk.create_invoice", params)  # the step retried
    assert again["invoice"]["id"] == first["invoice"]["id"]
    assert len(again["invoicePos"]) == 3
    posts = [r for r in sevdesk.requests if r.method == "POST"]
    assert len(posts) == 1
    lookup = sevdesk.requests[-2]
    assert lookup.path.startswith("/api/v1/Invoice?contact%5Bid%5D=1&contact%5BobjectName%5D")


def test_a_payment_is_booked_on_the_invoice(sevdesk):
    invoice = sevdesk.add_invoice(status="200", sumGross="119")
    log = sevdesk.run(
        "sevdesk.book_payment",
        {"invoice_id": int(invoice["id"]), "amount": 119, "date": "2024-04-10", "check_account": 5},
    )
    assert log["toStatus"] == "1000" and sevdesk.invoices[invoice["id"]]["status"] == "1000"
    (sent,) = sevdesk.requests
    assert (sent.method, sent.path) == ("PUT", f"/api/v1/Invoice/{invoice['id']}/bookAmount")
    assert sent.json() == {
        "amount": 119,
        "date": 1712707200,
        "type": "N",
        "checkAccount": {"id": 5, "objectName": "CheckAccount"},
        "createFeed": True,
    }


def test_sevdesk_errors_are_told_in_its_words_with_the_id_for_its_support(sevdesk):
    draft = sevdesk.add_invoice()
    with pytest.raises(ProviderError) as refused:
        sevdesk.run(
            "sevdesk.book_payment",
            {"invoice_id": int(draft["id"]), "amount": 1, "date": "2024-04-10", "check_account": 5},
        )
    message = refused.value.message
    assert "sevDesk says: Draft invoices can not be booked. Send it first." in message
    assert "[exceptionUUID " in message and refused.value.status == 400

    sevdesk.fail_next(422, sevdesk.error(422, "Tax rate is not allowed for this tax rule."))
    with pytest.raises(ProviderError) as tax:
        sevdesk.run("sevdesk.create_invoice", INVOICE)
    assert tax.value.hint.startswith("sevDesk refused the combination of tax rule")

    sevdesk.account = {"api_token": "0" * 32}
    with pytest.raises(ProviderError) as wrong:
        sevdesk.run("sevdesk.create_invoice", INVOICE)
    assert "sevDesk says: Authentication required" in wrong.value.message
    assert "enter it again" in wrong.value.hint


def test_a_rate_limit_reply_is_retried_after_the_time_it_names(sevdesk):
    sevdesk.rate_limit_next(retry_after=3)
    with pytest.raises(TransientError) as slowed:
        sevdesk.run("sevdesk.create_contact", {"organisation": "Weber GmbH"})
    assert slowed.value.retry_after == 3


def test_users_and_payment_accounts_are_the_choices_of_their_fields(app):
    with connected(app, "sevdesk", FakeSevdesk()) as sevdesk:
        sev = connector("sevdesk")
        api = api_client(sev, sevdesk.account)
        assert sev.options["users"](api) == [{"value": 1, "label": "Anna Weber"}]
        assert sev.options["check_accounts"](api) == [{"value": 5, "label": "Geschäftskonto"}]
        assert sev.test(api) == "Bookkeeping 2.0"


# Polling: every new or changed invoice once, across crashes and restarts


def polling_flow(api, **params) -> str:
    credential = create_credential(api, "sevdesk", {"api_token": API_TOKEN}, "sevDesk")
    trigger = {
        "id": "t",
        "type": "sevdesk.invoice_changed",
        "credential": credential,
        "params": {"schedule": {"interval_minutes": 15}, **params},
    }
    flow_id, _ = create_active_flow(api, flow_document(trigger))
    return flow_id


def emitted(flow_id) -> list[tuple[str, str]]:
    rows = db.session.scalars(
        select(Execution).where(Execution.flow_id == flow_id).order_by(Execution.created_at)
    ).all()
    payloads = [json.loads(row.raw_body) for row in rows]
    return [(payload["id"], payload["status"]) for payload in payloads]


@pytest.fixture
def polled(app):
    with connected(app, "sevdesk", FakeSevdesk()) as fake:
        yield fake


def test_each_new_or_changed_invoice_starts_the_flow_once(api, polled):
    flow_id = polling_flow(api)
    assert timed_triggers.poll_flow(flow_id) == 0  # the first poll marks where "new" begins
    first = polled.requests[-1]
    assert first.path == (
        "/api/v1/Invoice?limit=100&offset=0&orderBy%5B0%5D%5Bfield%5D=update"
        "&orderBy%5B0%5D%5Barrangement%5D=desc&embed=contact"
    )
    made = polled.add_invoice()
    assert timed_triggers.poll_flow(flow_id) == 1
    assert timed_triggers.poll_flow(flow_id) == 0
    polled.change_invoice(made["id"], status="200")  # sent to the customer
    polled.change_invoice("1", status="1000")  # an old invoice paid
    assert timed_triggers.poll_flow(flow_id) == 2
    assert emitted(flow_id) == [(made["id"], "100"), (made["id"], "200"), ("1", "1000")]


def test_a_crash_before_the_cursor_is_saved_and_a_restart_start_nothing_twice(
    app_config, api, polled, monkeypatch
):
    flow_id = polling_flow(api)
    timed_triggers.poll_flow(flow_id)
    polled.add_invoice()
    real_remember = timed_triggers._remember

    def crash(flow, name, value):
        if name == "cursor":
            raise RuntimeError("worker killed")
        real_remember(flow, name, value)

    monkeypatch.setattr(timed_triggers, "_remember", crash)
    with pytest.raises(RuntimeError):
        timed_triggers.poll_flow(flow_id)
    monkeypatch.setattr(timed_triggers, "_remember", real_remember)
    assert timed_triggers.poll_flow(flow_id) == 0  # polled again from the old cursor
    assert len(emitted(flow_id)) == 1

    # A new process: nothing cached, Redis emptied; only the database remembers.
    redis_connection().flushdb()
    version_graph.cache_clear()
    restarted = create_app(app_config)
    restarted.config["SHOPWIRE_CONNECTOR_ORIGINS"] = {"sevdesk": polled.origin}
    with restarted.app_context():
        assert timed_triggers.poll_flow(flow_id) == 0
        polled.add_invoice()
        assert timed_triggers.poll_flow(flow_id) == 1
        assert len(emitted(flow_id)) == 2


def test_a_long_backlog_is_read_newest_first_and_stops_at_what_was_seen(api, polled, monkeypatch):
    from nodes.sevdesk import triggers

    monkeypatch.setattr(triggers, "PAGE_SIZE", 2)
    flow_id = polling_flow(api, status="draft")
    timed_triggers.poll_flow(flow_id)
    assert len(polled.requests) == 1  # one page sets the cursor
    assert "status=100" in polled.requests[0].path
    for _ in range(3):
        polled.add_invoice()
    assert timed_triggers.poll_flow(flow_id) == 3
    # page 1 and 2 hold the three new ones; page 2 reaches the invoice seen before: stop
    pages = polled.requests[1:]
    assert [r.path.split("offset=")[1].split("&")[0] for r in pages] == ["0", "2"]


def test_a_shop_order_becomes_a_contact_and_an_invoice_with_shipping_as_a_line(app, api, run_queue):
    with connected(app, "sevdesk", FakeSevdesk()) as fake:
        credential = create_credential(api, "sevdesk", {"api_token": API_TOKEN}, "sevDesk")
        contact = {
            "id": "contact",
            "type": "sevdesk.create_contact",
            "credential": credential,
            "mapping": {
                "first_name": "trigger.customer.first_name",
                "last_name": "trigger.customer.last_name",
                "customer_number": "join('', ['SHOP-', to_string(trigger.customer.id)])",
            },
        }
        invoice = {
            "id": "invoice",
            "type": "sevdesk.create_invoice",
            "credential": credential,
            "params": {"contact_person": 1, "invoice_date": "2024-04-08"},
            "mapping": {
                "contact_id": "to_number(steps.contact.id)",
                "reference": "trigger.name",
                "positions": "[trigger.line_items[].{name: title, quantity: quantity, "
                "price: to_number(price), tax_rate: `19`}, [{name: 'Versand', quantity: `1`, "
                "price: to_number(trigger.shipping), tax_rate: `19`}]] | []",
            },
        }
        graph = flow_document({"id": "t", "type": "core.manual"}, contact, invoice)
        created = api.post("/api/flows", json={"name": "Invoices", "graph": graph})
        assert created.status_code == 201, created.get_json()
        order = {
            "name": "#1001",
            "customer": {"id": 7, "first_name": "Anna", "last_name": "Weber"},
            "line_items": [{"title": "T-Shirt", "quantity": 2, "price": "19.99"}],
            "shipping": "4.90",
        }
        done = run_now(api, run_queue, created.get_json()["id"], order)
        assert done["status"] == "succeeded", done
        saved = fake.requests[-1].json()
        assert [p["name"] for p in saved["invoicePosSave"]] == ["T-Shirt", "Versand"]
        assert saved["invoice"]["contact"] == {"id": 2, "objectName": "Contact"}
        assert saved["invoice"]["customerInternalNote"] == "#1001"


def test_invoices_are_found_even_when_the_list_does_not_come_sorted(api, polled, monkeypatch):
    from nodes.sevdesk import triggers

    monkeypatch.setattr(triggers, "PAGE_SIZE", 2)
    polled.sorts = False  # oldest first, whatever was asked
    for _ in range(2):
        polled.add_invoice()
    flow_id = polling_flow(api)
    timed_triggers.poll_flow(flow_id)  # reads on: page 1 is not the newest
    newest = polled.add_invoice()
    assert timed_triggers.poll_flow(flow_id) == 1
    assert emitted(flow_id) == [(newest["id"], "100")]

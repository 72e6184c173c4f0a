"""SAP Business One's Service Layer: session login and renewal, documents, OData errors and
pages, against a local fake."""

from __future__ import annotations

import pytest

from nodes.kit.base import ProviderError, TransientError, UserError
from nodes.kit.client import ApiClient
from nodes.kit.examples import example
from nodes.kit.guarded_http import guarded_session
from nodes.kit.registry import connector
from nodes.sap_b1.fake import ACCOUNT, FakeServiceLayer
from tests.conftest import connected, create_credential, flow_document, run_now

ORDER_LINES = [{"item_code": "A00001", "quantity": 100, "unit_price": 30, "tax_code": "PA"}]


@pytest.fixture
def b1():
    with FakeServiceLayer() as fake:
        yield fake


def paths(fake) -> list[str]:
    return [f"{r.method} {r.path}" for r in fake.requests]


def test_one_login_opens_a_session_whose_cookies_go_with_every_request(b1):
    partner = b1.run(
        "sap_b1.create_business_partner",
        {"card_code": "c001", "card_name": "c001", "email": "anna@example.com"},
    )
    assert partner["CardCode"] == "c001" and partner["CardType"] == "cCustomer"
    b1.run("sap_b1.get_business_partner", {"card_code": "c001"})

    login, lookup, create, get = b1.requests
    assert (login.method, login.path) == ("POST", "/b1s/v1/Login")
    # the documented login body, with the account's values
    assert set(login.json()) == set(example("sap_b1", "login_request"))
    assert login.json() == {
        "CompanyDB": "SBODEMODE",
        "UserName": "manager",
        "Password": "B1-Admin-2024",
    }
    assert login.header("Cookie") is None
    assert lookup.path == "/b1s/v1/BusinessPartners?%24filter=CardCode+eq+%27c001%27&%24top=1"
    assert (create.method, create.path) == ("POST", "/b1s/v1/BusinessPartners")
    assert create.json() == example("sap_b1", "create_business_partner_request") | {
        "EmailAddress": "anna@example.com"
    }
    assert get.path == "/b1s/v1/BusinessPartners('c001')"
    for request in (lookup, create, get):
        assert request.header("Cookie") == "B1SESSION=session-1; ROUTEID=.node1"
    assert b1.logins == 1


def test_an_expired_session_is_opened_again_once_and_the_request_repeated(b1):
    b1.run("sap_b1.get_business_partner", {"card_code": "C20000"})
    b1.expire_sessions()  # idle longer than SessionTimeout, or the server restarted
    partner = b1.run("sap_b1.get_business_partner", {"card_code": "C20000"})
    assert partner["CardCode"] == "C20000"
    assert paths(b1)[1:] == [
        "GET /b1s/v1/BusinessPartners('C20000')",
        "GET /b1s/v1/BusinessPartners('C20000')",  # 401: Invalid session
        "POST /b1s/v1/Login",
        "GET /b1s/v1/BusinessPartners('C20000')",
    ]
    assert b1.requests[-1].header("Cookie") == "B1SESSION=session-2; ROUTEID=.node1"


def test_a_refused_login_says_what_to_check(b1):
    b1.account = {**b1.account, "password": "wrong"}
    with pytest.raises(ProviderError) as refused:
        b1.run("sap_b1.get_business_partner", {"card_code": "C20000"})
    assert refused.value.message.endswith("SAP Business One says: Login failed (100000027)")
    assert "company database, user name and password" in refused.value.hint
    assert paths(b1) == ["POST /b1s/v1/Login"]


def test_a_login_page_that_is_no_service_layer_is_named(b1):
    b1.fail_next(200, "<html>Welcome to nginx</html>")
    with pytest.raises(ProviderError) as wrong:
        b1.run("sap_b1.get_business_partner", {"card_code": "C20000"})
    assert wrong.value.message == (
        "SAP Business One's login answered without a session: check the account's address."
    )


def test_a_partner_that_exists_is_returned_not_created_twice(b1):
    partner = b1.run("sap_b1.create_business_partner", {"card_code": "C20000", "card_name": "X"})
    assert partner["CardCode"] == "C20000"
    assert not [r for r in b1.requests if r.method == "POST" and "BusinessPartners" in r.path]


def test_a_sales_order_is_created_once_for_its_reference(b1):
    params = {
        "card_code": "C20000",
        "due_date": "2019-07-12",
        "reference": "#1001",
        "lines": ORDER_LINES,
        "extra": {"SalesPersonCode": 3},
    }
    order = b1.run("sap_b1.create_sales_order", params)
    assert order["DocEntry"] == 422 and order["NumAtCard"] == "#1001"
    create = b1.requests[-1]
    assert (create.method, create.path) == ("POST", "/b1s/v1/Orders")
    assert create.json() == {
        "CardCode": "C20000",
        "NumAtCard": "#1001",
        "DocDueDate": "2019-07-12",
        "DocumentLines": [
            {"ItemCode": "A00001", "Quantity": 100, "UnitPrice": 30, "TaxCode": "PA"}
        ],
        "SalesPersonCode": 3,
    }
    # the documented request, in the shape the connector writes it
    documented = example("sap_b1", "create_order_request")
    assert set(create.json()) >= set(documented)

    again = b1.run("sap_b1.create_sales_order", params)  # the step retried after a crash
    assert again["DocEntry"] == order["DocEntry"]
    assert [r.method for r in b1.requests].count("POST") == 2  # login, one order
    assert "NumAtCard+eq+%27%231001%27" in b1.requests[-1].path


def test_an_invoice_copies_a_sales_order_or_takes_lines(b1):
    invoice = b1.run("sap_b1.create_invoice", {"card_code": "C20000", "order": 421})
    assert invoice["DocumentLines"][0]["BaseEntry"] == 421
    read, create = b1.requests[-2:]
    assert read.path == "/b1s/v1/Orders(421)"
    assert create.path == "/b1s/v1/Invoices"
    assert create.json() == {
        "CardCode": "C20000",
        "DocumentLines": [{"BaseType": 17, "BaseEntry": 421, "BaseLine": 0}],
    }

    b1.run("sap_b1.create_invoice", {"card_code": "C20000", "lines": ORDER_LINES})
    assert b1.requests[-1].json()["DocumentLines"][0]["ItemCode"] == "A00001"
    with pytest.raises(UserError, match="sales order to invoice, or the lines"):
        b1.run("sap_b1.create_invoice", {"card_code": "C20000"})


def test_odata_errors_are_told_in_plain_words(b1):
    with pytest.raises(ProviderError) as refused:
        b1.run(
            "sap_b1.create_sales_order",
            {"card_code": "NOPE", "due_date": "2019-07-12", "lines": ORDER_LINES},
        )
    assert refused.value.status == 400
    assert "SAP Business One says: Invalid BP code 'NOPE' (-5002)" in refused.value.message

    with pytest.raises(ProviderError) as missing:
        b1.run("sap_b1.get_business_partner", {"card_code": "O'Brien"})
    assert b1.requests[-1].path == "/b1s/v1/BusinessPartners('O''Brien')"
    assert "No matching records found (ODBC -2028) (-2028)" in missing.value.message
    assert missing.value.hint.startswith("SAP Business One has no such record")


def test_lists_follow_next_links_with_the_page_size_asked_for(b1):
    b1.server_page_size = 2
    b1.add_orders(4)
    listed = b1.run("sap_b1.list_sales_orders", {"filter": "CardCode eq 'C20000'"})
    assert [o["DocEntry"] for o in listed["orders"]] == [425, 424, 423, 422, 421]
    pages = b1.requests[1:]
    assert len(pages) == 3
    assert all(p.header("Prefer") == "odata.maxpagesize=100" for p in pages)
    assert "$skip=2" in pages[1].path and "$filter=CardCode%20eq" in pages[1].path

    assert len(b1.run("sap_b1.list_sales_orders", {"limit": 3})["orders"]) == 3
    for order in b1.orders.values():
        order["Comments"] = "Shop A/B"
    commented = b1.run("sap_b1.list_sales_orders", {"filter": "Comments eq 'Shop A/B'"})
    assert len(commented["orders"]) == 5  # a "/" in the filter stays in the next link's query


def test_a_rate_limit_reply_is_retried_after_the_time_it_names(b1):
    b1.run("sap_b1.get_business_partner", {"card_code": "C20000"})
    b1.rate_limit_next(retry_after=7)  # a proxy in front of the Service Layer
    with pytest.raises(TransientError) as slowed:
        b1.run("sap_b1.get_business_partner", {"card_code": "C20000"})
    assert slowed.value.retry_after == 7


def test_test_connection_names_the_company(b1):
    sap = connector("sap_b1")
    api = ApiClient(sap, guarded_session(allow_private=True), b1.account, origin=b1.origin)
    assert sap.test(api) == "OEC Computers"


# End to end: a shop order becomes a business partner and a sales order in one flow


def test_a_shop_order_becomes_a_partner_and_a_sales_order_and_a_lost_session_is_renewed(
    app, api, run_queue
):
    with connected(app, "sap_b1", FakeServiceLayer()) as b1:
        credential = create_credential(api, "sap_b1", ACCOUNT, "B1")
        partner = {
            "id": "bp",
            "type": "sap_b1.create_business_partner",
            "credential": credential,
            "mapping": {
                "card_code": "join('', ['W', to_string(trigger.customer.id)])",
                "card_name": "trigger.customer.name",
                "email": "trigger.email",
            },
        }
        order = {
            "id": "so",
            "type": "sap_b1.create_sales_order",
            "credential": credential,
            "params": {"due_date": "2024-05-20"},
            "mapping": {
                "card_code": "steps.bp.CardCode",
                "reference": "trigger.name",
                "lines": "trigger.line_items[].{item_code: sku, quantity: quantity, "
                "unit_price: to_number(price)}",
            },
        }
        graph = flow_document({"id": "t", "type": "core.manual"}, partner, order)
        created = api.post("/api/flows", json={"name": "Orders to B1", "graph": graph})
        assert created.status_code == 201, created.get_json()
        flow_id = created.get_json()["id"]
        shop_order = {
            "name": "#1001",
            "email": "anna@example.com",
            "customer": {"id": 42, "name": "Anna Weber"},
            "line_items": [{"sku": "A00001", "quantity": 2, "price": "30.00"}],
        }
        done = run_now(api, run_queue, flow_id, shop_order)
        assert done["status"] == "succeeded", done
        outputs = {step["node_id"]: step.get("output") for step in done["steps"]}
        assert outputs["bp"]["CardCode"] == "W42"
        assert outputs["so"]["NumAtCard"] == "#1001"
        assert b1.requests[-1].json()["DocumentLines"] == [
            {"ItemCode": "A00001", "Quantity": 2, "UnitPrice": 30}
        ]

        b1.expire_sessions()
        again = run_now(api, run_queue, flow_id, {**shop_order, "name": "#1002"})
        assert again["status"] == "succeeded", again
        assert b1.logins == 2 and len(b1.orders) == 3

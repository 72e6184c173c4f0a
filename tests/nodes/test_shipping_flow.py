"""A new WooCommerce order gets a DHL label, its tracking number goes back on the order, and
the customer gets an e-mail with the tracking link: through the engine, with the fakes of
WooCommerce, DHL and a local SMTP server as the installation's, as the starter template builds
it."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from app.flows.templates import install_starters
from app.models import Execution
from nodes.dhl.fake import API_KEY, EKP, PASSWORD, USERNAME, FakeDhl
from nodes.woocommerce.fake import CONSUMER_KEY, CONSUMER_SECRET, STORE_URL, FakeWooCommerce
from tests.conftest import connected, create_credential, load_fixture

STARTER = Path(__file__).parents[2] / "app/flows/starters/woocommerce-order-dhl-label.json"
ORDER = json.loads(load_fixture("woocommerce", "rest-v3.order.create.response.json"))
GERMAN = {
    "first_name": "Maria",
    "last_name": "Musterfrau",
    "company": "",
    "address_1": "Kurt-Schumacher-Str. 20",
    "address_2": "",
    "city": "Bonn",
    "state": "",
    "postcode": "53113",
    "country": "DE",
}


@pytest.fixture
def shop(app):
    with connected(app, "woocommerce", FakeWooCommerce()) as fake:
        yield fake


@pytest.fixture
def dhl(app):
    with connected(app, "dhl", FakeDhl()) as fake:
        yield fake


def installed_starter(api) -> str:
    """Install the starter from the gallery with this test's accounts; switch it on; return
    its webhook address."""
    install_starters()
    title = json.loads(STARTER.read_text())["title"]["en"]
    (template,) = [t for t in api.get("/api/templates").get_json()["items"] if t["title"] == title]
    accounts = {
        "woocommerce": create_credential(
            api,
            "woocommerce",
            {
                "store_url": STORE_URL,
                "consumer_key": CONSUMER_KEY,
                "consumer_secret": CONSUMER_SECRET,
            },
        ),
        "dhl": create_credential(
            api,
            "dhl",
            {"api_key": API_KEY, "username": USERNAME, "password": PASSWORD, "ekp": EKP},
        ),
    }
    installed = api.post(
        f"/api/templates/{template['id']}/install",
        json={"credentials": accounts, "parameters": {"shipper_ref": "Lager Bonn", "weight": 2}},
    )
    assert installed.status_code == 201, installed.get_json()
    flow_id = installed.get_json()["flow_id"]
    activated = api.post(f"/api/flows/{flow_id}/activate")
    assert activated.status_code == 200, activated.get_json()
    return activated.get_json()["webhooks"][0]["url"]


def test_a_new_order_gets_a_dhl_label_its_tracking_number_and_the_customer_an_e_mail(
    api, client, run_queue, shop, dhl, mail_server
):
    url = installed_starter(api)
    (webhook_id,) = shop.webhooks
    order = ORDER | {"shipping": GERMAN}
    shop.orders[727] = copy.deepcopy(order)
    body, headers = shop.delivery(webhook_id, order)
    accepted = client.post(url, data=body, content_type="application/json", headers=headers)
    assert accepted.status_code == 202, accepted.get_json()
    run_queue()

    done = api.get(f"/api/executions/{accepted.get_json()['execution_id']}").get_json()
    assert done["status"] == "succeeded", done
    steps = {step["node_id"]: step for step in done["steps"]}

    # DHL: the order's shipping address, in DHL's fields
    (created,) = [r for r in dhl.requests if r.method == "POST"]
    parcel = created.json()["shipments"][0]
    assert parcel["consignee"] == {
        "name1": "Maria Musterfrau",
        "addressStreet": "Kurt-Schumacher-Str.",
        "addressHouse": "20",
        "postalCode": "53113",
        "city": "Bonn",
        "country": "DEU",
        "email": "john.doe@example.com",
    }
    assert parcel["refNo"] == "Order 727"
    assert parcel["shipper"] == {"shipperRef": "Lager Bonn"}
    assert parcel["details"] == {"weight": {"uom": "kg", "value": 2}}
    number = steps["label"]["output"]["tracking_number"]
    assert number in dhl.shipments

    # the label is the shop's file, listed with the execution
    label = steps["label"]["output"]["label"]
    assert label["filename"] == f"dhl-{number}.pdf"
    download = api.get(f"/api/files/{label['file']}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF-")

    # WooCommerce: the tracking number and link on the order
    meta = {m["key"]: m["value"] for m in shop.orders[727]["meta_data"]}
    assert meta["tracking_number"] == number
    assert meta["tracking_url"].endswith(f"piececode={number}")

    # the customer's e-mail, with the link
    (mail,) = mail_server.received
    assert mail.recipients == ["john.doe@example.com"]
    text = mail.message.get_body(("plain",)).get_content()
    assert f"piececode={number}" in text and "Maria" in text
    assert "727" in mail.message["Subject"]
    assert Execution.query.count() == 1


def test_an_address_without_house_number_stops_at_the_label_in_plain_words(
    api, client, run_queue, shop, dhl, mail_server
):
    url = installed_starter(api)
    (webhook_id,) = shop.webhooks
    order = ORDER | {"shipping": GERMAN | {"address_1": "Kurt-Schumacher-Straße"}}
    body, headers = shop.delivery(webhook_id, order)
    accepted = client.post(url, data=body, content_type="application/json", headers=headers)
    run_queue()

    failed = api.get(f"/api/executions/{accepted.get_json()['execution_id']}").get_json()
    assert failed["status"] == "failed"
    step = {s["node_id"]: s for s in failed["steps"]}["label"]
    assert "has no house number" in step["error"]["message"]
    assert step["error"]["field"] == "recipient.house_number"
    assert dhl.requests == [] and mail_server.received == []

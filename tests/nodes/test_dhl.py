"""DHL: address checks, labels, cancellations and tracking against the fake of DHL's APIs."""

from __future__ import annotations

import pytest

from nodes.dhl import dhl as connector
from nodes.dhl.fake import (
    API_KEY,
    EKP,
    NO_SUCH_HOUSE,
    PASSWORD,
    UNKNOWN_POSTCODE,
    USERNAME,
    FakeDhl,
)
from nodes.kit.auth import basic
from nodes.kit.base import ProviderError, TransientError, UserError
from nodes.kit.fakes.files import memory_files
from tests.conftest import connected, create_credential, flow_document, run_now

RECIPIENT = {
    "name": "Maria Musterfrau",
    "street": "Kurt-Schumacher-Str. 20",
    "postcode": "53113",
    "city": "Bonn",
    "country": "DE",
    "email": "maria@musterfrau.de",
}
PARCEL = {"recipient": RECIPIENT, "weight": 1.5, "shipper_ref": "Lager Bonn", "reference": "727"}


@pytest.fixture
def dhl():
    with FakeDhl() as fake, memory_files() as stored:
        fake.files = stored
        yield fake


def test_a_label_is_created_with_product_weight_and_services_and_comes_back_as_a_pdf(dhl):
    services = {"namedPersonOnly": True, "visualCheckOfAge": "A18"}
    created = dhl.run("dhl.create_label", PARCEL | {"services": services})

    (sent,) = dhl.requests
    assert sent.method == "POST"
    assert sent.path == "/parcel/de/shipping/v2/orders?includeDocs=include&docFormat=PDF"
    assert sent.header("dhl-api-key") == API_KEY
    assert sent.header("Authorization") == basic(USERNAME, PASSWORD)
    assert sent.json() == {
        "profile": "STANDARD_GRUPPENPROFIL",
        "shipments": [
            {
                "product": "V01PAK",
                "billingNumber": EKP + "0101",
                "shipper": {"shipperRef": "Lager Bonn"},
                "consignee": {
                    "name1": "Maria Musterfrau",
                    "addressStreet": "Kurt-Schumacher-Str.",
                    "addressHouse": "20",
                    "postalCode": "53113",
                    "city": "Bonn",
                    "country": "DEU",
                    "email": "maria@musterfrau.de",
                },
                "details": {"weight": {"uom": "kg", "value": 1.5}},
                "refNo": "Order 727",
                "services": services,
            }
        ],
    }
    number = created["tracking_number"]
    assert number in dhl.shipments
    assert created["tracking_url"].endswith(f"piececode={number}")
    reference = created["label"]
    _, pdf, filename, media_type = dhl.files.saved[reference["file"]]
    assert pdf.startswith(b"%PDF-") and number.encode() in pdf
    assert (filename, media_type) == (f"dhl-{number}.pdf", "application/pdf")
    assert reference == {
        "file": reference["file"],
        "filename": f"dhl-{number}.pdf",
        "media_type": "application/pdf",
        "size": len(pdf),
    }


def test_validating_creates_nothing_and_says_the_address_is_fine(dhl):
    checked = dhl.run("dhl.validate_address", PARCEL)

    assert checked == {"valid": True, "warnings": []}
    (sent,) = dhl.requests
    assert sent.path == "/parcel/de/shipping/v2/orders?validate=true"
    assert dhl.shipments == {}


def test_a_missing_house_number_is_said_before_dhl_is_asked(dhl):
    without = RECIPIENT | {"street": "Kurt-Schumacher-Straße"}
    with pytest.raises(UserError, match="has no house number") as missing:
        dhl.run("dhl.validate_address", PARCEL | {"recipient": without})
    assert missing.value.field == "recipient.house_number"
    assert dhl.requests == []


def test_dhls_address_problems_are_said_in_plain_words(dhl):
    unknown = RECIPIENT | {"postcode": UNKNOWN_POSTCODE}
    with pytest.raises(ProviderError) as refused:
        dhl.run("dhl.validate_address", PARCEL | {"recipient": unknown})
    assert refused.value.status == 400
    assert refused.value.message.endswith(
        "DHL says: The recipient's address has a postcode DHL does not know: check the postcode."
        " (DHL: The postcode entered is not valid.)"
    )

    no_house = RECIPIENT | {"street": "Kurt-Schumacher-Str.", "house_number": NO_SUCH_HOUSE}
    with pytest.raises(ProviderError, match="house number DHL cannot find: check the house"):
        dhl.run("dhl.create_label", PARCEL | {"recipient": no_house})
    assert dhl.shipments == {}


def test_a_sender_is_needed_and_a_sender_address_is_sent_in_dhls_fields(dhl):
    with pytest.raises(UserError, match="DHL needs the sender"):
        dhl.run("dhl.create_label", {"recipient": RECIPIENT, "weight": 1})
    sender = RECIPIENT | {"name": "Mein Shop GmbH", "street": "Sträßchensweg", "house_number": "10"}
    dhl.run("dhl.create_label", {"recipient": RECIPIENT, "weight": 1, "shipper": sender})
    shipper = dhl.requests[-1].json()["shipments"][0]["shipper"]
    assert (shipper["name1"], shipper["addressStreet"], shipper["addressHouse"]) == (
        "Mein Shop GmbH",
        "Sträßchensweg",
        "10",
    )


def test_a_label_is_cancelled_by_its_number(dhl):
    number = dhl.run("dhl.create_label", PARCEL)["tracking_number"]
    cancelled = dhl.run("dhl.cancel_label", {"shipment_number": number})

    assert cancelled == {"shipment_number": number, "cancelled": True}
    sent = dhl.requests[-1]
    assert (sent.method, sent.path) == (
        "DELETE",
        f"/parcel/de/shipping/v2/orders?profile=STANDARD_GRUPPENPROFIL&shipment={number}",
    )
    with pytest.raises(ProviderError, match="DHL says: Unknown shipment number."):
        dhl.run("dhl.cancel_label", {"shipment_number": number})


def test_tracking_reads_the_status_with_the_app_key_only(dhl):
    tracked = dhl.run("dhl.track", {"tracking_number": "00340434292135100056"})

    assert tracked["status"] == "pre_transit" and tracked["delivered"] is False
    assert tracked["events"][0]["at"] == "2019-08-06T18:59:00"
    (sent,) = dhl.requests
    assert sent.path == (
        "/track/shipments?trackingNumber=00340434292135100056&service=parcel-de&language=de"
    )
    assert sent.header("dhl-api-key") == API_KEY
    assert sent.header("Authorization") is None
    with pytest.raises(ProviderError, match="DHL says: No shipment with given tracking number"):
        dhl.run("dhl.track", {"tracking_number": "8264715546"})


def test_a_throttled_reply_waits_as_long_as_dhl_says(dhl):
    dhl.rate_limit_next(retry_after=7)
    with pytest.raises(TransientError, match="Too many requests within defined time") as slow:
        dhl.run("dhl.track", {"tracking_number": "00340434292135100056"})
    assert slow.value.retry_after == 7


def test_a_wrong_login_says_what_to_check(dhl):
    dhl.account = dhl.account | {"password": "wrong"}
    with pytest.raises(ProviderError) as refused:
        dhl.run("dhl.create_label", PARCEL)
    assert refused.value.status == 401
    assert "DHL says: Invalid credentials" in refused.value.message
    assert "business customer portal user" in refused.value.hint


def test_through_the_engine_a_throttled_label_is_made_once_after_dhls_wait(app, api, run_queue):
    with connected(app, "dhl", FakeDhl()) as fake:
        account = create_credential(api, "dhl", fake.account, "DHL")
        graph = flow_document(
            {"id": "t", "type": "core.manual"},
            {
                "id": "label",
                "type": "dhl.create_label",
                "credential": account,
                "params": {"weight": 1.5, "shipper_ref": "Lager Bonn"},
                "mapping": {"recipient": "trigger.recipient", "reference": "trigger.order"},
            },
        )
        flow_id = api.post("/api/flows", json={"name": "Label", "graph": graph}).get_json()["id"]
        fake.rate_limit_next(retry_after=1)
        done = run_now(api, run_queue, flow_id, {"recipient": RECIPIENT, "order": "1001"})

    assert done["status"] == "succeeded", done
    label = {step["node_id"]: step for step in done["steps"]}["label"]
    assert label["attempts"] == 2
    assert len(fake.shipments) == 1
    assert [r.method for r in fake.requests] == ["POST", "POST"]


def test_test_connection_validates_dhls_example_parcel_with_the_account(dhl):
    assert connector.test(dhl.api(connector)) == "DHL accepted the login and the customer number."
    (sent,) = dhl.requests
    assert sent.path == "/parcel/de/shipping/v2/orders?validate=true"
    assert sent.json()["shipments"][0]["billingNumber"] == EKP + "0101"
    assert dhl.shipments == {}

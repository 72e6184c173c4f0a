"""Sendcloud: parcels with labels against the fake of its API v2, and signed status webhooks."""

from __future__ import annotations

import copy
import json

import pytest

from app.models import Execution, RejectedEvent
from nodes.kit.auth import basic
from nodes.kit.base import InboundRequest, ProviderError, SignatureError, TransientError
from nodes.kit.fakes.files import memory_files
from nodes.sendcloud import sendcloud
from nodes.sendcloud.fake import PUBLIC_KEY, SECRET_KEY, FakeSendcloud
from tests.conftest import create_active_flow, create_credential, flow_document, load_fixture

VECTOR = json.loads(load_fixture("sendcloud", "signature.json"))
STATUS_CHANGED = json.loads(load_fixture("sendcloud", "webhook.parcel_status_changed.json"))
RECIPIENT = {
    "name": "Maria Musterfrau",
    "street": "Kurt-Schumacher-Str. 20",
    "postcode": "53113",
    "city": "Bonn",
    "country": "DE",
    "email": "maria@musterfrau.de",
}
PARCEL = {"recipient": RECIPIENT, "weight": 2, "shipping_method": 1314, "reference": "727"}


@pytest.fixture
def cloud():
    with FakeSendcloud() as fake, memory_files() as stored:
        fake.files = stored
        yield fake


def test_a_parcel_is_announced_to_the_methods_carrier_and_its_label_kept(cloud):
    created = cloud.run("sendcloud.create_label", PARCEL)

    sent, download = cloud.requests
    assert (sent.method, sent.path) == ("POST", "/api/v2/parcels")
    assert sent.header("Authorization") == basic(PUBLIC_KEY, SECRET_KEY)
    assert sent.json() == {
        "parcel": {
            "name": "Maria Musterfrau",
            "address": "Kurt-Schumacher-Str.",
            "house_number": "20",
            "city": "Bonn",
            "postal_code": "53113",
            "country": "DE",
            "email": "maria@musterfrau.de",
            "weight": "2.000",
            "order_number": "727",
            "request_label": True,
            "shipment": {"id": 1314},
        }
    }
    (parcel_id,) = cloud.parcels
    assert (download.method, download.path) == ("GET", f"/api/v2/labels/label_printer/{parcel_id}")
    assert created["carrier"] == "dhl" and created["shipment_id"] == str(parcel_id)
    number = created["tracking_number"]
    assert number in created["tracking_url"]
    _, pdf, filename, media_type = cloud.files.saved[created["label"]["file"]]
    assert pdf.startswith(b"%PDF-") and number.encode() in pdf
    assert (filename, media_type) == (f"sendcloud-{number}.pdf", "application/pdf")


def test_the_shipping_methods_are_the_choices_of_the_step_and_test_the_keys(cloud):
    api = cloud.api(sendcloud)
    assert sendcloud.test(api) == "Sendcloud accepted the keys."
    assert sendcloud.options["shipping_methods"](api) == [
        {"value": 8, "label": "PostNL Standard 0-23kg (postnl)"},
        {"value": 1314, "label": "DHL Paket 0-31.5kg (dhl)"},
    ]


def test_sendclouds_refusals_are_its_own_words(cloud):
    with pytest.raises(ProviderError) as refused:
        cloud.run("sendcloud.create_label", PARCEL | {"shipping_method": 8, "weight": 25})
    assert refused.value.status == 412
    assert "Sendcloud says: The parcel's weight is outside the shipping method's weight range." in (
        refused.value.message
    )
    assert "weight range and countries" in refused.value.hint
    cloud.fail_next(400, json.loads(load_fixture("sendcloud", "error.validation.json")))
    with pytest.raises(ProviderError, match="house_number: 'This field cannot be blank.'"):
        cloud.run("sendcloud.create_label", PARCEL)
    assert cloud.parcels == {}


def test_a_throttled_request_waits_as_long_as_sendcloud_asks(cloud):
    cloud.rate_limit_next(retry_after=4)
    with pytest.raises(TransientError) as slow:
        cloud.run("sendcloud.create_label", PARCEL)
    assert slow.value.retry_after == 4


# Webhooks


def request(body: bytes, signature: str | None) -> InboundRequest:
    headers = {"Sendcloud-Signature": signature} if signature else {}
    return InboundRequest(body=body, headers=headers, query={}, payload=json.loads(body))


def test_sendclouds_documented_signature_passes_and_a_forged_one_does_not():
    body = VECTOR["body"].encode()
    account = {"secret_key": VECTOR["secret_key"]}
    sendcloud.verify(request(body, VECTOR["signature"]), account)
    with pytest.raises(SignatureError, match="does not match"):
        sendcloud.verify(request(body, VECTOR["signature"]), {"secret_key": "guessed"})
    with pytest.raises(SignatureError, match="no Sendcloud-Signature header"):
        sendcloud.verify(request(body, None), account)


def test_status_webhooks_start_the_flow_once_and_forged_ones_are_refused(api, client):
    credential = create_credential(
        api, "sendcloud", {"public_key": PUBLIC_KEY, "secret_key": SECRET_KEY}, "Sendcloud"
    )
    trigger = {"id": "t", "type": "sendcloud.parcel_status_changed", "credential": credential}
    _, url = create_active_flow(api, flow_document(trigger))

    def post(body: bytes, headers: dict):
        return client.post(url, data=body, content_type="application/json", headers=headers)

    body, headers = FakeSendcloud.delivery(STATUS_CHANGED)
    first = post(body, headers)
    assert first.status_code == 202, first.get_json()
    again = post(body, headers)  # Sendcloud retrying the same delivery
    assert again.get_json()["duplicate"] is True

    delivered = copy.deepcopy(STATUS_CHANGED)
    delivered["parcel"]["status"] = {"id": 11, "message": "Delivered"}
    assert post(*FakeSendcloud.delivery(delivered)).status_code == 202

    forged_body, _ = FakeSendcloud.delivery(delivered | {"timestamp": 999})
    assert post(forged_body, headers).status_code == 401
    guessed = post(*FakeSendcloud.delivery(delivered, secret="guessed"))
    assert guessed.status_code == 401 and "does not match" in guessed.get_json()["detail"]
    other = FakeSendcloud.delivery({"action": "return_created", "parcel": {"id": 1}})
    assert "return_created" in post(*other).get_json()["ignored"]

    assert Execution.query.count() == 2
    assert [r.status_code for r in RejectedEvent.query.order_by(RejectedEvent.id)] == [401, 401]

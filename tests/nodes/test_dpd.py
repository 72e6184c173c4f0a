"""DPD: labels and tracking against the fake of DPD's Cloud Service REST interface."""

from __future__ import annotations

from datetime import date

import pytest

from nodes.dpd import dpd as connector
from nodes.dpd.fake import CREDENTIALS, FakeDpd
from nodes.kit.base import ProviderError, TransientError, UserError
from nodes.kit.fakes.files import memory_files

RECIPIENT = {
    "name": "Max Mustermann",
    "street": "Musterstr. 1",
    "postcode": "12345",
    "city": "Berlin",
    "country": "DE",
    "email": "max@example.com",
}
PARCEL = {"recipient": RECIPIENT, "weight": 2.5, "reference": "727"}


@pytest.fixture
def dpd():
    with FakeDpd() as fake, memory_files() as stored:
        fake.files = stored
        yield fake


def test_a_label_is_created_for_today_with_the_credentials_in_four_headers(dpd):
    created = dpd.run("dpd.create_label", PARCEL | {"service": "Classic_Predict"})

    (sent,) = dpd.requests
    assert (sent.method, sent.path) == ("POST", "/api/v1/setOrder")
    for name, value in CREDENTIALS.items():
        assert sent.header(name) == value
    assert (sent.header("Version"), sent.header("Language")) == ("100", "de_DE")
    assert sent.json() == {
        "OrderAction": "startOrder",
        "OrderSettings": {
            "ShipDate": date.today().isoformat(),
            "LabelSize": "PDF_A6",
            "LabelStartPosition": "UpperLeft",
        },
        "OrderDataList": [
            {
                "ShipAddress": {
                    "Name": "Max Mustermann",
                    "Street": "Musterstr.",
                    "HouseNo": "1",
                    "Country": "DE",
                    "ZipCode": "12345",
                    "City": "Berlin",
                    "Mail": "max@example.com",
                },
                "ParcelShopID": 0,
                "ParcelData": {
                    "ShipService": "Classic_Predict",
                    "Weight": 2.5,
                    "Content": "Waren",
                    "YourInternalID": "727",
                    "Reference1": "727",
                },
            }
        ],
    }
    number = created["tracking_number"]
    assert number in dpd.parcels
    assert created["tracking_url"] == f"https://tracking.dpd.de/status/de_DE/parcel/{number}"
    _, pdf, filename, media_type = dpd.files.saved[created["label"]["file"]]
    assert pdf.startswith(b"%PDF-") and (filename, media_type) == (
        f"dpd-{number}.pdf",
        "application/pdf",
    )


def test_a_missing_house_number_is_said_before_dpd_is_asked(dpd):
    with pytest.raises(UserError, match="has no house number"):
        dpd.run("dpd.create_label", PARCEL | {"recipient": RECIPIENT | {"street": "Musterweg"}})
    assert dpd.requests == []


def test_dpds_refusal_in_an_acknowledged_reply_fails_the_step_in_dpds_words(dpd):
    dpd.fail_next(
        200,
        {
            "Ack": False,
            "ErrorDataList": [
                {
                    "ErrorID": 2121,
                    "ErrorCode": "CLOUD_API_ORDER_WEIGHT",
                    "ErrorMsgShort": "Invalid weight",
                    "ErrorMsgLong": "Gewicht: 0 bis 31,5 Kg.",
                }
            ],
        },
    )
    with pytest.raises(ProviderError) as refused:
        dpd.run("dpd.create_label", PARCEL)
    assert refused.value.message == ("DPD says: Gewicht: 0 bis 31,5 Kg. (CLOUD_API_ORDER_WEIGHT)")
    assert refused.value.hint.startswith("Check the values this step sends")


def test_wrong_credentials_say_which_values_to_check(dpd):
    dpd.account = dpd.account | {"user_token": "wrong"}
    with pytest.raises(ProviderError) as refused:
        dpd.run("dpd.track", {"tracking_number": "01234567890123"})
    assert (
        refused.value.message
    ) == "DPD says: Partner Credentials invalid. (CLOUD_API_PARTNERCREDENTIALS)"
    assert "check the four values in the DPD account" in refused.value.hint


def test_the_call_limit_waits_the_ten_minutes_dpd_asks(dpd):
    dpd.rate_limit_next()
    with pytest.raises(TransientError) as slow:
        dpd.run("dpd.track", {"tracking_number": "01234567890123"})
    assert slow.value.retry_after == 600


def test_tracking_reads_the_milestones_reached(dpd):
    tracked = dpd.run("dpd.track", {"tracking_number": "01234567890123", "postcode": "12345"})

    (sent,) = dpd.requests
    assert sent.path == "/api/v1/getOrderStatus/01234567890123/12345"
    assert tracked["status"] == "delivered" and tracked["delivered"] is True
    assert tracked["status_text"] == "Your parcel has been delivered."
    assert [e["text"] for e in tracked["events"]] == ["Delivered", "Shipment created"]
    assert tracked["events"][0]["at"] == "2024-01-16T12:00:00"

    dpd.run("dpd.track", {"tracking_number": "01234567890123"})
    assert dpd.requests[-1].path == "/api/v1/getOrderStatus/01234567890123/null"
    with pytest.raises(ProviderError, match="Zu dieser Paketnummer liegen keine Daten vor."):
        dpd.run("dpd.track", {"tracking_number": "09999999999999"})


def test_test_connection_reads_the_zip_code_rules(dpd):
    assert connector.test(dpd.api(connector)) == "DPD accepted the credentials."
    dpd.account = dpd.account | {"partner_token": "wrong"}
    with pytest.raises(ProviderError, match="Partner Credentials invalid"):
        connector.test(dpd.api(connector))

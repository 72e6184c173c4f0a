"""Hermes: the password-grant token, labels and tracking against the fake of Hermes's HSI."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from nodes.hermes import hermes as connector
from nodes.hermes.fake import CLIENT_ID, CLIENT_SECRET, PASSWORD, TOKEN_PATH, USERNAME, FakeHermes
from nodes.kit import auth
from nodes.kit.base import ProviderError, TransientError
from nodes.kit.fakes.files import memory_files
from nodes.kit.tokens import TokenCache

RECIPIENT = {
    "name": "Max Mustermann",
    "street": "Essener Bogen 1",
    "postcode": "22419",
    "city": "Hamburg",
    "country": "DE",
    "email": "receiver@example.com",
}
PARCEL = {"recipient": RECIPIENT, "weight": 5, "reference": "ORDER-12345"}


@pytest.fixture
def hermes(monkeypatch):
    monkeypatch.setattr(auth, "TOKENS", TokenCache())
    with FakeHermes() as fake, memory_files() as stored:
        fake.files = stored
        yield fake


def test_a_label_is_ordered_in_grams_with_a_password_grant_token(hermes):
    created = hermes.run("hermes.create_label", PARCEL | {"next_day": True})

    token, sent = hermes.requests
    assert (token.method, token.path) == ("POST", TOKEN_PATH)
    assert dict(parse_qsl(token.body.decode())) == {
        "grant_type": "password",
        "username": USERNAME,
        "password": PASSWORD,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    assert (sent.method, sent.path) == ("POST", "/services/hsi/shipmentorders/labels")
    assert sent.header("Authorization").removeprefix("Bearer ") in hermes.tokens
    assert sent.header("Accept") == "application/shippinglabel-pdf+json"
    assert sent.json() == {
        "receiverName": {"firstname": "Max", "lastname": "Mustermann"},
        "receiverAddress": {
            "street": "Essener Bogen",
            "houseNumber": "1",
            "zipCode": "22419",
            "town": "Hamburg",
            "countryCode": "DE",
        },
        "receiverContact": {"mail": "receiver@example.com"},
        "parcel": {"parcelWeight": 5000, "productType": "PARCEL"},
        "clientReference": "ORDER-12345",
        "service": {"nextDayService": True},
    }
    number = created["tracking_number"]
    assert number in hermes.orders and created["shipment_id"] == "12345678901"
    _, pdf, filename, _ = hermes.files.saved[created["label"]["file"]]
    assert pdf.startswith(b"%PDF-") and filename == f"hermes-{number}.pdf"


def test_a_refused_order_is_said_with_hermes_code(hermes):
    hermes.fail_next(
        400,
        {
            "listOfResultCodes": [
                {"code": "w001", "message": "Only a warning."},
                {
                    "code": "e010",
                    "message": "Error while creating shipment order – Parcel class does "
                    "not match the dimensions.",
                },
            ]
        },
    )
    with pytest.raises(ProviderError) as refused:
        hermes.run("hermes.create_label", PARCEL)
    assert refused.value.message.endswith(
        "Hermes says: Error while creating shipment order – Parcel class does not match the "
        "dimensions. (e010)"
    )
    assert refused.value.status == 400 and hermes.orders == {}


def test_a_wrong_password_is_said_in_the_oauth_servers_words(hermes):
    hermes.account = hermes.account | {"password": "wrong"}
    with pytest.raises(ProviderError, match="Hermes says: Bad credentials"):
        hermes.run("hermes.track", {"tracking_number": "H1234567890123456789"})
    assert hermes.tokens == set()


def test_a_refused_token_is_renewed_once(hermes):
    hermes.run("hermes.track", {"tracking_number": "H1234567890123456789"})
    hermes.tokens.clear()  # expired at Hermes before its time
    hermes.run("hermes.track", {"tracking_number": "H1234567890123456789"})
    assert [r.path.split("?")[0] for r in hermes.requests] == [
        TOKEN_PATH,
        "/services/hsi/shipmentinfo",
        "/services/hsi/shipmentinfo",
        TOKEN_PATH,
        "/services/hsi/shipmentinfo",
    ]


def test_tracking_reads_the_events_newest_first(hermes):
    tracked = hermes.run("hermes.track", {"tracking_number": "H1234567890123456789"})

    assert hermes.requests[-1].path == "/services/hsi/shipmentinfo?shipmentID=H1234567890123456789"
    assert tracked["status"] == "delivered" and tracked["delivered"] is True
    assert [e["at"][:10] for e in tracked["events"]] == [
        "2024-01-20",
        "2024-01-20",
        "2024-01-19",
        "2024-01-18",
    ]
    assert tracked["events"][-1]["location"] == "Berlin"
    with pytest.raises(ProviderError) as unknown:
        hermes.run("hermes.track", {"tracking_number": "H0000000000000000000"})
    assert unknown.value.message == ("Hermes says: There is no information for the entered value.")


def test_a_throttled_reply_is_retried_after_the_wait_hermes_asks(hermes):
    hermes.rate_limit_next(retry_after=2)
    with pytest.raises(TransientError) as slow:
        hermes.run("hermes.track", {"tracking_number": "H1234567890123456789"})
    assert slow.value.retry_after == 2


def test_test_connection_fetches_a_token(hermes):
    assert connector.test(hermes.api(connector)) == "Hermes accepted the login."
    assert [r.path for r in hermes.requests] == [TOKEN_PATH]

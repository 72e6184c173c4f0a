"""UPS: the OAuth token and its renewal, labels and tracking against the fake of UPS's APIs."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from nodes.kit import auth
from nodes.kit.auth import basic
from nodes.kit.base import ProviderError, TransientError
from nodes.kit.fakes.files import memory_files
from nodes.kit.fakes.label import LABEL_GIF
from nodes.kit.tokens import TokenCache
from nodes.ups import ups as connector
from nodes.ups.fake import ACCOUNT, CLIENT_ID, CLIENT_SECRET, FakeUps

RECIPIENT = {
    "name": "Maria Musterfrau",
    "street": "Kurt-Schumacher-Str. 20",
    "postcode": "53113",
    "city": "Bonn",
    "country": "de",
    "phone": "+49 987654321",
}
SENDER = {
    "name": "Max Mustermann",
    "company": "Mein Shop GmbH",
    "street": "Sträßchensweg",
    "house_number": "10",
    "postcode": "53113",
    "city": "Bonn",
    "country": "DE",
}
PARCEL = {"recipient": RECIPIENT, "shipper": SENDER, "weight": 2, "reference": "727"}


@pytest.fixture
def ups(monkeypatch):
    # Tokens are cached per process; each fake issues its own, so each test starts empty.
    monkeypatch.setattr(auth, "TOKENS", TokenCache())
    with FakeUps() as fake, memory_files() as stored:
        fake.files = stored
        yield fake


def test_a_label_is_billed_to_the_account_with_a_token_and_comes_back_as_a_gif(ups):
    created = ups.run("ups.create_label", PARCEL | {"service": "65"})

    token_request, sent = ups.requests
    assert (token_request.method, token_request.path) == ("POST", "/security/v1/oauth/token")
    assert token_request.header("Authorization") == basic(CLIENT_ID, CLIENT_SECRET)
    assert dict(parse_qsl(token_request.body.decode())) == {"grant_type": "client_credentials"}
    assert (sent.method, sent.path) == ("POST", "/api/shipments/v2409/ship")
    assert sent.header("Authorization").removeprefix("Bearer ") in ups.tokens
    assert len(sent.header("transId")) == 32 and sent.header("transactionSrc") == "shopwire"
    shipment = sent.json()["ShipmentRequest"]["Shipment"]
    assert shipment["Shipper"]["ShipperNumber"] == ACCOUNT
    assert shipment["PaymentInformation"] == {
        "ShipmentCharge": {"Type": "01", "BillShipper": {"AccountNumber": ACCOUNT}}
    }
    assert shipment["ShipTo"] == {
        "Name": "Maria Musterfrau",
        "AttentionName": "Maria Musterfrau",
        "Address": {
            "AddressLine": ["Kurt-Schumacher-Str. 20"],
            "City": "Bonn",
            "PostalCode": "53113",
            "CountryCode": "DE",
        },
        "Phone": {"Number": "+49 987654321"},
    }
    assert shipment["Service"] == {"Code": "65"}
    assert shipment["Package"]["PackageWeight"] == {
        "UnitOfMeasurement": {"Code": "KGS"},
        "Weight": "2",
    }
    number = created["tracking_number"]
    assert number in ups.shipments and created["tracking_url"].endswith(number)
    _, image, filename, media_type = ups.files.saved[created["label"]["file"]]
    assert (image, filename, media_type) == (LABEL_GIF, f"ups-{number}.gif", "image/gif")


def test_the_token_is_reused_and_renewed_when_ups_refuses_it(ups):
    ups.run("ups.track", {"tracking_number": "1Z023E2X0214323462"})
    ups.run("ups.track", {"tracking_number": "1Z023E2X0214323462"})
    tokens = [r for r in ups.requests if r.path == "/security/v1/oauth/token"]
    assert len(tokens) == 1

    ups.revoke()  # expired or revoked at UPS; Shopwire still has it cached
    tracked = ups.run("ups.track", {"tracking_number": "1Z023E2X0214323462"})

    assert tracked["status"] == "in_transit"
    paths = [r.path.split("?")[0] for r in ups.requests[-3:]]
    assert paths == [
        "/api/track/v1/details/1Z023E2X0214323462",  # refused: 401
        "/security/v1/oauth/token",
        "/api/track/v1/details/1Z023E2X0214323462",
    ]
    assert ups.requests[-1].header("Authorization").removeprefix("Bearer ") in ups.tokens


def test_the_token_is_fetched_again_when_it_runs_out(ups):
    ups.run("ups.track", {"tracking_number": "1Z023E2X0214323462"})
    auth.TOKENS.clock = lambda: 1e12  # far past the 14399 s UPS gave the token
    ups.run("ups.track", {"tracking_number": "1Z023E2X0214323462"})

    tokens = [r for r in ups.requests if r.path == "/security/v1/oauth/token"]
    assert len(tokens) == 2


def test_a_wrong_client_secret_is_said_with_ups_words(ups):
    ups.account = ups.account | {"client_secret": "wrong"}
    with pytest.raises(ProviderError) as refused:
        ups.run("ups.track", {"tracking_number": "1Z023E2X0214323462"})
    assert refused.value.status == 401
    assert "UPS says: Invalid Authentication Information. (10401)" in refused.value.message


def test_tracking_reads_status_and_events_in_the_merchants_language(ups):
    tracked = ups.run("ups.track", {"tracking_number": "1Z023E2X0214323462"})

    sent = ups.requests[-1]
    assert sent.path == "/api/track/v1/details/1Z023E2X0214323462?locale=de_DE"
    assert tracked["status_text"] == "Your package was released by the customs agency."
    assert tracked["events"][0] == {
        "at": "2021-02-10T07:13:56",
        "text": "Your package was released by the customs agency.",
        "location": "Wayne",
    }
    assert tracked["events"][1]["at"] == "2021-02-09T16:07:02"
    with pytest.raises(ProviderError, match=r"UPS says: Tracking Information Not Found \(TW0001\)"):
        ups.run("ups.track", {"tracking_number": "1Z999AA10123456784"})


def test_a_refused_shipment_names_what_ups_refused(ups):
    without = RECIPIENT | {"postcode": ""}
    with pytest.raises(Exception) as refused:
        ups.run("ups.create_label", PARCEL | {"recipient": without})
    assert "postcode" in str(refused.value)  # the schema asks for one before UPS is asked
    ups.account = ups.account | {"account_number": "999999"}
    with pytest.raises(ProviderError, match="UPS says: Invalid or missing shipper number."):
        ups.run("ups.create_label", PARCEL)
    assert ups.shipments == {}


def test_a_used_up_quota_is_retried_after_the_wait_ups_asks(ups):
    ups.run("ups.track", {"tracking_number": "1Z023E2X0214323462"})  # a token first
    ups.rate_limit_next(retry_after=3)
    with pytest.raises(TransientError) as slow:
        ups.run("ups.track", {"tracking_number": "1Z023E2X0214323462"})
    assert slow.value.retry_after == 3


def test_test_connection_fetches_a_token(ups):
    assert connector.test(ups.api(connector)) == "UPS accepted the app's login."
    assert [r.path for r in ups.requests] == ["/security/v1/oauth/token"]

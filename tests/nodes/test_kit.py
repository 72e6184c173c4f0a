"""The kit's declarations against small fakes: auth types the seven connectors do not use yet
(an API key in the query, a session login like SAP Business One's Service Layer), eBay's
public-key signature with eBay's own test vector, and error bodies by paths."""

from __future__ import annotations

import base64
import json

import pytest

from nodes.kit.auth import ApiKey, SessionLogin
from nodes.kit.base import Connector, InboundRequest, SignatureError
from nodes.kit.client import ApiClient
from nodes.kit.errors import ErrorBody
from nodes.kit.fakes.provider import FakeProvider, query, route
from nodes.kit.guarded_http import guarded_session
from nodes.kit.webhooks import PublicKeySignature
from tests.conftest import load_fixture

COMPANY = {"company": "SBODEMOUS", "user": "manager", "password": "B1pass!word"}


class FakeServiceLayer(FakeProvider):
    """SAP Business One's Service Layer: POST /b1s/v1/Login opens a session (B1SESSION cookie,
    SessionTimeout in minutes); an expired session answers 401 with an OData error."""

    def __init__(self) -> None:
        super().__init__()
        self.sessions: set[str] = set()
        self.logins = 0

    def authorized(self, request) -> bool:
        if request.path == "/b1s/v1/Login":
            return True
        cookie = request.header("Cookie") or ""
        return any(cookie == f"B1SESSION={session}" for session in self.sessions)

    def error(self, status: int, message: str) -> dict:
        return {"error": {"code": 301, "message": {"lang": "en-us", "value": message}}}

    @route("POST", "/b1s/v1/Login")
    def login(self, request):
        sent = request.json()
        if sent != {"CompanyDB": "SBODEMOUS", "UserName": "manager", "Password": "B1pass!word"}:
            return 401, self.error(401, "Fail to get DB Credentials from SLD")
        self.logins += 1
        session = f"sess-{self.logins}"
        self.sessions.add(session)
        return 200, {"SessionId": session, "Version": "1000190", "SessionTimeout": 30}

    @route("GET", "/b1s/v1/Orders")
    def orders(self, request):
        return 200, {"value": [{"DocEntry": 1, "CardCode": "C20000"}]}


def client_for(fake: FakeProvider, connector: Connector, credential: dict) -> ApiClient:
    session = guarded_session(allow_private=True, timeout=5.0)
    return ApiClient(connector, session, credential, origin=fake.origin)


SAP = Connector(
    "sapb1",
    title={"en": "SAP Business One", "de": "SAP Business One"},
    description={"en": "Test", "de": "Test"},
    base_url=lambda credential: "https://b1.example:50000/b1s/v1",
    auth_type=SessionLogin(
        "/Login",
        body=lambda c: {
            "CompanyDB": c["company"],
            "UserName": c["user"],
            "Password": c["password"],
        },
        cookie="B1SESSION",
        timeout="SessionTimeout",
    ),
    errors=ErrorBody("error.message.value", code="error.code"),
)


def test_a_session_is_opened_once_reused_and_opened_again_when_it_expired():
    with FakeServiceLayer() as fake:
        api = client_for(fake, SAP, COMPANY)
        assert api.get("/Orders")["value"][0]["CardCode"] == "C20000"
        assert api.get("/Orders")["value"]
        assert [r.path for r in fake.requests] == ["/b1s/v1/Login", *["/b1s/v1/Orders"] * 2]
        fake.sessions.clear()  # the Service Layer was restarted: every session is gone
        assert api.get("/Orders")["value"]
        assert [r.path for r in fake.requests][3:] == [
            "/b1s/v1/Orders",
            "/b1s/v1/Login",
            "/b1s/v1/Orders",
        ]
        assert fake.requests[-1].header("Cookie") == "B1SESSION=sess-2"


def test_a_refused_login_carries_the_providers_message():
    with FakeServiceLayer() as fake:
        api = client_for(fake, SAP, {**COMPANY, "password": "wrong"})
        with pytest.raises(Exception, match="SAP Business One says: Fail to get DB") as refused:
            api.get("/Orders")
    assert refused.value.status == 401 and "(301)" in refused.value.message


class FakeKeyInQuery(FakeProvider):
    def authorized(self, request) -> bool:
        return query(request).get("api_key") == "k-123456789"

    @route("GET", "/products")
    def products(self, request):
        return 200, {"products": [], "limit": query(request).get("limit")}


def test_an_api_key_in_the_query_goes_with_the_steps_own_query():
    connector = Connector(
        "keyed",
        title={"en": "Keyed", "de": "Keyed"},
        description={"en": "Test", "de": "Test"},
        base_url=lambda credential: "https://api.keyed.example",
        auth_type=ApiKey("key", query="api_key"),
    )
    with FakeKeyInQuery() as fake:
        api = client_for(fake, connector, {"key": "k-123456789"})
        assert api.get("/products", params={"limit": 5}) == {"products": [], "limit": "5"}


# eBay's signature: ECDSA over the compact JSON of the notification, key fetched by its id


EBAY_MESSAGE = json.loads(load_fixture("ebay", "account_deletion_notification_message.json"))
EBAY_KEY = json.loads(load_fixture("ebay", "public_key_response.json"))["key"]
EBAY_SIGNATURE = json.loads(load_fixture("ebay", "signed_delivery_test_vector.json"))[
    "x-ebay-signature"
]
EBAY = Connector(
    "ebay",
    title={"en": "eBay", "de": "eBay"},
    description={"en": "Test", "de": "Test"},
)
SCHEME = PublicKeySignature(
    "X-EBAY-SIGNATURE",
    public_key=lambda api, kid: api.get(f"/commerce/notification/v1/public_key/{kid}")["key"],
    message=lambda request: json.dumps(request.payload, separators=(",", ":")).encode(),
)


class FakeEbay(FakeProvider):
    @route("GET", "/commerce/notification/v1/public_key/{kid}")
    def public_key(self, request, kid):
        if kid != "9936261a-7d7b-4621-a0f1-96ccb428af49":
            return 404, {"errors": [{"message": "key not found"}]}
        return 200, json.loads(load_fixture("ebay", "public_key_response.json"))


def ebay_delivery(api, message: dict, signature: str) -> InboundRequest:
    body = json.dumps(message, indent=2).encode()  # eBay signs the compact form, not the bytes
    return InboundRequest(body, {"X-EBAY-SIGNATURE": signature}, {}, message, api=api)


def test_ebays_own_signed_delivery_is_accepted_and_a_changed_one_refused():
    with FakeEbay() as fake:
        api = client_for(fake, EBAY, {})
        SCHEME.verify(ebay_delivery(api, EBAY_MESSAGE, EBAY_SIGNATURE), {}, EBAY)
        changed = json.loads(json.dumps(EBAY_MESSAGE))
        changed["notification"]["data"]["username"] = "someone_else"
        with pytest.raises(SignatureError, match="does not match"):
            SCHEME.verify(ebay_delivery(api, changed, EBAY_SIGNATURE), {}, EBAY)
        with pytest.raises(SignatureError, match="is not a signature"):
            SCHEME.verify(ebay_delivery(api, EBAY_MESSAGE, "bm90IGpzb24="), {}, EBAY)
    assert fake.requests[0].path.endswith("/public_key/9936261a-7d7b-4621-a0f1-96ccb428af49")


def test_an_unknown_key_id_is_a_provider_refusal_not_an_accepted_delivery():
    decoded = json.loads(base64.b64decode(EBAY_SIGNATURE))
    other = base64.b64encode(json.dumps({**decoded, "kid": "unknown"}).encode()).decode()
    with FakeEbay() as fake:
        api = client_for(fake, EBAY, {})
        with pytest.raises(Exception, match="404"):
            SCHEME.verify(ebay_delivery(api, EBAY_MESSAGE, other), {}, EBAY)


@pytest.mark.parametrize(
    ("declared", "body", "text"),
    [
        (
            ErrorBody("error.message", field="error.param"),
            {"error": {"message": "No such price", "param": "price"}},
            "Shop says: No such price (field price)",
        ),
        (
            ErrorBody(("errors[].detail", "errors[].title"), code="errors[].code"),
            {"errors": [{"title": "Bad", "code": "7"}, {"title": "Worse", "code": "8"}]},
            "Shop says: Bad; Worse (7; 8)",
        ),
        (ErrorBody("message", reference="meta.debug_id"), {"message": "No", "meta": {}}, None),
        (ErrorBody("message"), "plain text", None),
    ],
)
def test_error_bodies_are_read_by_their_declared_paths(declared, body, text):
    expected = "Shop says: No" if isinstance(body, dict) and body.get("message") else text
    assert declared.text("Shop", body) == expected

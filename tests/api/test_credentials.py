"""Credentials: stored encrypted, secrets never returned, scoped to the merchant."""

from sqlalchemy import select

from app.extensions import db
from app.models import Credential
from tests.conftest import flow_document

SECRET = "whsec_7f3a9c1e5b2d"


def store(api, name="Shop secret"):
    reply = api.post(
        "/api/credentials", json={"connector": "core", "name": name, "data": {"secret": SECRET}}
    )
    assert reply.status_code == 201, reply.get_json()
    return reply.get_json()


def test_the_secret_is_encrypted_at_rest_and_never_returned(api):
    created = store(api)
    assert created["fields"] == {"secret": {"set": True}}
    for reply in (api.get("/api/credentials"), api.get(f"/api/credentials/{created['id']}")):
        assert SECRET.encode() not in reply.data
    stored = db.session.scalar(select(Credential.secret))
    assert SECRET.encode() not in stored


def test_credentials_are_validated_against_the_connector_auth_schema(api):
    reply = api.post(
        "/api/credentials", json={"connector": "core", "name": "", "data": {"secret": "short"}}
    )
    assert reply.status_code == 422
    errors = {e["pointer"]: e["message"] for e in reply.get_json()["errors"]}
    assert errors == {
        "/name": "Give the account a name.",
        "/data/secret": "Needs at least 8 characters.",
    }
    unknown = api.post("/api/credentials", json={"connector": "nope", "name": "x", "data": {}})
    assert unknown.get_json()["errors"][0]["pointer"] == "/connector"


def test_another_merchants_credential_is_404_and_cannot_be_used(api, other_api):
    credential = store(api)
    assert other_api.get(f"/api/credentials/{credential['id']}").status_code == 404
    assert other_api.delete(f"/api/credentials/{credential['id']}").status_code == 404
    assert other_api.get("/api/credentials").get_json() == {"credentials": []}
    hook = {
        "id": "hook",
        "type": "core.webhook",
        "credential": credential["id"],
        "params": {"signature": {"header": "X-Signature"}},
    }
    reply = other_api.post("/api/flows", json={"name": "steal", "graph": flow_document(hook)})
    assert reply.status_code == 422
    assert reply.get_json()["errors"] == [
        {
            "pointer": "/graph/nodes/0/credential",
            "message": 'Step "hook": the connected account does not exist.',
        }
    ]
    assert (
        api.post("/api/flows", json={"name": "mine", "graph": flow_document(hook)}).status_code
        == 201
    )

"""The vault: credentials encrypted at rest, and `shopwire rotate-key`."""

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select

from app import create_app
from app.cli import issue_token, merchant_named, rotate_key
from app.credentials.vault import vault
from app.extensions import db
from app.models import Credential, WebhookEndpoint
from tests.conftest import Api, flow_document

SECRETS = ["whsec_first_0001", "whsec_second_002", "whsec_third_0003"]


@pytest.fixture
def make_app(app, app_config, tmp_path):
    """Apps on the test database whose vault keys live in their own place."""

    def make(**config):
        return create_app({**app_config, "SHOPWIRE_DATA_DIR": str(tmp_path), **config})

    return make


def store_credentials(some_app) -> None:
    with some_app.app_context():
        api = Api(some_app.test_client(), issue_token(merchant_named("acme"), "tests"))
        for number, secret in enumerate(SECRETS):
            reply = api.post(
                "/api/credentials",
                json={"connector": "core", "name": f"Secret {number}", "data": {"secret": secret}},
            )
            assert reply.status_code == 201, reply.get_json()


def rotate_with(some_app):
    with some_app.app_context():
        return some_app.test_cli_runner().invoke(rotate_key)


def ciphertexts() -> dict[str, bytes]:
    return dict(db.session.execute(select(Credential.id, Credential.secret)).all())


def readable(some_app) -> list[str]:
    with some_app.app_context():
        tokens = db.session.scalars(select(Credential.secret).order_by(Credential.name))
        return [vault().decrypt(token)["secret"] for token in tokens]


def test_rotate_key_with_the_instance_key_file(make_app, tmp_path):
    old_app = make_app()
    store_credentials(old_app)
    key_file = tmp_path / "vault.key"
    old_key = key_file.read_text().strip()
    before = ciphertexts()

    result = rotate_with(old_app)
    assert result.exit_code == 0, result.output
    assert "Re-encrypted 3 secret(s)" in result.output

    new_key = key_file.read_text().strip()
    assert new_key != old_key and "\n" not in new_key  # the old key is gone from the file
    assert key_file.stat().st_mode & 0o077 == 0
    after = ciphertexts()
    assert after.keys() == before.keys()
    assert all(after[i] != before[i] for i in before)
    for token in after.values():
        with pytest.raises(InvalidToken):
            Fernet(old_key).decrypt(token)
    # A fresh process (only the new key) and the rotating one both read everything.
    assert readable(make_app()) == SECRETS
    assert readable(old_app) == SECRETS


def test_a_running_process_follows_a_rotation_made_by_another(make_app):
    worker_app = make_app()
    store_credentials(worker_app)
    assert readable(worker_app) == SECRETS  # its vault now holds the old key only

    assert rotate_with(make_app()).exit_code == 0
    assert readable(worker_app) == SECRETS


def test_rotate_key_with_keys_from_the_environment(make_app):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    store_credentials(make_app(SHOPWIRE_VAULT_KEY=old))
    before = ciphertexts()

    # During the rotation both keys are configured, the new one first.
    rotating = make_app(SHOPWIRE_VAULT_KEY=f"{new},{old}")
    assert readable(rotating) == SECRETS
    result = rotate_with(rotating)
    assert result.exit_code == 0, result.output
    assert "remove the old key" in result.output

    after = ciphertexts()
    assert all(after[i] != before[i] for i in before)
    assert readable(make_app(SHOPWIRE_VAULT_KEY=new)) == SECRETS
    with pytest.raises(Exception, match="cannot be decrypted"):
        readable(make_app(SHOPWIRE_VAULT_KEY=old))
    # Nothing left to do: a second run re-encrypts nothing.
    again = rotate_with(make_app(SHOPWIRE_VAULT_KEY=new))
    assert "Re-encrypted 0 secret(s)" in again.output


def test_rotation_also_re_encrypts_what_providers_returned_for_their_webhooks(make_app):
    rotating = make_app()
    with rotating.app_context():
        api = Api(rotating.test_client(), issue_token(merchant_named("acme"), "tests"))
        graph = flow_document({"id": "hook", "type": "core.webhook"})
        assert api.post("/api/flows", json={"name": "Hook", "graph": graph}).status_code == 201
        endpoint = db.session.scalars(select(WebhookEndpoint)).one()
        endpoint.subscription = vault().encrypt({"id": "we_1", "secret": "whsec_from_stripe"})
        db.session.commit()
        before = endpoint.subscription

    result = rotate_with(rotating)
    assert result.exit_code == 0 and "Re-encrypted 1 secret(s)" in result.output, result.output
    with make_app().app_context():  # only the new key
        token = db.session.scalars(select(WebhookEndpoint.subscription)).one()
        assert token != before
        assert vault().decrypt(token) == {"id": "we_1", "secret": "whsec_from_stripe"}

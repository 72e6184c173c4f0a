"""What every connector in the registry promises, checked over all of them: examples fit the
output schemas, texts in English and German, keys named for the connector, an API call action
that works against the connector's fake, every action exercised by its tests, every webhook
trigger refusing a forged delivery before looking at its type."""

from __future__ import annotations

import importlib
import inspect
import json
from pathlib import Path

import jsonschema
import pytest

from nodes.kit import registry
from nodes.kit.base import InboundRequest, SignatureError
from nodes.kit.fakes.provider import FakeProvider
from nodes.kit.webhooks import Hmac, TimestampedHmac

TESTS = Path(__file__).parent
# The connector packages (the core's "http" and "soap" accounts are no packages of their own).
CONNECTORS = [c for c in registry.connectors() if c.key not in ("http", "soap")]
SPECS = [
    spec
    for node in registry.catalog()
    if (spec := registry.get(node["key"], node["version"])).connector in CONNECTORS
]


def fake_of(key: str) -> FakeProvider:
    module = importlib.import_module(f"nodes.{key}.fake")
    (fake,) = [
        cls
        for cls in vars(module).values()
        if inspect.isclass(cls) and issubclass(cls, FakeProvider) and cls is not FakeProvider
    ]
    return fake()


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.key)
def test_a_node_is_named_for_its_connector_speaks_both_languages_and_fits_its_example(spec):
    assert spec.key.split(".", 1)[0] == spec.connector.key
    for text in (spec.title, spec.description, spec.connector.title, spec.connector.description):
        assert set(text) == {"en", "de"} and all(text.values()), spec.key
    jsonschema.Draft202012Validator.check_schema(spec.params)
    jsonschema.validate(spec.output_example, spec.output_schema)


@pytest.mark.parametrize("connector", [c for c in CONNECTORS if c.http_api], ids=lambda c: c.key)
def test_every_connector_has_an_api_call_that_goes_through_its_account(connector):
    method, path, body = (fake := fake_of(connector.key)).sample_call
    params = {"method": method, "path": path} | ({"body": body} if body is not None else {})
    with fake:
        answer = fake.run(f"{connector.key}.api_call", params)
        assert answer["status"] == 200, answer
        # twice: a connector that fetches tokens asks for a fresh one after the first 401
        fake.fail_next(401, fake.error(401, "Invalid credentials"))
        fake.fail_next(401, fake.error(401, "Invalid credentials"))
        with pytest.raises(Exception, match=connector.title["en"]) as refused:
            fake.run(f"{connector.key}.api_call", params)
    assert refused.value.kind == "provider" and refused.value.status == 401


@pytest.mark.parametrize(
    "spec", [s for s in SPECS if s.kind == "action"], ids=lambda spec: spec.key
)
def test_every_action_is_run_against_its_fake_by_a_test(spec):
    if spec.key.endswith(".api_call"):
        return  # above, for every connector
    tests = (TESTS / f"test_{spec.connector.key}.py").read_text()
    assert f'"{spec.key}"' in tests, f"tests/nodes/test_{spec.connector.key}.py never runs it"


def signed(scheme: Hmac | TimestampedHmac, body: bytes, key: str) -> dict[str, str]:
    return {scheme.header: scheme.sign(key, body)}


@pytest.mark.parametrize("spec", [s for s in SPECS if s.webhook], ids=lambda spec: spec.key)
def test_every_webhook_trigger_accepts_a_signed_delivery_and_refuses_a_forged_one(spec):
    scheme = spec.connector.webhooks.signature if spec.connector.webhooks else None
    if not isinstance(scheme, Hmac | TimestampedHmac):
        pytest.skip("checked by the provider or unsigned: see the connector's own tests")
    body = json.dumps(spec.output_example).encode()
    key = "conformance-secret"
    credential = {scheme.secret: key}
    good = InboundRequest(body, signed(scheme, body, key), {}, spec.output_example)
    spec.verify(good, {}, credential)
    forged = InboundRequest(body, signed(scheme, body, "another"), {}, spec.output_example)
    with pytest.raises(SignatureError):
        spec.verify(forged, {}, credential)

"""What the starter tests share: the gallery with the starters in it, installing one, and
the accounts of the shop and payment fakes."""

from __future__ import annotations

import json

import pytest

from app.flows.templates import STARTERS, install_starters
from nodes.shopify import fake as shopify
from nodes.stripe import fake as stripe
from tests.conftest import create_credential


@pytest.fixture
def gallery(app, api):
    install_starters()
    items = api.get("/api/templates").get_json()["items"]
    return {item["title"]: item["id"] for item in items}


def starter_id(gallery: dict[str, str], key: str) -> str:
    title = json.loads((STARTERS / f"{key}.json").read_text())["title"]["en"]
    return gallery[title]


def install(api, template_id: str, credentials: dict, parameters: dict | None = None) -> str:
    reply = api.post(
        f"/api/templates/{template_id}/install",
        json={"credentials": credentials, "parameters": parameters or {}},
    )
    assert reply.status_code == 201, reply.get_json()
    return reply.get_json()["flow_id"]


def shopify_account(api) -> str:
    data = {"shop": shopify.SHOP, "access_token": shopify.ACCESS_TOKEN}
    return create_credential(api, "shopify", data, "Shop")


def stripe_account(api) -> str:
    return create_credential(api, "stripe", {"api_key": stripe.API_KEY}, "Stripe")

"""Templates through the API: publish, list, read, install across shops, run, update."""

from __future__ import annotations

import json

import pytest

from nodes.shopify.fake import ACCESS_TOKEN, SHOP, FakeShopify
from nodes.stripe.fake import API_KEY, FakeStripe
from tests.conftest import connected, create_credential, flow_document, load_fixture, run_now

BEARER = "Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0"
QUERY_KEY = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
PASSWORD = "hunter2-correct-horse"


@pytest.fixture
def shop_fakes(app):
    with (
        connected(app, "shopify", FakeShopify()) as shop,
        connected(app, "stripe", FakeStripe()) as payments,
    ):
        yield shop, payments


def accounts(api, name: str) -> dict[str, str]:
    return {
        "shopify": create_credential(
            api, "shopify", {"shop": SHOP, "access_token": ACCESS_TOKEN}, f"{name} shop"
        ),
        "stripe": create_credential(api, "stripe", {"api_key": API_KEY}, f"{name} Stripe"),
    }


def refund_flow(credentials: dict[str, str], payment_intent: str, tag: str = "refund") -> dict:
    """The demo flow, plus a request to the publisher's ERP with everything a secret can be."""
    return flow_document(
        {
            "id": "paid",
            "type": "shopify.order_paid",
            "name": "Paid order",
            "credential": credentials["shopify"],
        },
        {
            "id": "tagged",
            "type": "core.filter",
            "name": "Tagged",
            "mapping": {"condition": f"contains(trigger.tags, '{tag}')"},
        },
        {
            "id": "refund",
            "type": "stripe.create_refund",
            "name": "Refund",
            "credential": credentials["stripe"],
            "params": {"payment_intent": payment_intent, "reason": "requested_by_customer"},
            "mapping": {"metadata.shopify_order": "trigger.name"},
        },
        {
            "id": "erp",
            "type": "core.http_request",
            "name": "Tell the ERP",
            "params": {
                "method": "POST",
                "url": f"https://erp.acme-intern.de/refunds?api_key={QUERY_KEY}",
                "headers": {"Authorization": BEARER},
                "body": {"user": "acme", "password": PASSWORD},
            },
        },
    )


def create_flow(api, graph: dict, name: str = "Refund tagged orders") -> str:
    reply = api.post("/api/flows", json={"name": name, "graph": graph})
    assert reply.status_code == 201, reply.get_json()
    return reply.get_json()["id"]


def publish(api, flow_id: str, visibility: str = "public", **extra) -> dict:
    reply = api.post(
        "/api/templates",
        json={
            "flow_id": flow_id,
            "title": {"en": "Refund tagged orders", "de": "Markierte Bestellungen erstatten"},
            "description": "Refunds a paid order in Stripe when it is tagged.",
            "category": "payments",
            "visibility": visibility,
            **extra,
        },
    )
    assert reply.status_code == 201, reply.get_json()
    return reply.get_json()


PAYMENT_MARK = [
    {
        "pointer": "/nodes/2/params/payment_intent",
        "name": "payment",
        "title": {"en": "Payment to refund", "de": "Zu erstattende Zahlung"},
    }
]


def test_a_published_template_shows_no_secret_and_nothing_of_the_publishers_shop(
    api, other_api, shop_fakes
):
    _, payments = shop_fakes
    (payment_intent,) = payments.payment_intents
    mine = accounts(api, "Acme")
    flow_id = create_flow(api, refund_flow(mine, payment_intent))

    published = publish(api, flow_id, parameters=PAYMENT_MARK)

    assert published["version"] == 1
    assert {r["pointer"] for r in published["removed"]} >= {
        "/nodes/3/params/url",
        "/nodes/3/params/headers/Authorization",
        "/nodes/3/params/body/password",
    }
    shown = [
        other_api.get("/api/templates").get_data(as_text=True),
        other_api.get(f"/api/templates/{published['id']}").get_data(as_text=True),
    ]
    for text in shown:
        for private in (BEARER, QUERY_KEY, PASSWORD, payment_intent, flow_id, *mine.values()):
            assert private not in text
    # the export keeps the flow's ordinary values (the marked payment too), never a secret
    exported = api.get(f"/api/flows/{flow_id}/export").get_data(as_text=True)
    for private in (BEARER, QUERY_KEY, PASSWORD, *mine.values()):
        assert private not in exported
    template = other_api.get(f"/api/templates/{published['id']}").get_json()
    assert template["credential_slots"] == [
        {"id": "shopify", "connector": "shopify", "nodes": ["paid"]},
        {"id": "stripe", "connector": "stripe", "nodes": ["refund"]},
    ]
    assert template["parameters"]["required"] == ["payment"]
    assert template["connectors"] == ["shopify", "stripe"]
    assert template["title"] == "Refund tagged orders"
    german = other_api.get(
        f"/api/templates/{published['id']}", headers={"Accept-Language": "de"}
    ).get_json()
    assert german["title"] == "Markierte Bestellungen erstatten"


def test_installed_in_another_shop_with_its_own_accounts_the_flow_runs_end_to_end(
    api, other_api, run_queue, shop_fakes
):
    _, payments = shop_fakes
    (payment_intent,) = payments.payment_intents
    graph = refund_flow(accounts(api, "Acme"), payment_intent)
    del graph["nodes"][3]  # the ERP of the publisher is not part of this test
    graph["edges"].pop()
    published = publish(api, create_flow(api, graph), parameters=PAYMENT_MARK)
    theirs = accounts(other_api, "Globex")

    reply = other_api.post(
        f"/api/templates/{published['id']}/install",
        json={"credentials": theirs, "parameters": {"payment": payment_intent}},
    )

    assert reply.status_code == 201, reply.get_json()
    flow = other_api.get(f"/api/flows/{reply.get_json()['flow_id']}").get_json()
    assert flow["active"] is False
    assert flow["name"] == "Refund tagged orders"
    assert [n.get("credential") for n in flow["graph"]["nodes"]] == [
        theirs["shopify"],
        None,
        theirs["stripe"],
    ]
    order = json.loads(load_fixture("shopify", "webhook.orders_paid.json"))
    order["tags"] = "refund, vip"
    done = run_now(other_api, run_queue, flow["id"], order)
    assert done["status"] == "succeeded", done
    (refund,) = [r for r in payments.requests if r.path == "/v1/refunds"]
    assert refund.header("Authorization") == f"Bearer {API_KEY}"
    assert api.get(f"/api/flows/{flow['id']}").status_code == 404  # not in the publisher's shop
    listed = other_api.get("/api/templates").get_json()["items"]
    assert next(i for i in listed if i["id"] == published["id"])["installs"] == 1


def test_install_names_each_missing_or_foreign_account_and_value(api, other_api, shop_fakes):
    _, payments = shop_fakes
    (payment_intent,) = payments.payment_intents
    mine = accounts(api, "Acme")
    published = publish(
        api, create_flow(api, refund_flow(mine, payment_intent)), parameters=PAYMENT_MARK
    )

    reply = other_api.post(
        f"/api/templates/{published['id']}/install",
        json={"credentials": {"shopify": mine["shopify"]}, "parameters": {}},
    )

    assert reply.status_code == 422
    errors = {e["pointer"]: e["message"] for e in reply.get_json()["errors"]}
    assert errors["/credentials/shopify"] == f"There is no account {mine['shopify']} in your shop."
    assert errors["/credentials/stripe"] == "Choose a Stripe account for this template."
    assert errors["/parameters/payment"] == "Give a value for “Payment to refund”."
    theirs = accounts(other_api, "Globex")
    swapped = other_api.post(
        f"/api/templates/{published['id']}/install",
        json={
            "credentials": {"shopify": theirs["stripe"], "stripe": theirs["stripe"]},
            "parameters": {"payment": "pi_1"},
        },
    )
    assert swapped.get_json()["errors"] == [
        {
            "pointer": "/credentials/shopify",
            "message": "This slot needs a Shopify account, not a stripe one.",
        }
    ]


@pytest.mark.parametrize(
    "visibility, listed, readable",
    [("private", False, False), ("link", False, True), ("public", True, True)],
)
def test_visibility_decides_who_lists_reads_and_installs(
    api, other_api, shop_fakes, visibility, listed, readable
):
    graph = flow_document(
        {"id": "hook", "type": "core.webhook"},
        {"id": "set", "type": "core.set", "params": {"values": {"a": "b"}}},
    )
    published = publish(api, create_flow(api, graph), visibility=visibility)

    ids = [i["id"] for i in other_api.get("/api/templates").get_json()["items"]]
    assert (published["id"] in ids) is listed
    assert (other_api.get(f"/api/templates/{published['id']}").status_code == 200) is readable
    install = other_api.post(f"/api/templates/{published['id']}/install", json={})
    assert install.status_code == (201 if readable else 404)
    own = [i for i in api.get("/api/templates").get_json()["items"] if i["id"] == published["id"]]
    assert own and own[0]["own"] is True  # the publisher always sees its own


def test_publishing_again_is_a_new_version_and_installed_copies_update_keeping_choices(
    api, other_api, run_queue, shop_fakes
):
    _, payments = shop_fakes
    (payment_intent,) = payments.payment_intents
    graph = refund_flow(accounts(api, "Acme"), payment_intent)
    del graph["nodes"][3]
    graph["edges"].pop()
    flow_id = create_flow(api, graph)
    published = publish(api, flow_id, parameters=PAYMENT_MARK)
    theirs = accounts(other_api, "Globex")
    installed = other_api.post(
        f"/api/templates/{published['id']}/install",
        json={"credentials": theirs, "parameters": {"payment": payment_intent}},
    ).get_json()["flow_id"]
    assert (
        other_api.get("/api/templates/installs").get_json()["installs"][0]["update_available"]
        is False
    )

    graph["nodes"].append(
        {
            "id": "note",
            "type": "shopify.tag_order",
            "version": 1,
            "name": "Tag as refunded",
            "credential": graph["nodes"][0]["credential"],
            "params": {"tags": ["refunded"]},
            "mapping": {"order_id": "trigger.id"},
        }
    )
    graph["edges"].append({"source": "refund", "target": "note"})
    graph["nodes"][1]["mapping"]["condition"] = "contains(trigger.tags, 'refund-now')"
    api.put(f"/api/flows/{flow_id}", json={"graph": graph})
    again = publish(api, flow_id, parameters=PAYMENT_MARK)
    assert (again["id"], again["version"]) == (published["id"], 2)
    logged = [
        e for e in api.get("/api/audit").get_json()["events"] if e["target_type"] == "template"
    ]
    assert [(e["action"], e["detail"]["version"]) for e in logged] == [
        ("template.published", 2),
        ("template.published", 1),
    ]

    (status,) = other_api.get("/api/templates/installs").get_json()["installs"]
    assert status["update_available"] is True
    assert status["changes"] == {"added": ["Tag as refunded"], "removed": [], "changed": ["Tagged"]}

    updated = other_api.post(f"/api/templates/installs/{installed}/update", json={})
    assert updated.status_code == 200, updated.get_json()
    assert updated.get_json()["version"] == 2
    flow = other_api.get(f"/api/flows/{installed}").get_json()
    nodes = {n["id"]: n for n in flow["graph"]["nodes"]}
    assert nodes["note"]["credential"] == theirs["shopify"]  # the new step uses the same slot
    assert nodes["refund"]["credential"] == theirs["stripe"]
    assert nodes["refund"]["params"]["payment_intent"] == payment_intent
    versions = other_api.get(f"/api/flows/{installed}/versions").get_json()["versions"]
    assert [v["number"] for v in versions] == [2, 1]  # the old one can be restored
    assert (
        other_api.get("/api/templates/installs").get_json()["installs"][0]["update_available"]
        is False
    )


def test_publishing_reports_bad_fields_and_marks_plainly(api):
    flow_id = create_flow(api, flow_document({"id": "hook", "type": "core.webhook"}))
    reply = api.post(
        "/api/templates",
        json={"flow_id": flow_id, "title": "", "category": "misc", "visibility": "everyone"},
    )
    assert reply.status_code == 422
    assert [e["pointer"] for e in reply.get_json()["errors"]] == [
        "/title",
        "/description",
        "/category",
        "/visibility",
    ]
    bad_mark = api.post(
        "/api/templates",
        json={
            "flow_id": flow_id,
            "title": "T",
            "description": "D",
            "category": "shop",
            "parameters": [{"pointer": "/nodes/0/params/nothing", "name": "x"}],
        },
    )
    assert bad_mark.status_code == 422
    assert bad_mark.get_json()["errors"][0]["message"] == (
        "There is no value at /nodes/0/params/nothing."
    )
    assert api.get("/api/templates").get_json()["items"] == [] or all(
        i["starter"] for i in api.get("/api/templates").get_json()["items"]
    )


def test_the_preview_shows_what_would_be_shared_and_stores_nothing(api, shop_fakes):
    _, payments = shop_fakes
    (payment_intent,) = payments.payment_intents
    flow_id = create_flow(api, refund_flow(accounts(api, "Acme"), payment_intent))
    preview = api.post(
        "/api/templates/preview", json={"flow_id": flow_id, "parameters": PAYMENT_MARK}
    ).get_json()
    assert BEARER not in json.dumps(preview)
    assert "/nodes/3/params/headers/Authorization" in [r["pointer"] for r in preview["removed"]]
    assert list(preview["parameters"]["properties"]) == ["payment"]
    assert not [i for i in api.get("/api/templates").get_json()["items"] if i["own"]]


def test_another_shops_flow_cannot_be_published_or_exported(api, other_api):
    flow_id = create_flow(api, flow_document({"id": "hook", "type": "core.webhook"}))
    assert (
        other_api.post(
            "/api/templates",
            json={"flow_id": flow_id, "title": "T", "description": "D", "category": "shop"},
        ).status_code
        == 404
    )
    assert other_api.get(f"/api/flows/{flow_id}/export").status_code == 404
    assert other_api.post("/api/templates/preview", json={"flow_id": flow_id}).status_code == 404


def test_the_publisher_changes_who_sees_a_template_and_deletes_it(api, other_api, client):
    graph = flow_document(
        {"id": "hook", "type": "core.webhook"},
        {"id": "set", "type": "core.set", "name": "Fields", "params": {"values": {"a": "b"}}},
    )
    template_id = publish(api, create_flow(api, graph), visibility="public")["id"]
    installed = other_api.post(f"/api/templates/{template_id}/install", json={}).get_json()

    def seen_by_other() -> tuple[bool, int]:
        ids = [i["id"] for i in other_api.get("/api/templates").get_json()["items"]]
        return template_id in ids, other_api.get(f"/api/templates/{template_id}").status_code

    changed = api.patch(f"/api/templates/{template_id}", json={"visibility": "link"})
    assert changed.status_code == 200 and changed.get_json()["visibility"] == "link"
    assert seen_by_other() == (False, 200)  # not listed, reachable with its link
    api.patch(f"/api/templates/{template_id}", json={"visibility": "private"})
    assert seen_by_other() == (False, 404)
    assert other_api.post(f"/api/templates/{template_id}/install", json={}).status_code == 404

    for wrong in ({"visibility": "everyone"}, {}):
        refused = api.patch(f"/api/templates/{template_id}", json=wrong)
        assert refused.status_code == 422
        (error,) = refused.get_json()["errors"]
        assert error["pointer"] == "/visibility"
        assert error["message"].startswith("Visibility is private")
    api.patch(f"/api/templates/{template_id}", json={"visibility": "public"})
    # Another shop can read a public template but neither change nor delete it.
    assert (
        other_api.patch(f"/api/templates/{template_id}", json={"visibility": "private"}).status_code
        == 404
    )
    assert other_api.delete(f"/api/templates/{template_id}").status_code == 404

    assert api.delete(f"/api/templates/{template_id}").status_code == 204
    assert seen_by_other() == (False, 404)
    assert api.get(f"/api/templates/{template_id}").status_code == 404
    # The installed copy stays the other shop's flow, with no update to wait for.
    assert other_api.get(f"/api/flows/{installed['flow_id']}").status_code == 200
    assert other_api.get("/api/templates/installs").get_json()["installs"] == []
    logged = [e["action"] for e in api.get("/api/audit").get_json()["events"]]
    assert logged[:2] == ["template.deleted", "template.visibility"]


def test_starter_templates_cannot_be_changed_by_a_shop(api):
    from app.extensions import db
    from app.flows.templates import install_starters

    (starter, *_) = install_starters()
    db.session.commit()
    assert (
        api.patch(f"/api/templates/{starter.id}", json={"visibility": "private"}).status_code == 404
    )
    assert api.delete(f"/api/templates/{starter.id}").status_code == 404

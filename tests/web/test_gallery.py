"""The template pages: gallery, install with accounts connected on the spot, publish with a
preview of what is shared and removed, update an installed flow."""

import copy
import re
from urllib.parse import urlsplit

from sqlalchemy import select

from app.extensions import db
from app.flows.templates import STARTERS, install_starters
from app.models import Credential, Flow
from nodes.shopify.fake import ACCESS_TOKEN, SHOP
from nodes.stripe.fake import API_KEY
from tests.conftest import flow_document
from tests.people import csrf, member, sign_in

REFUND = "Refund paid Shopify orders tagged “refund” in Stripe"


def signed_in(client, shop="acme", email="ann@acme.de", role="owner"):
    member(shop, email, role)
    sign_in(client, email)
    return client


def template_link(page: str, title: str) -> str:
    card = page[: page.index(title)].rsplit('data-template="', 1)[1]
    return "/templates/" + card.split('"', 1)[0]


def test_the_gallery_searches_filters_and_shows_icons_and_installs(app, client):
    install_starters()
    signed_in(client)

    page = client.get("/templates").get_data(as_text=True)
    assert page.count("data-template=") == len(list(STARTERS.glob("*.json")))
    assert 'data-connector="shopify"' in page and 'data-connector="stripe"' in page
    assert "0 installs" in page

    found = client.get("/templates?q=woocommerce").get_data(as_text=True)
    assert found.count("data-template=") == 2 and "WooCommerce" in found
    labels = client.get("/templates?category=shipping").get_data(as_text=True)
    assert labels.count("data-template=") == 1 and "DHL" in labels
    payments = client.get("/templates?category=payments").get_data(as_text=True)
    assert payments.count("data-template=") == 2
    assert "No template matches" in client.get("/templates?q=zzzz").get_data(as_text=True)
    german = client.get("/templates", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Bezahlte Shopify-Bestellungen" in german and "Zahlungen" in german


def test_start_from_a_template_is_on_the_dashboard_and_in_an_empty_shop(app, client):
    signed_in(client)
    home = client.get("/").get_data(as_text=True)
    assert 'data-testid="start-from-template"' in home
    assert 'data-testid="empty-start-from-template"' in home


def test_install_connects_new_accounts_on_the_spot_and_opens_the_editor(app, client):
    install_starters()
    signed_in(client)
    page = client.get(template_link(client.get("/templates").get_data(as_text=True), REFUND))
    text = page.get_data(as_text=True)
    assert 'data-testid="canvas-preview"' in text and "Refund in Stripe" in text

    form = {
        "csrf": csrf(page),
        "credential-shopify": "new",
        "new-shopify-name": "My shop",
        "new-shopify-shop": SHOP,
        "new-shopify-access_token": ACCESS_TOKEN,
        "credential-stripe": "new",
        "new-stripe-api_key": "not-a-key",
        "param-tag": "refund-please",
    }
    refused = client.post(page.request.path + "/install", data=form)
    assert refused.status_code == 422
    assert "Secret key: Has the wrong form" in refused.get_data(as_text=True)
    assert db.session.scalars(select(Credential)).all() == []  # nothing half-made

    done = client.post(page.request.path + "/install", data={**form, "new-stripe-api_key": API_KEY})
    assert done.status_code == 302 and re.search(r"/flows/[^/]+/edit$", done.headers["Location"])
    (flow,) = db.session.scalars(select(Flow)).all()
    assert flow.active is False
    graph = flow.current_version.graph
    assert graph["nodes"][1]["params"]["values"]["tag"] == "refund-please"
    names = {c.id: c.name for c in db.session.scalars(select(Credential))}
    assert names[graph["nodes"][0]["credential"]] == "My shop"
    gallery = client.get("/templates").get_data(as_text=True)
    assert "1 install" in gallery


def test_publish_shows_what_is_shared_and_removed_then_publishes(app, client):
    signed_in(client)
    graph = flow_document(
        {"id": "hook", "type": "core.webhook", "name": "Order in"},
        {
            "id": "erp",
            "type": "core.http_request",
            "name": "To ERP",
            "params": {
                "url": "https://erp.acme.de/o?api_key=abcdef0123456789",
                "headers": {"Authorization": "Bearer 0123456789abcdef"},
                "body": {"shop": "acme.de"},
            },
        },
    )
    from app.cli import merchant_named
    from app.flows import lifecycle

    flow = lifecycle.create(merchant_named("acme").id, "Orders to ERP", graph)
    db.session.commit()
    page = client.get(f"/flows/{flow.id}/publish")
    marks = "mark-/nodes/1/params/body/shop"
    preview = client.post(
        f"/flows/{flow.id}/publish",
        data={
            "csrf": csrf(page),
            "title_en": "Orders to an ERP",
            "description_en": "Posts orders.",
            "category": "accounting",
            "visibility": "public",
            marks: "on",
            "action": "preview",
        },
    )
    text = preview.get_data(as_text=True)
    assert 'data-testid="publish-preview"' in text
    assert "To ERP: headers › Authorization" in text
    assert "To ERP: url" in text
    assert "0123456789abcdef" not in text.split('data-testid="publish-preview"')[1]

    published = client.post(
        f"/flows/{flow.id}/publish",
        data={
            "csrf": csrf(page),
            "title_en": "Orders to an ERP",
            "description_en": "Posts orders.",
            "category": "accounting",
            "visibility": "public",
            marks: "on",
            "action": "publish",
        },
    )
    assert published.status_code == 302
    shown = client.get(published.headers["Location"]).get_data(as_text=True)
    assert "Orders to an ERP" in shown and "Published as version 1." in shown
    assert "To ERP: body › shop" in shown  # asked from the installer, by its title
    assert "acme.de" not in shown.split("<main>")[1]

    again = client.get(f"/flows/{flow.id}/publish").get_data(as_text=True)
    assert "publishing makes its version 2" in again
    assert '<option value="public" selected>' in again  # who sees it stays as it was
    assert 'value="Orders to an ERP"' in again and "Posts orders.</textarea>" in again
    assert re.search(r'name="mark-/nodes/1/params/body/shop" checked', again)


def publish_fields(api, graph: dict, **extra) -> tuple[str, str, dict]:
    """A flow of the acme shop published as a public template: its flow id, the template id,
    and the publishing body (to publish again)."""
    flow_id = api.post("/api/flows", json={"name": "Source", "graph": graph}).get_json()["id"]
    body = {
        "flow_id": flow_id,
        "title": {"en": "Fields", "de": "Felder"},
        "description": "D",
        "category": "shop",
        "visibility": "public",
        **extra,
    }
    return flow_id, api.post("/api/templates", json=body).get_json()["id"], body


FIELDS = flow_document(
    {"id": "hook", "type": "core.webhook", "name": "Order in"},
    {"id": "set", "type": "core.set", "name": "Fields", "params": {"values": {"a": "b"}}},
)


def test_an_update_shows_on_the_dashboard_editor_and_gallery_and_is_a_new_version(app, client, api):
    signed_in(client, "globex", "gil@globex.de")
    graph = copy.deepcopy(FIELDS)
    flow_id, template_id, body = publish_fields(api, graph)
    page = client.get(f"/templates/{template_id}")
    installed = client.post(f"/templates/{template_id}/install", data={"csrf": csrf(page)})
    assert installed.status_code == 302
    (mine,) = db.session.scalars(select(Flow).where(Flow.name == "Fields")).all()
    assert "Update available" not in client.get("/").get_data(as_text=True)
    assert "Update available" not in client.get(f"/flows/{mine.id}/edit").get_data(as_text=True)

    graph["nodes"].append(
        {
            "id": "more",
            "type": "core.set",
            "version": 1,
            "name": "More fields",
            "params": {"values": {"c": "d"}},
        }
    )
    graph["edges"].append({"source": "set", "target": "more"})
    graph["nodes"][1]["params"]["values"]["a"] = "B"
    api.put(f"/api/flows/{flow_id}", json={"graph": graph})
    api.post("/api/templates", json=body)

    for path in ("/", f"/flows/{mine.id}/edit", "/templates"):
        text = client.get(path).get_data(as_text=True)
        assert "Update available: version 2" in text, path
        assert "added: More fields" in text and "changed: Fields" in text, path
    german = client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Aktualisierung verfügbar: Version 2" in german and "hinzugefügt: More fields" in german
    viewer = signed_in(app.test_client(), "globex", "vic@globex.de", role="viewer")
    seen = viewer.get("/").get_data(as_text=True)
    assert "Update available: version 2" in seen  # told, but not offered a button they may not use
    assert "An editor or the owner of your shop can update it." in seen
    assert f'action="/flows/{mine.id}/template-update"' not in seen
    details = client.get(f"/flows/{mine.id}/template-update?back=home").get_data(as_text=True)
    assert "has a new version: 2 (yours: 1)" in details and "you can restore" in details

    updated = client.post(
        f"/flows/{mine.id}/template-update", data={"csrf": csrf(page), "back": "editor"}
    )
    assert updated.status_code == 302
    assert updated.headers["Location"] == f"/flows/{mine.id}/edit"
    editor = client.get(updated.headers["Location"]).get_data(as_text=True)
    assert "version 2; the previous state is kept" in editor
    assert "Update available" not in editor
    db.session.refresh(mine)
    assert mine.current_version.number == 2
    assert [n["id"] for n in mine.current_version.graph["nodes"]] == ["hook", "set", "more"]


def test_an_update_that_needs_a_new_account_and_value_asks_for_them_first(app, client, api):
    signed_in(client, "globex", "gil@globex.de")
    graph = copy.deepcopy(FIELDS)
    flow_id, template_id, body = publish_fields(api, graph)
    page = client.get(f"/templates/{template_id}")
    client.post(f"/templates/{template_id}/install", data={"csrf": csrf(page)})
    (mine,) = db.session.scalars(select(Flow).where(Flow.name == "Fields")).all()

    stripe = api.post(
        "/api/credentials",
        json={"connector": "stripe", "name": "Acme Stripe", "data": {"api_key": API_KEY}},
    ).get_json()["id"]
    graph["nodes"].append(
        {
            "id": "refund",
            "type": "stripe.create_refund",
            "version": 1,
            "name": "Refund",
            "credential": stripe,
            "params": {"payment_intent": "pi_123"},
        }
    )
    graph["edges"].append({"source": "set", "target": "refund"})
    api.put(f"/api/flows/{flow_id}", json={"graph": graph})
    mark = [{"pointer": "/nodes/2/params/payment_intent", "name": "payment", "title": "Payment"}]
    api.post("/api/templates", json={**body, "parameters": mark})

    home = client.get("/").get_data(as_text=True)
    assert "It asks for an account or a value first." in home
    assert f'/flows/{mine.id}/template-update?back=home"' in home
    form = client.get(f"/flows/{mine.id}/template-update?back=home")
    text = form.get_data(as_text=True)
    assert 'data-slot="stripe"' in text and 'name="param-payment"' in text
    assert 'data-slot="' not in text.replace('data-slot="stripe"', "")  # not asked again

    refused = client.post(
        f"/flows/{mine.id}/template-update",
        data={
            "csrf": csrf(form),
            "back": "home",
            "credential-stripe": "new",
            "new-stripe-api_key": "not-a-key",
        },
    )
    assert refused.status_code == 422
    assert "Secret key: Has the wrong form" in refused.get_data(as_text=True)
    db.session.refresh(mine)
    assert mine.current_version.number == 1
    theirs = select(Credential).where(Credential.merchant_id == mine.merchant_id)
    assert db.session.scalars(theirs).all() == [], "nothing half-made"

    done = client.post(
        f"/flows/{mine.id}/template-update",
        data={
            "csrf": csrf(form),
            "back": "home",
            "credential-stripe": "new",
            "new-stripe-name": "Our Stripe",
            "new-stripe-api_key": API_KEY,
            "param-payment": "pi_ours",
        },
    )
    assert done.status_code == 302 and done.headers["Location"] == "/"
    db.session.refresh(mine)
    refund = mine.current_version.graph["nodes"][2]
    ours = db.session.scalar(select(Credential).where(Credential.name == "Our Stripe"))
    assert (refund["credential"], refund["params"]["payment_intent"]) == (ours.id, "pi_ours")


def test_a_file_is_imported_from_the_gallery_with_a_report(app, client):
    from io import BytesIO
    from pathlib import Path

    signed_in(client)
    page = client.get("/templates")
    workflow = Path(__file__).resolve().parent.parent / "fixtures" / "n8n"
    data = (workflow / "1151_Woocommerce_Slack_Create_Triggered.json").read_bytes()

    report = client.post(
        "/flows/import",
        data={"csrf": csrf(page), "file": (BytesIO(data), "workflow.json")},
        content_type="multipart/form-data",
    )

    text = report.get_data(as_text=True)
    assert report.status_code == 200 and 'data-testid="import-report"' in text
    assert "Step “Send to Slack” is a placeholder" in text
    assert "Order Created: credential" in text  # the WooCommerce account to connect
    (flow,) = db.session.scalars(select(Flow)).all()
    assert flow.name == "New WooCommerce order to Slack" and flow.active is False
    export = client.get(f"/api/flows/{flow.id}/export")
    assert export.get_json()["format"] == "shopwire.flow"

    refused = client.post(
        "/flows/import",
        data={"csrf": csrf(page), "file": (BytesIO(b"not json"), "x.json")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 302
    assert "The file is not a JSON document." in client.get("/templates").get_data(as_text=True)


def test_the_preview_draws_steps_and_branches_without_the_values_they_hold(app):
    from app.web.gallery import flow_preview

    graph = flow_document(
        {"id": "hook", "type": "core.webhook", "name": "Order in"},
        {
            "id": "route",
            "type": "core.router",
            "params": {"branches": [{"name": "big", "condition": "total > `100`"}]},
        },
        {
            "id": "erp",
            "type": "core.http_request",
            "params": {"url": "https://erp.acme.de/orders"},
            "on_error": "branch",
        },
    )
    with app.test_request_context(headers={"Accept-Language": "de"}):
        from flask import g

        g.lang = "de"
        drawn = flow_preview(graph)
    steps = {step["id"]: step for step in drawn["graph"]["nodes"]}
    assert steps["route"]["params"] == {"branches": [{"name": "big"}]}  # its ports, no condition
    assert "params" not in steps["erp"] and steps["erp"]["on_error"] == "branch"
    assert "acme.de" not in str(drawn) and "total" not in str(drawn)
    assert drawn["catalog"]["core.router"]["ports_from"]["param"] == "branches"
    assert drawn["catalog"]["core.webhook"]["kind"] == "trigger"
    assert drawn["graph"]["edges"] == graph["edges"]


def test_the_publisher_shares_by_link_makes_private_and_deletes_on_the_template_page(
    app, client, api
):
    _, template_id, _ = publish_fields(api, copy.deepcopy(FIELDS), visibility="private")
    signed_in(client, "acme", "ann@acme.de")
    page = client.get(f"/templates/{template_id}")
    assert 'data-testid="manage-template"' in page.get_data(as_text=True)
    shared = client.post(
        f"/templates/{template_id}/visibility", data={"csrf": csrf(page), "visibility": "link"}
    )
    text = client.get(shared.headers["Location"]).get_data(as_text=True)
    assert "Now visible to: anyone with the link." in text
    link = re.search(r'id="share-link" value="([^"]+)"', text).group(1)
    assert link.endswith(f"/templates/{template_id}")

    other = app.test_client()
    signed_in(other, "globex", "gil@globex.de")
    assert template_id not in other.get("/templates").get_data(as_text=True)
    theirs = other.get(urlsplit(link).path)
    assert theirs.status_code == 200 and 'data-testid="manage-template"' not in theirs.get_data(
        as_text=True
    )
    refused = other.post(f"/templates/{template_id}/delete", data={"csrf": csrf(theirs)})
    assert refused.status_code == 404

    client.post(
        f"/templates/{template_id}/visibility", data={"csrf": csrf(page), "visibility": "private"}
    )
    assert other.get(f"/templates/{template_id}").status_code == 404
    deleted = client.post(f"/templates/{template_id}/delete", data={"csrf": csrf(page)})
    gallery = client.get(deleted.headers["Location"]).get_data(as_text=True)
    assert "The template “Fields” was deleted." in gallery
    assert client.get(f"/templates/{template_id}").status_code == 404

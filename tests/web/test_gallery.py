"""The template pages: gallery, install with accounts connected on the spot, publish with a
preview of what is shared and removed, update an installed flow."""

import re

from sqlalchemy import select

from app.extensions import db
from app.flows.templates import STARTERS, install_starters
from app.models import Credential, Flow
from nodes.shopify.fake import ACCESS_TOKEN, SHOP
from nodes.stripe.fake import API_KEY
from tests.conftest import flow_document
from tests.people import csrf, member, sign_in

REFUND = "Refund paid Shopify orders tagged “refund” in Stripe"


def signed_in(client, shop="acme", email="ann@acme.de"):
    member(shop, email)
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


def test_an_installed_flow_shows_its_update_and_updates_as_a_new_version(app, client, api):
    signed_in(client, "globex", "gil@globex.de")
    graph = flow_document(
        {"id": "hook", "type": "core.webhook", "name": "Order in"},
        {"id": "set", "type": "core.set", "name": "Fields", "params": {"values": {"a": "b"}}},
    )
    flow_id = api.post("/api/flows", json={"name": "Source", "graph": graph}).get_json()["id"]
    body = {
        "flow_id": flow_id,
        "title": "Fields",
        "description": "D",
        "category": "shop",
        "visibility": "public",
    }
    template_id = api.post("/api/templates", json=body).get_json()["id"]
    page = client.get(f"/templates/{template_id}")
    installed = client.post(f"/templates/{template_id}/install", data={"csrf": csrf(page)})
    assert installed.status_code == 302
    assert "Update available" not in client.get("/templates").get_data(as_text=True)

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
    api.put(f"/api/flows/{flow_id}", json={"graph": graph})
    api.post("/api/templates", json=body)

    gallery = client.get("/templates")
    text = gallery.get_data(as_text=True)
    assert "Update available: version 2" in text and "added: More fields" in text
    (mine,) = db.session.scalars(select(Flow).where(Flow.name == "Fields")).all()
    updated = client.post(f"/flows/{mine.id}/template-update", data={"csrf": csrf(gallery)})
    assert updated.status_code == 302
    after = client.get("/templates").get_data(as_text=True)
    assert "version 2; the previous state is kept" in after
    assert "Update available" not in after
    db.session.refresh(mine)
    assert mine.current_version.number == 2


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

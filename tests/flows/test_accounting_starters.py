"""The accounting starters, installed as a merchant would and run through the engine against
the Shopify, Stripe and lexoffice fakes, with a local SMTP server as the installation's."""

from __future__ import annotations

import json

from nodes.datev import extf
from nodes.lexoffice.fake import API_KEY, PDF, FakeLexoffice
from nodes.shopify import fake as shopify
from nodes.stripe import fake as stripe
from tests.conftest import connected, create_credential, load_fixture, run_now
from tests.flows.conftest import install, shopify_account, starter_id, stripe_account


def lexoffice_account(api) -> str:
    return create_credential(api, "lexoffice", {"api_key": API_KEY}, "lexoffice")


def german_order() -> dict:
    order = json.loads(load_fixture("shopify", "webhook.orders_paid.json"))
    order["currency"] = "EUR"
    order["taxes_included"] = True
    order["billing_address"] |= {"country_code": "DE", "country": "Germany", "company": None}
    for item in order["line_items"]:
        item["tax_lines"] = [{"rate": 0.19, "title": "MwSt", "price": "0.00"}]
    order["shipping_lines"][0]["tax_lines"] = [{"rate": 0.19, "title": "MwSt", "price": "1.60"}]
    return order


def test_a_paid_order_is_invoiced_in_lexoffice_mailed_as_pdf_and_tagged(
    app, api, run_queue, gallery, mail_server
):
    order = german_order()
    with (
        connected(app, "shopify", shopify.FakeShopify()) as shop,
        connected(app, "lexoffice", FakeLexoffice()) as lexoffice,
    ):
        flow_id = install(
            api,
            starter_id(gallery, "shopify-order-lexoffice-invoice"),
            {"shopify": shopify_account(api), "lexoffice": lexoffice_account(api)},
        )
        done = run_now(api, run_queue, flow_id, order)

    assert done["status"] == "succeeded", done
    [contact] = lexoffice.contacts.values()
    assert contact["emailAddresses"]["business"] == [order["email"]]
    [invoice] = lexoffice.vouchers.values()
    assert invoice["address"] == {"contactId": contact["id"]}
    assert invoice["voucherStatus"] == "open" and invoice["taxConditions"]["taxType"] == "gross"
    names = [line["name"] for line in invoice["lineItems"]]
    assert names == [item["title"] for item in order["line_items"]] + ["Versand"]
    assert {line["unitPrice"]["taxRatePercentage"] for line in invoice["lineItems"]} == {19}
    assert invoice["totalPrice"]["totalGrossAmount"] == float(order["total_price"])

    [sent] = mail_server.received
    assert sent.recipients == [order["email"]]
    message = sent.message
    assert message["From"] == "Shopwire <no-reply@shopwire.example>"
    assert (
        message["Subject"]
        == f"Ihre Rechnung {invoice['voucherNumber']} zur Bestellung {order['name']}"
    )
    [attachment] = message.iter_attachments()
    assert attachment.get_filename() == f"{invoice['voucherNumber']}.pdf"
    assert attachment.get_content() == PDF

    assert "invoiced" in shop.orders[order["admin_graphql_api_id"]]["tags"]
    [link] = done["files"]
    assert (link["node_id"], link["filename"]) == ("pdf", f"{invoice['voucherNumber']}.pdf")
    assert api.get(link["url"]).data == PDF


def test_a_stripe_refund_becomes_a_lexoffice_credit_note(app, api, run_queue, gallery):
    event = json.loads(load_fixture("stripe", "event.charge.refunded.json"))
    charge = event["data"]["object"]
    charge |= {"currency": "eur", "amount": 5000, "amount_refunded": 3000}
    charge["billing_details"] |= {"name": "Erika Muster"}
    charge["billing_details"]["address"]["country"] = "DE"
    event["data"]["previous_attributes"]["amount_refunded"] = 1000  # refunded before: 10.00
    with connected(app, "lexoffice", FakeLexoffice()) as lexoffice:
        invoice_id = lexoffice.run(
            "lexoffice.create_invoice",
            {
                "address": {"name": "Erika Muster"},
                "line_items": [{"name": "Jacke", "quantity": 1, "unit_price": 50, "tax_rate": 19}],
                "finalize": True,
            },
        )["id"]
        charge["metadata"] = {"lexoffice_invoice_id": invoice_id}
        with connected(app, "stripe", stripe.FakeStripe()):
            flow_id = install(
                api,
                starter_id(gallery, "stripe-refund-lexoffice-credit-note"),
                {"stripe": stripe_account(api), "lexoffice": lexoffice_account(api)},
            )
            done = run_now(api, run_queue, flow_id, event)

    assert done["status"] == "succeeded", done
    [credit] = [v for v in lexoffice.vouchers.values() if v["voucherType"] == "creditnote"]
    assert credit["voucherStatus"] == "open"
    assert credit["address"] == {"name": "Erika Muster", "countryCode": "DE"}
    [line] = credit["lineItems"]
    assert line["name"] == f"Erstattung {charge['id']}"
    assert line["unitPrice"] == {"currency": "EUR", "grossAmount": 20.0, "taxRatePercentage": 19}
    [create] = [r for r in lexoffice.requests if r.path.startswith("/v1/credit-notes?")]
    assert f"precedingSalesVoucherId={invoice_id}" in create.path
    assert done["steps"][1]["output"]["voucherNumber"] == credit["voucherNumber"]


def test_every_night_yesterdays_invoices_go_to_the_tax_advisor_as_a_datev_batch(
    app, api, run_queue, gallery, mail_server
):
    with connected(app, "lexoffice", FakeLexoffice()) as lexoffice:
        for day, price in (("2026-03-01", 119), ("2026-03-01", 10.7), ("2026-03-02", 50)):
            made = lexoffice.run(
                "lexoffice.create_invoice",
                {
                    "address": {"name": "Kunde"},
                    "voucher_date": day,
                    "line_items": [
                        {"name": "Ware", "quantity": 1, "unit_price": price, "tax_rate": 19}
                    ],
                    "finalize": True,
                },
            )
        first = next(iter(lexoffice.vouchers))
        lexoffice.pay(first, 119.0, "2026-03-01T00:00:00.000+01:00")
        flow_id = install(
            api,
            starter_id(gallery, "nightly-datev-export"),
            {"lexoffice": lexoffice_account(api)},
            {"consultant_number": 1234567, "client_number": 10042, "tax_advisor": "kanzlei@stb.de"},
        )
        done = run_now(api, run_queue, flow_id, {"scheduled_at": "2026-03-02T02:00:00+01:00"})

    assert done["status"] == "succeeded", done
    batch = done["steps"][2]["output"]
    assert (batch["invoices"], batch["payments"], batch["bookings"]) == (2, 1, 3)
    assert made["voucherDate"].startswith("2026-03-02")  # the third is today's: not in it

    [sent] = mail_server.received
    assert sent.recipients == ["kanzlei@stb.de"]
    assert sent.message["Subject"] == "DATEV-Buchungsstapel 01.03.2026"
    [attachment] = sent.message.iter_attachments()
    assert attachment.get_filename() == "EXTF_Buchungsstapel_20260301_20260301.csv"
    data = attachment.get_payload(decode=True)
    assert extf.check(data) == []
    header = data.split(b"\r\n")[0].split(b";")
    assert header[10:12] == [b"1234567", b"10042"]
    assert b'119,00;"S";"EUR";;;"";10000;8400;' in data

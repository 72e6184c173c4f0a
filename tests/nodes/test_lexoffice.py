"""lexoffice against its fake: every action's request, Spring pages, its two error shapes,
its 2 requests a second kept by queuing, 429s waited out, signed event deliveries."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from app.models import Execution, RejectedEvent
from nodes.kit.base import ProviderError, TransientError, UserError
from nodes.kit.client import ApiClient
from nodes.kit.fakes.files import memory_files
from nodes.kit.guarded_http import guarded_session
from nodes.lexoffice import lexoffice as connector
from nodes.lexoffice.fake import API_KEY, PDF, FakeLexoffice
from tests.conftest import connected, create_active_flow, create_credential, flow_document

AUTH = f"Bearer {API_KEY}"
LINES = [
    {"name": "T-Shirt Bio", "quantity": 2, "unit_price": "19.99", "tax_rate": 0.19},
    {"name": "Kochbuch", "quantity": 1, "unit_price": "24.00", "tax_rate": "7"},
]


def asked(request) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(request.path).query).items()}


def path(request) -> str:
    return urlsplit(request.path).path


@pytest.fixture
def lexoffice():
    with FakeLexoffice() as fake:
        yield fake


def seed_contact(fake, email, number=0):
    contact_id = f"c{number:04d}"
    fake.contacts[contact_id] = {
        "id": contact_id,
        "version": 1,
        "roles": {"customer": {"number": 10000 + number}},
        "person": {"lastName": "Doe"},
        "emailAddresses": {"business": [email]},
    }
    return contact_id


# Contacts


def test_a_contact_is_found_on_a_later_page(lexoffice):
    for number in range(260):  # each contains the address searched for, none is it
        seed_contact(lexoffice, f"kunde{number}.jon@example.com", number)
    wanted = seed_contact(lexoffice, "Jon@Example.com", 999)

    found = lexoffice.run("lexoffice.find_or_create_contact", {"email": "jon@example.com"})

    assert (found["id"], found["created"]) == (wanted, False)
    first, second = lexoffice.requests
    assert [path(first), asked(first)] == [
        "/v1/contacts",
        {"email": "jon@example.com", "customer": "true", "page": "0", "size": "250"},
    ]
    assert asked(second)["page"] == "1"
    assert first.header("Authorization") == AUTH


def test_a_missing_contact_is_created_as_a_company_with_its_contact_person(lexoffice):
    made = lexoffice.run(
        "lexoffice.find_or_create_contact",
        {
            "email": "einkauf@velo.de",
            "first_name": "Erika",
            "last_name": "Muster",
            "company": "Velo GmbH",
            "vat_id": "DE123456789",
            "street": "Hauptstr. 5",
            "zip": "12345",
            "city": "Musterort",
            "country_code": "DE",
        },
    )

    search, create, read = lexoffice.requests
    assert (create.method, path(create)) == ("POST", "/v1/contacts")
    assert create.header("Authorization") == AUTH
    assert create.json() == {
        "version": 0,
        "roles": {"customer": {}},
        "emailAddresses": {"business": ["einkauf@velo.de"]},
        "company": {
            "name": "Velo GmbH",
            "contactPersons": [
                {"firstName": "Erika", "lastName": "Muster", "emailAddress": "einkauf@velo.de"}
            ],
            "vatRegistrationId": "DE123456789",
        },
        "addresses": {
            "billing": [
                {"street": "Hauptstr. 5", "zip": "12345", "city": "Musterort", "countryCode": "DE"}
            ]
        },
    }
    assert path(read) == f"/v1/contacts/{made['id']}"
    assert made["created"] is True and made["roles"]["customer"]["number"] == 10000


# Invoices and their tax


def test_a_finalized_invoice_has_its_lines_shipping_and_german_vat(lexoffice):
    contact = seed_contact(lexoffice, "jon@example.com")

    invoice = lexoffice.run(
        "lexoffice.create_invoice",
        {
            "contact_id": contact,
            "voucher_date": "2026-03-01T09:30:00Z",
            "line_items": LINES,
            "shipping": {"price": "4.90", "tax_rate": 19},
            "country_code": "DE",
            "finalize": True,
            "title": "Rechnung",
        },
    )

    create, read = lexoffice.requests
    assert (create.method, path(create), asked(create)) == (
        "POST",
        "/v1/invoices",
        {"finalize": "true"},
    )
    assert create.header("Authorization") == AUTH
    body = create.json()
    assert body["voucherDate"] == "2026-03-01T10:30:00.000+01:00"
    assert body["address"] == {"contactId": contact}
    assert body["taxConditions"] == {"taxType": "gross"}
    assert body["shippingConditions"] == {
        "shippingDate": "2026-03-01T10:30:00.000+01:00",
        "shippingType": "delivery",
    }
    assert [(line["name"], line["quantity"], line["unitPrice"]) for line in body["lineItems"]] == [
        ("T-Shirt Bio", 2, {"currency": "EUR", "grossAmount": 19.99, "taxRatePercentage": 19}),
        ("Kochbuch", 1, {"currency": "EUR", "grossAmount": 24.0, "taxRatePercentage": 7}),
        ("Versand", 1, {"currency": "EUR", "grossAmount": 4.9, "taxRatePercentage": 19}),
    ]
    assert path(read) == f"/v1/invoices/{invoice['id']}"
    assert invoice["voucherNumber"] == "RE1019"
    assert invoice["totalPrice"]["totalGrossAmount"] == 68.88
    assert [t["taxRatePercentage"] for t in invoice["taxAmounts"]] == [7, 19]


@pytest.mark.parametrize(
    ("customer", "tax_type", "rates"),
    [
        ({"country_code": "FR", "vat_id": "FR12345678901"}, "intraCommunitySupply", [0, 0]),
        ({"country_code": "FR"}, "gross", [19, 7]),  # an EU consumer pays German VAT
        ({"country_code": "CH"}, "thirdPartyCountryDelivery", [0, 0]),
        ({"country_code": "US", "tax_type": "net"}, "net", [19, 7]),
    ],
)
def test_the_tax_type_follows_the_customers_country_and_vat_id(
    lexoffice, customer, tax_type, rates
):
    lexoffice.run(
        "lexoffice.create_invoice",
        {
            "address": {"name": "Kunde", "country_code": customer["country_code"]},
            "line_items": LINES,
        }
        | customer,
    )
    body = lexoffice.requests[0].json()
    assert body["taxConditions"]["taxType"] == tax_type
    assert [line["unitPrice"]["taxRatePercentage"] for line in body["lineItems"]] == rates
    assert body["address"] == {"name": "Kunde", "countryCode": customer["country_code"]}
    assert asked(lexoffice.requests[0]) == {}  # a draft


def test_a_tax_rate_lexoffice_does_not_book_is_refused_before_sending(lexoffice):
    lines = [{**LINES[0], "tax_rate": 16}]
    with pytest.raises(UserError) as refused:
        lexoffice.run("lexoffice.create_invoice", {"contact_id": "c1", "line_items": lines})
    assert refused.value.field == "line_items/0/tax_rate"
    assert "use 19, 7 or 0" in refused.value.message
    assert lexoffice.requests == []


def test_lexoffices_refusals_are_plain_sentences_in_both_of_its_shapes(lexoffice):
    lexoffice.fail_next(
        406, lexoffice.error(406, "Tax rate must be 0", "lineItems[0].unitPrice.taxRatePercentage")
    )
    with pytest.raises(ProviderError) as refused:
        lexoffice.run("lexoffice.create_invoice", {"contact_id": "c1", "line_items": LINES})
    assert refused.value.message == (
        f"{urlsplit(lexoffice.origin).netloc} answered 406 Not Acceptable: lexoffice says: "
        "Tax rate must be 0 "
        "(field lineItems[0].unitPrice.taxRatePercentage)"
    )
    assert "tax type" in refused.value.hint

    legacy = {
        "requestId": "75d4dad6-6ccb-40fd-8c22-797f2d421d98",
        "IssueList": [
            {"i18nKey": "missing_entity", "source": "contactId", "type": "validation_failure"}
        ],
    }
    lexoffice.fail_next(400, legacy)
    with pytest.raises(ProviderError, match=r"lexoffice says: missing_entity \(field contactId\)"):
        lexoffice.run("lexoffice.create_invoice", {"contact_id": "c1", "line_items": LINES})


def test_a_credit_note_is_linked_to_the_invoice_it_corrects(lexoffice):
    invoice = lexoffice.run(
        "lexoffice.create_invoice",
        {"address": {"name": "Jon Doe"}, "line_items": LINES, "finalize": True},
    )
    before = len(lexoffice.requests)

    credit = lexoffice.run(
        "lexoffice.create_credit_note",
        {
            "invoice_id": invoice["id"],
            "address": {"name": "Jon Doe"},
            "line_items": [
                {"name": "Erstattung", "quantity": 1, "unit_price": "10.00", "tax_rate": 19}
            ],
            "finalize": True,
        },
    )

    create, read = lexoffice.requests[before:]
    assert (path(create), asked(create)) == (
        "/v1/credit-notes",
        {"precedingSalesVoucherId": invoice["id"], "finalize": "true"},
    )
    assert "shippingConditions" not in create.json()
    assert path(read) == f"/v1/credit-notes/{credit['id']}"
    assert credit["voucherNumber"].startswith("GS")
    assert credit["totalPrice"]["totalGrossAmount"] == 10.0


# The PDF


def test_the_invoice_pdf_is_kept_as_a_file(lexoffice):
    invoice = lexoffice.run(
        "lexoffice.create_invoice",
        {"address": {"name": "Jon Doe"}, "line_items": LINES, "finalize": True},
    )
    before = len(lexoffice.requests)
    with memory_files() as store:
        got = lexoffice.run("lexoffice.get_document", {"voucher_id": invoice["id"]})

    read, document, file = lexoffice.requests[before:]
    assert [path(r) for r in (read, document)] == [
        f"/v1/invoices/{invoice['id']}",
        f"/v1/invoices/{invoice['id']}/document",
    ]
    assert path(file) == f"/v1/files/{invoice['files']['documentFileId']}"
    assert file.header("Accept") == "application/pdf"
    assert file.header("Authorization") == AUTH
    assert got["voucher_number"] == invoice["voucherNumber"]
    assert got["document"]["filename"] == f"{invoice['voucherNumber']}.pdf"
    assert got["document"]["size"] == len(PDF)
    assert store.saved[got["document"]["file"]][1] == PDF


def test_a_draft_has_no_pdf_and_the_step_says_why(lexoffice):
    draft = lexoffice.run(
        "lexoffice.create_invoice", {"address": {"name": "Jon Doe"}, "line_items": LINES}
    )
    with memory_files(), pytest.raises(UserError, match="is a draft") as refused:
        lexoffice.run("lexoffice.get_document", {"voucher_id": draft["id"]})
    assert refused.value.field == "voucher_id"


# The voucher list


def make_vouchers(fake, count, date="2026-03-01"):
    for _ in range(count):
        fake.vouchers[f"v{len(fake.vouchers)}"] = {
            "id": f"v{len(fake.vouchers)}",
            "voucherType": "invoice",
            "voucherStatus": "open",
            "voucherNumber": f"RE{len(fake.vouchers)}",
            "voucherDate": f"{date}T00:00:00.000+01:00",
            "address": {"name": "Kunde"},
            "totalPrice": {"currency": "EUR", "totalGrossAmount": 11.9},
            "taxConditions": {"taxType": "gross"},
            "taxAmounts": [{"taxRatePercentage": 19, "taxAmount": 1.9, "amount": 11.9}],
        }


def test_the_voucher_list_is_read_page_by_page(lexoffice):
    make_vouchers(lexoffice, 260)
    make_vouchers(lexoffice, 3, date="2026-04-01")  # outside the period

    listed = lexoffice.run(
        "lexoffice.list_invoices",
        {
            "date_from": "2026-03-01",
            "date_to": "2026-03-31",
            "with_details": False,
            "max_vouchers": 500,
        },
    )

    assert listed["count"] == 260
    first, second = lexoffice.requests
    assert asked(first) == {
        "voucherType": "invoice,creditnote",
        "voucherStatus": "open,paid,paidoff",
        "voucherDateFrom": "2026-03-01",
        "voucherDateTo": "2026-03-31",
        "page": "0",
        "size": "250",
    }
    assert asked(second)["page"] == "1"


def test_listed_vouchers_carry_their_tax_amounts_and_payments(lexoffice):
    make_vouchers(lexoffice, 1)
    lexoffice.pay("v0", 11.9, "2026-03-02T00:00:00.000+01:00")

    listed = lexoffice.run(
        "lexoffice.list_invoices",
        {"date_from": "2026-03-01", "date_to": "2026-03-01", "with_payments": True},
    )

    [voucher] = listed["vouchers"]
    assert voucher["voucherType"] == "invoice"
    assert voucher["taxType"] == "gross"
    assert voucher["taxAmounts"] == [{"taxRatePercentage": 19, "taxAmount": 1.9, "amount": 11.9}]
    assert voucher["payments"] == [
        {"date": "2026-03-02T00:00:00.000+01:00", "amount": 11.9, "currency": "EUR"}
    ]
    assert [path(r) for r in lexoffice.requests] == [
        "/v1/voucherlist",
        "/v1/invoices/v0",
        "/v1/payments/v0",
    ]


def test_a_period_with_too_many_vouchers_asks_for_a_shorter_one(lexoffice):
    make_vouchers(lexoffice, 3)
    with pytest.raises(UserError, match="more than 2 vouchers") as refused:
        lexoffice.run(
            "lexoffice.list_invoices",
            {
                "date_from": "2026-03-01",
                "date_to": "2026-03-31",
                "max_vouchers": 2,
                "with_details": False,
            },
        )
    assert refused.value.field == "max_vouchers"


# Two requests a second


def test_requests_queue_to_two_a_second_instead_of_being_refused(lexoffice):
    make_vouchers(lexoffice, 4)
    started = time.monotonic()

    listed = lexoffice.run(
        "lexoffice.list_invoices", {"date_from": "2026-03-01", "date_to": "2026-03-31"}
    )

    assert listed["count"] == 4
    assert len(lexoffice.requests) == 5  # the list, then each voucher: none refused
    assert time.monotonic() - started >= 1.9


def test_a_429_is_waited_out_and_sent_again(lexoffice):
    lexoffice.rate_limit_next(retry_after=None)
    lexoffice.rate_limit_next(retry_after=1)
    started = time.monotonic()

    assert (
        lexoffice.run("lexoffice.api_call", {"method": "GET", "path": "/v1/profile"})["status"]
        == 200
    )

    assert len(lexoffice.requests) == 3
    assert time.monotonic() - started >= 1.5


def test_a_429_asking_for_a_long_wait_fails_the_step_to_be_retried_later(lexoffice):
    lexoffice.rate_limit_next(retry_after=60)
    with pytest.raises(TransientError) as waited:
        lexoffice.run("lexoffice.api_call", {"method": "GET", "path": "/v1/profile"})
    assert waited.value.retry_after == 60
    assert len(lexoffice.requests) == 1


# Event subscriptions through the app


def test_an_event_trigger_subscribes_checks_the_signature_and_unsubscribes(api, app, client):
    with connected(app, "lexoffice", FakeLexoffice()) as fake:
        credential = create_credential(api, "lexoffice", {"api_key": API_KEY}, "lexoffice")
        trigger = {"id": "t", "type": "lexoffice.invoice_status_changed", "credential": credential}
        flow_id, url = create_active_flow(api, flow_document(trigger))
        [subscription] = fake.subscriptions.values()
        assert (subscription["eventType"], subscription["callbackUrl"]) == (
            "invoice.status.changed",
            url,
        )
        assert fake.requests[0].header("Authorization") == AUTH
        hook = urlsplit(url).path

        body, headers = fake.delivery("invoice.status.changed", "e9066f04")
        first = client.post(hook, data=body, content_type="application/json", headers=headers)
        assert first.status_code == 202, first.get_json()
        again = client.post(hook, data=body, content_type="application/json", headers=headers)
        assert again.get_json()["duplicate"] is True
        # the public key was fetched once, without the account's key
        [key_fetch] = [r for r in fake.requests if "public_key" in r.path]
        assert key_fetch.header("Authorization") is None

        forged = body.replace(b"e9066f04", b"e9066f05")
        refused = client.post(hook, data=forged, content_type="application/json", headers=headers)
        assert refused.status_code == 401
        assert "does not match" in refused.get_json()["detail"]
        other, other_headers = fake.delivery("contact.changed", "c1")
        ignored = client.post(
            hook, data=other, content_type="application/json", headers=other_headers
        )
        assert ignored.status_code == 200 and "contact.changed" in ignored.get_json()["ignored"]
        assert Execution.query.count() == 1 and RejectedEvent.query.count() == 1

        assert api.post(f"/api/flows/{flow_id}/deactivate").status_code == 200
        assert fake.subscriptions == {}
        assert path(fake.requests[-1]).startswith("/v1/event-subscriptions/")


def test_the_accounts_test_connection_names_the_company(lexoffice):
    answer = lexoffice.run("lexoffice.api_call", {"method": "GET", "path": "/v1/profile"})
    assert answer["body"]["companyName"] == "Beispiel Shop GmbH"
    api = ApiClient(
        connector, guarded_session(allow_private=True), lexoffice.account, origin=lexoffice.origin
    )
    assert connector.test(api) == "Beispiel Shop GmbH"

"""lexoffice's API as far as the connector calls it: Bearer keys, Spring pages, its error
bodies, 406 for values it refuses, 429 above 2 requests a second, signed event deliveries."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from nodes.kit.examples import example
from nodes.kit.fakes.provider import FakeProvider, query, route
from nodes.lexoffice.vouchers import TAX_FREE

API_KEY = "lxo_test_7Hq2mV9cX4bN1pK8sD3fG6jL0zR5tY"
PUBLIC_KEY_PATH = "/webhookSignature/public/public_key.pub"
CENT = Decimal("0.01")
# A stand-in PDF: what lexoffice's file endpoint returns for a rendered voucher.
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class FakeLexoffice(FakeProvider):
    account = {"api_key": API_KEY}
    sample_call = ("GET", "/v1/profile", None)
    per_second = 2  # lexoffice's limit; above it a 429

    def __init__(self) -> None:
        super().__init__()
        self.contacts: dict[str, dict] = {}
        self.vouchers: dict[str, dict] = {}  # invoices and credit notes, by id
        self.payments: dict[str, list[dict]] = {}
        self.subscriptions: dict[str, dict] = {}
        self.documents: dict[str, str] = {}  # file id -> voucher id
        self._sent_at: list[float] = []
        self._lock = threading.Lock()
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    # what lexoffice does around every request

    def authorized(self, request) -> bool:
        return request.path.startswith(PUBLIC_KEY_PATH) or (
            request.header("Authorization") == f"Bearer {API_KEY}"
        )

    def error(self, status: int, message: str, field: str | None = None) -> dict:
        details = [{"violation": "NOTACCEPTABLE", "field": field, "message": message}]
        return {
            "timestamp": "2026-03-01T10:00:00.000+01:00",
            "status": status,
            "error": {401: "Unauthorized", 404: "Not Found", 406: "Not Acceptable"}.get(
                status, "Error"
            ),
            "traceId": "90d78d0777be",
            "message": message,
            "details": details if field else [],
        }

    def rate_limited(self, retry_after: int | None) -> tuple[int, Any, dict[str, str]]:
        """lexoffice answers 429 with no rate-limit headers; a Retry-After only if given."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        return 429, {"message": "Rate limit exceeded"}, headers

    def _answer(self, request):
        with self._lock:
            now = time.monotonic()
            # A little less than a second: the client's turns are exact, their arrival is not.
            self._sent_at = [t for t in self._sent_at if t > now - 0.9] + [now]
            over = len(self._sent_at) > self.per_second
        if over and not self._failures:
            return self._encode(*self.rate_limited(None))
        return super()._answer(request)

    # contacts

    @route("GET", "/v1/profile")
    def profile(self, request):
        return 200, {
            "organizationId": "aa93e8a8-2aa3-470b-b914-caad8a255dd8",
            "companyName": "Beispiel Shop GmbH",
        }

    @route("GET", "/v1/contacts")
    def list_contacts(self, request):
        wanted = query(request).get("email", "").lower()
        found = [c for c in self.contacts.values() if any(wanted in a for a in _emails(c))]
        return 200, _page(found, request)

    @route("POST", "/v1/contacts")
    def create_contact(self, request):
        body = request.json()
        if body.get("version") != 0 or "customer" not in body.get("roles", {}):
            return 406, self.error(406, "Contact needs version 0 and a role", "roles")
        if not (body.get("person") or {}).get("lastName") and not body.get("company"):
            return 406, self.error(
                406, "Missing person.lastName or company.name", "person.lastName"
            )
        contact = {
            **body,
            "id": str(uuid.uuid4()),
            "organizationId": "aa93e8a8-2aa3-470b-b914-caad8a255dd8",
            "version": 1,
            "roles": {"customer": {"number": 10000 + len(self.contacts)}},
            "archived": False,
        }
        self.contacts[contact["id"]] = contact
        return 200, _action_result(contact, "contacts")

    @route("GET", "/v1/contacts/{contact_id}")
    def get_contact(self, request, contact_id):
        if contact_id not in self.contacts:
            return 404, self.error(404, f"Contact {contact_id} not found")
        return 200, self.contacts[contact_id]

    # invoices and credit notes

    @route("POST", "/v1/invoices")
    def create_invoice(self, request):
        return self._create(request, "invoice", "RE")

    @route("POST", "/v1/credit-notes")
    def create_credit_note(self, request):
        preceding = query(request).get("precedingSalesVoucherId")
        if preceding and preceding not in self.vouchers:
            return 406, self.error(
                406, "Preceding sales voucher not found", "precedingSalesVoucherId"
            )
        return self._create(request, "creditnote", "GS")

    def _create(self, request, kind: str, prefix: str):
        body = request.json()
        problem = _refusal(body)
        if problem:
            return 406, self.error(406, *problem)
        finalized = query(request).get("finalize") == "true"
        voucher = {
            **body,
            **_totals(body),
            "id": str(uuid.uuid4()),
            "organizationId": "aa93e8a8-2aa3-470b-b914-caad8a255dd8",
            "version": 1,
            "voucherType": kind,
            "voucherStatus": "open" if finalized else "draft",
            "voucherNumber": f"{prefix}{1019 + len(self.vouchers)}" if finalized else None,
            "archived": False,
        }
        if finalized:
            file_id = str(uuid.uuid4())
            voucher["files"] = {"documentFileId": file_id}
            self.documents[file_id] = voucher["id"]
        self.vouchers[voucher["id"]] = voucher
        return 200, _action_result(voucher, "invoices" if kind == "invoice" else "credit-notes")

    @route("GET", "/v1/invoices/{voucher_id}")
    def get_invoice(self, request, voucher_id):
        return self._voucher(voucher_id, "invoice")

    @route("GET", "/v1/credit-notes/{voucher_id}")
    def get_credit_note(self, request, voucher_id):
        return self._voucher(voucher_id, "creditnote")

    def _voucher(self, voucher_id: str, kind: str):
        found = self.vouchers.get(voucher_id)
        if not found or found["voucherType"] != kind:
            return 404, self.error(404, f"Resource {voucher_id} not found")
        return 200, {k: v for k, v in found.items() if k != "voucherType"}

    @route("GET", "/v1/invoices/{voucher_id}/document")
    def invoice_document(self, request, voucher_id):
        return self._document(voucher_id)

    @route("GET", "/v1/credit-notes/{voucher_id}/document")
    def credit_note_document(self, request, voucher_id):
        return self._document(voucher_id)

    def _document(self, voucher_id: str):
        found = self.vouchers.get(voucher_id)
        if not found:
            return 404, self.error(404, f"Resource {voucher_id} not found")
        if found["voucherStatus"] == "draft":
            return 406, self.error(406, "Document of a draft cannot be rendered")
        return 200, found["files"]

    @route("GET", "/v1/files/{file_id}")
    def file(self, request, file_id):
        if file_id not in self.documents:
            return 404, self.error(404, f"File {file_id} not found")
        if request.header("Accept") != "application/pdf":
            return 406, self.error(406, "Accept must be application/pdf")
        return 200, PDF, {"Content-Type": "application/pdf"}

    @route("GET", "/v1/voucherlist")
    def voucherlist(self, request):
        asked = query(request)
        types = asked["voucherType"].split(",")
        statuses = asked["voucherStatus"].split(",")
        found = [
            _listed(v)
            for v in sorted(self.vouchers.values(), key=lambda v: v["voucherDate"])
            if v["voucherType"] in types
            and v["voucherStatus"] in statuses
            and asked.get("voucherDateFrom", "") <= v["voucherDate"][:10]
            and v["voucherDate"][:10] <= asked.get("voucherDateTo", "9999")
        ]
        return 200, _page(found, request)

    @route("GET", "/v1/payments/{voucher_id}")
    def payments(self, request, voucher_id):
        found = self.vouchers.get(voucher_id)
        if not found:
            return 404, self.error(404, f"Resource {voucher_id} not found")
        items = self.payments.get(voucher_id, [])
        paid = sum((Decimal(str(i["amount"])) for i in items), Decimal(0))
        total = Decimal(str(found["totalPrice"]["totalGrossAmount"]))
        return 200, {
            "openAmount": float(total - paid),
            "currency": "EUR",
            "paymentStatus": "balanced" if paid >= total else "openRevenue",
            "voucherType": found["voucherType"],
            "voucherStatus": found["voucherStatus"],
            "paymentItems": items,
        }

    def pay(self, voucher_id: str, amount: float, date: str) -> None:
        """Book a payment on a voucher, as the merchant would in lexoffice."""
        self.payments.setdefault(voucher_id, []).append(
            {
                "paymentItemType": "manualPayment",
                "postingDate": date,
                "amount": amount,
                "currency": "EUR",
            }
        )
        self.vouchers[voucher_id]["voucherStatus"] = "paid"

    # event subscriptions

    @route("POST", "/v1/event-subscriptions")
    def subscribe(self, request):
        body = request.json()
        if any(
            (s["eventType"], s["callbackUrl"]) == (body["eventType"], body["callbackUrl"])
            for s in self.subscriptions.values()
        ):
            return 409, self.error(409, "Event subscription already exists")
        subscription = {**example("lexoffice", "event_subscription"), **body}
        subscription["subscriptionId"] = str(uuid.uuid4())
        self.subscriptions[subscription["subscriptionId"]] = subscription
        return 201, _action_result(
            {"id": subscription["subscriptionId"], "version": 0}, "event-subscriptions"
        )

    @route("DELETE", "/v1/event-subscriptions/{subscription_id}")
    def unsubscribe(self, request, subscription_id):
        if self.subscriptions.pop(subscription_id, None) is None:
            return 404, self.error(404, f"Subscription {subscription_id} not found")
        return 204, None

    @route("GET", PUBLIC_KEY_PATH)
    def public_key(self, request):
        pem = self._key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return 200, pem, {"Content-Type": "application/octet-stream"}

    def delivery(self, event_type: str, resource_id: str) -> tuple[bytes, dict[str, str]]:
        """A callback as lexoffice posts it: compact JSON, signed SHA512withRSA."""
        body = json.dumps(
            {
                "organizationId": "aa93e8a8-2aa3-470b-b914-caad8a255dd8",
                "eventType": event_type,
                "resourceId": resource_id,
                "eventDate": "2026-03-01T10:00:00.000+01:00",
            },
            separators=(",", ":"),
        ).encode()
        signature = self._key.sign(body, padding.PKCS1v15(), hashes.SHA512())
        return body, {"X-Lxo-Signature": base64.b64encode(signature).decode()}


def _emails(contact: dict) -> list[str]:
    found = [a for kind in (contact.get("emailAddresses") or {}).values() for a in kind]
    found += [
        p.get("emailAddress", "") for p in (contact.get("company") or {}).get("contactPersons", [])
    ]
    return [a.lower() for a in found if a]


def _page(items: list, request) -> dict:
    asked = query(request)
    page, size = int(asked.get("page", 0)), min(int(asked.get("size", 25)), 250)
    chunk = items[page * size : (page + 1) * size]
    pages = max(1, -(-len(items) // size))
    return {
        "content": chunk,
        "first": page == 0,
        "last": page >= pages - 1,
        "totalPages": pages,
        "totalElements": len(items),
        "numberOfElements": len(chunk),
        "size": size,
        "number": page,
    }


def _action_result(entity: dict, resource: str) -> dict:
    return {
        "id": entity["id"],
        "resourceUri": f"https://api.lexware.io/v1/{resource}/{entity['id']}",
        "createdDate": "2026-03-01T10:00:00.000+01:00",
        "updatedDate": "2026-03-01T10:00:00.000+01:00",
        "version": entity.get("version", 1),
    }


def _refusal(body: dict) -> tuple[str, str] | None:
    """What lexoffice's validation says about a voucher body, as (message, field)."""
    tax_type = (body.get("taxConditions") or {}).get("taxType")
    if tax_type not in ("gross", "net", *TAX_FREE):
        return "taxType is invalid", "taxConditions.taxType"
    if not body.get("lineItems"):
        return "lineItems must not be empty", "lineItems"
    for index, item in enumerate(body["lineItems"]):
        price = item["unitPrice"]
        rate = price["taxRatePercentage"]
        if tax_type in TAX_FREE and rate != 0:
            return (
                f"Tax rate must be 0 for taxType {tax_type}",
                f"lineItems[{index}].unitPrice.taxRatePercentage",
            )
        if rate not in (0, 7, 19):
            return "Invalid tax rate", f"lineItems[{index}].unitPrice.taxRatePercentage"
        amount = "grossAmount" if tax_type == "gross" else "netAmount"
        if amount not in price:
            return (
                f"unitPrice.{amount} is required for taxType {tax_type}",
                f"lineItems[{index}].unitPrice",
            )
    if "contactId" not in body.get("address", {}) and not body.get("address", {}).get("name"):
        return "address.name or address.contactId is required", "address"
    return None


def _totals(body: dict) -> dict:
    """Totals and amounts per tax rate, as lexoffice computes them."""
    gross_prices = body["taxConditions"]["taxType"] == "gross"
    by_rate: dict[int, list[Decimal]] = {}
    for item in body["lineItems"]:
        price, rate = item["unitPrice"], Decimal(item["unitPrice"]["taxRatePercentage"])
        share = Decimal(str(item["quantity"])) * (
            1 - Decimal(str(item.get("discountPercentage", 0))) / 100
        )
        if gross_prices:
            gross = (Decimal(str(price["grossAmount"])) * share).quantize(CENT, ROUND_HALF_UP)
            net = (gross / (1 + rate / 100)).quantize(CENT, ROUND_HALF_UP)
        else:
            net = (Decimal(str(price["netAmount"])) * share).quantize(CENT, ROUND_HALF_UP)
            gross = (net * (1 + rate / 100)).quantize(CENT, ROUND_HALF_UP)
        sums = by_rate.setdefault(int(rate), [Decimal(0), Decimal(0)])
        sums[0] += net
        sums[1] += gross
    discount = Decimal(str(body["totalPrice"].get("totalDiscountAbsolute", 0)))
    if discount:  # split over the tax rates by their share of the total
        before = sum((s[1] if gross_prices else s[0] for s in by_rate.values()), Decimal(0))
        for sums in by_rate.values():
            share = (sums[1] if gross_prices else sums[0]) / before
            rate_part = sums[1] / sums[0] if sums[0] else Decimal(1)
            if gross_prices:
                sums[1] -= (discount * share).quantize(CENT, ROUND_HALF_UP)
                sums[0] = (sums[1] / rate_part).quantize(CENT, ROUND_HALF_UP)
            else:
                sums[0] -= (discount * share).quantize(CENT, ROUND_HALF_UP)
                sums[1] = (sums[0] * rate_part).quantize(CENT, ROUND_HALF_UP)
    net_total = sum((s[0] for s in by_rate.values()), Decimal(0))
    gross_total = sum((s[1] for s in by_rate.values()), Decimal(0))
    return {
        "totalPrice": {
            "currency": body["totalPrice"]["currency"],
            "totalNetAmount": float(net_total),
            "totalGrossAmount": float(gross_total),
            "totalTaxAmount": float(gross_total - net_total),
            **({"totalDiscountAbsolute": float(discount)} if discount else {}),
        },
        "taxAmounts": [
            {"taxRatePercentage": rate, "taxAmount": float(g - n), "amount": float(g)}
            for rate, (n, g) in sorted(by_rate.items())
        ],
    }


def _listed(voucher: dict) -> dict:
    """A voucher as the voucher list shows it."""
    total = voucher["totalPrice"]["totalGrossAmount"]
    return {
        "id": voucher["id"],
        "voucherType": voucher["voucherType"],
        "voucherStatus": voucher["voucherStatus"],
        "voucherNumber": voucher["voucherNumber"],
        "voucherDate": voucher["voucherDate"],
        "contactId": voucher["address"].get("contactId"),
        "contactName": voucher["address"].get("name", ""),
        "totalAmount": total,
        "openAmount": 0 if voucher["voucherStatus"] == "paid" else total,
        "currency": voucher["totalPrice"]["currency"],
        "archived": False,
    }

"""sevDesk's API as far as the connector calls it, after its official OpenAPI spec.

The token in ``Authorization`` as it is; records in ``{"objects": …}`` with numbers as text;
``POST /Invoice/Factory/saveInvoice`` checks the invoice and its lines against the spec's
``Model_Invoice`` and ``Model_InvoicePos`` (the tax fields of Update 1.0 that ``taxRule``
replaces are not asked for) and refuses a tax rate its rule does not allow with 422; lists
take ``limit``, ``offset`` and ``orderBy``; errors are ``{"error": {"message",
"exceptionUUID"}}``.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jsonschema

from nodes.kit.examples import example
from nodes.kit.fakes.provider import FakeProvider, query, route
from nodes.kit.fakes.receiver import Recorded

API_TOKEN = "b7794de0085f5cd00560f49ca3c5ae2b"
ROOT = "/api/v1"
RATES = {"1": (0, 7, 19), "3": (0, 7, 19)}  # other rules allow 0 % only
UPDATE_1_TAX_FIELDS = {"taxRate", "taxText", "taxType"}


def spec_schema(name: str) -> dict[str, Any]:
    """A component of sevDesk's spec as a JSON Schema that resolves its references."""
    spec = example("sevdesk", "openapi")
    schema = spec["components"]["schemas"][name]
    if name == "Model_Invoice":
        schema["required"] = [r for r in schema["required"] if r not in UPDATE_1_TAX_FIELDS]
    return {**schema, "components": spec["components"]}


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class FakeSevdesk(FakeProvider):
    account = {"api_token": API_TOKEN}
    sample_call = ("GET", "/Contact", None)

    def __init__(self) -> None:
        super().__init__()
        self.contacts = {"1": example("sevdesk", "contact")}
        first = example("sevdesk", "invoice")
        self.invoices = {first["id"]: first}
        self.positions: dict[str, list[dict]] = {first["id"]: []}
        self.payments: list[dict] = []
        self._ids = itertools.count(2)
        self.clock = datetime(2024, 4, 8, 10, 0, tzinfo=UTC)
        self.sorts = True  # False: lists come in the order invoices were made (orderBy ignored)

    def now(self) -> str:
        self.clock += timedelta(minutes=1)
        return stamp(self.clock)

    def authorized(self, request: Recorded) -> bool:
        return request.header("Authorization") == API_TOKEN

    def error(self, status: int, message: str) -> dict:
        if status == 401:
            message = "Authentication required"
        return {"error": {"message": message, "exceptionUUID": str(uuid.uuid4())}}

    def add_invoice(self, **fields: Any) -> dict:
        """An invoice written in sevDesk's own screens."""
        number = str(next(self._ids))
        moment = self.now()
        invoice = example("sevdesk", "invoice") | {
            "id": number,
            "invoiceNumber": f"RE-{1000 + int(number)}",
            "create": moment,
            "update": moment,
        }
        self.invoices[number] = invoice | fields
        self.positions[number] = []
        return self.invoices[number]

    def change_invoice(self, number: str, **fields: Any) -> dict:
        self.invoices[number] |= fields | {"update": self.now()}
        return self.invoices[number]

    @route("GET", f"{ROOT}/Tools/bookkeepingSystemVersion")
    def version(self, request):
        return 200, {"objects": {"version": "2.0"}}

    @route("GET", f"{ROOT}/SevUser")
    def users(self, request):
        user = {"id": "1", "objectName": "SevUser", "username": "anna", "fullname": "Anna Weber"}
        return 200, {"objects": [user]}

    @route("GET", f"{ROOT}/CheckAccount")
    def check_accounts(self, request):
        account = {"id": "5", "objectName": "CheckAccount", "name": "Geschäftskonto"}
        return 200, {"objects": [account]}

    # Contacts

    @route("GET", f"{ROOT}/Contact")
    def contact_list(self, request):
        number = query(request).get("customerNumber")
        found = [c for c in self.contacts.values() if number in (None, c["customerNumber"])]
        return 200, {"objects": found}

    @route("POST", f"{ROOT}/Contact")
    def create_contact(self, request):
        sent = request.json()
        if "category" not in sent:
            return 400, self.error(400, "Contact needs a category")
        number = str(next(self._ids))
        moment = self.now()
        contact = dict.fromkeys(example("sevdesk", "contact"))
        contact |= {
            key: str(value) if isinstance(value, int) else value for key, value in sent.items()
        }
        contact |= {
            "id": number,
            "objectName": "Contact",
            "create": moment,
            "update": moment,
            "category": {"id": str(sent["category"]["id"]), "objectName": "Category"},
        }
        self.contacts[number] = contact
        return 201, {"objects": contact}

    # Invoices

    @route("GET", f"{ROOT}/Invoice")
    def invoice_list(self, request):
        asked = query(request)
        invoices = list(self.invoices.values())
        if "status" in asked:
            invoices = [i for i in invoices if i["status"] == asked["status"]]
        if "contact[id]" in asked:
            invoices = [i for i in invoices if i["contact"]["id"] == asked["contact[id]"]]
        if asked.get("orderBy[0][field]") == "update" and self.sorts:
            newest = asked.get("orderBy[0][arrangement]") == "desc"
            invoices.sort(key=lambda i: i["update"], reverse=newest)
        offset, limit = int(asked.get("offset", 0)), int(asked.get("limit", 100))
        return 200, {"objects": invoices[offset : offset + limit]}

    @route("GET", f"{ROOT}/Invoice/{{number}}/getPositions")
    def positions_of(self, request, number):
        return 200, {"objects": self.positions.get(number, [])}

    @route("POST", f"{ROOT}/Invoice/Factory/saveInvoice")
    def save_invoice(self, request):
        sent = request.json()
        invoice, positions = sent.get("invoice", {}), sent.get("invoicePosSave") or []
        try:
            jsonschema.validate(invoice, spec_schema("Model_Invoice"))
            for position in positions:
                jsonschema.validate(position, spec_schema("Model_InvoicePos"))
        except jsonschema.ValidationError as error:
            return 400, self.error(400, f"Invalid invoice: {error.message}")
        allowed = RATES.get(str(invoice["taxRule"]["id"]), (0,))
        if any(p["taxRate"] not in allowed for p in positions):
            return 422, self.error(422, "Tax rate is not allowed for this tax rule.")
        made = self.add_invoice(
            contact={"id": str(invoice["contact"]["id"]), "objectName": "Contact"},
            invoiceDate=invoice["invoiceDate"],
            customerInternalNote=invoice.get("customerInternalNote"),
            taxRule={"id": str(invoice["taxRule"]["id"]), "objectName": "TaxRule"},
        )
        self.positions[made["id"]] = [
            example("sevdesk", "saved_invoice")["invoicePos"][0]
            | {
                "id": str(next(self._ids)),
                "name": p["name"],
                "quantity": str(p["quantity"]),
                "price": str(p["price"]),
                "taxRate": str(p["taxRate"]),
                "invoice": {"id": made["id"], "objectName": "Invoice"},
            }
            for p in positions
        ]
        return 201, {"invoice": made, "invoicePos": self.positions[made["id"]]}

    @route("PUT", f"{ROOT}/Invoice/{{number}}/bookAmount")
    def book_amount(self, request, number):
        if number not in self.invoices:
            return 404, self.error(404, f"Invoice {number} not found")
        sent = request.json()
        invoice = self.invoices[number]
        if invoice["status"] == "100":
            return 400, self.error(400, "Draft invoices can not be booked. Send it first.")
        paid = float(invoice["paidAmount"] or 0) + sent["amount"]
        status = "1000" if paid >= float(invoice["sumGross"]) else invoice["status"]
        log = example("sevdesk", "payment") | {
            "id": str(next(self._ids)),
            "amountPaid": str(sent["amount"]),
            "bookingDate": stamp(datetime.fromtimestamp(sent["date"], UTC)),
            "fromStatus": invoice["status"],
            "toStatus": status,
            "invoice": {"id": number, "objectName": "Invoice"},
        }
        self.change_invoice(number, paidAmount=paid, status=status)
        self.payments.append(sent)
        return 200, {"objects": log}

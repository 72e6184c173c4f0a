"""SAP Business One's Service Layer, as far as the connector calls it.

Sessions as the shared NOTES describe them: ``POST /b1s/v1/Login`` answers the session id and
its timeout and sets the ``B1SESSION`` and ``ROUTEID`` cookies; a request without a live
session is answered 401 with code 301. Documents are OData entities (``Orders(421)``,
``BusinessPartners('C20000')``), lists are pages with ``odata.nextLink`` (``$filter`` on
``eq`` conditions joined by ``and``, ``$top``, ``$skip``, ``$orderby`` on DocEntry, the page size
from ``Prefer: odata.maxpagesize``), and errors ``{"error": {"code", "message": {"lang",
"value"}}}``.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from nodes.kit.examples import example
from nodes.kit.fakes.provider import FakeProvider, query, route
from nodes.kit.fakes.receiver import Recorded

ROOT = "/b1s/v1"
ACCOUNT = {
    "service_layer_url": "https://b1.example.com:50000/b1s/v1",
    "company_db": "SBODEMODE",
    "username": "manager",
    "password": "B1-Admin-2024",
}
CONDITION = re.compile(r"^\s*(\w+) eq (?:'((?:[^']|'')*)'|(-?\d+))\s*$")


class FakeServiceLayer(FakeProvider):
    account = ACCOUNT
    sample_call = ("GET", "/Orders", None)

    def __init__(self) -> None:
        super().__init__()
        self.sessions: set[str] = set()
        self.logins = 0
        self.route_id = ".node1"
        self.server_page_size = 20  # the PageSize option of the server
        partner = example("sap_b1", "business_partner") | {"CardCode": "C20000"}
        self.partners = {partner["CardCode"]: partner}
        order = example("sap_b1", "order")
        self.orders = {order["DocEntry"]: order}
        self.invoices: dict[int, dict] = {}
        self._numbers = itertools.count(order["DocEntry"] + 1)

    def expire_sessions(self) -> None:
        """The sessions timed out (idle) or the Service Layer was restarted."""
        self.sessions.clear()

    def authorized(self, request: Recorded) -> bool:
        if request.path == f"{ROOT}/Login":
            return True
        cookies = dict(
            part.strip().split("=", 1)
            for part in (request.header("Cookie") or "").split(";")
            if "=" in part
        )
        return cookies.get("B1SESSION") in self.sessions

    def error(self, status: int, message: str, code: int | str = -1) -> dict:
        if status == 401:
            code, message = 301, "Invalid session or session already timeout."
        return {"error": {"code": code, "message": {"lang": "en-us", "value": message}}}

    @route("POST", f"{ROOT}/Login")
    def login(self, request):
        sent = request.json()
        wanted = {
            "CompanyDB": ACCOUNT["company_db"],
            "UserName": ACCOUNT["username"],
            "Password": ACCOUNT["password"],
        }
        if sent != wanted:
            return 401, {
                "error": {
                    "code": 100000027,
                    "message": {"lang": "en-us", "value": "Login failed"},
                }
            }
        self.logins += 1
        session = f"session-{self.logins}"
        self.sessions.add(session)
        cookies = {  # two Set-Cookie headers: the reply's headers are a dict, keys differ in case
            "Set-Cookie": f"B1SESSION={session}; path=/b1s; HttpOnly",
            "set-cookie": f"ROUTEID={self.route_id}; path=/b1s",
        }
        return 200, example("sap_b1", "login") | {"SessionId": session}, cookies

    @route("POST", f"{ROOT}/CompanyService_GetCompanyInfo")
    def company(self, request):
        return 200, {"CompanyName": "OEC Computers", "Version": 1000190}

    # Business partners

    @route("GET", f"{ROOT}/BusinessPartners")
    def partners_list(self, request):
        return self._page(request, "BusinessPartners", list(self.partners.values()))

    @route("GET", ROOT + r"/BusinessPartners\('{code}'\)")
    def partner(self, request, code):
        code = code.replace("''", "'")
        if code not in self.partners:
            return 404, self.error(404, "No matching records found (ODBC -2028)", -2028)
        return 200, self.partners[code]

    @route("POST", f"{ROOT}/BusinessPartners")
    def create_partner(self, request):
        partner = request.json()
        code = partner.get("CardCode", "")
        if code in self.partners:
            return 400, self.error(
                400,
                f"1320000140 - Business partner code '{code}' already assigned to a "
                "business partner; enter a unique business partner code",
                -10,
            )
        kind = {"C": "cCustomer", "S": "cSupplier", "L": "cLid"}[partner.get("CardType", "C")]
        self.partners[code] = example("sap_b1", "business_partner") | partner | {"CardType": kind}
        return 201, self.partners[code]

    # Documents

    @route("GET", f"{ROOT}/Orders")
    def orders_list(self, request):
        return self._page(request, "Orders", list(self.orders.values()))

    @route("GET", ROOT + r"/Orders\({entry}\)")
    def order(self, request, entry):
        if int(entry) not in self.orders:
            return 404, self.error(404, "No matching records found (ODBC -2028)", -2028)
        return 200, self.orders[int(entry)]

    @route("POST", f"{ROOT}/Orders")
    def create_order(self, request):
        return self._create(request, self.orders, "order")

    @route("GET", f"{ROOT}/Invoices")
    def invoices_list(self, request):
        return self._page(request, "Invoices", list(self.invoices.values()))

    @route("POST", f"{ROOT}/Invoices")
    def create_invoice(self, request):
        return self._create(request, self.invoices, "invoice")

    def add_orders(self, count: int) -> list[dict]:
        """Sales orders entered in B1, as if by the sales team."""
        made = []
        for _ in range(count):
            entry = next(self._numbers)
            self.orders[entry] = example("sap_b1", "order") | {"DocEntry": entry, "DocNum": entry}
            made.append(self.orders[entry])
        return made

    def _create(self, request, documents: dict[int, dict], kind: str):
        sent = request.json()
        if sent.get("CardCode") not in self.partners:
            return 400, self.error(400, f"Invalid BP code '{sent.get('CardCode')}'", -5002)
        entry = next(self._numbers)
        lines = [
            example("sap_b1", kind)["DocumentLines"][0] | line | {"LineNum": n}
            for n, line in enumerate(sent.get("DocumentLines", []))
        ]
        document = (
            example("sap_b1", kind)
            | sent
            | {
                "DocEntry": entry,
                "DocNum": entry,
                "DocumentLines": lines,
            }
        )
        documents[entry] = document
        return 201, document, {"Location": f"{ROOT}/{kind.title()}s({entry})"}

    def _page(self, request, entity: str, records: list[dict]) -> tuple[int, Any]:
        asked = query(request)
        for condition in filter(None, (asked.get("$filter") or "").split(" and ")):
            match = CONDITION.match(condition)
            if not match:
                return 400, self.error(400, f"Invalid filter: {condition}", -1000)
            field, text, number = match.groups()
            value = text.replace("''", "'") if text is not None else int(number)
            records = [r for r in records if r.get(field) == value]
        if asked.get("$orderby") == "DocEntry desc":
            records.sort(key=lambda r: -r["DocEntry"])
        prefer = re.search(r"odata\.maxpagesize=(\d+)", request.header("Prefer") or "")
        size = int(prefer.group(1)) if prefer else self.server_page_size
        size = min(size, self.server_page_size, int(asked.get("$top", 10**6)))
        skip = int(asked.get("$skip", 0))
        body: dict[str, Any] = {
            "odata.metadata": f"https://b1.example.com:50000{ROOT}/$metadata#{entity}",
            "value": records[skip : skip + size],
        }
        if "$top" not in asked and skip + size < len(records):
            following = {k: v for k, v in asked.items() if k != "$skip"} | {"$skip": skip + size}
            # as the Service Layer writes it: the query options as they are, not encoded
            body["odata.nextLink"] = f"{entity}?" + "&".join(
                f"{k}={v}" for k, v in following.items()
            )
        return 200, body

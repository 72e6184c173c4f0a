"""A JTL-Wawi REST server, as far as the connector calls it.

After JTL's API reference (see ``examples/SOURCES.md``): ``Authorization: Wawi <key>`` with
the registered app's ``x-appid`` and ``x-appversion``; customers by number; sales orders with
their line items added one by one; stock per storage location; paged lists ``{"TotalItems",
"PageNumber", "PageSize", "Items", "HasNextPage", "NextPageNumber", …}``; validation errors
as ASP.NET problem details (``{"title", "status", "errors": {field: [messages]}}``), other
refusals as ``{"ErrorCode", "ErrorMessage"}`` (the shape of JTL's ErrorResponse is
unverified).
"""

from __future__ import annotations

import copy
import itertools
from typing import Any

from nodes.jtl_wawi import APP_ID, APP_VERSION
from nodes.kit.examples import example
from nodes.kit.fakes.provider import FakeProvider, query, route
from nodes.kit.fakes.receiver import Recorded

API_KEY = "FB622234-98A7-46FA-A01B-06C9D0971AAF"
ROOT = "/api/eazybusiness"


class FakeWawi(FakeProvider):
    account = {"api_url": f"https://wawi.example.com:5883{ROOT}", "api_key": API_KEY}
    sample_call = ("GET", "/salesOrders", None)

    def __init__(self) -> None:
        super().__init__()
        first = example("jtl_wawi", "sales_order")
        self.orders: dict[int, dict] = {first["Id"]: first}
        self.lines: dict[int, list[dict]] = {first["Id"]: []}
        self.stock: list[dict] = example("jtl_wawi", "stock")["Items"]
        self.customers: list[dict] = [example("jtl_wawi", "customer")]
        self._ids = itertools.count(first["Id"] + 1)

    def authorized(self, request: Recorded) -> bool:
        return (
            request.header("Authorization") == f"Wawi {API_KEY}"
            and request.header("x-appid") == APP_ID
            and request.header("x-appversion") == APP_VERSION
        )

    def error(self, status: int, message: str) -> dict:
        return {"ErrorCode": status, "ErrorMessage": message}

    @staticmethod
    def invalid(errors: dict[str, list[str]]) -> dict[str, Any]:
        """ASP.NET's answer to a request body that fails validation."""
        return {
            "type": "https://tools.ietf.org/html/rfc7231#section-6.5.1",
            "title": "One or more validation errors occurred.",
            "status": 400,
            "errors": errors,
        }

    def add_order(self, **fields: Any) -> dict:
        number = next(self._ids)
        self.orders[number] = (
            example("jtl_wawi", "sales_order")
            | {
                "Id": number,
                "Number": f"A{1004465 + number}",
                "ExternalNumber": None,
            }
            | fields
        )
        self.lines[number] = []
        return self.orders[number]

    def set_payment_status(self, number: int, status: int) -> None:
        self.orders[number]["SalesOrderPaymentDetails"]["PaymentStatus"] = status

    def set_stock(self, item: int, warehouse: int, quantity: float, location: int = 4) -> None:
        for row in self.stock:
            if (row["ItemId"], row["WarehouseId"], row["StorageLocationId"]) == (
                item,
                warehouse,
                location,
            ):
                row["QuantityTotal"] = quantity
                return
        row = copy.deepcopy(example("jtl_wawi", "stock")["Items"][0])
        self.stock.append(
            row
            | {"ItemId": item, "WarehouseId": warehouse, "StorageLocationId": location}
            | {"QuantityTotal": quantity}
        )

    @route("GET", f"{ROOT}/customers")
    def customer_list(self, request):
        asked = query(request)
        found = [c for c in self.customers if c["Number"] == asked.get("number", c["Number"])]
        return 200, self._page(asked, found)

    @route("POST", f"{ROOT}/customers")
    def create_customer(self, request):
        sent = request.json()
        if "CustomerGroupId" not in sent:
            return 400, self.invalid(
                {"CustomerGroupId": ["The CustomerGroupId field is required."]}
            )
        customer = example("jtl_wawi", "customer") | sent | {"Id": next(self._ids)}
        self.customers.append(customer)
        return 201, customer

    @route("GET", f"{ROOT}/salesOrders")
    def order_list(self, request):
        asked = query(request)
        orders = list(self.orders.values())
        if "externalNumber" in asked:
            orders = [o for o in orders if o["ExternalNumber"] == asked["externalNumber"]]
        return 200, self._page(asked, orders)

    @route("POST", f"{ROOT}/salesOrders")
    def create_order(self, request):
        sent = request.json()
        missing = {
            f"BillingAddress.{field}": [f"The {field} field is required."]
            for field in ("LastName", "Street", "PostalCode", "City", "CountryIso")
            if not (sent.get("BillingAddress") or {}).get(field)
        }
        if "CustomerId" not in sent:
            missing["CustomerId"] = ["The CustomerId field is required."]
        if missing:
            return 400, self.invalid(missing)
        template = example("jtl_wawi", "sales_order")
        payment = template["SalesOrderPaymentDetails"] | sent.get("SalesOrderPaymentDetails", {})
        return 201, self.add_order(**(sent | {"SalesOrderPaymentDetails": payment}))

    @route("GET", f"{ROOT}/salesOrders/{{number}}/lineitems")
    def line_list(self, request, number):
        return 200, self._page(query(request), self.lines[int(number)])

    @route("POST", f"{ROOT}/salesOrders/{{number}}/lineitems")
    def add_line(self, request, number):
        if int(number) not in self.orders:
            return 404, self.error(404, f"Sales order {number} was not found.")
        line = example("jtl_wawi", "line_item") | request.json()
        line |= {"Id": next(self._ids), "SalesOrderId": int(number)}
        self.lines[int(number)].append(line)
        return 201, line

    @route("GET", f"{ROOT}/stocks")
    def stocks(self, request):
        asked = query(request)
        rows = [
            row
            for row in self.stock
            if str(row["ItemId"]) == asked.get("itemId", str(row["ItemId"]))
            and str(row["WarehouseId"]) == asked.get("warehouseId", str(row["WarehouseId"]))
        ]
        return 200, self._page(asked, rows)

    @staticmethod
    def _page(asked: dict[str, str], items: list[Any]) -> dict[str, Any]:
        number, size = int(asked.get("pageNumber", 1)), int(asked.get("pageSize", 100))
        pages = max(1, -(-len(items) // size))
        more = number < pages
        return {
            "TotalItems": len(items),
            "PageNumber": number,
            "PageSize": size,
            "Items": items[(number - 1) * size : number * size],
            "TotalPages": pages,
            "HasPreviousPage": number > 1,
            "HasNextPage": more,
            "NextPageNumber": number + 1 if more else None,
            "PreviousPageNumber": number - 1 if number > 1 else None,
        }

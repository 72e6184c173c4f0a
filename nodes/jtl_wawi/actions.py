"""JTL-Wawi's actions: an order from the shop into the Wawi, and stock read back."""

from __future__ import annotations

from typing import Any

from nodes.jtl_wawi import jtl_wawi, next_page
from nodes.kit.base import NodeContext, params_schema
from nodes.kit.client import ApiClient
from nodes.kit.examples import example

ADDRESS = {
    "type": "object",
    "additionalProperties": False,
    "required": ["last_name", "street", "postal_code", "city", "country"],
    "properties": {
        "company": {"type": "string", "title": "Company"},
        "first_name": {"type": "string", "title": "First name"},
        "last_name": {"type": "string", "minLength": 1, "title": "Last name"},
        "street": {"type": "string", "minLength": 1, "title": "Street and number"},
        "address2": {"type": "string", "title": "Address line 2"},
        "postal_code": {"type": "string", "minLength": 1, "title": "Postcode"},
        "city": {"type": "string", "minLength": 1, "title": "City"},
        "country": {"type": "string", "pattern": "^[A-Z]{2}$", "title": "Country (ISO, e.g. DE)"},
        "email": {"type": "string", "title": "E-mail"},
        "phone": {"type": "string", "title": "Phone"},
    },
}
ADDRESS_FIELDS = {
    "company": "Company",
    "first_name": "FirstName",
    "last_name": "LastName",
    "street": "Street",
    "address2": "Address2",
    "postal_code": "PostalCode",
    "city": "City",
    "country": "CountryIso",
    "email": "EmailAddress",
    "phone": "PhoneNumber",
}
LINE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["sku", "name", "quantity", "price_gross", "tax_rate"],
    "properties": {
        "sku": {"type": "string", "minLength": 1, "title": "SKU (article number)"},
        "name": {"type": "string", "minLength": 1, "title": "Name"},
        "quantity": {"type": "number", "exclusiveMinimum": 0, "title": "Quantity"},
        "price_gross": {"type": "number", "title": "Unit price incl. VAT"},
        "tax_rate": {"type": "number", "minimum": 0, "maximum": 100, "title": "VAT rate (%)"},
    },
}


def _address(address: dict[str, Any]) -> dict[str, Any]:
    return {ADDRESS_FIELDS[key]: value for key, value in address.items()}


def every(api: ApiClient, path: str, query: dict[str, Any], pages: int = 20) -> list[Any]:
    """Every item of one of JTL's paged lists, at most ``pages`` pages of 100."""
    return list(
        api.pages(
            path,
            items=lambda body: body["Items"],
            next_page=next_page,
            params={**query, "pageNumber": 1, "pageSize": 100},
            limit=pages,
        )
    )


@jtl_wawi.action(
    "find_or_create_customer",
    params=params_schema(
        ["number", "billing_address"],
        number={
            "type": "string",
            "minLength": 1,
            "maxLength": 30,
            "title": "Customer number",
            "description": "e.g. the shop's customer id: the customer with this number is "
            "returned, or made with it.",
        },
        customer_group_id={
            "type": "integer",
            "minimum": 1,
            "default": 1,
            "title": "Customer group",
            "description": "The id of a customer group in JTL-Wawi (1 is usually end customers).",
        },
        billing_address={**ADDRESS, "title": "Billing address"},
    ),
    output_example=example("jtl_wawi", "customer"),
)
def find_or_create_customer(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    found = ctx.api.get(
        "/customers", params={"number": params["number"], "pageNumber": 1, "pageSize": 1}
    )["Items"]
    if found:
        return found[0]
    customer = {
        "Number": params["number"],
        "CustomerGroupId": params.get("customer_group_id", 1),
        "BillingAddress": _address(params["billing_address"]),
    }
    return ctx.api.post("/customers", json=customer)


@jtl_wawi.action(
    "create_sales_order",
    params=params_schema(
        ["customer_id", "external_number", "billing_address", "lines"],
        customer_id={
            "type": "integer",
            "minimum": 1,
            "title": "Customer",
            "description": "The customer's id in JTL-Wawi.",
        },
        external_number={
            "type": "string",
            "minLength": 1,
            "maxLength": 50,
            "title": "Shop order number",
            "description": "Kept as the external number: a step run again completes the order "
            "it started instead of making a second one.",
        },
        order_date={"type": "string", "format": "date-time", "title": "Ordered at"},
        billing_address={**ADDRESS, "title": "Billing address"},
        shipping_address={**ADDRESS, "title": "Shipping address (if different)"},
        currency={"type": "string", "pattern": "^[A-Z]{3}$", "default": "EUR"},
        comment={"type": "string", "title": "Internal comment"},
        customer_comment={"type": "string", "title": "Customer's note"},
        lines={"type": "array", "minItems": 1, "items": LINE, "title": "Lines"},
    ),
    output_example=example("jtl_wawi", "sales_order")
    | {"LineItems": [example("jtl_wawi", "line_item")]},
)
def create_sales_order(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    existing = ctx.api.get(
        "/salesOrders",
        params={"externalNumber": params["external_number"], "pageNumber": 1, "pageSize": 1},
    )["Items"]
    if existing:
        order = existing[0]
        made = every(ctx.api, f"/salesOrders/{order['Id']}/lineitems", {})
    else:
        billing = _address(params["billing_address"])
        fields = {
            "CustomerId": params["customer_id"],
            "ExternalNumber": params["external_number"],
            "SalesOrderDate": params.get("order_date"),
            "BillingAddress": billing,
            "Shipmentaddress": _address(
                params.get("shipping_address") or params["billing_address"]
            ),
            "SalesOrderPaymentDetails": {"CurrencyIso": params.get("currency", "EUR")},
            "Comment": params.get("comment"),
            "CustomerComment": params.get("customer_comment"),
        }
        order = ctx.api.post(
            "/salesOrders", json={k: v for k, v in fields.items() if v is not None}
        )
        made = []
    # Lines one by one (JTL's API adds them to an order); after an interruption only the
    # missing ones are added.
    for line in params["lines"][len(made) :]:
        made.append(
            ctx.api.post(
                f"/salesOrders/{order['Id']}/lineitems",
                json={
                    "SKU": line["sku"],
                    "Name": line["name"],
                    "Quantity": line["quantity"],
                    "SalesPriceGross": line["price_gross"],
                    "TaxRate": line["tax_rate"],
                },
            )
        )
    return order | {"LineItems": made}


@jtl_wawi.action(
    "get_stock",
    params=params_schema(
        ["item_id"],
        item_id={"type": "integer", "minimum": 1, "title": "Item", "description": "JTL item id"},
        warehouse_id={"type": "integer", "minimum": 1, "title": "Warehouse"},
    ),
    output_example={
        "item_id": 77,
        "quantity": 25,
        "locations": example("jtl_wawi", "stock")["Items"],
    },
)
def get_stock(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    query = {"itemId": params["item_id"]}
    if "warehouse_id" in params:
        query["warehouseId"] = params["warehouse_id"]
    locations = every(ctx.api, "/stocks", query)
    return {
        "item_id": params["item_id"],
        "quantity": sum(location["QuantityTotal"] for location in locations),
        "locations": locations,
    }

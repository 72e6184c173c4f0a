"""SAP Business One's actions: business partners, sales orders and A/R invoices."""

from __future__ import annotations

from itertools import islice
from typing import Any

from nodes.kit.base import NodeContext, UserError, params_schema
from nodes.kit.client import ApiClient
from nodes.kit.examples import example
from nodes.sap_b1 import sap_b1

# Lists are asked for in pages of 100 (the server's own page size is often 20).
PAGE_SIZE = {"Prefer": "odata.maxpagesize=100"}
# As SAP's own sample sends them; the Service Layer answers with the enum's names (cCustomer).
CARD_TYPES = {"customer": "C", "supplier": "S", "lead": "L"}
SALES_ORDER = 17  # the object type of a sales order, the base of an invoice copied from it

CARD_CODE = {
    "type": "string",
    "minLength": 1,
    "maxLength": 15,
    "title": "Business partner code",
    "description": "The CardCode, e.g. C20000.",
}
EXTRA = {
    "type": "object",
    "title": "More fields",
    "description": "Further Service Layer fields of the document as they are named there, "
    'e.g. {"SalesPersonCode": 3}.',
}
LINES = {
    "type": "array",
    "minItems": 1,
    "title": "Lines",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["item_code", "quantity"],
        "properties": {
            "item_code": {"type": "string", "minLength": 1, "title": "Item code"},
            "quantity": {"type": "number", "exclusiveMinimum": 0, "title": "Quantity"},
            "unit_price": {
                "type": "number",
                "minimum": 0,
                "title": "Unit price",
                "description": "Net, in the document's currency; without it B1's price list "
                "price is used.",
            },
            "tax_code": {"type": "string", "title": "Tax code", "description": "e.g. PA"},
            "warehouse": {"type": "string", "title": "Warehouse code"},
        },
    },
}
DOCUMENT = {
    "card_code": CARD_CODE,
    "reference": {
        "type": "string",
        "maxLength": 100,
        "title": "Your reference",
        "description": "The shop's order number, kept as NumAtCard. A step run again finds "
        "the document with this reference instead of making a second one.",
    },
    "due_date": {"type": "string", "format": "date", "title": "Due date"},
    "comments": {"type": "string", "maxLength": 254, "title": "Remarks"},
    "extra": EXTRA,
}


def quoted(value: str) -> str:
    """An OData string literal."""
    return "'" + value.replace("'", "''") + "'"


def next_link(response: Any, body: Any, query: dict[str, Any]) -> str | None:
    """The next page named by ``odata.nextLink`` (v1) or ``@odata.nextLink`` (v2), relative
    to the service root."""
    link = (body or {}).get("odata.nextLink") or (body or {}).get("@odata.nextLink")
    if not link:
        return None
    if "://" in link:
        return link
    path, mark, query = link.partition("?")  # a filter in the query may hold a "/"
    return "/" + path.rsplit("/", 1)[-1] + mark + query


def every(api: ApiClient, entity: str, query: dict[str, Any], limit: int) -> list[dict]:
    pages = api.pages(
        f"/{entity}",
        items=lambda body: body["value"],
        next_page=next_link,
        params=query,
        headers=PAGE_SIZE,
    )
    return list(islice(pages, limit))


def first(api: ApiClient, entity: str, condition: str) -> dict[str, Any] | None:
    found = api.get(f"/{entity}", params={"$filter": condition, "$top": 1})["value"]
    return found[0] if found else None


@sap_b1.action(
    "create_business_partner",
    params=params_schema(
        ["card_code", "card_name"],
        card_code=CARD_CODE,
        card_name={"type": "string", "minLength": 1, "maxLength": 100, "title": "Name"},
        card_type={
            "enum": list(CARD_TYPES),
            "default": "customer",
            "title": "Type",
        },
        email={"type": "string", "maxLength": 100, "title": "E-mail"},
        phone={"type": "string", "maxLength": 20, "title": "Phone"},
        vat_id={"type": "string", "maxLength": 32, "title": "VAT ID"},
        extra=EXTRA,
    ),
    output_example=example("sap_b1", "business_partner"),
)
def create_business_partner(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    existing = first(ctx.api, "BusinessPartners", f"CardCode eq {quoted(params['card_code'])}")
    if existing:
        return existing
    fields = {
        "CardCode": params["card_code"],
        "CardName": params["card_name"],
        "CardType": CARD_TYPES[params.get("card_type", "customer")],
        "EmailAddress": params.get("email"),
        "Phone1": params.get("phone"),
        "FederalTaxID": params.get("vat_id"),
    }
    body = {k: v for k, v in fields.items() if v is not None} | params.get("extra", {})
    return ctx.api.post("/BusinessPartners", json=body)


@sap_b1.action(
    "get_business_partner",
    params=params_schema(["card_code"], card_code=CARD_CODE),
    output_example=example("sap_b1", "business_partner"),
)
def get_business_partner(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    return ctx.api.get(f"/BusinessPartners({quoted(params['card_code'])})")


def _document(params: dict[str, Any], lines: list[dict[str, Any]]) -> dict[str, Any]:
    fields = {
        "CardCode": params["card_code"],
        "NumAtCard": params.get("reference"),
        "DocDueDate": params.get("due_date"),
        "Comments": params.get("comments"),
        "DocumentLines": lines,
    }
    return {k: v for k, v in fields.items() if v is not None} | params.get("extra", {})


def _lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    names = {
        "item_code": "ItemCode",
        "quantity": "Quantity",
        "unit_price": "UnitPrice",
        "tax_code": "TaxCode",
        "warehouse": "WarehouseCode",
    }
    return [{names[key]: value for key, value in line.items()} for line in lines]


def _made_before(api: ApiClient, entity: str, params: dict[str, Any]) -> dict | None:
    """The document a previous run of this step made (same partner and reference)."""
    if not params.get("reference"):
        return None
    condition = (
        f"CardCode eq {quoted(params['card_code'])} and NumAtCard eq {quoted(params['reference'])}"
    )
    return first(api, entity, condition)


@sap_b1.action(
    "create_sales_order",
    params=params_schema(["card_code", "due_date", "lines"], **DOCUMENT, lines=LINES),
    output_example=example("sap_b1", "order"),
)
def create_sales_order(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    if made := _made_before(ctx.api, "Orders", params):
        return made
    return ctx.api.post("/Orders", json=_document(params, _lines(params["lines"])))


@sap_b1.action(
    "create_invoice",
    params=params_schema(
        ["card_code"],
        **DOCUMENT,
        order={
            "type": "integer",
            "minimum": 1,
            "title": "From sales order",
            "description": "The DocEntry of a sales order: the invoice takes all its lines. "
            "Give this or lines.",
        },
        lines=LINES,
    ),
    output_example=example("sap_b1", "invoice"),
)
def create_invoice(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    if made := _made_before(ctx.api, "Invoices", params):
        return made
    if "order" not in params and "lines" not in params:
        raise UserError("Give the sales order to invoice, or the lines.", field="order")
    if "order" in params:
        order = ctx.api.get(f"/Orders({params['order']})")
        lines = [
            {"BaseType": SALES_ORDER, "BaseEntry": order["DocEntry"], "BaseLine": line["LineNum"]}
            for line in order["DocumentLines"]
        ]
    else:
        lines = _lines(params["lines"])
    return ctx.api.post("/Invoices", json=_document(params, lines))


@sap_b1.action(
    "list_sales_orders",
    params=params_schema(
        [],
        filter={
            "type": "string",
            "title": "Filter",
            "description": "An OData filter, e.g. DocumentStatus eq 'bost_Open' and "
            "CardCode eq 'C20000'.",
        },
        limit={
            "type": "integer",
            "minimum": 1,
            "maximum": 1000,
            "default": 100,
            "title": "At most",
        },
    ),
    output_example={"orders": [example("sap_b1", "order")]},
)
def list_sales_orders(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    query = {"$orderby": "DocEntry desc"}
    if params.get("filter"):
        query["$filter"] = params["filter"]
    return {"orders": every(ctx.api, "Orders", query, params.get("limit", 100))}

"""A SOAP 1.1 service with the WSDL in ``tests/fixtures/soap/inventory.wsdl``: stock by SKU and
orders in, HTTP Basic sign-in, and SOAP faults for what it refuses."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from nodes.kit.auth import basic
from nodes.kit.fakes.provider import FakeProvider, route
from nodes.kit.fakes.receiver import Recorded

WSDL = Path(__file__).parent.parent / "fixtures" / "soap" / "inventory.wsdl"
ENVELOPE = "http://schemas.xmlsoap.org/soap/envelope/"
TNS = "http://erp.example.com/inventory"
USER, PASSWORD = "shop", "s3cret-pass"


def envelope(body: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{ENVELOPE}">'
        f"<soap:Body>{body}</soap:Body></soap:Envelope>"
    ).encode()


def fault(code: str, message: str) -> bytes:
    return envelope(
        f"<soap:Fault><faultcode>soap:{code}</faultcode><faultstring>{message}</faultstring>"
        "</soap:Fault>"
    )


class FakeSoapService(FakeProvider):
    content_type = "text/xml; charset=utf-8"

    def __init__(self, wsdl: bytes | None = None) -> None:
        super().__init__()
        self.wsdl = wsdl
        self.stock = {"TS-BLK-M": 25}
        self.orders: list[dict] = []

    @property
    def account(self) -> dict[str, str]:
        return {
            "wsdl_url": self.url("/inventory?wsdl"),
            "auth": "basic",
            "username": USER,
            "password": PASSWORD,
        }

    def authorized(self, request: Recorded) -> bool:
        return request.header("Authorization") == basic(USER, PASSWORD)

    def error(self, status: int, message: str) -> bytes:
        return fault("Client", message)

    def rate_limited(self, retry_after: int):
        return 429, b"", {"Retry-After": str(retry_after)}

    @route("GET", "/inventory")
    def describe(self, request):
        served = self.wsdl or WSDL.read_bytes()
        return 200, served.replace(b"SERVICE_ADDRESS", self.url("/inventory").encode())

    @route("POST", "/inventory")
    def call(self, request):
        body = etree.fromstring(request.body, etree.XMLParser(resolve_entities=False))
        (operation,) = body.find(f"{{{ENVELOPE}}}Body")
        name = etree.QName(operation).localname
        fields = {etree.QName(child).localname: child for child in operation}
        if name == "GetStock":
            sku = fields["sku"].text
            if sku not in self.stock:
                return 500, fault("Client", f"Unknown SKU: {sku}")
            return 200, envelope(
                f'<GetStockResponse xmlns="{TNS}"><sku>{sku}</sku>'
                f"<quantity>{self.stock[sku]}</quantity><price>19.99</price>"
                "<updated>2024-04-08T10:00:00+00:00</updated></GetStockResponse>"
            )
        lines = [
            {etree.QName(c).localname: c.text for c in line}
            for line in operation
            if etree.QName(line).localname == "line"
        ]
        self.orders.append({"number": fields["number"].text, "lines": lines})
        return 200, envelope(
            f'<CreateOrderResponse xmlns="{TNS}"><orderId>ERP-{len(self.orders)}</orderId>'
            "</CreateOrderResponse>"
        )

"""WooCommerce's REST API v3, as far as Shopwire calls it, answering from WooCommerce's docs.

Documented behaviour kept: HTTP Basic auth with the consumer key and secret (401
``woocommerce_rest_authentication_error`` otherwise), JSON bodies, WordPress REST errors
``{"code", "message", "data": {"status"}}`` (404 ``woocommerce_rest_shop_order_invalid_id``,
400 ``rest_invalid_param``), and webhooks created with a topic, a delivery URL and a secret.
Rate limiting is not in WooCommerce core; hosts and the Store API answer 429 with Retry-After
and ``rate_limit_exceeded``, which is what :meth:`rate_limited` sends.

Lists of orders and products take the documented filters ``after``/``before`` (creation
time) and ``modified_after``/``modified_before`` (exclusive, in GMT with ``dates_are_gmt``),
``orderby`` (``id`` or ``date``), ``order``, ``page`` and ``per_page`` (at most 100; 400
``rest_invalid_param`` above), and say the totals in ``X-WP-Total``/``X-WP-TotalPages``.
:meth:`FakeWooCommerce.place_order` and :meth:`FakeWooCommerce.change_order` do what the
shop does; :meth:`FakeWooCommerce.disable_webhook` what WooCommerce does to a webhook after
five failed deliveries.

:meth:`FakeWooCommerce.delivery` and :meth:`FakeWooCommerce.ping` build what WooCommerce
would POST to a webhook's delivery URL (``WC_Webhook::deliver`` and ``deliver_ping``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from datetime import UTC, datetime

from nodes.kit.examples import example
from nodes.kit.fakes.provider import FakeProvider, query, route
from nodes.kit.fakes.receiver import Recorded

CONSUMER_KEY = "ck_4fa2b6f0a1c34e8d9b7e6f5a4c3b2a1908f7e6d5"
CONSUMER_SECRET = "cs_9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d"
STORE_URL = "https://shop.example.com"
PREFIX = "/wp-json/wc/v3"
ROUTE = r"(?:/[\w.-]+)*" + PREFIX  # WordPress may live in a folder of the site
STATUSES = {"pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed"}
TOPICS = {
    f"{r}.{e}"
    for r in ("order", "product", "customer", "coupon")
    for e in ("created", "updated", "deleted", "restored")
}


def fixture(name: str) -> dict:
    return example("woocommerce", f"rest-v3.{name}")


def _stamps(field: str) -> dict[str, str]:
    """WooCommerce's pair of times: the site's (here UTC too) and GMT, to the second."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return {field: now, f"{field}_gmt": now}


def php_json(payload) -> bytes:
    """``wp_json_encode``: compact, with slashes escaped as PHP's json_encode does."""
    return json.dumps(payload, separators=(",", ":")).replace("/", "\\/").encode()


def _set_meta(order: dict, field: dict) -> None:
    """WooCommerce changes a custom field that has the key, and adds one that does not."""
    meta = order.setdefault("meta_data", [])
    found = next((m for m in meta if m["key"] == field["key"]), None)
    if found:
        found["value"] = field["value"]
    else:
        meta.append({"id": 10000 + len(meta), "key": field["key"], "value": field["value"]})


class FakeWooCommerce(FakeProvider):
    account = {
        "store_url": STORE_URL,
        "consumer_key": CONSUMER_KEY,
        "consumer_secret": CONSUMER_SECRET,
    }
    sample_call = ("GET", "/orders", None)

    def __init__(self) -> None:
        super().__init__()
        order, product = fixture("order.create.response"), fixture("product.retrieve.response")
        self.orders = {order["id"]: order}
        self.products = {product["id"]: product}
        self.variations: dict[tuple[int, int], dict] = {}
        self.notes: dict[int, list[dict]] = {}
        self.webhooks: dict[int, dict] = {}
        self.webhook_secrets: dict[int, str] = {}
        self._next_id = 900

    def authorized(self, request: Recorded) -> bool:
        pair = base64.b64encode(f"{CONSUMER_KEY}:{CONSUMER_SECRET}".encode()).decode()
        return request.header("Authorization") == f"Basic {pair}"

    def error(self, status: int, message: str, code: str | None = None) -> dict:
        if status == 401:
            code, message = "woocommerce_rest_authentication_error", "Consumer key is invalid."
        if status == 429:
            code, message = "rate_limit_exceeded", "Too many requests. Please wait and try again."
        return {"code": code or "rest_no_route", "message": message, "data": {"status": status}}

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _invalid(self, kind: str):
        return 404, self.error(404, "Invalid ID.", f"woocommerce_rest_{kind}_invalid_id")

    # orders

    @route("GET", ROUTE + "/orders")
    def list_orders(self, request):
        return self._listing(request, self.orders.values())

    def _listing(self, request, records):
        given = query(request)
        per_page, page = int(given.get("per_page", 10)), int(given.get("page", 1))
        if not 1 <= per_page <= 100:
            refused = self.error(400, "Invalid parameter(s): per_page", "rest_invalid_param")
            why = "per_page must be between 1 (inclusive) and 100 (inclusive)"
            return 400, refused | {"data": {"status": 400, "params": {"per_page": why}}}
        gmt = given.get("dates_are_gmt") == "true"
        found = list(records)
        for name, stamp, later in (
            ("after", "date_created", True),
            ("before", "date_created", False),
            ("modified_after", "date_modified", True),
            ("modified_before", "date_modified", False),
        ):
            if name in given:
                field = f"{stamp}_gmt" if gmt else stamp
                bound = given[name]
                found = [r for r in found if (r[field] > bound if later else r[field] < bound)]
        key = (lambda r: r["id"]) if given.get("orderby") == "id" else (lambda r: r["date_created"])
        found.sort(key=key, reverse=given.get("order", "desc") == "desc")
        pages = max(1, -(-len(found) // per_page))
        headers = {"X-WP-Total": str(len(found)), "X-WP-TotalPages": str(pages)}
        return 200, found[(page - 1) * per_page : page * per_page], headers

    def place_order(self, **changes) -> dict:
        """A new order, created now (the sample with a new id and ``changes``)."""
        order_id = self._new_id()
        order = fixture("order.create.response") | {"id": order_id, "number": str(order_id)}
        order |= _stamps("date_created") | _stamps("date_modified") | changes
        self.orders[order_id] = order
        return order

    def change_order(self, order_id: int, **changes) -> dict:
        """The shop changes an order now, or at ``date_modified_gmt`` if given."""
        self.orders[order_id] |= _stamps("date_modified") | changes
        return self.orders[order_id]

    @route("GET", ROUTE + "/orders/{id}")
    def get_order(self, request, id):
        order = self.orders.get(int(id))
        return (200, order) if order else self._invalid("shop_order")

    @route("PUT", ROUTE + "/orders/{id}")
    def update_order(self, request, id):
        order = self.orders.get(int(id))
        if order is None:
            return self._invalid("shop_order")
        changes = request.json()
        if "status" in changes and changes["status"] not in STATUSES:
            return 400, self.error(400, "Invalid parameter(s): status", "rest_invalid_param") | {
                "data": {"status": 400, "params": {"status": "status is not one of …"}}
            }
        for field in changes.pop("meta_data", []):
            _set_meta(order, field)
        order.update(changes)
        return 200, order

    @route("POST", ROUTE + "/orders/{id}/notes")
    def add_note(self, request, id):
        if int(id) not in self.orders:
            return self._invalid("shop_order")
        sent = request.json()
        if not sent.get("note"):
            return 400, self.error(400, "Missing parameter(s): note", "rest_missing_callback_param")
        # The docs' order note (not among the shared fixtures; copied into the examples).
        note = example("woocommerce", "rest-v3.order-note.create.response") | {
            "id": self._new_id(),
            "note": sent["note"],
            "customer_note": bool(sent.get("customer_note", False)),
        }
        self.notes.setdefault(int(id), []).append(note)
        return 201, note

    # products

    @route("GET", ROUTE + "/products")
    def list_products(self, request):
        return self._listing(request, self.products.values())

    @route("PUT", ROUTE + "/products/{id}")
    def update_product(self, request, id):
        product = self.products.get(int(id))
        if product is None:
            return self._invalid("product")
        product.update(request.json())
        return 200, product

    @route("PUT", ROUTE + "/products/{id}/variations/{variation}")
    def update_variation(self, request, id, variation):
        found = self.variations.get((int(id), int(variation)))
        if found is None:
            return self._invalid("product_variation")
        found.update(request.json())
        return 200, found

    # webhooks

    @route("POST", ROUTE + "/webhooks")
    def create_webhook(self, request):
        sent = request.json()
        if sent.get("topic") not in TOPICS:
            return 400, self.error(
                400, "Webhook topic is invalid.", "woocommerce_rest_webhook_invalid_topic"
            )
        if not str(sent.get("delivery_url", "")).startswith(("http://", "https://")):
            return 400, self.error(
                400,
                "Webhook delivery URL must be a valid URL starting with http:// or https://.",
                "woocommerce_rest_webhook_invalid_delivery_url",
            )
        webhook_id = self._new_id()
        resource, event = sent["topic"].split(".")
        webhook = fixture("webhook.create.response") | {
            "id": webhook_id,
            "name": sent.get("name", ""),
            "status": sent.get("status", "active"),
            "topic": sent["topic"],
            "resource": resource,
            "event": event,
            "delivery_url": sent["delivery_url"],
        }
        self.webhooks[webhook_id] = webhook
        self.webhook_secrets[webhook_id] = sent.get("secret") or secrets.token_hex(16)
        return 201, webhook  # the secret is never echoed back

    @route("GET", ROUTE + "/webhooks/{id}")
    def get_webhook(self, request, id):
        webhook = self.webhooks.get(int(id))
        if webhook is None:
            return 404, self.error(404, "Invalid ID.", "woocommerce_rest_webhook_invalid_id")
        return 200, webhook

    def disable_webhook(self, webhook_id: int) -> None:
        """What ``WC_Webhook::failed_delivery`` does after the fifth failure in a row."""
        self.webhooks[webhook_id]["status"] = "disabled"

    @route("DELETE", ROUTE + "/webhooks/{id}")
    def delete_webhook(self, request, id):
        if query(request).get("force") != "true":
            return 501, self.error(
                501, "Webhooks do not support trashing.", "woocommerce_rest_trash_not_supported"
            )
        webhook = self.webhooks.pop(int(id), None)
        if webhook is None:
            return 404, self.error(404, "Invalid ID.", "woocommerce_rest_webhook_invalid_id")
        return 200, webhook

    # what WooCommerce sends to a delivery URL

    def delivery(self, webhook_id: int, payload: dict) -> tuple[bytes, dict[str, str]]:
        """The body and headers ``WC_Webhook::deliver`` sends for ``payload``."""
        webhook = self.webhooks[webhook_id]
        body = php_json(payload)
        digest = hmac.new(self.webhook_secrets[webhook_id].encode(), body, hashlib.sha256)
        headers = {
            "User-Agent": "WooCommerce/8.9.1 Hookshot (WordPress/6.5.3)",
            "X-WC-Webhook-Source": STORE_URL + "/",
            "X-WC-Webhook-Topic": webhook["topic"],
            "X-WC-Webhook-Resource": webhook["resource"],
            "X-WC-Webhook-Event": webhook["event"],
            "X-WC-Webhook-Signature": base64.b64encode(digest.digest()).decode(),
            "X-WC-Webhook-ID": str(webhook_id),
            # wp_hash($id . strtotime('now')): the same for every delivery within one second
            "X-WC-Webhook-Delivery-ID": hashlib.md5(
                f"{webhook_id}{int(time.time())}".encode()
            ).hexdigest(),
        }
        return body, headers

    @staticmethod
    def ping(webhook_id: int) -> tuple[bytes, dict[str, str]]:
        """``deliver_ping``: a form post of the webhook's id, with no signature."""
        return f"webhook_id={webhook_id}".encode(), {
            "User-Agent": "WooCommerce/8.9.1 Hookshot (WordPress/6.5.3)"
        }

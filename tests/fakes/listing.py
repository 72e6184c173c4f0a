"""A shop API without webhooks, on loopback: ``GET /orders?since_id=&page=`` lists orders
oldest first, two per page, as many such APIs do (Shopify's REST ``since_id``, WooCommerce's
``page``). Built on :class:`Receiver`, so every poll is recorded too."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from nodes.kit.fakes.receiver import Receiver, Recorded, Reply

PAGE_SIZE = 2


class OrderList(Receiver):
    def __init__(self, token: str | None = None) -> None:
        super().__init__()
        self.orders: list[dict[str, Any]] = []
        self.token = token
        self.reply = self._list

    def add(self, *orders: dict[str, Any]) -> None:
        self.orders.extend(orders)

    def _list(self, request: Recorded) -> Reply:
        if self.token and request.header("Authorization") != f"Bearer {self.token}":
            return 401, {"Content-Type": "application/json"}, b'{"errors": "Unauthorized"}'
        query = {k: v[0] for k, v in parse_qs(urlsplit(request.path).query).items()}
        since = int(query.get("since_id", 0))
        page = int(query.get("page", 1))
        newer = sorted((o for o in self.orders if o["id"] > since), key=lambda o: o["id"])
        chunk = newer[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        body = json.dumps({"orders": chunk}, ensure_ascii=False).encode()
        return 200, {"Content-Type": "application/json; charset=utf-8"}, body

"""The connector kit's client: pagination in both styles, idempotency keys, errors, throttling."""

from __future__ import annotations

import socket

import pytest

from nodes.kit.base import Connector, ProviderError, TransientError
from nodes.kit.client import ApiClient, cursor, link_next, send
from nodes.kit.errors import ErrorBody
from nodes.kit.fakes.provider import FakeProvider, query, route
from nodes.kit.guarded_http import guarded_session

ITEMS = [{"id": n} for n in range(1, 8)]


class FakeList(FakeProvider):
    """Seven items, three a page: by Link headers (WooCommerce, Shopify REST) and by cursor
    (Stripe's ``starting_after`` / ``has_more``)."""

    @route("GET", "/linked")
    def linked(self, request):
        page = int(query(request).get("page", 1))
        chunk = ITEMS[(page - 1) * 3 : page * 3]
        links = {}
        if page * 3 < len(ITEMS):
            links["Link"] = f'<{self.origin}/linked?page={page + 1}>; rel="next"'
        return 200, chunk, links

    @route("GET", "/cursor")
    def by_cursor(self, request):
        after = int(query(request).get("starting_after", 0))
        chunk = [item for item in ITEMS if item["id"] > after][:3]
        return 200, {"data": chunk, "has_more": chunk[-1]["id"] < ITEMS[-1]["id"]}

    @route("POST", "/charges")
    def charge(self, request):
        return 200, {"key": request.header("Idempotency-Key")}


@pytest.fixture
def fake():
    with FakeList() as server:
        yield server


def client(fake, **connector) -> ApiClient:
    declared = Connector(
        "list",
        title={"en": "List", "de": "Liste"},
        description={"en": "", "de": ""},
        base_url=lambda credential: "https://api.example.com",
        idempotency_header="Idempotency-Key",
        **connector,
    )
    session = guarded_session(allow_private=["127.0.0.0/8"], timeout=5, max_response_bytes=10**6)
    return ApiClient(declared, session, {}, idempotency_key="exec:step", origin=fake.origin)


def test_link_header_pages_are_followed_to_the_end(fake):
    found = list(client(fake).pages("/linked", items=lambda body: body, next_page=link_next))
    assert found == ITEMS
    assert [r.path for r in fake.requests] == ["/linked", "/linked?page=2", "/linked?page=3"]


def test_cursor_pages_carry_the_last_id_and_stop_when_there_is_no_more(fake):
    next_page = cursor(
        "starting_after", lambda body: body["data"][-1]["id"] if body["has_more"] else None
    )
    api = client(fake)
    found = list(api.pages("/cursor", items=lambda body: body["data"], next_page=next_page))
    assert found == ITEMS
    assert [r.path for r in fake.requests] == [
        "/cursor",
        "/cursor?starting_after=3",
        "/cursor?starting_after=6",
    ]


def test_a_page_limit_bounds_a_long_list(fake):
    api = client(fake)
    found = list(api.pages("/linked", items=lambda body: body, next_page=link_next, limit=2))
    assert found == ITEMS[:6]


def test_posts_carry_the_steps_idempotency_key_numbered_after_the_first(fake):
    api = client(fake)
    assert [api.post("/charges")["key"] for _ in range(3)] == [
        "exec:step",
        "exec:step:2",
        "exec:step:3",
    ]


def test_rate_limits_refusals_and_throttling_become_typed_errors(fake):
    api = client(fake, errors=ErrorBody("error"))
    fake.fail_next(429, {"error": "slow down"}, {"Retry-After": "7"})
    with pytest.raises(TransientError) as limited:
        api.get("/cursor")
    assert limited.value.retry_after == 7.0
    fake.fail_next(403, {"error": "missing scope read_orders"})
    with pytest.raises(ProviderError) as refused:
        api.get("/cursor")
    assert refused.value.message.endswith("403 Forbidden: List says: missing scope read_orders")
    assert "permission" in refused.value.hint

    throttled = client(fake, throttled=lambda response, body: 2.5 if body["has_more"] else None)
    with pytest.raises(TransientError) as slowed:
        throttled.get("/cursor")
    assert slowed.value.retry_after == 2.5


@pytest.fixture
def session():
    return guarded_session(allow_private=True, timeout=0.5)


def failure(session, url: str) -> str:
    with pytest.raises(TransientError) as failed:
        send(session, "POST", url)
    assert "Errno" not in failed.value.message
    return failed.value.message


def test_a_server_that_does_not_answer_reads_with_the_time_waited(session):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        message = failure(session, f"http://127.0.0.1:{port}/orders")
    assert message == "The server at 127.0.0.1 did not answer within 0.5 s."

"""Polling, for systems that cannot send webhooks: ask on a schedule what is new.

A polling trigger declares ``poll=`` on itself; :func:`paged` builds one from how to fetch a
page of items, turning pages into new items, oldest first, and the cursor it keeps in
``ctx.store`` (:func:`changed` instead compares each record's state with the last poll's, for
systems that say what a record is now but not when it changed). The app runs it on the
trigger's schedule (``app/runtime/timed_triggers.py``), starts one execution per new item with
the dedupe key ``poll:<node>:<item id>`` (so an item never starts two executions, even when a
poll is repeated after a crash), and stores the cursor only after the executions are committed.

The cursor is the highest "order" value seen (the item id, or a timestamp such as
``updated_at``) with the ids of the items that have it: items after it are new, and so are
items at it that were not seen yet (two orders in the same second). The first poll of
a new trigger only sets the cursor, so switching a flow on does not replay a shop's history.
After downtime, at most ``max_pages`` pages are read per poll; with a "since" parameter the
next poll carries on where this one stopped, so a long backlog is worked off in steps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from nodes.engine.functions import FunctionError, decimal_of, moment
from nodes.engine.mapping import MappingError, evaluate
from nodes.kit.base import NodeContext, UserError

# (ctx, params, the newest order value seen or None, page number from 1) -> the page's items
FetchPage = Callable[[NodeContext, dict[str, Any], Any, int], list[Any]]


@dataclass
class Found:
    items: list[tuple[str, Any]]  # (item id, item), oldest first
    cursor: Any  # the new cursor (unchanged if nothing was found)


def paged(fetch: FetchPage) -> Callable[[NodeContext, dict[str, Any]], list[tuple[str, Any]]]:
    """A trigger's ``poll`` from how it fetches one page: the cursor kept in ``ctx.store``."""

    def run(ctx: NodeContext, params: dict[str, Any]) -> list[tuple[str, Any]]:
        found = poll(ctx, fetch, params, ctx.store.get("cursor"))
        ctx.store.set("cursor", found.cursor)
        return found.items

    return run


def _read(expression: str, item: Any, field: str) -> Any:
    try:
        value = evaluate(expression, item)
    except MappingError as error:
        raise UserError(f"`{expression}`: {error.message}", field=field) from None
    if value is None:
        raise UserError(
            f"An item has no value at `{expression}`, so it cannot be told apart from others.",
            field=field,
        )
    return value


def order_value(value: Any, kind: str) -> Any:
    """A comparable form of an order value: ids as exact numbers, timestamps as moments."""
    try:
        if kind == "date":
            return moment(value, "order")
        if kind == "number":
            return decimal_of(value, "order")
    except FunctionError as error:
        raise UserError(str(error).replace("order(): ", ""), field="order_path") from None
    return str(value)


def poll(ctx: NodeContext, fetch: FetchPage, params: dict[str, Any], cursor: Any) -> Found:
    """Read pages until one is empty or ``max_pages`` is reached (lists may be sorted either
    way, so a page without new items does not mean the next one has none). A list the
    provider is asked to sort newest first (``newest_first``) is read only until a page
    reaches items seen before, and on the first poll only its first page sets the cursor, as
    long as the pages really come sorted that way.

    ``cursor`` is None before the first poll, then ``{"after": <order value>, "ids": [...]}``:
    the newest order value seen and the ids of the items that have it, so an item that shares
    the newest timestamp but arrives later is still new, and the ones seen are not.
    """
    id_path, order_path = params.get("id_path", "id"), params.get("order_path", "id")
    kind = params.get("order_type", "number")
    after = None if cursor is None else cursor["after"]
    since = None if after is None else order_value(after, kind)
    seen_at_since = set(cursor["ids"]) if cursor else set()
    found: dict[str, tuple[Any, Any, Any]] = {}  # id -> (order, raw order, item)
    for page in range(1, params.get("max_pages", 5) + 1):
        items = fetch(ctx, params, after, page)
        reached_seen = since is None
        orders = []
        for item in items:
            raw = _read(order_path, item, "order_path")
            order = order_value(raw, kind)
            orders.append(order)
            item_id = _id_text(_read(id_path, item, "id_path"))
            if since is None or order > since or (order == since and item_id not in seen_at_since):
                found.setdefault(item_id, (order, raw, item))
            else:
                reached_seen = True
        if not items or not params.get("page_param"):
            break
        newest_first = orders == sorted(orders, reverse=True)
        if params.get("newest_first") and newest_first and reached_seen:
            break  # a page the provider did not sort as asked is no reason to stop
    ordered = sorted(found.items(), key=lambda entry: entry[1][0])
    if not ordered:
        return Found([], cursor)
    newest, newest_raw = ordered[-1][1][0], ordered[-1][1][1]
    ids = [item_id for item_id, (order, _r, _i) in ordered if order == newest]
    if newest == since:
        ids = sorted(seen_at_since | set(ids))
    new_cursor = {"after": newest_raw, "ids": ids}
    if cursor is None and not params.get("emit_existing"):
        return Found([], new_cursor)  # the first poll only marks where "new" begins
    return Found([(item_id, item) for item_id, (_o, _r, item) in ordered], new_cursor)


def _id_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(Decimal(value).to_integral())
    return str(value)


def changed(
    ctx: NodeContext, states: dict[str, Any], *, name: str = "cursor", new: bool = False
) -> list[tuple[str, str, Any]]:
    """The records whose state differs from the last poll's, as ``(item id, key, state
    before)``, for systems that tell a record's state (a stock level, an order's payment
    status) but not when it changed.

    ``states`` maps each record's key to its state now. What is remembered in ``ctx.store``
    under ``name`` is each key's state with the number of changes seen, and the item id is
    ``<key>@<number>``: a stock that goes from 5 to 4 and back to 5 is three changes, and a
    poll repeated after a crash finds the same ids (so no change starts twice). The first
    poll only remembers; records not seen before count as changed only with ``new``. Keys
    this poll did not see are forgotten, which keeps the memory to what the poll reads.
    """
    remembered = ctx.store.get(name)
    found: list[tuple[str, str, Any]] = []
    now: dict[str, list[Any]] = {}
    for key, state in states.items():
        before = (remembered or {}).get(key)
        count = 0 if before is None else before[1]
        is_change = before[0] != state if before is not None else remembered is not None and new
        if is_change:
            count += 1
            found.append((f"{key}@{count}", key, None if before is None else before[0]))
        now[key] = [state, count]
    ctx.store.set(name, now)
    return found

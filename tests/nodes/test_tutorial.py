"""docs/connectors.md is true: the package it builds, file by file, loads as a connector
without touching anything outside it, and its action, trigger, options and the test it shows
work against the fake it writes."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from tests.nodes.test_registry import ROOT, fresh_python

GUIDE = ROOT / "docs" / "connectors.md"
FILE_BLOCK = re.compile(r"```\w+ file=(\S+)\n(.*?)```", re.S)
TEST_BLOCK = re.compile(r"```python\n(def test_.*?)```", re.S)


def test_the_guides_connector_is_built_from_the_page_alone(tmp_path: Path):
    guide = GUIDE.read_text()
    files = FILE_BLOCK.findall(guide)
    assert {name for name, _ in files} >= {
        "nodes/tinyshop/__init__.py",
        "nodes/tinyshop/fake.py",
        "nodes/tinyshop/texts.json",
    }
    for name, text in files:
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    (shown_test,) = TEST_BLOCK.findall(guide)
    checked = fresh_python(
        textwrap.dedent(
            f"""
            import hashlib, hmac, json
            import pytest
            import nodes
            nodes.__path__.append({str(tmp_path / "nodes")!r})
            from nodes.kit import registry
            from nodes.kit.base import InboundRequest, ProviderError, SignatureError
            from nodes.tinyshop.fake import FakeTinyshop
            registry.load_builtins()
            """
        )
        + shown_test
        + textwrap.dedent(
            """
            test_a_note_is_added_and_a_refusal_names_the_field()
            spec = registry.get("tinyshop.order_paid", 1)
            body = json.dumps(spec.output_example).encode()
            secret = "s3cret-from-subscribe"
            sign = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            good = InboundRequest(body, {"X-Tinyshop-Signature": sign}, {}, spec.output_example)
            spec.verify(good, {}, {"api_key": "k", "subscription": {"secret": secret}})
            forged = InboundRequest(body, {"X-Tinyshop-Signature": "0" * 64}, {}, {})
            try:
                spec.verify(forged, {}, {"subscription": {"secret": secret}})
                refused = False
            except SignatureError:
                refused = True
            connector = registry.connector("tinyshop")
            with FakeTinyshop() as fake:
                from nodes.kit.client import ApiClient
                from nodes.kit.guarded_http import guarded_session
                api = ApiClient(connector, guarded_session(allow_private=True), fake.account,
                                origin=fake.origin)
                options = connector.options["warehouses"](api)
                kept = spec.subscribe(api, "https://shopwire.example/hooks/t", {})
                called = fake.run("tinyshop.api_call", {"method": "GET", "path": "/me"})
            ours = [n["key"] for n in registry.catalog() if n["connector"] == "tinyshop"]
            print(json.dumps({
                "nodes": sorted(ours),
                "title": connector.title["de"],
                "refused": refused,
                "options": options,
                "kept": sorted(kept),
                "called": called["body"],
                "unwanted": spec.unwanted(
                    InboundRequest(body, {}, {}, {"topic": "order.created"}), {}),
                "unavailable": registry.unavailable(),
            }))
            """
        )
    )
    assert checked["nodes"] == [
        "tinyshop.add_order_note",
        "tinyshop.api_call",
        "tinyshop.event",
        "tinyshop.order_paid",
    ]
    assert checked["title"] == "Tinyshop" and checked["refused"]
    assert checked["options"] == [{"value": "wh_berlin", "label": "Berlin"}]
    assert checked["kept"] == ["id", "secret"]
    assert checked["called"] == {"shop_name": "Tiny Test Shop"}
    assert checked["unwanted"] == "This trigger runs for order.paid; Tinyshop sent order.created."
    assert checked["unavailable"] == {}

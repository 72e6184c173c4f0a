"""Secrets leave no trace in any log line written while a step runs, whichever logger writes
it: a library's own logger as much as Shopwire's."""

from __future__ import annotations

import logging

from nodes.engine import redaction
from nodes.engine.redaction import Secrets, scrubbing

TOKEN = "sk_live_51Hsecretvalue"


def test_a_library_logger_nobody_named_is_scrubbed_too(caplog):
    redaction.install_log_filter()
    library = logging.getLogger("some_sdk.transport")
    with caplog.at_level(logging.INFO), scrubbing(Secrets([TOKEN])):
        library.info("sending Authorization: Bearer %s", TOKEN)
        try:
            raise ValueError(f"refused {TOKEN}")
        except ValueError:
            library.exception("call failed")
    lines = [caplog.handler.format(record) for record in caplog.records]
    assert TOKEN not in lines[0] and TOKEN not in lines[1]
    assert "Bearer" in lines[0] and "ValueError" in lines[1]


def test_installing_twice_scrubs_once():
    redaction.install_log_filter()
    factory = logging.getLogRecordFactory()
    redaction.install_log_filter()
    assert logging.getLogRecordFactory() is factory

"""A local SMTP server (aiosmtpd) that keeps what it receives, for the e-mail node's tests.

It speaks plain SMTP on loopback without encryption, so the account it accepts has
``security: none`` and no password (the node refuses to send a password unencrypted).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from nodes.kit.fakes.provider import run_node


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


class _Handler:
    def __init__(self, server: FakeSmtpServer) -> None:
        self.server = server

    async def handle_RCPT(self, smtp, session, envelope, address, options):
        if address in self.server.refused:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.server.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    """A port nothing listens on (aiosmtpd cannot be asked to pick one itself)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class FakeSmtpServer:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refused: set[str] = set()
        self.port = _free_port()
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    @property
    def account(self) -> dict[str, Any]:
        return {
            "host": "127.0.0.1",
            "port": self.port,
            "security": "none",
            "from_address": "rechnung@example-shop.de",
            "from_name": "Example Shop",
        }

    def run(self, key: str, params: dict[str, Any], input: Any = None) -> Any:
        return run_node(key, params, self.account, input)

    def __enter__(self) -> FakeSmtpServer:
        self._controller.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._controller.stop()

"""The operator's mail server, for steps that send e-mail without an account of their own.

The app installs how it sends mail (``app/identity/mail.py``: SMTP, or the console in
development) when it starts; a step hands it a finished message. The sender's address is the
installation's, so a merchant's own address goes in Reply-To.
"""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage

from nodes.kit.base import NodeError

Sender = Callable[[EmailMessage], None]

_sender: Sender | None = None
_address: str = ""


def install(sender: Sender | None, address: str = "") -> None:
    """Send through ``sender`` from now on, from ``address`` (the From of its messages)."""
    global _sender, _address
    _sender, _address = sender, address


def sender_address() -> str:
    return _address


def send(message: EmailMessage) -> None:
    if _sender is None:
        raise NodeError(
            "No mail server is set up here: connect an SMTP account to this step, or ask the "
            "operator to configure one."
        )
    _sender(message)

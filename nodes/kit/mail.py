"""The operator's mail server, for steps that send e-mail without an account of their own.

The app installs how it sends mail (``app/identity/mail.py``: SMTP, or the console in
development) when it starts; a step hands it a message without a From, which the app fills
with the installation's address, so a merchant's own address goes in Reply-To.
"""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage

from nodes.kit.base import NodeError

Sender = Callable[[EmailMessage], None]

_sender: Sender | None = None


def install(sender: Sender | None) -> None:
    global _sender
    _sender = sender


def send(message: EmailMessage) -> None:
    if _sender is None:
        raise NodeError(
            "No mail server is set up here: connect an SMTP account to this step, or ask the "
            "operator to configure one."
        )
    _sender(message)

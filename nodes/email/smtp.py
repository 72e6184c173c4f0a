"""SMTP over a connection the outbound guard vetted, with the server's refusals in plain words."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from nodes.kit.base import ProviderError, TransientError, UserError
from nodes.kit.guarded_http import OutboundBlocked


class _GuardedSMTP(smtplib.SMTP):
    def __init__(self, session, host: str, port: int) -> None:
        self._session = session
        super().__init__(host, port, timeout=session.default_timeout)

    def _get_socket(self, host, port, timeout):
        return self._session.connect(host, port)


class _GuardedSMTPSSL(smtplib.SMTP_SSL):
    def __init__(self, session, host: str, port: int) -> None:
        self._session = session
        super().__init__(
            host, port, timeout=session.default_timeout, context=ssl.create_default_context()
        )

    def _get_socket(self, host, port, timeout):
        return self.context.wrap_socket(self._session.connect(host, port), server_hostname=host)


@contextmanager
def connection(session, account: dict[str, Any]) -> Iterator[smtplib.SMTP]:
    """An SMTP session with the account's server, encrypted and logged in as it says."""
    host, port = account["host"], account.get("port", 587)
    security = account.get("security", "starttls")
    where = f"{host}:{port}"
    if account.get("username") and security == "none":
        raise UserError(
            "The account would send its password unencrypted: choose STARTTLS or SSL.",
            field="security",
        )
    try:
        smtp_class = _GuardedSMTPSSL if security == "ssl" else _GuardedSMTP
        with smtp_class(session, host, port) as smtp:
            if security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if account.get("username"):
                smtp.login(account["username"], account.get("password", ""))
            yield smtp
    except OutboundBlocked as error:
        raise UserError(str(error), field="host") from None
    except smtplib.SMTPNotSupportedError:
        raise UserError(
            f"The mail server {where} does not offer STARTTLS: choose SSL or another port.",
            field="security",
        ) from None
    except smtplib.SMTPAuthenticationError as error:
        raise ProviderError(
            f"The mail server {where} refused the login: {_said(error.smtp_error)}",
            hint="Check the account's user name and password.",
        ) from None
    except smtplib.SMTPRecipientsRefused as error:
        refused = ", ".join(
            f"{address} ({_said(reply)})" for address, (_code, reply) in error.recipients.items()
        )
        raise ProviderError(
            f"The mail server {where} refused the recipients {refused}.", field="to"
        ) from None
    except smtplib.SMTPSenderRefused as error:
        raise ProviderError(
            f"The mail server {where} refused the sender {error.sender}: {_said(error.smtp_error)}",
            hint="Use a sender address the account may send from.",
        ) from None
    except smtplib.SMTPResponseException as error:
        message = f"The mail server {where} answered {error.smtp_code}: {_said(error.smtp_error)}"
        if error.smtp_code >= 500:
            raise ProviderError(message) from None
        raise TransientError(message) from None  # 4xx: try again later, as SMTP means it
    except (smtplib.SMTPException, OSError) as error:
        raise TransientError(f"Could not reach the mail server {where}: {error}") from None


def _said(reply: bytes | str) -> str:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    return text.strip() or "no reason given"


def send(session, account: dict[str, Any], message: EmailMessage) -> None:
    with connection(session, account) as smtp:
        smtp.send_message(message)


def check_login(session, account: dict[str, Any]) -> str:
    """The account's "Test connection": connect, encrypt, log in, and say so."""
    with connection(session, account) as smtp:
        smtp.noop()
    return f"Connected to {account['host']}."

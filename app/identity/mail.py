"""Outgoing e-mail: SMTP in production; in development and tests the ``console`` backend writes
each mail to the log and keeps it in :func:`outbox` so tests can read it."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import Flask, current_app

import nodes.kit.mail

log = logging.getLogger("shopwire.mail")


def send_mail(to: str, subject: str, body: str) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["SHOPWIRE_MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    send_message(message)


def send_message(message: EmailMessage) -> None:
    """Send a finished message with the configured backend (flows' e-mail steps use it too,
    leaving the From to the installation)."""
    if message["From"] is None:
        message["From"] = current_app.config["SHOPWIRE_MAIL_FROM"]
    if current_app.config["SHOPWIRE_MAIL_BACKEND"] == "smtp":
        _send_smtp(message)
    else:
        text = message.get_body(preferencelist=("plain",))
        body = text.get_content() if text is not None else ""
        log.info("mail to %s: %s\n%s", message["To"], message["Subject"], body)
        outbox().append(message)


def outbox() -> list[EmailMessage]:
    """The mails the console backend sent, oldest first."""
    return current_app.extensions.setdefault("shopwire_outbox", [])


def init_app(app: Flask) -> None:
    nodes.kit.mail.install(send_message)


def _send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    smtp_class = smtplib.SMTP_SSL if config["SHOPWIRE_SMTP_SSL"] else smtplib.SMTP
    with smtp_class(config["SHOPWIRE_SMTP_HOST"], config["SHOPWIRE_SMTP_PORT"], timeout=15) as smtp:
        if config["SHOPWIRE_SMTP_STARTTLS"] and not config["SHOPWIRE_SMTP_SSL"]:
            smtp.starttls()
        if config["SHOPWIRE_SMTP_USER"]:
            smtp.login(config["SHOPWIRE_SMTP_USER"], config["SHOPWIRE_SMTP_PASSWORD"])
        smtp.send_message(message)

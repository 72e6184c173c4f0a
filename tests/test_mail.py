"""The mail backends: console (development, tests) and SMTP (production)."""

from __future__ import annotations

from app.identity.mail import outbox, send_mail
from tests.fakes.smtp import SmtpServer


def test_console_backend_logs_and_keeps_the_mail(app, caplog):
    caplog.set_level("INFO", logger="shopwire.mail")
    send_mail("ann@shop.de", "Hello", "Body text")
    assert outbox()[-1]["To"] == "ann@shop.de"
    assert "Body text" in caplog.text


def test_smtp_backend_sends_through_the_configured_server(app):
    with SmtpServer() as server:
        app.config.update(
            SHOPWIRE_MAIL_BACKEND="smtp",
            SHOPWIRE_SMTP_HOST="127.0.0.1",
            SHOPWIRE_SMTP_PORT=server.port,
            SHOPWIRE_SMTP_STARTTLS=False,
            SHOPWIRE_SMTP_USER="mailer",
            SHOPWIRE_SMTP_PASSWORD="smtp-pass",
            SHOPWIRE_MAIL_FROM="Shopwire <flows@shop.de>",
        )
        send_mail("ann@shop.de", "Reset your password", "The link: https://x/y")
    sender, recipients, message = server.messages[0]
    assert (sender, recipients) == ("flows@shop.de", ["ann@shop.de"])
    assert message["Subject"] == "Reset your password"
    assert "The link: https://x/y" in message.get_payload(decode=True).decode()
    assert server.logins == [("mailer", "smtp-pass")]
    assert outbox() == []  # not the console's

"""The e-mail node against a local SMTP server: recipients, template text, attachments from
earlier steps, the server's refusals in plain words, the address guard, the operator's server."""

import pytest

from nodes.email import email
from nodes.email.fake import FakeSmtpServer
from nodes.kit import files, mail, registry
from nodes.kit.base import NodeContext, ProviderError, TransientError, UserError
from nodes.kit.client import ApiClient
from nodes.kit.fakes.files import memory_files
from nodes.kit.fakes.provider import run_node
from nodes.kit.guarded_http import guarded_session

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"


def saved_pdf(store) -> dict:
    ctx = NodeContext("run", "invoice", None)
    return files.save(ctx, PDF, "RE-1001.pdf", "application/pdf")


def test_an_email_goes_out_with_its_recipients_text_and_attachment():
    with FakeSmtpServer() as server, memory_files() as store:
        invoice = saved_pdf(store)
        sent = server.run(
            "email.send_email",
            {
                "to": "jon@example.com",
                "cc": "books@example-shop.de",
                "bcc": "archive@example-shop.de",
                "reply_to": "service@example-shop.de",
                "subject": "Ihre Rechnung RE-1001",
                "body": "Guten Tag Jon,\nanbei Ihre Rechnung.",
                "html": "<p>Guten Tag Jon,<br>anbei Ihre Rechnung.</p>",
                "attachments": [invoice],
            },
        )

    [received] = server.received
    assert received.sender == "rechnung@example-shop.de"
    assert sorted(received.recipients) == [
        "archive@example-shop.de",
        "books@example-shop.de",
        "jon@example.com",
    ]
    message = received.message
    assert message["From"] == "Example Shop <rechnung@example-shop.de>"
    assert message["To"] == "jon@example.com"
    assert message["Cc"] == "books@example-shop.de"
    assert message["Bcc"] is None  # the blind copy is in the envelope only
    assert message["Reply-To"] == "service@example-shop.de"
    assert message["Subject"] == "Ihre Rechnung RE-1001"
    assert message["Message-ID"] == sent["message_id"]
    assert message.get_body(("plain",)).get_content().splitlines() == [
        "Guten Tag Jon,",
        "anbei Ihre Rechnung.",
    ]
    assert "<p>Guten Tag Jon" in message.get_body(("html",)).get_content()
    [attachment] = message.iter_attachments()
    assert attachment.get_filename() == "RE-1001.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == PDF
    assert sent["attachments"] == ["RE-1001.pdf"]
    assert sent["to"] == ["jon@example.com"]


def test_the_same_step_sends_the_same_message_id_on_a_retry():
    with FakeSmtpServer() as server:
        params = {"to": "jon@example.com", "subject": "Hallo", "body": "Text"}
        first = server.run("email.send_email", params)
        second = server.run("email.send_email", params)
    assert first["message_id"] == second["message_id"]
    assert first["message_id"].endswith("@example-shop.de>")


def test_a_refused_recipient_is_named():
    with FakeSmtpServer() as server:
        server.refused.add("nobody@example.com")
        with pytest.raises(ProviderError) as refused:
            server.run(
                "email.send_email",
                {"to": "nobody@example.com", "subject": "Hallo", "body": "Text"},
            )
    assert refused.value.field == "to"
    assert refused.value.message == (
        f"The mail server 127.0.0.1:{server.port} refused the recipients "
        "nobody@example.com (5.1.1 No such user here)."
    )


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"to": "jon at example.com"}, "to", "jon at example.com is not an e-mail address."),
        ({"to": "a@b.de, " * 51}, "to", "Send to at most 50 addresses at once."),
        ({"to": "jon@example.com", "subject": "Hi\r\nBcc: x@y.z"}, "subject", None),
    ],
)
def test_bad_values_fail_before_anything_is_sent(params, field, message):
    with FakeSmtpServer() as server, pytest.raises(UserError) as refused:
        server.run("email.send_email", {"subject": "Hallo", "body": "Text", **params})
    assert refused.value.field == field
    assert message is None or refused.value.message == message
    assert server.received == []


def test_another_executions_file_is_not_attached():
    with FakeSmtpServer() as server, memory_files() as store:
        theirs = files.save(NodeContext("other", "x", None), PDF, "RE-9.pdf", "application/pdf")
        with pytest.raises(UserError, match="The file RE-9.pdf is gone") as refused:
            server.run(
                "email.send_email",
                {"to": "jon@example.com", "subject": "S", "body": "B", "attachments": [theirs]},
            )
    assert refused.value.field == "attachments/0"
    assert store.saved and server.received == []


def test_a_password_is_never_sent_unencrypted():
    with FakeSmtpServer() as server:
        account = server.account | {"username": "shop", "password": "secret-password"}
        with pytest.raises(UserError, match="unencrypted") as refused:
            run_node("email.send_email", {"to": "a@b.de", "subject": "S", "body": "B"}, account)
    assert refused.value.field == "security"
    assert server.received == []


def test_a_private_mail_server_is_refused_by_the_address_guard():
    spec = registry.get("email.send_email", 1)
    with FakeSmtpServer() as server:
        ctx = NodeContext("run", "step", guarded_session(allow_private=False), server.account)
        with pytest.raises(UserError, match="Refused to connect to 127.0.0.1") as refused:
            spec.run(ctx, {"to": "a@b.de", "subject": "S", "body": "B"}, None)
    assert refused.value.field == "host"
    assert server.received == []


def test_an_unreachable_server_is_worth_a_retry():
    account = {"host": "127.0.0.1", "port": 9, "security": "none", "from_address": "a@b.de"}
    with pytest.raises(TransientError, match="Could not reach the mail server 127.0.0.1:9"):
        run_node("email.send_email", {"to": "a@b.de", "subject": "S", "body": "B"}, account)


def test_without_an_account_the_installations_server_sends_it():
    sent = []
    mail.install(sent.append)
    try:
        run_node(
            "email.send_email",
            {"to": "jon@example.com", "reply_to": "shop@example.de", "subject": "S", "body": "B"},
            None,
        )
    finally:
        mail.install(None)
    [message] = sent
    assert message["From"] is None  # the installation's own address, set as it sends
    assert message["Reply-To"] == "shop@example.de"


def test_the_accounts_test_connection_connects_and_says_so():
    with FakeSmtpServer() as server:
        api = ApiClient(email, guarded_session(allow_private=True), server.account)
        assert email.test(api) == "Connected to 127.0.0.1."

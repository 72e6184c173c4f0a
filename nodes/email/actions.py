"""The e-mail action: a template body, recipients, and files from earlier steps attached."""

from __future__ import annotations

import hashlib
import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from typing import Any

from nodes.email import email, smtp
from nodes.kit import files, mail
from nodes.kit.base import NodeContext, RetryPolicy, UserError, params_schema
from nodes.kit.examples import example
from nodes.kit.files import FILE_REFERENCE

MAX_RECIPIENTS = 50
MAX_ATTACHMENTS = 10
MAX_ATTACHED_BYTES = 25 * 1024 * 1024  # what common mail servers accept in one message
ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")

ADDRESSES = {
    "type": "string",
    "maxLength": 5000,
    "description": "One address or several, separated by commas.",
}


@email.action(
    "send_email",
    params=params_schema(
        ["to", "subject", "body"],
        to={**ADDRESSES, "title": "To", "minLength": 3},
        cc={**ADDRESSES, "title": "Cc"},
        bcc={**ADDRESSES, "title": "Bcc"},
        reply_to={"type": "string", "title": "Reply to", "maxLength": 320},
        subject={"type": "string", "format": "template", "title": "Subject", "maxLength": 500},
        body={
            "type": "string",
            "format": "template",
            "title": "Text",
            "description": "Placeholders like {{ trigger.name }} are filled from the data.",
            "maxLength": 100_000,
        },
        html={
            "type": "string",
            "format": "template",
            "title": "HTML version",
            "description": "Shown by mail programs that display HTML; the text above by others.",
            "maxLength": 200_000,
        },
        attachments={
            "type": "array",
            "title": "Attachments",
            "description": "Files earlier steps saved: an invoice PDF, a label, an export.",
            "items": FILE_REFERENCE,
            "maxItems": MAX_ATTACHMENTS,
        },
    ),
    output_example=example("email", "sent"),
    # A message that went out must not go out twice: only failures before sending retry.
    retry=RetryPolicy(attempts=3, backoff_seconds=30.0, max_backoff_seconds=300.0),
)
def send_email(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    account = ctx.credential
    message = EmailMessage()
    try:
        if account:  # else the installation's server sends it from its own address
            message["From"] = formataddr((account.get("from_name", ""), account["from_address"]))
        recipients = {name: _addresses(params.get(name), name) for name in ("to", "cc", "bcc")}
        if not recipients["to"]:
            raise UserError("Give at least one recipient.", field="to")
        message["To"] = ", ".join(recipients["to"])
        if recipients["cc"]:
            message["Cc"] = ", ".join(recipients["cc"])
        if recipients["bcc"]:  # smtplib sends to these and drops the header itself
            message["Bcc"] = ", ".join(recipients["bcc"])
        if params.get("reply_to"):
            message["Reply-To"] = ", ".join(_addresses(params["reply_to"], "reply_to"))
        message["Subject"] = params["subject"]
    except ValueError as error:  # a line break in a header: never lets headers be added
        raise UserError(f"The e-mail cannot have this header: {error}", field="subject") from None
    message["Date"] = formatdate(localtime=False)
    # The same step sends the same Message-ID on a retry, so mail systems can drop a repeat.
    digest = hashlib.sha256(ctx.idempotency_key.encode()).hexdigest()[:32]
    domain = _domain(account["from_address"]) if account else "shopwire.local"
    message["Message-ID"] = f"<{digest}@{domain}>"
    message.set_content(params["body"])
    if params.get("html"):
        message.add_alternative(params["html"], subtype="html")
    attached = _attach(ctx, message, params.get("attachments") or [])
    if account:
        smtp.send(ctx.http, account, message)
    else:
        mail.send(message)
    return {
        "message_id": message["Message-ID"],
        "to": recipients["to"],
        "cc": recipients["cc"],
        "bcc": recipients["bcc"],
        "subject": params["subject"],
        "attachments": attached,
    }


def _addresses(value: str | None, field: str) -> list[str]:
    found = [part.strip() for part in re.split(r"[,;]", value or "") if part.strip()]
    for address in found:
        if not ADDRESS.match(address):
            raise UserError(f"{address} is not an e-mail address.", field=field)
    if len(found) > MAX_RECIPIENTS:
        raise UserError(f"Send to at most {MAX_RECIPIENTS} addresses at once.", field=field)
    return found


def _domain(address: str) -> str:
    try:
        return Address(addr_spec=address).domain or "shopwire.local"
    except (ValueError, IndexError):
        return "shopwire.local"


def _attach(ctx: NodeContext, message: EmailMessage, references: list[dict]) -> list[str]:
    names, total = [], 0
    for index, reference in enumerate(references):
        data = files.read(ctx, reference, f"attachments/{index}")
        total += len(data)
        if total > MAX_ATTACHED_BYTES:
            raise UserError(
                f"The attachments are larger than {MAX_ATTACHED_BYTES // (1024 * 1024)} MB "
                "together, more than mail servers accept.",
                field="attachments",
            )
        maintype, _, subtype = reference["media_type"].partition("/")
        message.add_attachment(
            data,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=reference["filename"],
        )
        names.append(reference["filename"])
    return names

"""E-mail: send a message with a template body and attachments from earlier steps.

Over the merchant's own SMTP account when the step has one (the connection goes through the
same address guard as every outbound request), else over the mail server the operator
configured for this installation (``nodes.kit.mail``).
"""

from __future__ import annotations

from nodes.kit.base import Connector, account_schema

AUTH = account_schema(
    "SMTP account",
    ["host", "from_address"],
    host={"type": "string", "title": "SMTP server", "minLength": 1, "maxLength": 255},
    port={"type": "integer", "title": "Port", "minimum": 1, "maximum": 65535, "default": 587},
    security={
        "enum": ["starttls", "ssl", "none"],
        "title": "Encryption",
        "description": "STARTTLS on port 587 and SSL on port 465 are the usual ones. "
        "Without encryption no password is sent.",
        "default": "starttls",
    },
    username={"type": "string", "title": "User name", "maxLength": 255},
    password={"type": "string", "title": "Password", "maxLength": 255, "writeOnly": True},
    from_address={"type": "string", "format": "email", "title": "Sender address"},
    from_name={"type": "string", "title": "Sender name", "maxLength": 100},
)


def _test(api) -> str:
    from nodes.email.smtp import check_login

    return check_login(api.session, api.credential)


email = Connector("email", auth=AUTH, test=_test, http_api=False, account_required=False)

from nodes.email import actions  # noqa: E402, F401  (it declares the node)

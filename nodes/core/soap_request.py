"""The SOAP call action: one operation of a SOAP service, chosen from its WSDL (older ERPs and
some carriers speak nothing else).

zeep reads the WSDL and builds the envelope. Everything it fetches (the WSDL, schemas it
imports, the call itself) goes through the guarded session, so the outbound rules, the time
limit and the size limit hold for each document; only http(s) addresses are fetched (zeep
would read files too), a WSDL with its imports is bounded in documents, bytes and seconds
together, and XML with a DTD or entities is refused. zeep's own transport would mount a file
adapter on the session it is given and change its headers, so it gets the guarded session only
after it is set up.
"""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal
from time import monotonic
from typing import Any
from urllib.parse import urlsplit

import requests
from lxml import etree
from zeep import Client, Settings
from zeep.exceptions import DTDForbidden, EntitiesForbidden, Fault, TransportError, XMLSyntaxError
from zeep.exceptions import Error as ZeepError
from zeep.helpers import serialize_object
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from nodes.kit.auth import basic
from nodes.kit.base import (
    Connector,
    NodeContext,
    NodeError,
    ProviderError,
    RetryPolicy,
    TransientError,
    UserError,
    params_schema,
)
from nodes.kit.client import ApiClient, raise_for_status, send
from nodes.kit.registry import node

MAX_DOCUMENTS = 20  # the WSDL and the schemas it imports
MAX_WSDL_BYTES = 5_000_000  # all of them together
WSDL_SECONDS = 60.0  # all of them together
# Replies that mean "later"; a SOAP fault comes as 500 and is the service's answer.
BUSY = {429, 502, 503, 504}
TIMEOUT_SECONDS = 30.0
# No DTDs and no entities: an XML document cannot make the parser fetch or expand anything.
# Schemas a WSDL imports are allowed (services built with .NET split theirs into ?xsd=xsd0 …),
# and fetched by GuardedTransport.load like the WSDL itself.
SETTINGS = Settings(strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=False)

AUTH = {
    "type": "object",
    "title": "SOAP service",
    "required": ["wsdl_url"],
    "properties": {
        "wsdl_url": {
            "type": "string",
            "pattern": "^https?://",
            "title": "WSDL address",
            "description": "Where the service describes itself, e.g. "
            "https://erp.example.com/services/Inventory?wsdl.",
        },
        "auth": {
            "enum": ["none", "basic", "ws_security"],
            "default": "none",
            "title": "Sign in with",
            "description": "basic: HTTP Basic; ws_security: a WS-Security UsernameToken in "
            "the envelope.",
        },
        "username": {"type": "string", "title": "User name"},
        "password": {"type": "string", "title": "Password", "writeOnly": True},
    },
}


class GuardedTransport(Transport):
    """zeep's transport over the guarded session, with the account's HTTP Basic header."""

    def __init__(self, session: requests.Session, headers: dict[str, str]) -> None:
        super().__init__(timeout=TIMEOUT_SECONDS, operation_timeout=TIMEOUT_SECONDS)
        self.session = session  # after zeep set up its own session, which is dropped
        self._close_session = False
        self.headers = headers
        self.loaded: list[int] = []  # the size of each document read
        self.deadline = monotonic() + WSDL_SECONDS

    def load(self, url: str) -> bytes:
        """One document of the WSDL, within the bounds on all of them together."""
        if urlsplit(url).scheme not in ("http", "https"):
            raise UserError(
                f"The WSDL refers to {url}; only http and https addresses are fetched.",
                field="wsdl_url",
            )
        left = self.deadline - monotonic()
        if len(self.loaded) >= MAX_DOCUMENTS or sum(self.loaded) > MAX_WSDL_BYTES or left <= 0:
            raise UserError(
                f"The WSDL and what it imports are too large: more than {MAX_DOCUMENTS} "
                f"documents, {MAX_WSDL_BYTES // 1_000_000} MB or {WSDL_SECONDS:.0f} seconds.",
                field="wsdl_url",
            )
        response = send(
            self.session, "GET", url, headers=self.headers, timeout=min(self.load_timeout, left)
        )
        raise_for_status(response, response.text[:300])
        self.loaded.append(len(response.content))
        return response.content

    def get(self, address: str, params: Any, headers: dict[str, str]) -> requests.Response:
        return send(
            self.session,
            "GET",
            address,
            params=params,
            headers={**headers, **self.headers},
            timeout=self.operation_timeout,
        )

    def post(self, address: str, message: bytes, headers: dict[str, str]) -> requests.Response:
        response = send(
            self.session,
            "POST",
            address,
            data=message,
            headers={**headers, **self.headers},
            timeout=self.operation_timeout,
        )
        if response.status_code in BUSY:
            raise_for_status(response, None)  # retried, after the Retry-After it names
        return response


def client_for(session: requests.Session, account: dict[str, Any]) -> Client:
    """A zeep client for the account's WSDL, with its sign-in."""
    method = account.get("auth", "none")
    username, password = account.get("username", ""), account.get("password", "")
    headers = {"Authorization": basic(username, password)} if method == "basic" else {}
    wsse = UsernameToken(username, password) if method == "ws_security" else None
    try:
        return Client(
            account["wsdl_url"],
            transport=GuardedTransport(session, headers),
            settings=SETTINGS,
            wsse=wsse,
        )
    except (DTDForbidden, EntitiesForbidden):
        raise UserError(
            "The WSDL declares a DTD or entities, which are refused for safety.",
            field="wsdl_url",
        ) from None
    except (XMLSyntaxError, etree.XMLSyntaxError) as error:
        raise UserError(f"The WSDL is not valid XML: {error}", field="wsdl_url") from None
    except TransportError as error:
        raise _transport_error(error) from None
    except ZeepError as error:
        raise UserError(f"The WSDL cannot be read: {error}", field="wsdl_url") from None


def operations(client: Client) -> dict[str, Any]:
    """The operations of the service's first SOAP port (the one ``client.service`` calls)."""
    port = next(p for service in client.wsdl.services.values() for p in service.ports.values())
    return port.binding._operations  # zeep's dump of a WSDL reads them the same way


def _operation_choices(api: ApiClient) -> list[dict[str, Any]]:
    found = operations(client_for(api.session, api.credential))
    return [
        {"value": name, "label": f"{name}({operation.input.signature(as_output=False)})"}
        for name, operation in sorted(found.items())
    ]


def _describe(api: ApiClient) -> str:
    """The account's "Test connection": the WSDL loads, and what it offers."""
    client = client_for(api.session, api.credential)
    names = ", ".join(sorted(operations(client)))
    return f"{next(iter(client.wsdl.services))}: {names}"


# Its own connector: a SOAP service's account is its WSDL and sign-in.
SOAP = Connector(
    "soap",
    title={"en": "SOAP service", "de": "SOAP-Dienst"},
    description={
        "en": "Any web service described by a WSDL.",
        "de": "Jeder Webdienst, den eine WSDL beschreibt.",
    },
    auth=AUTH,
    test=_describe,
    options={"operations": _operation_choices},
)


@node(
    "core.soap_request",
    kind="action",
    params=params_schema(
        ["operation"],
        operation={
            "type": "string",
            "minLength": 1,
            "title": "Operation",
            "description": "One of the operations the WSDL lists.",
            "x-options": {"source": "operations"},
        },
        arguments={
            "type": "object",
            "title": "Arguments",
            "description": 'The operation\'s parameters by name, e.g. {"sku": "TS-BLK-M"}; '
            "nested elements as objects, repeated ones as lists.",
        },
    ),
    output_schema={
        "type": "object",
        "properties": {
            "result": {"description": "The operation's answer; decimals as text, dates as ISO."}
        },
    },
    output_example={"result": {"sku": "TS-BLK-M", "quantity": 25, "price": "19.99"}},
    connector=SOAP,
    retry=RetryPolicy(attempts=3, backoff_seconds=2.0),
)
def soap_request(ctx: NodeContext, params: dict[str, Any], input: Any) -> dict[str, Any]:
    if not ctx.credential:
        raise UserError("Connect the SOAP service's account: it names the WSDL.", field="operation")
    client = client_for(ctx.http, ctx.credential)
    name = params["operation"]
    known = operations(client)
    if name not in known:
        raise UserError(
            f"The service has no operation {name}; it has {', '.join(sorted(known))}.",
            field="operation",
        )
    try:
        answer = client.service[name](**params.get("arguments", {}))
    except Fault as fault:
        code = f" ({fault.code})" if fault.code else ""
        raise ProviderError(f"The SOAP service says: {fault.message}{code}") from None
    except TransportError as error:
        raise _transport_error(error) from None
    except (TypeError, ZeepError) as error:
        raise UserError(f"{name}: {error}", field="arguments") from None
    return {"result": plain(serialize_object(answer, target_cls=dict))}


def _transport_error(error: TransportError) -> NodeError:
    status = error.status_code or 0
    message = f"The SOAP service answered {status}" + (
        f": {error.message}" if error.message else "."
    )
    if status == 429 or status >= 500:
        return TransientError(message)
    return ProviderError(message, status=status)


def plain(value: Any) -> Any:
    """A zeep answer as JSON: decimals as text (exact), dates and times as ISO, bytes base64."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value

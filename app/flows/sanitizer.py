"""Taking everything shop-specific out of a flow before it is shared (a template, an export).

What goes, and what it becomes:

- a step's account (``credential``) becomes a typed *credential slot*: the installer picks an
  account of that connector for it;
- a secret is removed and reported: ``writeOnly`` params, headers and query parameters that
  carry credentials (``Authorization``, ``X-Api-Key``, ``?api_key=``), user and password in a
  URL, password-like params, and any text that matches a known key format (``sk_live_…``,
  ``shpat_…``, a bearer token, a JWT …), wherever it stands;
- sample data (a manual trigger's ``sample``) is dropped;
- a reference to another of the shop's flows becomes a template parameter (the installer picks
  one of theirs);
- values the publisher marks become template parameters, described by a JSON Schema.

The result holds no value of the publisher's shop that the publisher did not choose to share.
Every removal is reported with a JSON pointer into the flow document, so the publisher sees
exactly what was taken out.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from nodes.engine.redaction import MIN_SECRET_LENGTH, write_only_values
from nodes.engine.schema_errors import pointer
from nodes.kit import registry

REMOVED = "[removed]"

# Texts that are secrets whatever field they stand in.
KEY_FORMATS = (
    ("a Stripe secret key", r"\b[sr]k_(?:live|test)_[A-Za-z0-9]{8,}"),
    ("a Stripe webhook secret", r"\bwhsec_[A-Za-z0-9]{8,}"),
    ("a Shopify access token", r"\bshp(?:at|ca|pa|ss)_[A-Fa-f0-9]{16,}"),
    ("a WooCommerce API key", r"\bc[ks]_[a-f0-9]{20,}"),
    ("a Mollie API key", r"\b(?:live|test)_[A-Za-z0-9]{20,}"),
    ("a Shopware access key", r"\bSWIA[A-Z0-9]{16,}"),
    ("a GitHub token", r"\bgh[pousr]_[A-Za-z0-9]{20,}"),
    ("a Slack token", r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    ("an AWS access key", r"\bAKIA[0-9A-Z]{16}\b"),
    ("a Google API key", r"\bAIza[0-9A-Za-z_-]{35}"),
    ("a SendGrid API key", r"\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}"),
    ("a JSON Web Token", r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+"),
    (
        "a private key",
        r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)",
    ),
    ("bearer or basic credentials", r"\b(?:Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{8,}"),
)
_KEY_FORMATS = [(reason, re.compile(pattern)) for reason, pattern in KEY_FORMATS]

# Field names (headers, query parameters, params) whose value is a credential. Compared with
# case, "-" and "_" ignored; "key" alone only in headers and queries, where it means an API key
# (a step's own "key" param is usually a JMESPath expression).
_SECRET_NAME = re.compile(
    r"(password|passwd|passphrase|secret|token|apikey|accesskey|privatekey|authorization"
    r"|cookie|credential|signature)"
)
_SECRET_NAME_EXACT = {"pwd", "pass", "auth", "sig", "session", "sessionid"}
_SECRET_NAME_IN_REQUEST = _SECRET_NAME_EXACT | {"key", "code", "hash"}

SAMPLE_PARAMS = {"sample", "samples", "pinned", "pin_data", "pinned_data"}


@dataclass
class Sanitized:
    graph: dict[str, Any]
    credential_slots: list[dict[str, Any]] = field(default_factory=list)
    parameters: dict[str, Any] = field(
        default_factory=lambda: {"type": "object", "properties": {}, "required": []}
    )
    # parameter name -> the pointers in the graph its value is written to on install
    targets: dict[str, list[str]] = field(default_factory=dict)
    removed: list[dict[str, str]] = field(default_factory=list)
    # the publisher's account ids behind the slots, and the texts of its secret fields: only
    # while sanitizing, never stored
    _slot_of: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    _known_secrets: list[str] = field(default_factory=list, repr=False)

    def remove(self, where: str, reason: str) -> None:
        self.removed.append({"pointer": where, "reason": reason})


@dataclass(frozen=True)
class Marked:
    """A value the publisher shares as a parameter: where it is and what to ask for."""

    pointer: str
    name: str
    title: dict[str, str]
    default: Any = None  # offered to the installer; the publisher's own value is never kept


class MarkError(ValueError):
    """A marked value that cannot become a parameter (no such field, a bad name)."""


def sanitize(graph: dict[str, Any], marked: Iterable[Marked] = ()) -> Sanitized:
    """A shareable copy of ``graph`` (a valid flow document) and what was taken out."""
    result = Sanitized(copy.deepcopy(graph))
    result._known_secrets = sorted(
        {text for node in result.graph["nodes"] for text in _write_only_texts(node)},
        key=len,
        reverse=True,
    )
    for mark in marked:
        _parameterize(result, mark)
    for index, node in enumerate(result.graph["nodes"]):
        _credential_to_slot(result, index, node)
        _drop_samples(result, index, node)
        _flow_references(result, index, node)
        _remove_secrets(result, index, node)
    return result


def is_secret_name(name: str, *, in_request: bool = False) -> bool:
    folded = re.sub(r"[-_\s]", "", name.lower())
    exact = _SECRET_NAME_IN_REQUEST if in_request else _SECRET_NAME_EXACT
    return folded in exact or bool(_SECRET_NAME.search(folded))


def key_format(text: str) -> str | None:
    """What kind of secret ``text`` contains, if it contains one."""
    return next((reason for reason, regex in _KEY_FORMATS if regex.search(text)), None)


def scrub_text(text: str) -> str:
    for _, regex in _KEY_FORMATS:
        text = regex.sub(REMOVED, text)
    return text


# Credentials


def _credential_to_slot(result: Sanitized, index: int, node: dict[str, Any]) -> None:
    credential = node.get("credential")
    if "credential" in node:
        node["credential"] = None
    spec = _spec(node)
    if spec is None or not (credential or spec.auth):
        return
    if credential is None and (spec.connector is None or not spec.connector.account_required):
        return  # a step that works without an account (a webhook without signature, e-mail)
    connector = spec.connector_key
    slot = result._slot_of.get(credential) if credential else None
    if slot is None:
        taken = sum(1 for s in result.credential_slots if s["connector"] == connector)
        slot = {
            "id": connector if taken == 0 else f"{connector}_{taken + 1}",
            "connector": connector,
            "nodes": [],
        }
        result.credential_slots.append(slot)
        if credential:
            result._slot_of[credential] = slot
    slot["nodes"].append(node["id"])


# Sample data and other flows


def _drop_samples(result: Sanitized, index: int, node: dict[str, Any]) -> None:
    if "sample" in node:  # a trigger's test data, taken from a real event of the shop
        del node["sample"]
        result.remove(pointer("nodes", index, "sample"), "sample data is not shared")
    params = node.get("params")
    if not isinstance(params, dict):
        return
    for name in sorted(set(params) & SAMPLE_PARAMS):
        del params[name]
        result.remove(pointer("nodes", index, "params", name), "sample data is not shared")


def _flow_references(result: Sanitized, index: int, node: dict[str, Any]) -> None:
    spec = _spec(node)
    params = node.get("params")
    if spec is None or not isinstance(params, dict):
        return
    for name, sub in (spec.params.get("properties") or {}).items():
        if sub.get("format") != "flow" or not isinstance(params.get(name), str):
            continue
        del params[name]
        parameter = _free_name(result, f"{node['id']}_{name}")
        label = node.get("name") or node["id"]
        result.parameters["properties"][parameter] = {
            "type": "string",
            "format": "flow",
            "title": f"Flow to call from step “{label}”",
        }
        result.parameters["required"].append(parameter)
        result.targets[parameter] = [pointer("nodes", index, "params", name)]
        result.remove(
            pointer("nodes", index, "params", name),
            "a flow of your shop; the installer picks one of theirs",
        )


# Marked values


def _parameterize(result: Sanitized, mark: Marked) -> None:
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", mark.name):
        raise MarkError(
            f"The parameter name {mark.name!r} must be lower-case letters, digits and _ "
            "(start with a letter, at most 40)."
        )
    parts = _parse_pointer(mark.pointer)
    if len(parts) < 4 or parts[0] != "nodes" or parts[2] != "params":
        raise MarkError(f"{mark.pointer} is not a step's field (/nodes/<n>/params/<field>).")
    try:
        node = result.graph["nodes"][int(parts[1])]
        holder = node["params"]
        for part in parts[3:-1]:
            holder = holder[int(part) if isinstance(holder, list) else part]
        value = holder[int(parts[-1]) if isinstance(holder, list) else parts[-1]]
    except (LookupError, ValueError, TypeError):
        raise MarkError(f"There is no value at {mark.pointer}.") from None
    schema = _value_schema(node, parts[3:], value)
    if mark.name in result.parameters["properties"]:
        if result.parameters["properties"][mark.name].get("type") != schema.get("type"):
            raise MarkError(f"The parameter {mark.name} is marked on values of different types.")
    else:
        result.parameters["properties"][mark.name] = {
            **schema,
            "title": mark.title["en"],
            "x-title": mark.title,
        }
        if mark.default is None:
            result.parameters["required"].append(mark.name)
        else:
            result.parameters["properties"][mark.name]["default"] = mark.default
    result.targets.setdefault(mark.name, []).append(mark.pointer)
    if isinstance(holder, list):
        holder[int(parts[-1])] = None
    else:
        del holder[parts[-1]]


def _value_schema(node: dict[str, Any], path: list[str], value: Any) -> dict[str, Any]:
    """The params schema of the marked field, without the publisher's default; else the type
    of the value."""
    spec = _spec(node)
    schema = spec.params if spec else {}
    for part in path:
        if part.isdigit() and "items" in schema:
            schema = schema["items"]
        elif part in (schema.get("properties") or {}):
            schema = schema["properties"][part]
        elif isinstance(schema.get("additionalProperties"), dict):
            schema = schema["additionalProperties"]
        else:
            schema = {}
    kept = {
        k: v
        for k, v in schema.items()
        if k
        in (
            "type",
            "enum",
            "pattern",
            "format",
            "minimum",
            "maximum",
            "minLength",
            "maxLength",
            "items",
            "description",
        )
    }
    if "type" not in kept and "enum" not in kept:
        kept["type"] = _json_type(value)
    return kept


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string"


def _free_name(result: Sanitized, wanted: str) -> str:
    base = re.sub(r"[^a-z0-9_]", "_", wanted.lower()).strip("_")[:36] or "value"
    if not base[0].isalpha():
        base = "p_" + base
    name, n = base, 1
    while name in result.parameters["properties"]:
        n += 1
        name = f"{base}_{n}"
    return name


# Secrets


def _remove_secrets(result: Sanitized, index: int, node: dict[str, Any]) -> None:
    spec = _spec(node)
    params = node.get("params")
    if isinstance(params, dict):
        _remove_write_only(
            result, params, spec.params if spec else None, ("nodes", index, "params")
        )
        _scan(result, params, ("nodes", index, "params"))
    mapping = node.get("mapping")
    if isinstance(mapping, dict):
        for path, expression in list(mapping.items()):
            target = path.rsplit(".", 1)[-1]
            literal = "'" in expression or "`" in expression
            known = any(secret in expression for secret in result._known_secrets)
            reason = (
                key_format(expression)
                or ("the value of a secret field" if known else None)
                or (
                    "a credential written into the flow"
                    if literal
                    and is_secret_name(target, in_request=path.startswith(("headers.", "query.")))
                    else None
                )
            )
            if reason:
                del mapping[path]
                result.remove(pointer("nodes", index, "mapping", path), f"{reason} (removed)")
    for name in ("name", "notes"):
        text = node.get(name)
        if isinstance(text, str) and (reason := key_format(text)):
            node[name] = scrub_text(text)
            result.remove(pointer("nodes", index, name), f"{reason} in the text (removed)")


def _remove_write_only(
    result: Sanitized, value: dict[str, Any], schema: dict[str, Any] | None, where: tuple
) -> None:
    for name, sub in ((schema or {}).get("properties") or {}).items():
        if name not in value:
            continue
        if sub.get("writeOnly"):
            del value[name]
            result.remove(pointer(*where, name), "a secret field (removed)")
        elif isinstance(value[name], dict):
            _remove_write_only(result, value[name], sub, (*where, name))


def _scan(result: Sanitized, value: Any, where: tuple) -> Any:
    """Walk ``value``, removing secrets in place; return the value to keep in the parent, or
    :data:`_DROP` to remove the entry."""
    if isinstance(value, dict):
        request_part = where[-1:] in (("headers",), ("query",))
        pair_name, pair_value = value.get("name"), value.get("value")
        if (
            isinstance(pair_name, str)
            and isinstance(pair_value, str)
            and pair_value
            and is_secret_name(pair_name, in_request=True)
        ):
            # a name/value pair, as other tools keep headers and query parameters
            del value["value"]
            result.remove(pointer(*where, "value"), _named_reason(("headers",), pair_name))
        for name in list(value):
            item = value[name]
            if (
                isinstance(item, str | int)
                and not isinstance(item, bool)
                and str(item)
                and is_secret_name(name, in_request=request_part)
            ):
                del value[name]
                result.remove(pointer(*where, name), _named_reason(where, name))
                continue
            kept = _scan(result, item, (*where, name))
            if kept is _DROP:
                del value[name]
            else:
                value[name] = kept
        return value
    if isinstance(value, list):
        kept_items = []
        for position, item in enumerate(value):
            kept = _scan(result, item, (*where, position))
            if kept is not _DROP:
                kept_items.append(kept)
        value[:] = kept_items
        return value
    if isinstance(value, str):
        return _scan_text(result, value, where)
    return value


_DROP = object()


def _named_reason(where: tuple, name: str) -> str:
    if where[-1:] == ("headers",):
        return f"credentials in the header {name} (removed)"
    if where[-1:] == ("query",):
        return f"a key in the query parameter {name} (removed)"
    return f"a password-like field {name} (removed)"


def _scan_text(result: Sanitized, text: str, where: tuple) -> Any:
    if text.startswith(("http://", "https://")):
        text = _clean_url(result, text, where)
    for secret in result._known_secrets:
        if secret in text:
            text = text.replace(secret, REMOVED)
            if text.strip() == REMOVED:
                result.remove(pointer(*where), "the value of a secret field (removed)")
                return _DROP
            result.remove(pointer(*where), f"the value of a secret field (replaced by {REMOVED})")
    reason = key_format(text)
    if reason is None:
        return text
    scrubbed = scrub_text(text)
    if scrubbed.strip() == REMOVED:
        result.remove(pointer(*where), f"{reason} (removed)")
        return _DROP
    result.remove(pointer(*where), f"{reason} in the text (replaced by {REMOVED})")
    return scrubbed


def _clean_url(result: Sanitized, url: str, where: tuple) -> str:
    try:
        parts = urlsplit(url)
        hostname, port = parts.hostname, parts.port
    except ValueError:
        return url
    netloc = parts.netloc
    if "@" in netloc:
        netloc = (hostname or "") + (f":{port}" if port else "")
        result.remove(pointer(*where), "a user name and password in the URL (removed)")
    query = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in query if not (is_secret_name(k, in_request=True) or key_format(v))]
    for name in [k for k, v in query if (k, v) not in kept]:
        result.remove(pointer(*where), f"a key in the URL's query parameter {name} (removed)")
    if netloc == parts.netloc and len(kept) == len(query):
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(kept), parts.fragment))


# Helpers


def _write_only_texts(node: dict[str, Any]) -> list[str]:
    spec = _spec(node)
    params = node.get("params")
    if spec is None or not isinstance(params, dict):
        return []
    return [t for t in write_only_values(params, spec.params) if len(t) >= MIN_SECRET_LENGTH]


def _spec(node: dict[str, Any]):
    try:
        return registry.get(node.get("type"), node.get("version"))
    except (registry.UnknownNode, TypeError):
        return None


def _parse_pointer(text: str) -> list[str]:
    if not text.startswith("/"):
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in text[1:].split("/")]

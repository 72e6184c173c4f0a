"""Absolute links in mails (password reset, invitations).

They are built on ``SHOPWIRE_PUBLIC_URL``, never on the request's ``Host`` header: whoever sends
the request chooses that header, and a reset link pointing at their host would hand them the
token. Without a public URL, links are built only for a browser on this machine (development).
"""

from __future__ import annotations

from flask import current_app, request, url_for

from app.api.problems import ApiProblem

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})


class NoPublicAddress(ApiProblem):
    def __init__(self) -> None:
        super().__init__(
            503,
            "Links cannot be mailed",
            "This installation does not know its public address, so it mails no links. The "
            "operator sets SHOPWIRE_PUBLIC_URL (e.g. https://shopwire.example.com).",
        )


def mailed_link(endpoint: str, **values) -> str:
    path = url_for(endpoint, **values)
    base = current_app.config["SHOPWIRE_PUBLIC_URL"]
    if base:
        return base.rstrip("/") + path
    if request.host in LOCAL_HOSTS or request.host.rsplit(":", 1)[0] in LOCAL_HOSTS:
        return request.host_url.rstrip("/") + path
    raise NoPublicAddress()

"""Where webhook deliveries arrive: the routes :mod:`app.ingress.webhooks` answers, and a trigger's
address built from them. Kept apart from the ingress, which imports much of the app, so that
:mod:`app.flows.lifecycle` builds addresses without an import cycle."""

from __future__ import annotations

from werkzeug.routing import Map, Rule

PREFIX = "/hooks/"
URLS = Map(
    [
        # HEAD: providers look at the address before they deliver to it (lexoffice checks its
        # TLS when a subscription is made); answered without a look-up.
        Rule(PREFIX + "<token>", endpoint="receive", methods=["POST", "HEAD"]),
        # The test address: runs the saved flow whether it is on or off, marked as a test.
        Rule(PREFIX + "test/<token>", endpoint="receive_test", methods=["POST"]),
    ]
)


def address(token: str, *, test: bool = False) -> str:
    """The path a trigger listens at."""
    return URLS.bind("").build("receive_test" if test else "receive", {"token": token})

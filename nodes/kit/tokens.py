"""Tokens and sessions fetched with an account, kept per process until shortly before expiry."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from typing import Any


class TokenCache:
    """Tokens and sessions, fetched once and reused until shortly before expiry.

    Kept per process and keyed by a hash of the credential, so a changed secret gets a new
    token and no secret is used as a dictionary key.
    """

    def __init__(self, margin_seconds: float = 60.0) -> None:
        self.margin = margin_seconds
        self.clock = time.monotonic  # replaceable, so tests can let tokens age
        self._tokens: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def token(self, credential: dict[str, Any], fetch: Callable[[], tuple[str, float]]) -> str:
        """A valid token; ``fetch`` returns ``(token, lifetime in seconds)`` when one is needed."""
        key = self._key(credential)
        with self._lock:
            cached = self._tokens.get(key)
            if cached and cached[1] > self.clock():
                return cached[0]
        token, lifetime = fetch()
        with self._lock:
            self._tokens[key] = (token, self.clock() + max(0.0, lifetime - self.margin))
        return token

    def forget(self, credential: dict[str, Any]) -> None:
        """Drop the credential's token (the provider refused it), so the next one is fresh."""
        with self._lock:
            self._tokens.pop(self._key(credential), None)

    @staticmethod
    def _key(credential: dict[str, Any]) -> str:
        return hashlib.sha256(json.dumps(credential, sort_keys=True).encode()).hexdigest()

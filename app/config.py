"""Configuration: defaults, then the environment, then the test config.

Nothing here is read at import time; :func:`load` is called by the app factory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, Any] = {
    "SHOPWIRE_DATA_DIR": "instance",
    "SQLALCHEMY_DATABASE_URI": None,  # derived from the data dir when unset
    "REDIS_URL": None,  # set by `shopwire up` or the environment
    "SECRET_KEY": None,  # generated into the data dir when unset
    "SHOPWIRE_PUBLIC_URL": None,  # absolute base for webhook URLs; else the request's host
    "SHOPWIRE_QUEUE": "executions",
    "SHOPWIRE_MAX_WEBHOOK_BYTES": 1024 * 1024,
    # Per-merchant defaults (a merchant's own setting wins; 0 = no limit):
    # see app/ingress/limits.py.
    "SHOPWIRE_WEBHOOKS_PER_MINUTE": 60_000,
    "SHOPWIRE_MAX_CONCURRENT_EXECUTIONS": 0,
    "SHOPWIRE_RETENTION_DAYS": 30,
    "SHOPWIRE_PURGE_INTERVAL_SECONDS": 3600,
    "SHOPWIRE_EXECUTION_LEASE_SECONDS": 300,
    "SHOPWIRE_SWEEP_INTERVAL_SECONDS": 15,
    "SHOPWIRE_SCHEDULE_CHECK_SECONDS": 10,  # how often schedule and polling triggers are checked
    "SHOPWIRE_DRAIN_SECONDS": 30,
    "SHOPWIRE_QUEUED_GRACE_SECONDS": 30,
    "SHOPWIRE_ALLOW_PRIVATE_NETWORKS": "",
    # "stripe=http://127.0.0.1:9001,shopify=…": connectors' APIs served elsewhere (fakes, demo).
    "SHOPWIRE_CONNECTOR_ORIGINS": "",
    # Connectors an operator switched off, by key, comma-separated (e.g. "klarna,paypal").
    "SHOPWIRE_CONNECTORS_DISABLED": "",
    "SHOPWIRE_HTTP_TIMEOUT_SECONDS": 15.0,
    "SHOPWIRE_HTTP_MAX_RESPONSE_BYTES": 5 * 1024 * 1024,
    # Files steps save (labels, invoices; app/runtime/files.py): in the data directory, or in
    # this S3-compatible bucket when set (the keys unset: boto3's own chain).
    "SHOPWIRE_FILE_MAX_BYTES": 20 * 1024 * 1024,
    "SHOPWIRE_FILES_S3_BUCKET": "",
    "SHOPWIRE_FILES_S3_ENDPOINT": "",
    "SHOPWIRE_FILES_S3_REGION": "",
    "SHOPWIRE_FILES_S3_ACCESS_KEY": "",
    "SHOPWIRE_FILES_S3_SECRET_KEY": "",
    "SHOPWIRE_DB_LOCK_TIMEOUT_MS": 5000,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    "PERMANENT_SESSION_LIFETIME": 14 * 24 * 3600,
    # Mail: "console" logs mails (development, tests); "smtp" sends them.
    "SHOPWIRE_MAIL_BACKEND": "console",
    "SHOPWIRE_MAIL_FROM": "Shopwire <no-reply@localhost>",
    "SHOPWIRE_SMTP_HOST": "localhost",
    "SHOPWIRE_SMTP_PORT": 587,
    "SHOPWIRE_SMTP_USER": "",
    "SHOPWIRE_SMTP_PASSWORD": "",
    "SHOPWIRE_SMTP_STARTTLS": True,
    "SHOPWIRE_SMTP_SSL": False,
    # Accounts
    "SHOPWIRE_SIGNUP_OPEN": True,
    "SHOPWIRE_LOGIN_RATE_LIMIT": "20 per minute",
    # How many reverse proxies in front of the web server set X-Forwarded-For/-Proto/-Host
    # (0: none).
    "SHOPWIRE_TRUSTED_PROXIES": 0,
    "SHOPWIRE_LOCKOUT_FAILURES": 5,
    "SHOPWIRE_LOCKOUT_SECONDS": 900,
    "SHOPWIRE_RESET_TOKEN_SECONDS": 3600,
    "SHOPWIRE_INVITE_DAYS": 7,
    # Operations (app/operations): /metrics needs this bearer token when set; "json" logs.
    "SHOPWIRE_METRICS_TOKEN": "",
    # A worker beats at least every TTL - 15 s while idle, and counts as gone after TTL
    # without a beat (RQ's own default, 420 s, hides a crashed worker for minutes).
    "SHOPWIRE_WORKER_TTL_SECONDS": 60,
    "SHOPWIRE_LOG_FORMAT": "text",
    "SHOPWIRE_TRACING": "",  # "otlp": a trace per execution run to OTEL_EXPORTER_OTLP_ENDPOINT
    "SHOPWIRE_ALERT_CHECK_SECONDS": 60,  # how often the scheduler looks for problems to report
    "SHOPWIRE_OPERATORS": "",  # e-mails of the users who may open /operations
    "SHOPWIRE_SUBSCRIPTION_CHECK_SECONDS": 600,  # … and for provider webhooks that were dropped
}

# Environment names that differ from the config key.
ENV_ALIASES = {"DATABASE_URL": "SQLALCHEMY_DATABASE_URI"}
ENV_KEYS = ("REDIS_URL", "SECRET_KEY")


def load(test_config: dict[str, Any] | None = None) -> dict[str, Any]:
    config = dict(DEFAULTS)
    for name, value in os.environ.items():
        if name.startswith("SHOPWIRE_") or name in ENV_KEYS:
            config[name] = _coerce(DEFAULTS.get(name), value)
        elif name in ENV_ALIASES:
            config[ENV_ALIASES[name]] = value
    config.update(test_config or {})
    data_dir = Path(config["SHOPWIRE_DATA_DIR"]).resolve()
    config["SHOPWIRE_DATA_DIR"] = str(data_dir)
    if not config["SQLALCHEMY_DATABASE_URI"]:
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{data_dir / 'shopwire.db'}"
    config["SQLALCHEMY_DATABASE_URI"] = _normalise_db_url(config["SQLALCHEMY_DATABASE_URI"])
    # Served over HTTPS (production): the session cookie must never travel in clear text.
    config.setdefault(
        "SESSION_COOKIE_SECURE", (config["SHOPWIRE_PUBLIC_URL"] or "").startswith("https://")
    )
    return config


def allowed_private_networks(value: str | bool) -> bool | list[str]:
    """``SHOPWIRE_ALLOW_PRIVATE_NETWORKS``: "1"/"true" for all, or comma-separated CIDRs."""
    if isinstance(value, bool):
        return value
    text = value.strip().lower()
    if text in ("", "0", "false", "no"):
        return False
    if text in ("1", "true", "yes", "all"):
        return True
    return [part.strip() for part in text.split(",") if part.strip()]


def connector_origins(value: str | dict[str, str]) -> dict[str, str]:
    """``SHOPWIRE_CONNECTOR_ORIGINS``: ``key=origin`` pairs, comma-separated."""
    if isinstance(value, dict):
        return value
    pairs = (part.split("=", 1) for part in value.split(",") if "=" in part)
    return {key.strip(): origin.strip().rstrip("/") for key, origin in pairs}


def connectors_disabled(value: str | list[str]) -> set[str]:
    """``SHOPWIRE_CONNECTORS_DISABLED``: connector keys, comma-separated."""
    parts = value.split(",") if isinstance(value, str) else value
    return {part.strip() for part in parts if part.strip()}


def _coerce(default: Any, value: str) -> Any:
    if isinstance(default, bool):
        return value.lower() in ("1", "true", "yes")
    if isinstance(default, int):
        return int(value)
    if isinstance(default, float):
        return float(value)
    return value


def _normalise_db_url(url: str) -> str:
    """Accept the postgres:// and postgresql:// forms hosting providers hand out."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url

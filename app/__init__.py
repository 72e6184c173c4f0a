"""The Shopwire application factory."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import Flask, request
from sqlalchemy import event
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from app import config as config_module
from app.api.problems import ApiProblem, http_problem, internal_error
from app.config import connectors_disabled
from app.extensions import db, migrate
from nodes.kit import registry

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    config = config_module.load(test_config)
    data_dir = Path(config["SHOPWIRE_DATA_DIR"])
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    app = Flask(__name__, template_folder="../templates", instance_path=str(data_dir))
    app.config.update(config)
    app.config["SECRET_KEY"] = config["SECRET_KEY"] or _instance_secret(data_dir)
    app.json.sort_keys = False
    registry.configure(disabled=connectors_disabled(config["SHOPWIRE_CONNECTORS_DISABLED"]))

    _engine_options(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    with app.app_context():
        _tune_sqlite(app)

    from app import operations
    from app.api import (
        catalog,
        credentials,
        executions,
        files,
        flows,
        mappings,
        members,
        node_options,
        openapi,
        portable,
        schedule_preview,
        templates,
        tokens,
    )
    from app.identity import access, mail, sign_in
    from app.ingress import webhooks
    from app.runtime import files as file_storage
    from app.runtime import node_store
    from app.runtime import rate_limits as shared_turns
    from app.web import credential_pages, gallery, language, pages, settings_pages

    api = openapi.init_app(app)
    for module in (
        flows,
        executions,
        files,
        catalog,
        node_options,
        credentials,
        mappings,
        schedule_preview,
        members,
        tokens,
        templates,
        portable,
    ):
        api.register_blueprint(module.bp)
    for module in (pages, sign_in, settings_pages, credential_pages, gallery):
        app.register_blueprint(module.bp)
    language.init_app(app)
    app.wsgi_app = webhooks.Ingress(app, app.wsgi_app)
    if proxies := config["SHOPWIRE_TRUSTED_PROXIES"]:
        # Behind a reverse proxy the client address (rate limits, lockout) and the scheme
        # (Secure cookies, webhook URLs) come from its X-Forwarded-* headers.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    # After the blueprints: the page language is chosen before a refusal page is drawn.
    access.init_app(app)
    _register_error_handlers(app)
    node_store.init_app(app)
    file_storage.init_app(app)
    shared_turns.init_app(app)
    mail.init_app(app)
    operations.init_app(app)
    return app


def _instance_secret(data_dir: Path) -> str:
    path = data_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _engine_options(app: Flask) -> None:
    """Keep SQL parameters (event bodies, customer data) out of error logs; and on PostgreSQL
    give up on a lock after the same time SQLite waits, so a blocked
    database answers webhooks with 503 instead of hanging until the sender times out."""
    options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    options.setdefault("hide_parameters", True)
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return
    connect_args = options.setdefault("connect_args", {})
    connect_args.setdefault(
        "options", f"-c lock_timeout={int(app.config['SHOPWIRE_DB_LOCK_TIMEOUT_MS'])}"
    )
    connect_args.setdefault("connect_timeout", 5)


def _tune_sqlite(app: Flask) -> None:
    """WAL lets the web and the workers read while one writes; a busy timeout makes writers
    queue for the lock instead of failing at once."""
    if db.engine.dialect.name != "sqlite":
        return
    busy_ms = app.config["SHOPWIRE_DB_LOCK_TIMEOUT_MS"]
    database = db.engine.url.database  # connections are also made outside the app context

    @event.listens_for(db.engine, "connect")
    def _pragmas(connection, _record):
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        cursor.close()
        _owner_only(database)


def _owner_only(database: str | None) -> None:
    """The database file (and its WAL) holds customer data: readable by its owner only."""
    if not database or database == ":memory:":
        return
    for path in (Path(database), Path(f"{database}-wal"), Path(f"{database}-shm")):
        if path.exists() and path.stat().st_mode & 0o077:
            path.chmod(0o600)


def _register_error_handlers(app: Flask) -> None:
    app.register_error_handler(ApiProblem, lambda error: error.response())

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if _is_machine_path():
            return http_problem(error)
        return error

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return internal_error()


def _is_machine_path() -> bool:
    return request.path.startswith("/api/")

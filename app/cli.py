"""The ``shopwire`` command: ``up``, ``worker``, ``scheduler``, ``token``, and Flask's own."""

from __future__ import annotations

import functools
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade
from redis import Redis
from rq import Queue, SimpleWorker
from rq.cron import CronJob, CronScheduler
from rq.job import Job
from rq.serializers import JSONSerializer
from sqlalchemy import select, update

from app import create_app, redis_server
from app.extensions import db
from app.flows.templates import install_starters
from app.models import ApiToken, Membership, Merchant, User
from app.models.base import utcnow
from app.runtime.queue import execution_queue, redis_connection
from app.supervisor import Supervisor

DEMO_MERCHANT = "demo"
DEMO_EMAIL = "demo@shopwire.local"
DEMO_TOKEN_NAME = "shopwire up --demo"  # noqa: S105 (a label; the token itself is random)


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False)
def main() -> None:
    """Shopwire: flows between a merchant's shop, payments, shipping and accounting."""


def migrate_database() -> None:
    """Bring the schema up to date, and the starter templates in the gallery with it."""
    upgrade(directory=current_app.extensions["migrate"].directory)
    install_starters()
    db.session.commit()


@main.command("install-starters")
@with_appcontext
def install_starters_command() -> None:
    """Migrate, and put the starter templates shipped with Shopwire into the gallery."""
    migrate_database()
    click.echo("The starter templates are in the gallery.")


def merchant_named(name: str) -> Merchant:
    merchant = db.session.scalar(select(Merchant).where(Merchant.name == name))
    if merchant is None:
        merchant = Merchant(name=name)
        db.session.add(merchant)
        db.session.flush()
    return merchant


def issue_token(merchant: Merchant, name: str) -> str:
    api_token, token = ApiToken.issue(merchant, name)
    db.session.add(api_token)
    db.session.commit()
    return token


@main.command()
@click.option("--merchant", "merchant_name", required=True, help="Merchant name.")
@click.option("--name", default="CLI token", help="A label for the token.")
@with_appcontext
def token(merchant_name: str, name: str) -> None:
    """Print a new API token for MERCHANT, creating the merchant if needed."""
    migrate_database()
    click.echo(issue_token(merchant_named(merchant_name), name))


@main.command("rotate-key")
@with_appcontext
def rotate_key() -> None:
    """Re-encrypt every credential under the newest vault key (see app/credentials/vault.py)."""
    from app.credentials.vault import rotate, vault

    migrate_database()
    count = rotate()
    click.echo(
        f"Re-encrypted {count} secret(s) (accounts, provider webhooks) under the newest key."
    )
    if vault().key_file is None and len(vault().keys) > 1:
        click.echo("Now remove the old key(s) from SHOPWIRE_VAULT_KEY and restart Shopwire.")


@main.command()
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def worker(burst: bool) -> None:
    """Run executions from the queue (start as many as you like, on any host)."""
    queue = execution_queue()
    # SimpleWorker runs jobs in this process: no fork per job. A crash loses no work, because
    # the execution's lease runs out and the sweeper hands it to another worker.
    rq_worker = SimpleWorker(
        [queue],
        connection=queue.connection,
        serializer=JSONSerializer,
        worker_ttl=current_app.config["SHOPWIRE_WORKER_TTL_SECONDS"],
    )
    rq_worker.work(burst=burst, with_scheduler=True, logging_level="WARNING")


@main.command()
@with_appcontext
def scheduler() -> None:
    """Run RQ's cron scheduler: the sweeper that re-enqueues stranded executions, and the
    check that starts schedule and polling triggers, and the purge of execution data past each
    merchant's retention (any number may run side by side)."""
    from app.operations import alerts, trigger_health
    from app.runtime.retention import purge_job
    from app.runtime.sweeper import sweep
    from app.runtime.timed_triggers import fire_due

    config = current_app.config
    cron = CronScheduler(connection=redis_connection(), logging_level="WARNING")
    # Not cron.register(): it builds a CronJob that enqueues with RQ's pickle serializer,
    # and our workers accept JSON only, so nothing in Redis can make them run code.
    for func, interval in (
        (sweep, config["SHOPWIRE_SWEEP_INTERVAL_SECONDS"]),
        (fire_due, config["SHOPWIRE_SCHEDULE_CHECK_SECONDS"]),
        (purge_job, config["SHOPWIRE_PURGE_INTERVAL_SECONDS"]),
        (alerts.run, config["SHOPWIRE_ALERT_CHECK_SECONDS"]),
        (trigger_health.restore_subscriptions, config["SHOPWIRE_SUBSCRIPTION_CHECK_SECONDS"]),
    ):
        cron._cron_jobs.append(
            JSONCronJob(
                queue_name=config["SHOPWIRE_QUEUE"],
                func=func,
                interval=interval,
                result_ttl=0,
                job_timeout=-1 if func is purge_job else None,
            )
        )
    cron.start()


class JSONCronJob(CronJob):
    def enqueue(self, connection: Redis) -> Job:
        queue = Queue(self.queue_name, connection=connection, serializer=JSONSerializer)
        return queue.enqueue(self.func, args=self.args, kwargs=self.kwargs, **self.job_options)


# Threads per web process. Ingress is mostly Python (the GIL), yet a few threads keep the
# process busy while one waits for the database, and a webhook that waits for its flow's reply
# holds only one of them. bench/README.md has the measurements behind the choice.
WEB_THREADS = 3


@main.command()
@click.option("--port", default=5000, show_default=True, help="Serve on 127.0.0.1:PORT.")
@click.option("--workers", default=2, show_default=True, help="Worker processes.")
@click.option("--web-workers", default=3, show_default=True, help="Web server processes.")
@click.option(
    "--demo",
    is_flag=True,
    help="Create the demo shop with its owner's login and an API token, serve the provider "
    "test doubles (app/demo/doubles.py: Shopify, WooCommerce, Stripe, lexoffice, DHL) and "
    "connect the demo shop to them (from a checkout; `make run` does this).",
)
@with_appcontext
def up(port: int, workers: int, web_workers: int, demo: bool) -> None:
    """Set up and serve everything on this machine: web, worker, scheduler, Redis."""
    config = current_app.config
    data_dir = Path(config["SHOPWIRE_DATA_DIR"])
    env = dict(
        os.environ, SHOPWIRE_DATA_DIR=str(data_dir), DATABASE_URL=config["SQLALCHEMY_DATABASE_URI"]
    )
    _refuse_taken(port)
    supervisor = Supervisor()
    try:
        redis_url = config["REDIS_URL"]
        if not redis_url:
            redis_url = redis_server.url(data_dir)
            supervisor.start("redis-server", lambda: redis_server.start(data_dir)[1])
        env["REDIS_URL"] = config["REDIS_URL"] = redis_url

        migrate_database()
        base = f"http://127.0.0.1:{port}/"
        if demo:
            env.update(_serve_demo_fakes())
            access = _demo_access(base)
        else:
            access = (
                f"  sign up:   {base}signup (or `shopwire token --merchant NAME` for an API "
                "token)\n"
            )
        for name, command in _commands(port, workers, web_workers):
            supervisor.start(name, functools.partial(subprocess.Popen, command, env=env, cwd=ROOT))
        click.echo(
            f"\nShopwire is running at {base}\n{access}  data:      {data_dir}\n"
            "Press Ctrl-C to stop.\n"
        )
        supervisor.run()
    finally:
        supervisor.stop()
    click.echo("Shopwire stopped.")


ROOT = Path(__file__).parent.parent


def _commands(port: int, workers: int, web_workers: int) -> list[tuple[str, list[str]]]:
    python = sys.executable
    web = [
        python,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--workers",
        str(web_workers),
        "--blocking-threads",
        str(WEB_THREADS),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-ws",
        "--log-level",
        "warning",
        "wsgi:app",
    ]
    return [
        ("web server", web),
        ("scheduler", [python, "-m", "app.cli", "scheduler"]),
        *((f"worker {n}", [python, "-m", "app.cli", "worker"]) for n in range(1, workers + 1)),
    ]


def _refuse_taken(port: int) -> None:
    """Refuse a port something already listens on. The web server binds with SO_REUSEPORT,
    so it would share the port with another installation and split requests between two
    databases; a plain bind fails instead."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise click.ClickException(
                f"Port {port} is already in use (another Shopwire, or another program). "
                "Choose another one: `shopwire up --port 5080`, or `make run PORT=5080`."
            ) from None


def ensure_demo_login(password: str | None = None) -> str | None:
    """The demo shop's owner login, created on the first start with ``password`` or, without
    one, a generated password, which is returned to be shown once (None when the login was
    there already: it keeps the password it has)."""
    if db.session.scalar(select(User.id).where(User.email == DEMO_EMAIL)) is not None:
        return None
    generated = None if password else secrets.token_urlsafe(12)
    user = User(email=DEMO_EMAIL)
    user.set_password(password or generated)
    merchant = merchant_named(DEMO_MERCHANT)
    db.session.add_all([user, Membership(user=user, merchant=merchant, role="owner")])
    db.session.commit()
    return generated


def ensure_demo_merchant() -> str:
    """The demo shop and a new API token for it. The token an earlier start printed is
    revoked, so only the one printed last works."""
    merchant = merchant_named(DEMO_MERCHANT)
    db.session.execute(
        update(ApiToken)
        .where(
            ApiToken.merchant_id == merchant.id,
            ApiToken.name == DEMO_TOKEN_NAME,
            ApiToken.user_id.is_(None),
            ApiToken.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    return issue_token(merchant, DEMO_TOKEN_NAME)


def _demo_access(base: str) -> str:
    """The lines `up --demo` prints about signing in to the demo shop."""
    password = ensure_demo_login()
    if password:
        login = f"{DEMO_EMAIL} / {password}   (shown this once: note it)"
    else:
        login = (
            f"{DEMO_EMAIL}, with the password shown at the first start (forgot it? "
            f"{base}password/forgot writes a reset link to this log)"
        )
    return (
        f"  login:     {login}\n  API token: {ensure_demo_merchant()}   (each start replaces it)\n"
    )


def _serve_demo_fakes() -> dict[str, str]:
    """Start the provider fakes in this process; the settings the children need to use them."""
    from app import demo
    from app.demo import doubles as fakes

    served = fakes.start()
    origins = ",".join(f"{key}={origin}" for key, origin in served.origins.items())
    current_app.config["SHOPWIRE_CONNECTOR_ORIGINS"] = origins
    demo.seed(merchant_named(DEMO_MERCHANT), served.accounts)
    doubles = ", ".join(f"{key} {origin}" for key, origin in served.origins.items())
    click.echo(f"Demo test doubles: {doubles}")
    # The fakes listen on loopback, which nodes may not reach unless allowed.
    return {
        "SHOPWIRE_CONNECTOR_ORIGINS": origins,
        "SHOPWIRE_ALLOW_PRIVATE_NETWORKS": "127.0.0.1/32",
    }


if __name__ == "__main__":
    main()

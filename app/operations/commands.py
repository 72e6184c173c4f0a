"""The operator's commands: ``shopwire queues``, ``retry``, ``purge``, ``export``, ``import``,
``metrics-server``.

Every command that touches a shop's data names the shop with ``--merchant``: nothing here reads
or writes across shops unless the operator asks for all of them (``queues``, ``purge``).
"""

from __future__ import annotations

import json
from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from app.extensions import db
from app.flows import lifecycle
from app.models import Execution, Flow, Merchant
from app.models.base import isoformat, utcnow
from app.operations import state
from app.runtime import executions, retention
from nodes.engine.redaction import mask_graph, restore_graph

EXPORT_FORMAT = "shopwire-flows"


def register(group: click.Group) -> None:
    for command in (queues, retry, purge, export_flows, import_flows, metrics_server):
        group.add_command(command)


def _merchant(name: str) -> Merchant:
    merchant = db.session.scalar(select(Merchant).where(Merchant.name == name))
    if merchant is None:
        raise click.ClickException(f"There is no shop named “{name}”.")
    return merchant


@click.command()
@with_appcontext
def queues() -> None:
    """Show the queues, the workers, and executions that are stranded."""
    found = state.snapshot()
    if found.redis_error:
        click.echo(found.redis_error)
    for queue in found.queues:
        click.echo(
            f"queue {queue['name']}: {queue['waiting']} job(s) waiting, "
            f"{queue['scheduled']} scheduled, {queue['failed']} failed"
        )
    click.echo(f"workers alive: {sum(worker['alive'] for worker in found.workers)}")
    for worker in found.workers:
        click.echo(f"  {worker['name']} on {worker['host']}: {worker['state']}")
    click.echo(f"schedulers alive: {len(found.schedulers)}")
    click.echo(
        "executions: "
        + ", ".join(f"{count} {status}" for status, count in found.executions.items())
    )
    if not found.stranded:
        click.echo("stranded executions: none")
        return
    more = "+" if len(found.stranded) == state.STRANDED_SHOWN else ""
    click.echo(
        f"stranded executions ({len(found.stranded)}{more}); the scheduler's sweeper hands "
        "them to a worker — if they stay, is a scheduler running?"
    )
    for execution in found.stranded:
        click.echo(
            f"  {execution['id']}  {execution['shop']}  {execution['status']} "
            f"since {isoformat(execution['since'])}"
        )


@click.command()
@click.option("--merchant", "merchant_name", required=True, help="The shop.")
@click.option("--flow", "flow_id", help="Only this flow's executions.")
@click.option("--since", "hours", type=float, help="Only those created in the last HOURS.")
@click.option("--error", "error_text", help="Only those whose error contains this text.")
@click.option("--dry-run", is_flag=True, help="List them without retrying.")
@with_appcontext
def retry(
    merchant_name: str,
    flow_id: str | None,
    hours: float | None,
    error_text: str | None,
    dry_run: bool,
) -> None:
    """Retry a shop's failed executions from their failed step."""
    merchant = _merchant(merchant_name)
    query = select(Execution.id, Execution.error).where(
        Execution.merchant_id == merchant.id, Execution.status == "failed"
    )
    if flow_id:
        query = query.where(Execution.flow_id == flow_id)
    if hours is not None:
        query = query.where(Execution.created_at >= utcnow() - timedelta(hours=hours))
    found = [
        execution_id
        for execution_id, error in db.session.execute(query.order_by(Execution.created_at))
        if not error_text or error_text.lower() in json.dumps(error or {}).lower()
    ]
    if dry_run:
        for execution_id in found:
            click.echo(execution_id)
        click.echo(f"{len(found)} failed execution(s) would be retried.")
        return
    retried = sum(executions.retry(execution_id) for execution_id in found)
    click.echo(f"Retried {retried} of {len(found)} failed execution(s).")


@click.command()
@with_appcontext
def purge() -> None:
    """Purge execution data older than each shop's retention now."""
    counts = retention.purge()
    click.echo(
        f"Purged {counts['executions']} execution(s), {counts['step_runs']} step record(s) "
        f"and {counts['rejected_events']} rejected deliverie(s)."
    )


@click.command("export")
@click.option("--merchant", "merchant_name", required=True, help="The shop.")
@click.argument("output", type=click.File("w"), default="-")
@with_appcontext
def export_flows(merchant_name: str, output) -> None:
    """Write a shop's flows as JSON to OUTPUT (default: standard output).

    The flows' current graphs, without accounts and without secret parameters: those are
    marked "[secret set]" and must be entered again after an import."""
    merchant = _merchant(merchant_name)
    flows = db.session.scalars(
        select(Flow)
        .where(Flow.merchant_id == merchant.id, Flow.deleted_at.is_(None))
        .order_by(Flow.created_at)
    ).all()
    document = {
        "format": EXPORT_FORMAT,
        "version": 1,
        "flows": [
            {"name": flow.name, "graph": _without_accounts(mask_graph(flow.current_version.graph))}
            for flow in flows
        ],
    }
    json.dump(document, output, indent=2)
    output.write("\n")


def _without_accounts(graph: dict) -> dict:
    return {**graph, "nodes": [{**node, "credential": None} for node in graph["nodes"]]}


@click.command("import")
@click.option("--merchant", "merchant_name", required=True, help="The shop.")
@click.argument("source", type=click.File("r"))
@with_appcontext
def import_flows(merchant_name: str, source) -> None:
    """Add the flows of an export to a shop, switched off; nothing is added if one of them
    is not valid here."""
    merchant = _merchant(merchant_name)
    document = json.load(source)
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        raise click.ClickException("This file is not a Shopwire flow export.")
    found = []
    for number, entry in enumerate(document.get("flows", []), start=1):
        graph = restore_graph(entry.get("graph"), None)  # "[secret set]" has nothing to restore
        problems = lifecycle.problems(merchant.id, graph)
        found += [f"flow {number} “{entry.get('name')}” {p.pointer}: {p.message}" for p in problems]
        if not problems:
            lifecycle.create(
                merchant.id, str(entry.get("name") or f"Imported flow {number}"), graph
            )
    if found:
        db.session.rollback()
        raise click.ClickException("Nothing was imported:\n" + "\n".join(found))
    db.session.commit()
    click.echo(
        f"Imported {len(document.get('flows', []))} flow(s), switched off. Connect their "
        "accounts and enter their secrets in the editor, then switch them on."
    )


@click.command("metrics-server")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on: the one your Prometheus reaches this host at.",
)
@click.option("--port", default=9464, show_default=True, help="Port to serve /metrics on.")
@with_appcontext
def metrics_server(host: str, port: int) -> None:
    """Serve the counts of this host's Shopwire processes at /metrics, for a host that runs
    workers and no web server (SHOPWIRE_METRICS_TOKEN protects it as it does the web's)."""
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from app.operations.metrics import host_exporter

    class Quiet(WSGIRequestHandler):
        def log_message(self, format, *args):  # a line per scrape would drown the log
            pass

    exporter = host_exporter(current_app.config["SHOPWIRE_METRICS_TOKEN"])
    with make_server(host, port, exporter, handler_class=Quiet) as server:
        click.echo(f"Serving this host's Shopwire metrics at http://{host}:{port}/metrics")
        server.serve_forever()

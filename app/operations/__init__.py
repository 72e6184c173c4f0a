"""Operations: noticing first when something stops working, and telling the operator and the
merchant in plain words. Health probes (health), Prometheus metrics (metrics), JSON logs
(log_format), optional OpenTelemetry traces (tracing), the operator's CLI and page (commands,
pages, state), the merchant's charts (dashboard), alerts (alerts) and trigger health
(trigger_health)."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask


def init_app(app: Flask) -> None:
    from app.operations import commands, dashboard, health, log_format, metrics, pages, tracing

    _metrics_directory(app)
    log_format.init_app(app)
    tracing.init_app(app)
    for module in (health, metrics, pages, dashboard):
        app.register_blueprint(module.bp)
    commands.register(app.cli)  # `shopwire queues`, `retry`, `purge`, `export`, `import`


def _metrics_directory(app: Flask) -> None:
    """prometheus-client's multiprocess mode is chosen by ``PROMETHEUS_MULTIPROC_DIR``, read
    when the library is first imported. An operator may set it (and wipe it on deploy, as the
    library asks); else it is ``<data dir>/metrics``, which the processes started from here
    (``shopwire up``, tests) inherit."""
    directory = os.environ.setdefault(
        "PROMETHEUS_MULTIPROC_DIR", str(Path(app.config["SHOPWIRE_DATA_DIR"]) / "metrics")
    )
    Path(directory).mkdir(parents=True, exist_ok=True)

"""OpenTelemetry traces, off by default: with ``SHOPWIRE_TRACING=otlp`` each run of an
execution is one trace, with a span per step, sent to the OTLP/HTTP endpoint the standard
``OTEL_EXPORTER_OTLP_*`` variables name (``http://localhost:4318`` unless set).

Spans are made when the run ends, from the recorded start and end of each step, so tracing
adds nothing while a step runs. They carry ids, node types, statuses and attempts, never a
step's input or output (which may hold customer data or secrets).
"""

from __future__ import annotations

import threading

from flask import Flask

_provider = None
_configuring = threading.Lock()


def init_app(app: Flask) -> None:
    if str(app.config["SHOPWIRE_TRACING"]).lower() != "otlp":
        return
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    with _configuring:
        if _provider is None:  # once per process, however many apps it creates
            configure(BatchSpanProcessor(OTLPSpanExporter()))


def configure(processor) -> None:
    """Send spans through ``processor`` (tests give a simple one with an in-memory exporter)."""
    global _provider
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider

    provider = TracerProvider(resource=Resource.create({"service.name": "shopwire"}))
    provider.add_span_processor(processor)
    _provider = provider


def enabled() -> bool:
    return _provider is not None


def record_run(execution: dict, status: str, steps: list[tuple]) -> None:
    """One trace for a finished run: the execution's span and a span per recorded step
    (``steps``: each step's record with its node type)."""
    from opentelemetry import trace

    types = {id(step): node_type for step, node_type in steps}
    timed = [step for step, _ in steps if step.started_at and step.finished_at]
    if not timed:
        return
    tracer = _provider.get_tracer("shopwire")
    root = tracer.start_span(
        "execution",
        start_time=_ns(min(step.started_at for step in timed)),
        attributes={**execution, "shopwire.status": status},
    )
    parent = trace.set_span_in_context(root)
    for step in timed:
        span = tracer.start_span(
            f"step {step.node_id}",
            context=parent,
            start_time=_ns(step.started_at),
            attributes={
                "shopwire.node_id": step.node_id,
                "shopwire.node_type": types[id(step)],
                "shopwire.status": step.status,
                "shopwire.attempts": step.attempts,
                **({"shopwire.item": step.item} if step.item is not None else {}),
            },
        )
        if step.status == "failed":
            span.set_status(trace.Status(trace.StatusCode.ERROR))
        span.end(end_time=_ns(step.finished_at))
    if status == "failed":
        root.set_status(trace.Status(trace.StatusCode.ERROR))
    root.end(end_time=_ns(max(step.finished_at for step in timed)))


def _ns(moment) -> int:
    return int(moment.timestamp() * 1_000_000_000)

"""OpenTelemetry (optional): a trace per execution run with a span per step, without the data
the steps handled."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from app.operations import tracing
from tests.conftest import create_active_flow, flow_document, run_now


@pytest.fixture
def spans():
    exporter = InMemorySpanExporter()
    tracing.configure(SimpleSpanProcessor(exporter))
    yield exporter
    tracing._provider = None


def test_a_run_is_one_trace_with_a_span_per_step(app, api, run_queue, spans):
    graph = flow_document(
        {"id": "start", "type": "core.manual"},
        {"id": "fields", "type": "core.map", "params": {"fields": {}},
         "mapping": {"fields.email": "trigger.email"}},
        {"id": "big", "type": "core.filter", "mapping": {"condition": "input.email == 'x'"}},
    )  # fmt: skip
    flow_id, _ = create_active_flow(api, graph)

    execution = run_now(api, run_queue, flow_id, {"email": "jane@customer.example"})

    finished = spans.get_finished_spans()
    [root] = [span for span in finished if span.name == "execution"]
    steps = [span for span in finished if span.parent is not None]
    assert {span.name for span in steps} == {"step fields", "step big"}
    assert all(span.context.trace_id == root.context.trace_id for span in steps)
    assert all(span.parent.span_id == root.context.span_id for span in steps)
    assert root.attributes["shopwire.execution_id"] == execution["id"]
    assert root.attributes["shopwire.flow_id"] == flow_id
    assert root.attributes["shopwire.status"] == "succeeded"
    fields = next(span for span in steps if span.name == "step fields")
    assert fields.attributes["shopwire.node_type"] == "core.map"
    assert root.start_time <= fields.start_time <= fields.end_time <= root.end_time
    everything = repr([dict(span.attributes) for span in finished])
    assert "jane@customer.example" not in everything

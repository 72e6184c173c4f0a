"""Control flow in the interpreter: router ports, split/aggregate items, merge, error paths,
delay; and how validation judges them."""

from datetime import UTC, datetime, timedelta

import pytest

from nodes.engine import interpreter
from nodes.engine.graph import Graph
from nodes.engine.validation import validate_flow
from nodes.kit import registry

BIG = 18446744073709551617  # beyond 64 bits: must survive exactly


def document(nodes, edges):
    return {
        "schema_version": 1,
        "nodes": [{"version": 1, **n} for n in nodes],
        "edges": [dict(zip(("source", "target", "port"), e, strict=False)) for e in edges],
    }


def execute(doc, trigger, finished=None):
    records = []
    run = interpreter.Run(
        id="exec-1",
        graph=Graph(doc),
        trigger_output=trigger,
        flow={},
        http=None,
        credential=lambda _id: None,
        finished=finished or {},
    )
    result = interpreter.run(run, records.append)
    return result, records


def by_node(records):
    found = {}
    for step in records:
        found.setdefault(step.node_id, []).append(step)
    return found


HOOK = {"id": "hook", "type": "core.webhook"}


def echo(node_id, expression="input"):
    return {
        "id": node_id,
        "type": "core.map",
        "params": {"fields": {}},
        "mapping": {"fields.value": expression},
    }


def router(mode="first"):
    return {
        "id": "route",
        "type": "core.router",
        "params": {
            "mode": mode,
            "branches": [
                {"name": "express", "condition": "input.total > `100`"},
                {"name": "abroad", "condition": "input.country != 'DE'"},
            ],
        },
    }


ROUTED = [
    ("hook", "route"),
    ("route", "a", "express"),
    ("route", "b", "abroad"),
    ("route", "c", "default"),
]


@pytest.mark.parametrize(
    ("mode", "order", "ran"),
    [
        ("first", {"total": 403, "country": "AT"}, {"a"}),
        ("all", {"total": 403, "country": "AT"}, {"a", "b"}),
        ("all", {"total": 5, "country": "DE"}, {"c"}),
        ("first", {"total": 5, "country": "Österreich"}, {"b"}),
    ],
)
def test_the_router_sends_the_input_on_the_matching_branches(mode, order, ran):
    doc = document([HOOK, router(mode), echo("a"), echo("b"), echo("c")], ROUTED)
    result, records = execute(doc, order)
    assert result.status == "succeeded"
    steps = {s.node_id: s for s in records}
    assert {n for n in "abc" if steps[n].status == "succeeded"} == ran
    for node_id in ran:
        assert steps[node_id].output == {"value": order}


def test_router_ports_come_from_its_branches_in_validation_and_the_catalog():
    doc = document(
        [HOOK, router(), echo("a")],
        [("hook", "route"), ("route", "a", "express"), ("route", "a", "nowhere")],
    )
    problems = validate_flow(doc)
    assert [p.pointer for p in problems] == ["/edges/2/port"]
    assert "express, abroad, default" in problems[0].message
    spec = registry.get("core.router", 1).describe()
    assert spec["ports_from"] == {"param": "branches", "name": "name", "fixed": ["default"]}


def test_a_router_condition_that_does_not_compile_is_named_on_save():
    broken = router()
    broken["params"]["branches"][1]["condition"] = "input.country =="
    problems = validate_flow(document([HOOK, broken], [("hook", "route")]))
    assert [p.pointer for p in problems] == ["/nodes/1/params/branches/1/condition"]
    assert 'field "branches.1.condition"' in problems[0].message


def split_flow(*inner, edges=None):
    split = {"id": "split", "type": "core.split", "mapping": {"items": "trigger.lines"}}
    agg = {"id": "agg", "type": "core.aggregate"}
    nodes = [HOOK, split, *inner, agg, echo("after", "input[].value")]
    edges = edges or [
        ("hook", "split"),
        ("split", inner[0]["id"]),
        (inner[-1]["id"], "agg"),
        ("agg", "after"),
    ]
    return document(nodes, edges)


def test_split_runs_the_part_after_it_once_per_item_and_aggregate_collects_them():
    lines = [{"sku": "KAFFEE-ÄTHIOPIEN", "qty": BIG}, {"sku": "B", "qty": 2}]
    doc = split_flow(echo("line", "{sku: item.sku, qty: item.qty, order: trigger.id}"))
    result, records = execute(doc, {"id": 7, "lines": lines})
    assert result.status == "succeeded"
    steps = by_node(records)
    assert [(s.item, s.output["value"]["sku"]) for s in steps["line"]] == [
        (0, "KAFFEE-ÄTHIOPIEN"),
        (1, "B"),
    ]
    assert steps["agg"][0].item is None
    assert steps["after"][0].output == {
        "value": [
            {"sku": "KAFFEE-ÄTHIOPIEN", "qty": BIG, "order": 7},
            {"sku": "B", "qty": 2, "order": 7},
        ]
    }


def test_an_empty_list_runs_nothing_inside_and_aggregates_to_an_empty_list():
    result, records = execute(split_flow(echo("line", "item")), {"lines": []})
    assert result.status == "succeeded"
    steps = by_node(records)
    assert "line" not in steps
    assert steps["after"][0].output == {"value": []}


def test_a_filter_inside_a_split_drops_items_from_the_aggregate():
    keep = {"id": "keep", "type": "core.filter", "mapping": {"condition": "item.qty > `1`"}}
    doc = split_flow(
        keep,
        echo("line", "item.sku"),
        edges=[
            ("hook", "split"),
            ("split", "keep"),
            ("keep", "line"),
            ("line", "agg"),
            ("agg", "after"),
        ],
    )
    _, records = execute(doc, {"lines": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 3}]})
    steps = by_node(records)
    assert [s.status for s in steps["line"]] == ["skipped", "succeeded"]
    assert steps["after"][0].output == {"value": ["B"]}


def test_a_resumed_split_never_repeats_a_finished_item_step():
    doc = split_flow(echo("line", "item"))
    done = interpreter.StepRecord(
        "line", "succeeded", output={"value": "from before"}, ports=("main",), item=0
    )
    split_done = interpreter.StepRecord("split", "succeeded", output=["a", "b"], ports=("main",))
    _, records = execute(
        doc, {"lines": ["a", "b"]}, {("split", None): split_done, ("line", 0): done}
    )
    steps = by_node(records)
    assert [(s.item, s.output) for s in steps["line"]] == [(1, {"value": "b"})]
    assert steps["after"][0].output == {"value": ["from before", "b"]}


def test_a_split_of_something_that_is_not_a_list_names_the_field():
    result, _ = execute(split_flow(echo("line", "item")), {"lines": {"a": 1}})
    assert result.status == "failed"
    assert result.error["field"] == "items" and result.error["node_id"] == "split"


def test_item_is_only_in_scope_inside_a_split():
    doc = split_flow(echo("line", "item"))
    doc["nodes"][-1]["mapping"] = {"fields.value": "item.sku"}
    problems = validate_flow(doc)
    assert len(problems) == 1 and 'no "item"' in problems[0].message


def test_ambiguous_item_scopes_are_refused_on_save():
    outside = echo("outside", "trigger")
    doc = split_flow(
        echo("line", "item"),
        outside,
        edges=[
            ("hook", "split"),
            ("split", "line"),
            ("hook", "outside"),
            ("outside", "line"),
            ("line", "agg"),
            ("agg", "after"),
        ],
    )
    messages = [p.message for p in validate_flow(doc)]
    assert any("inside and outside a Split" in m for m in messages)
    stray = document([HOOK, {"id": "agg", "type": "core.aggregate"}], [("hook", "agg")])
    assert "collects the items of one Split" in validate_flow(stray)[0].message


def test_merge_waits_for_both_branches_and_combines_them():
    doc = document(
        [
            HOOK,
            echo("a", "trigger.id"),
            echo("b", "trigger.label"),
            {"id": "m", "type": "core.merge", "params": {"mode": "combine"}},
        ],
        [("hook", "a"), ("hook", "b"), ("a", "m"), ("b", "m")],
    )
    doc["nodes"][2]["mapping"] = {"fields.label": "trigger.label"}
    _, records = execute(doc, {"id": BIG, "label": "DHL"})
    assert records[-1].node_id == "m"
    assert records[-1].output == {"value": BIG, "label": "DHL"}


def failing(on_error=None):
    node = {
        "id": "bad",
        "type": "core.map",
        "params": {"fields": {}},
        "mapping": {"fields.x": "trigger.missing"},
    }
    if on_error:
        node["on_error"] = on_error
    return node


def test_on_error_continue_passes_the_error_on_as_output():
    doc = document(
        [HOOK, failing("continue"), echo("next", "input.error.node_id")],
        [("hook", "bad"), ("bad", "next")],
    )
    result, records = execute(doc, {})
    assert result.status == "succeeded"
    assert records[0].status == "caught" and records[0].error["field"] == "fields.x"
    assert records[1].output == {"value": "bad"}


def test_on_error_branch_takes_only_the_error_port():
    doc = document(
        [HOOK, failing("branch"), echo("ok"), echo("alert", "input.error.message")],
        [("hook", "bad"), ("bad", "ok"), ("bad", "alert", "error")],
    )
    assert validate_flow(doc) == []
    result, records = execute(doc, {})
    steps = {s.node_id: s for s in records}
    assert result.status == "succeeded"
    assert steps["ok"].status == "skipped"
    assert "trigger.missing" in steps["alert"].output["value"]


def test_the_error_port_exists_only_when_the_node_branches_on_error():
    doc = document([HOOK, failing(), echo("alert")], [("hook", "bad"), ("bad", "alert", "error")])
    assert validate_flow(doc)[0].pointer == "/edges/1/port"


def test_a_delay_stops_the_run_and_a_resumed_run_goes_on_after_it():
    doc = document(
        [
            HOOK,
            {"id": "wait", "type": "core.delay", "params": {"seconds": 3600}},
            echo("after", "input.id"),
        ],
        [("hook", "wait"), ("wait", "after")],
    )
    result, records = execute(doc, {"id": BIG})
    assert result.status == "waiting"
    expected = datetime.now(UTC) + timedelta(hours=1)
    assert abs((result.resume_at - expected).total_seconds()) < 5
    assert [s.node_id for s in records] == ["wait"]
    result, records = execute(doc, {"id": BIG}, {("wait", None): records[0]})
    assert result.status == "succeeded" and records[0].output == {"value": BIG}


@pytest.mark.parametrize(
    ("until", "status", "message"),
    [
        ("2001-01-01T00:00:00Z", "succeeded", None),
        ("2099-12-24T09:00:00+01:00", "waiting", None),
        ("2099-12-24T09:00:00", "failed", "no time zone"),
        ("Heiligabend", "failed", "not a date"),
    ],
)
def test_a_delay_until_a_time(until, status, message):
    doc = document(
        [HOOK, {"id": "wait", "type": "core.delay", "params": {"until": until}}], [("hook", "wait")]
    )
    result, _ = execute(doc, {})
    assert result.status == status
    if message:
        assert message in result.error["message"] and result.error["field"] == "until"


def merge_flow(mode, second="trigger.label"):
    return document(
        [
            HOOK,
            echo("a", "trigger.id"),
            {
                "id": "b",
                "type": "core.map",
                "params": {"fields": {}},
                "mapping": {"fields": second},
            },
            {"id": "m", "type": "core.merge", "params": {"mode": mode}},
        ],
        [("hook", "a"), ("hook", "b"), ("a", "m"), ("b", "m")],
    )


def test_merge_lists_the_branches_that_ran_in_edge_order():
    _, records = execute(merge_flow("list", "{label: trigger.label}"), {"id": 1, "label": "Ü"})
    assert records[-1].output == [{"value": 1}, {"label": "Ü"}]


def test_merge_combine_refuses_a_branch_that_is_not_an_object():
    doc = merge_flow("combine")
    doc["nodes"][1]["mapping"] = {"fields.value": "trigger[0]"}
    doc["nodes"][2] = {
        "version": 1,
        "id": "b",
        "type": "core.filter",
        "params": {"condition": True},
    }
    result, _ = execute(doc, ["Ä", BIG])
    assert result.status == "failed"
    assert "branch 2 returned list" in result.error["message"]
    assert result.error["field"] == "mode"


def test_respond_to_webhook_hands_over_status_headers_and_body():
    replies = []
    doc = document(
        [
            HOOK,
            {
                "id": "reply",
                "type": "core.respond_to_webhook",
                "params": {"status": 201, "headers": {"X-Order": "ok"}},
                "mapping": {"body": "{id: trigger.id}"},
            },
        ],
        [("hook", "reply")],
    )
    run = interpreter.Run(
        id="e",
        graph=Graph(doc),
        trigger_output={"id": BIG},
        flow={},
        http=None,
        credential=lambda _id: None,
        respond=replies.append,
    )
    assert interpreter.run(run, lambda _step: None).status == "succeeded"
    assert replies == [{"status": 201, "headers": {"X-Order": "ok"}, "body": {"id": BIG}}]
    doc["nodes"][1]["params"]["headers"] = {"Set-Cookie": "session=1"}
    assert validate_flow(doc)[0].pointer == "/nodes/1/params/headers"


def test_call_flow_needs_an_execution_to_run_in():
    doc = document(
        [HOOK, {"id": "call", "type": "core.call_flow", "params": {"flow_id": "f1", "input": {}}}],
        [("hook", "call")],
    )
    result, _ = execute(doc, {})
    assert result.status == "failed" and "inside an execution" in result.error["message"]
    assert validate_flow(doc)[0].message.endswith("there is no such flow.")
    assert validate_flow(doc, flow_exists=lambda flow_id: flow_id == "f1") == []

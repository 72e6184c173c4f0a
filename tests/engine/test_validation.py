"""Flow validation: each class of problem, with its JSON pointer and a plain message."""

import copy

import pytest

from nodes.engine.validation import validate_flow
from tests.conftest import flow_document

HOOK = {"id": "hook", "type": "core.webhook", "name": "Paid order"}
MAP = {
    "id": "map",
    "type": "core.map",
    "name": "Pick fields",
    "params": {"fields": {}},
    "mapping": {"fields.email": "trigger.email"},
}
POST = {
    "id": "post",
    "type": "core.http_request",
    "name": "Send",
    "params": {"url": "https://example.com/orders"},
    "mapping": {"body": "input"},
}


def problems(document):
    return {p.pointer: p.message for p in validate_flow(document)}


def test_a_valid_flow_has_no_problems():
    assert validate_flow(flow_document(HOOK, MAP, POST)) == []


def test_shape_errors_point_at_the_field():
    document = flow_document(HOOK, MAP)
    del document["nodes"][1]["type"]
    document["schema_version"] = 2
    found = problems(document)
    assert found["/nodes/1/type"] == '"type" is required.'
    assert found["/schema_version"] == "Must be 1."


def test_unknown_node_type_and_version():
    found = problems(
        flow_document(HOOK, {"id": "x", "type": "core.teleport"}, {**MAP, "version": 7})
    )
    assert found["/nodes/1/type"] == 'Step "x": there is no step type "core.teleport".'
    assert found["/nodes/2/version"].startswith('Step "Pick fields": core.map has no version 7')


def test_duplicate_ids():
    found = problems(flow_document(HOOK, MAP, {**POST, "id": "map"}, edges=[("hook", "map")]))
    assert found["/nodes/2/id"] == 'The id "map" is used twice.'


def test_edges_to_missing_nodes_and_ports():
    document = flow_document(HOOK, MAP)
    document["edges"].append({"source": "map", "target": "ghost"})
    document["edges"].append({"source": "hook", "target": "map", "port": "false"})
    found = problems(document)
    assert "does not exist" in found["/edges/1/target"]
    assert found["/edges/2/port"] == 'Step "hook" has no output "false" (it has: main).'


def test_cycles_are_rejected():
    document = flow_document(HOOK, MAP, POST)
    document["edges"].append({"source": "post", "target": "map"})
    assert "loop" in problems(document)["/edges"]


def test_exactly_one_trigger():
    assert "needs a trigger" in problems(flow_document(MAP, POST))["/nodes"]
    found = problems(
        flow_document(HOOK, MAP, {"id": "again", "type": "core.manual"}, edges=[("hook", "map")])
    )
    assert "exactly one trigger" in found["/nodes/2"]


def test_params_that_fail_the_node_schema():
    bad = copy.deepcopy(POST)
    bad["params"] = {"url": "ftp://example.com", "method": "FETCH"}
    found = problems(flow_document(HOOK, bad))
    assert found["/nodes/1/params/url"].startswith('Step "Send": Has the wrong form')
    assert found["/nodes/1/params/method"] == (
        'Step "Send": Must be one of: GET, POST, PUT, PATCH, DELETE.'
    )


def test_a_required_param_may_come_from_the_mapping():
    mapped_url = {**POST, "params": {}, "mapping": {"url": "trigger.callback_url"}}
    assert validate_flow(flow_document(HOOK, mapped_url)) == []
    missing_url = {**POST, "params": {}, "mapping": {}}
    assert problems(flow_document(HOOK, missing_url)) == {
        "/nodes/1/params/url": 'Step "Send": "url" is required.'
    }


def test_broken_jmespath_names_node_field_and_position():
    broken = {**MAP, "mapping": {"fields.email": "trigger.customer.[email"}}
    message = problems(flow_document(HOOK, broken))["/nodes/1/mapping/fields.email"]
    assert message.startswith('Step "Pick fields", field "fields.email": Not a valid expression')
    assert "ends too early at position 23" in message
    other = {**MAP, "mapping": {"fields.email": "trigger.]email"}}
    assert problems(flow_document(HOOK, other))["/nodes/1/mapping/fields.email"].endswith(
        'position 8: unexpected "]".'
    )


def test_mapping_to_a_field_the_node_does_not_have():
    found = problems(flow_document(HOOK, {**POST, "mapping": {"colour": "trigger.x"}}))
    assert found["/nodes/1/mapping/colour"] == 'Step "Send" has no field "colour".'


def test_every_problem_is_reported_at_once():
    document = flow_document(
        HOOK,
        {**MAP, "mapping": {"fields.a": "[[["}},
        {**POST, "params": {"url": "nope"}},
        {"id": "x", "type": "core.nothing"},
        edges=[("hook", "map"), ("map", "post"), ("post", "ghost")],
    )
    assert len(validate_flow(document)) == 4


@pytest.mark.parametrize("document", [None, [], "flow", {"nodes": "many"}])
def test_garbage_is_rejected_not_crashed_on(document):
    assert validate_flow(document)


FILTER = {
    "id": "paid",
    "type": "core.filter",
    "name": "Only paid",
    "mapping": {"condition": "input.total > `0`"},
}
PICK = {
    "id": "map",
    "type": "core.map",
    "name": "Pick fields",
    "params": {"fields": {}},
    "mapping": {"fields.email": "trigger.email", "fields.total": "trigger.total_price"},
}


def test_a_path_the_step_before_cannot_return_is_flagged_before_running():
    typo = {**FILTER, "mapping": {"condition": "input.totl > `0`"}}
    found = problems(flow_document(HOOK, PICK, typo))
    assert found == {
        "/nodes/2/mapping/condition": (
            'Step "Only paid", field "condition": there is no "input.totl" here. '
            "Did you mean one of: email, total?"
        )
    }


def test_paths_are_followed_through_pass_through_steps_and_named_steps():
    send = {**POST, "mapping": {"body": "{total: input.total, mail: steps.map.email}"}}
    assert validate_flow(flow_document(HOOK, PICK, FILTER, send)) == []
    wrong = {**POST, "mapping": {"body": "steps.mapp.email"}}
    assert problems(flow_document(HOOK, PICK, FILTER, wrong)) == {
        "/nodes/3/mapping/body": (
            'Step "Send", field "body": there is no "steps.mapp" here. '
            "Did you mean one of: hook, map, paid?"
        )
    }


def test_a_misspelled_root_is_flagged_but_open_webhook_data_is_not():
    found = problems(
        flow_document(
            HOOK, {**PICK, "mapping": {"fields.a": "trigger.anything.x", "fields.b": "triger.id"}}
        )
    )
    assert list(found) == ["/nodes/1/mapping/fields.b"]
    assert "flow, input, now, steps, trigger" in found["/nodes/1/mapping/fields.b"]


def test_an_event_id_path_that_does_not_compile_is_flagged():
    hook = {**HOOK, "params": {"event_id_path": "id["}}
    found = problems(flow_document(hook, MAP))
    assert found["/nodes/0/params/event_id_path"].startswith(
        'Step "Paid order", field "event_id_path": Not a valid expression'
    )

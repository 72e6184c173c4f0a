"""The Set node: fixed values and text with placeholders, strict about missing data."""

import pytest

from nodes.engine import interpreter
from nodes.engine.graph import Graph
from nodes.engine.mapping import FieldMappingError, apply_mapping
from nodes.engine.validation import validate_flow
from nodes.kit import registry
from tests.conftest import flow_document
from tests.nodes.flows import run_flow

BIG_ID = 820982911946154508
ORDER = {"id": BIG_ID, "email": "zoë@example.com", "total_price": "2.675", "note": None}
SCOPE = {"trigger": ORDER, "input": ORDER, "steps": {}, "flow": {"name": "Paid"}, "now": "x"}
SPEC = registry.get("core.set", 1)


def resolve(values, **params):
    return apply_mapping({"values": values, **params}, {}, SCOPE, SPEC.params)


def test_placeholders_are_filled_from_the_scope_and_constants_stay_as_they_are():
    params = resolve(
        {
            "subject": "Bestellung {{ trigger.id }} für {{ trigger.email }}",
            "total": "{{ round_money(trigger.total_price) }} €",
            "flow": "{{ flow.name }}",
            "count": 3,
            "paid": True,
            "tags": ["a", "b"],
        }
    )
    assert params["values"] == {
        "subject": f"Bestellung {BIG_ID} für zoë@example.com",
        "total": "2.68 €",
        "flow": "Paid",
        "count": 3,
        "paid": True,
        "tags": ["a", "b"],
    }


def test_a_placeholder_that_finds_nothing_names_the_field_and_the_missing_key():
    with pytest.raises(FieldMappingError) as error:
        resolve({"greeting": "Dear {{ trigger.customer.first_name }},"})
    assert error.value.field == "values.greeting"
    assert str(error.value) == (
        'The text of "values.greeting": the placeholder {{ trigger.customer.first_name }} '
        'found nothing: there is no "customer" in the data.'
    )
    with pytest.raises(FieldMappingError, match="no value"):
        resolve({"note": "{{ trigger.note }}"})


def test_missing_optional_data_takes_a_default():
    params = resolve(
        {
            "note": "{{ default(trigger.note, '-') }}",
            "name": "{{ default(trigger.customer.first_name, 'Kunde') }}",
        }
    )
    assert params["values"] == {"note": "-", "name": "Kunde"}


def test_data_is_never_rendered_as_a_template():
    scope = {**SCOPE, "trigger": {"note": "{{ flow.name }}"}}
    params = apply_mapping({"values": {}}, {"values.note": "trigger.note"}, scope, SPEC.params)
    assert params["values"] == {"note": "{{ flow.name }}"}


def test_templates_cannot_exhaust_the_worker():
    with pytest.raises(FieldMappingError, match="repeats text"):
        resolve({"x": "{{ 'ab' * 999999999 }}"})
    with pytest.raises(FieldMappingError, match="power"):
        resolve({"x": "{{ 9 ** 999999999 }}"})
    assert resolve({"x": "{{ '-' * 3 }}{{ 2 ** 10 }}"})["values"] == {"x": "---1024"}


def test_templates_cannot_reach_python():
    with pytest.raises(FieldMappingError):
        resolve({"x": "{{ trigger.__class__.__mro__ }}"})
    with pytest.raises(FieldMappingError):
        resolve({"x": "{{ ''.__class__.__subclasses__() }}"})


def test_a_template_syntax_error_is_caught_on_save_with_the_fields_pointer():
    document = flow_document(
        {"id": "hook", "type": "core.webhook"},
        {"id": "set", "type": "core.set", "params": {"values": {"subject": "Order {{ trigger.id"}}},
    )
    [problem] = validate_flow(document)
    assert problem.pointer == "/nodes/1/params/values/subject"
    assert 'field "values.subject"' in problem.message and "line 1" in problem.message


def test_keeping_the_input_adds_to_its_fields_and_is_described_for_later_mappings():
    graph = Graph(
        flow_document(
            {"id": "hook", "type": "core.webhook"},
            {
                "id": "set",
                "type": "core.set",
                "params": {"values": {"tag": "vip"}, "keep_input": True},
            },
        )
    )
    run = interpreter.Run("e1", graph, ORDER, {}, http=None, credential=lambda _id: None)
    records = []
    assert interpreter.run(run, records.append).status == "succeeded"
    assert records[0].output == {**ORDER, "tag": "vip"}


def test_keeping_the_input_of_a_list_is_a_clear_error():
    with pytest.raises(Exception, match="not a group of fields"):
        SPEC.run(None, {"values": {}, "keep_input": True}, [1, 2])


def test_set_in_a_flow_on_real_redis(api, client, run_queue):
    execution = run_flow(
        api,
        client,
        run_queue,
        ORDER,
        {
            "id": "set",
            "type": "core.set",
            "name": "Subject",
            "params": {"values": {"subject": "Order {{ trigger.id }}: {{ trigger.email }}"}},
        },
        {
            "id": "greet",
            "type": "core.set",
            "name": "Greeting",
            "params": {"values": {"text": "Hallo {{ trigger.customer.first_name }}"}},
        },
    )
    assert execution["steps"]["set"]["output"] == {"subject": f"Order {BIG_ID}: zoë@example.com"}
    assert execution["status"] == "failed"
    error = execution["error"]
    assert (error["node_name"], error["field"]) == ("Greeting", "values.text")
    assert "{{ trigger.customer.first_name }}" in error["message"]


def test_no_values_give_an_empty_record_and_a_list_input_is_left_alone():
    assert resolve({})["values"] == {}
    assert SPEC.run(None, {"values": {"n": 1}}, [1, 2]) == {"n": 1}

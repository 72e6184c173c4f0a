"""JMESPath mapping: evaluation against the scope, errors that name the field."""

import json

import pytest

from nodes.engine.mapping import FieldMappingError, MappingError, apply_mapping, compile_expression
from nodes.kit import registry

ORDER = json.loads(
    '{"id": 820982911946154508, "email": "jon@example.com", "total_price": "403.00",'
    ' "line_items": [{"sku": "A"}, {"sku": "B"}], "note": null}'
)
SCOPE = {"trigger": ORDER, "input": ORDER, "steps": {}, "flow": {}, "now": ""}


def test_mapped_values_fill_nested_params_and_keep_fixed_ones():
    params = apply_mapping(
        {"method": "POST", "body": {"source": "shop"}},
        {"body.order": "trigger.id", "body.skus": "trigger.line_items[].sku"},
        SCOPE,
    )
    assert params == {
        "method": "POST",
        "body": {"source": "shop", "order": 820982911946154508, "skus": ["A", "B"]},
    }


def test_big_integers_stay_exact():
    params = apply_mapping({}, {"id": "trigger.id"}, SCOPE)
    assert json.dumps(params) == '{"id": 820982911946154508}'


def test_a_missing_value_is_an_error_naming_field_and_expression():
    with pytest.raises(FieldMappingError) as error:
        apply_mapping({}, {"contact.email": "trigger.customer.email"}, SCOPE)
    assert error.value.field == "contact.email"
    assert "`trigger.customer.email`" in str(error.value)
    assert "|| ''" in str(error.value)


def test_a_default_covers_missing_data():
    assert apply_mapping({}, {"note": "trigger.note || 'none'"}, SCOPE) == {"note": "none"}


def test_evaluation_errors_are_reported_for_the_field():
    with pytest.raises(FieldMappingError, match="could not be evaluated"):
        apply_mapping({}, {"total": "sum(trigger.line_items[].sku)"}, SCOPE)


def test_syntax_errors_carry_the_position():
    with pytest.raises(MappingError) as error:
        compile_expression("trigger.line_items[?sku == 'A'")
    assert error.value.position is not None
    assert "position" in error.value.message


def test_a_map_fields_fixed_text_takes_data_from_placeholders():
    spec = registry.get("core.map", 1)
    params = apply_mapping(
        {"fields": {"name": "{{ trigger.first }} {{ trigger.last }}", "channel": "web"}},
        {},
        {"trigger": {"first": "Jon", "last": "Snow"}},
        spec.params,
    )
    assert params["fields"] == {"name": "Jon Snow", "channel": "web"}
